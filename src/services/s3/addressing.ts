// Virtual-hosted-style addressing: the SDKs name a bucket in the Host header
// (<bucket>.s3.<region>.amazonaws.com, <bucket>.s3.amazonaws.com) when it is a valid DNS label, and
// keep the path for the key. Function code's SDKs call S3 by those names (AWS_ENDPOINT_URL_S3), which
// hyperlocal's network delivers to its own listener; any other Host is path style.
import { awsServiceForName } from "../../core/aws-service-addresses.ts";

/** The bucket a Host header names ("b.s3.us-east-1.amazonaws.com:443" → "b"); undefined for path style. */
export function bucketFromHost(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const name = host
    .replace(/:\d+$/, "")
    .toLowerCase()
    .replace(/\.$/, "");
  // What comes before s3.<region>.amazonaws.com or s3.amazonaws.com (a region AWS has).
  const m = /^(.+)\.(s3(?:\.[a-z0-9-]+)?\.amazonaws\.com)$/.exec(name);
  return m && awsServiceForName(m[2])?.service === "s3" ? m[1] : undefined;
}
