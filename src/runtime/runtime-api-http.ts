// The HTTP/1.1 server side of one Runtime API connection, by hand on a net socket. node:http cost
// about a third of the server's CPU per warm invocation here (a runtime makes two requests per
// invocation, each with its request and response objects and streams); this speaks what Runtime API
// clients send: Content-Length and chunked bodies, Expect: 100-continue, keep-alive, pipelining and
// Connection: close. Requests of a connection are handled one after another, as RAPID (a Go server)
// does: a long-polling GET /next holds the ones behind it until it is answered.
//
// Pipelining also saves a wake-up: the bootstraps send an invocation's answer and the next long
// poll in one write. The answer's 202 then waits in the output until the next invocation goes out,
// and both reach the runtime in one write (a client that waits for the 202 before polling again
// gets it at once: nothing is behind it).
import type { Socket } from "node:net";

/** Bigger request heads are refused (Runtime API requests carry a few small headers). */
const MAX_HEAD_BYTES = 65_536;

export interface HttpRequest {
  method: string;
  /** The request target as sent (path and query). */
  target: string;
  /** Header names in lower case; a repeated header keeps its first value. */
  headers: Map<string, string>;
  /** The body; for one over the limit, empty (see size). */
  body: Buffer;
  /** The body's length, counted even past the limit. */
  size: number;
}

/** What answers a request: now (a reply) or later, through the connection (a long poll). */
export type RequestHandler = (req: HttpRequest, conn: HttpConnection) => HttpAnswer | "later";

export interface HttpAnswer {
  status: number;
  headers?: Record<string, string | number>;
  body?: Buffer | string;
}

interface BodyState {
  req: HttpRequest;
  chunks: Buffer[];
  /** Content-Length mode: bytes still to read. */
  remaining: number;
  chunked: boolean;
  /** Chunked mode: where in the chunk framing we are. */
  phase: "size" | "data" | "data-end" | "trailer";
  /** Chunked mode: a partial framing line. */
  line: Buffer | undefined;
  close: boolean;
}

const STATUS_TEXT: Record<number, string> = {
  100: "Continue",
  200: "OK",
  202: "Accepted",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Request Entity Too Large",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
};

export class HttpConnection {
  private closedFlag = false;
  private head: Buffer | undefined;
  private body: BodyState | undefined;
  /** A request is waiting for its answer ("later"): the requests behind it wait too. */
  private waiting = false;
  private waitingClose = false;
  private queued: Buffer[] = [];
  private out: Buffer[] = [];
  private pumping = false;
  /** The output holds a long poll's answer: it goes out now. */
  private urgent = false;
  private closeListeners: (() => void)[] = [];

  constructor(
    private readonly socket: Socket,
    private readonly handle: RequestHandler,
    private readonly bodyLimit: number,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("error", () => {}); // "close" follows
    socket.on("close", () => {
      this.closedFlag = true;
      const listeners = this.closeListeners;
      this.closeListeners = [];
      for (const fn of listeners) fn();
    });
  }

  get closed(): boolean {
    return this.closedFlag || this.socket.destroyed;
  }

  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.closeListeners.push(fn);
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** The answer to the request that is waiting ("later"); then the requests behind it go on. */
  answer(a: HttpAnswer): void {
    if (!this.waiting || this.closed) return;
    this.waiting = false;
    this.write(a, this.waitingClose);
    if (this.waitingClose) return;
    // A long poll's answer goes out at once (with what waited for it), even if the next poll waits.
    this.urgent = true;
    if (this.pumping) return; // answered from inside handle(): the loop goes on by itself
    const queued = this.queued;
    this.queued = [];
    this.pump(queued);
  }

  private receive(chunk: Buffer): void {
    if (this.waiting) {
      this.queued.push(chunk);
      return;
    }
    this.pump([chunk]);
  }

  private pump(chunks: Buffer[]): void {
    this.pumping = true;
    try {
      for (let i = 0; i < chunks.length; i++) {
        const rest = this.consume(chunks[i]);
        if (rest && rest.length > 0) {
          // Waiting behind a long poll: keep the rest for later, in order.
          this.queued.push(rest, ...chunks.slice(i + 1));
          break;
        }
      }
    } catch {
      this.fail(400);
    } finally {
      this.pumping = false;
    }
    // While a long poll waits, what was answered before it goes out with its answer.
    if (!this.waiting || this.urgent) this.flush();
  }

  /** Parse and handle what data holds; returns the bytes left unread because a request waits. */
  private consume(data: Buffer): Buffer | undefined {
    while (data.length > 0 && !this.closed) {
      if (this.waiting) return data;
      if (this.body) {
        data = this.readBody(this.body, data);
        continue;
      }
      const buf = this.head ? Buffer.concat([this.head, data]) : data;
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) {
        if (buf.length > MAX_HEAD_BYTES) this.fail(431);
        else this.head = buf;
        return undefined;
      }
      this.head = undefined;
      if (end > MAX_HEAD_BYTES) return void this.fail(431);
      const state = parseHead(buf.toString("latin1", 0, end));
      if (!state) return void this.fail(400);
      data = buf.subarray(end + 4);
      if (!state.chunked && state.remaining === 0) {
        this.dispatch(state);
        continue;
      }
      if (state.req.headers.get("expect")?.toLowerCase() === "100-continue") this.socket.write("HTTP/1.1 100 Continue\r\n\r\n");
      this.body = state;
    }
    return undefined;
  }

  private readBody(b: BodyState, data: Buffer): Buffer {
    if (!b.chunked) {
      const take = Math.min(b.remaining, data.length);
      this.keep(b, data.subarray(0, take));
      b.remaining -= take;
      if (b.remaining === 0) this.dispatch(b);
      return data.subarray(take);
    }
    let at = 0;
    while (at < data.length) {
      if (b.phase === "data") {
        const take = Math.min(b.remaining, data.length - at);
        this.keep(b, data.subarray(at, at + take));
        b.remaining -= take;
        at += take;
        if (b.remaining === 0) b.phase = "data-end";
        continue;
      }
      // A framing line: the chunk size, the CRLF after a chunk's data, or a trailer line.
      const nl = data.indexOf(10, at);
      if (nl < 0) {
        b.line = b.line ? Buffer.concat([b.line, data.subarray(at)]) : data.subarray(at);
        if (b.line.length > MAX_HEAD_BYTES) throw new Error("chunk framing too long");
        return data.subarray(data.length);
      }
      const piece = data.subarray(at, nl + 1);
      const line = (b.line ? Buffer.concat([b.line, piece]) : piece).toString("latin1").replace(/\r?\n$/, "");
      b.line = undefined;
      at = nl + 1;
      if (b.phase === "data-end") {
        if (line !== "") throw new Error("no CRLF after a chunk");
        b.phase = "size";
      } else if (b.phase === "size") {
        const size = parseInt(line.split(";")[0].trim(), 16);
        if (!Number.isFinite(size) || size < 0 || !/^[0-9a-fA-F]+$/.test(line.split(";")[0].trim())) throw new Error("bad chunk size");
        if (size === 0) b.phase = "trailer";
        else {
          b.phase = "data";
          b.remaining = size;
        }
      } else if (line === "") {
        this.dispatch(b);
        return data.subarray(at);
      }
    }
    return data.subarray(data.length);
  }

  private keep(b: BodyState, piece: Buffer): void {
    b.req.size += piece.length;
    if (b.req.size <= this.bodyLimit) b.chunks.push(piece);
    else b.chunks.length = 0; // past the limit: only counted
  }

  private dispatch(b: BodyState): void {
    this.body = undefined;
    const req = b.req;
    if (req.size <= this.bodyLimit) req.body = b.chunks.length === 1 ? b.chunks[0] : Buffer.concat(b.chunks, req.size);
    // Waiting from the start: a handler may answer "later" at once, from inside handle().
    this.waiting = true;
    this.waitingClose = b.close;
    const a = this.handle(req, this);
    if (a === "later") return;
    this.waiting = false;
    this.write(a, b.close);
  }

  private write(a: HttpAnswer, close: boolean): void {
    const body = a.body === undefined ? EMPTY : typeof a.body === "string" ? Buffer.from(a.body) : a.body;
    let head = `HTTP/1.1 ${a.status} ${STATUS_TEXT[a.status] ?? "Unknown"}\r\n`;
    for (const k in a.headers) head += `${k}: ${headerValue(a.headers[k])}\r\n`;
    head += `Content-Length: ${body.length}\r\n${close ? "Connection: close\r\n" : ""}\r\n`;
    this.out.push(Buffer.from(head, "latin1"));
    if (body.length > 0) this.out.push(body);
    if (close) {
      this.flush();
      this.socket.end();
      this.closedFlag = true;
    }
  }

  private flush(): void {
    const out = this.out;
    this.urgent = false;
    if (out.length === 0 || this.socket.destroyed) return;
    this.out = [];
    if (out.length === 1) this.socket.write(out[0]);
    else {
      this.socket.cork();
      for (const b of out) this.socket.write(b);
      this.socket.uncork();
    }
  }

  private fail(status: number): void {
    this.out = [];
    this.write({ status }, true);
  }
}

const EMPTY = Buffer.alloc(0);

/** Header values come from callers and users (error types, trace ids): one printable line. */
function headerValue(v: string | number): string {
  const s = String(v);
  return /[^\t\x20-\x7e]/.test(s) ? s.replace(/[^\t\x20-\x7e]/g, "") : s;
}

/** "METHOD target HTTP/1.x" and the header lines; undefined when it is not an HTTP/1 request. */
function parseHead(text: string): BodyState | undefined {
  const lines = text.replace(/^(\r\n)+/, "").split("\r\n");
  const m = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/.exec(lines[0]);
  if (!m) return undefined;
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const c = lines[i].indexOf(":");
    if (c <= 0) return undefined;
    const name = lines[i].slice(0, c).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, lines[i].slice(c + 1).trim());
  }
  const connection = headers.get("connection")?.toLowerCase() ?? "";
  const close = m[3] === "0" ? !connection.includes("keep-alive") : connection.includes("close");
  const te = headers.get("transfer-encoding");
  const chunked = te !== undefined && te.toLowerCase().includes("chunked");
  let remaining = 0;
  if (!chunked && headers.has("content-length")) {
    const cl = headers.get("content-length")!;
    if (!/^\d+$/.test(cl)) return undefined;
    remaining = Number(cl);
  }
  const req: HttpRequest = { method: m[1], target: m[2], headers, body: EMPTY, size: 0 };
  return { req, chunks: [], remaining, chunked, phase: "size", line: undefined, close };
}
