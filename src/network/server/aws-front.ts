// Where a function's allowed AWS calls are delivered: one loopback listener per execution
// environment and path (direct, through NAT gateway X, through endpoint Y), made when the model
// first allows that path. Its connections are handed to the function listener's HTTP server, and
// the path stays bound to each socket: the gateway reads the IAM condition keys from the listener a
// connection arrived on, never from anything the function sends.
import { createServer, type Server, type Socket } from "node:net";
import type { Logger } from "../../core/logger.ts";
import type { AwsCallPath } from "./types.ts";

export class AwsFront {
  private readonly listeners = new Map<string, Promise<number>>();
  private readonly servers = new Map<string, Server>();
  private readonly paths = new WeakMap<Socket, AwsCallPath>();
  /** Receives each accepted connection (app.ts: the function listener's HTTP server). */
  deliver: ((socket: Socket) => void) | undefined;

  constructor(private readonly logger?: Logger) {}

  /** The loopback port that delivers this environment's calls along this path (listening once the promise resolves). */
  portFor(token: string, path: AwsCallPath): Promise<number> {
    const key = `${token}|${pathKey(path)}`;
    let port = this.listeners.get(key);
    if (!port) {
      port = this.open(key, Object.freeze({ ...path }));
      this.listeners.set(key, port);
      port.catch(() => this.listeners.delete(key));
    }
    return port;
  }

  /** Deliver a connection whose path hyperlocal established another way (kernel mode's relays). */
  deliverWithPath(socket: Socket, path: AwsCallPath): void {
    const deliver = this.deliver;
    if (!deliver) return void socket.destroy();
    this.paths.set(socket, Object.freeze({ ...path }));
    deliver(socket);
    socket.resume();
  }

  /** The path a connection to the function listener came along (undefined: straight to the listener). */
  pathOf(socket: Socket | undefined): AwsCallPath | undefined {
    return socket ? this.paths.get(socket) : undefined;
  }

  /** Close the listeners of an execution environment that is gone. */
  forget(token: string): void {
    for (const key of [...this.servers.keys()]) if (key.startsWith(`${token}|`)) this.closeKey(key);
  }

  clear(): void {
    for (const key of [...this.servers.keys()]) this.closeKey(key);
  }

  /** Listeners open now (for tests and benches). */
  get size(): number {
    return this.servers.size;
  }

  private open(key: string, path: AwsCallPath): Promise<number> {
    const server = createServer((socket) => {
      const deliver = this.deliver;
      if (!deliver) return socket.destroy();
      this.paths.set(socket, path);
      deliver(socket);
    });
    this.servers.set(key, server);
    return new Promise((resolve, reject) => {
      server.once("error", (e) => {
        this.servers.delete(key);
        this.logger?.warn(`network: the AWS call listener for ${path.functionName} (${path.via}) failed: ${e.message}`);
        reject(e);
      });
      server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
    });
  }

  private closeKey(key: string): void {
    this.servers.get(key)?.close();
    this.servers.delete(key);
    this.listeners.delete(key);
  }
}

function pathKey(p: AwsCallPath): string {
  return [p.via, p.endpointService, p.sourceIp ?? "", p.sourceVpc ?? "", p.sourceVpce ?? "", p.vpcSourceIp ?? "", p.endpointPolicy ?? ""].join("|");
}
