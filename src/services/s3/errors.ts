import { AwsError } from "../../core/aws-error.ts";

/** S3's error codes, statuses and messages as the S3 API reference's error table gives them. */
export const noSuchBucket = (bucket: string) => new AwsError("NoSuchBucket", 404, "The specified bucket does not exist", { BucketName: bucket });
export const noSuchKey = (key: string, headers: Record<string, string> = {}) => new AwsError("NoSuchKey", 404, "The specified key does not exist.", { Key: key }, headers);
export const noSuchVersion = (key: string, versionId: string) => new AwsError("NoSuchVersion", 404, "The specified version does not exist.", { Key: key, VersionId: versionId });
export const bucketNotEmpty = (bucket: string) => new AwsError("BucketNotEmpty", 409, "The bucket you tried to delete is not empty", { BucketName: bucket });
export const alreadyOwnedByYou = (bucket: string) =>
  new AwsError("BucketAlreadyOwnedByYou", 409, "Your previous request to create the named bucket succeeded and you already own it.", { BucketName: bucket });
export const alreadyExists = (bucket: string) =>
  new AwsError("BucketAlreadyExists", 409, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.", { BucketName: bucket });
export const invalidBucketName = (bucket: string) => new AwsError("InvalidBucketName", 400, "The specified bucket is not valid.", { BucketName: bucket });
export const invalidRange = (range: string, size: number) =>
  new AwsError("InvalidRange", 416, "The requested range is not satisfiable", { RangeRequested: range, ActualObjectSize: size }, { "content-range": `bytes */${size}` });
export const noSuchUpload = (uploadId: string) =>
  new AwsError("NoSuchUpload", 404, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", { UploadId: uploadId });
export const invalidPart = () =>
  new AwsError("InvalidPart", 400, "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.");
export const invalidPartOrder = () => new AwsError("InvalidPartOrder", 400, "The list of parts was not in ascending order. Parts must be ordered by part number.");
export const entityTooSmall = () => new AwsError("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size.");
export const malformedXml = () => new AwsError("MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema");
export const invalidArgument = (message: string, name?: string, value?: string) => new AwsError("InvalidArgument", 400, message, name ? { ArgumentName: name, ArgumentValue: value } : {});
export const badDigest = (message = "The Content-MD5 you specified did not match what we received.") => new AwsError("BadDigest", 400, message);
export const methodNotAllowed = (headers: Record<string, string>) => new AwsError("MethodNotAllowed", 405, "The specified method is not allowed against this resource.", {}, headers);
export const noSuchBucketPolicy = (bucket: string) => new AwsError("NoSuchBucketPolicy", 404, "The bucket policy does not exist", { BucketName: bucket });
export const malformedPolicy = (message: string) => new AwsError("MalformedPolicy", 400, message);
export const notImplemented = () => new AwsError("NotImplemented", 501, "A header you provided implies functionality that is not implemented"); // unverified wording for an unknown sub-resource
