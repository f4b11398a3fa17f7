/**
 * The one error type of every service. Codecs render it per protocol:
 * rest-json (X-Amzn-ErrorType + JSON), EC2 (<Response><Errors>) and query (<ErrorResponse>).
 */
export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  /** Extra members rendered into the error body (rest-json) such as Reason or retryAfterSeconds. */
  readonly fields: Record<string, unknown>;
  /** Extra response headers, e.g. Retry-After. */
  readonly headers: Record<string, string>;

  constructor(code: string, status: number, message: string, fields: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = status;
    this.fields = fields;
    this.headers = headers;
  }

  /** Sender (client) fault for 4xx, Receiver (server) for 5xx. */
  get isClientFault(): boolean {
    return this.status < 500;
  }
}

export function isAwsError(e: unknown): e is AwsError {
  return e instanceof AwsError;
}
