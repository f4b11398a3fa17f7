import { AwsError } from "../../core/aws-error.ts";
import { denialMessage } from "../../core/authorization.ts";
import type { RestXmlServiceModel } from "../../core/rest-model.ts";
import type { ServiceDeps } from "../service-deps.ts";
import { BlobStore } from "./blobs.ts";
import { createS3Internal, type S3Internal } from "./internal.ts";
import { route } from "./router.ts";
import { s3State } from "./state.ts";

/**
 * The largest request body: the gateway holds a body in memory before it verifies the signature,
 * so one PutObject or UploadPart is bounded here (S3 itself takes 5 GB; clients switch to multipart
 * uploads long before: the CLI at 8 MB, lib-storage at 5 MB).
 */
export const S3_MAX_BODY = 256 * 1024 * 1024;

export type { S3Internal } from "./internal.ts";

export interface S3Module {
  /** The service model; the rest-xml codec binds it to the wire (bindRestXmlService, in app.ts). */
  model: RestXmlServiceModel;
  internal: S3Internal;
  /** Where object bodies are kept. */
  blobDir: string;
}

export function createS3Service(deps: ServiceDeps): S3Module {
  const blobs = new BlobStore(deps.config.stateDir);
  const model: RestXmlServiceModel = {
    signingName: "s3",
    protocol: "rest-xml",
    maxBodyBytes: S3_MAX_BODY,
    unsignedPayload: true,
    s3Signing: true,
    handle: (call, ctx) => route(call, ctx, s3State(deps.store), blobs),
    translateError: (err) => (err.code === "RequestEntityTooLarge" ? new AwsError("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed size", { MaxSizeAllowed: S3_MAX_BODY }) : err),
    // S3's denial message carries the same explanation as the other services' (since 2023).
    accessDenied: (principalArn, action, resource, d) => new AwsError("AccessDenied", 403, denialMessage(principalArn, action, resource, d)),
    onReset: () => blobs.clear(),
    onShutdown: () => blobs.close(),
  };
  return { model, internal: createS3Internal(() => s3State(deps.store), blobs), blobDir: blobs.dir };
}
