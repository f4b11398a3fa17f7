// The one error for a zip that cannot be read or unpacked; the Lambda service turns it into its 400.
export class ZipError extends Error {
  /** The archive expands beyond Lambda's limit for unzipped code (AWS has its own message for it). */
  readonly tooLarge: boolean;
  constructor(message: string, opts: { tooLarge?: boolean } = {}) {
    super(message);
    this.name = "ZipError";
    this.tooLarge = opts.tooLarge ?? false;
  }
}

