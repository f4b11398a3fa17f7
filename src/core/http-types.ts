import type { IncomingHttpHeaders } from "node:http";

/** A request as the services see it: the exact bytes plus the parsed URL parts. */
export interface ServiceRequest {
  method: string;
  /** The path as sent, still percent-encoded. */
  rawPath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface ServiceResponse {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
}
