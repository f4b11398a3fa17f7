import { randomBytes } from "node:crypto";
import { adminError, type AdminRoutes } from "../../core/admin.ts";

/** What a custom resource's function PUTs to its ResponseURL (the cfn-response shape). */
export interface CustomResponse {
  Status?: string;
  Reason?: string;
  PhysicalResourceId?: string;
  Data?: Record<string, unknown>;
  RequestId?: string;
}

/**
 * The ResponseURLs of custom resources waiting for their function. On AWS the URL is a presigned S3
 * URL; here it is a one-use URL on hyperlocal's function listener (the only port function code
 * reaches) with an unguessable token, its own credential.
 */
export class CustomResponses {
  private waiting = new Map<string, (r: CustomResponse) => void>();

  constructor(private readonly serverUrl: () => string) {}

  open(): { url: string; response: Promise<CustomResponse>; close(): void } {
    const token = randomBytes(24).toString("hex");
    let resolve!: (r: CustomResponse) => void;
    const response = new Promise<CustomResponse>((res) => (resolve = res));
    this.waiting.set(token, resolve);
    return { url: `${this.serverUrl()}/_hyperlocal/cloudformation/custom-resource-responses/${token}`, response, close: () => this.waiting.delete(token) };
  }

  clear(): void {
    this.waiting.clear();
  }

  registerAdminRoutes(admin: AdminRoutes): void {
    admin.add("PUT", "cloudformation/custom-resource-responses/{token}", (req, params) => {
      const done = this.waiting.get(params.token);
      if (!done) return adminError(403, "Access Denied");
      const body = req.body;
      if (!body || typeof body !== "object" || Array.isArray(body)) return adminError(400, "the response must be a JSON object");
      this.waiting.delete(params.token);
      done(body as CustomResponse);
      return { status: 200, body: {} };
    }, { ownCredential: true });
  }
}
