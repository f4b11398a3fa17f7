// SAM's error texts (samtranslator/model/exceptions.py). CloudFormation shows them after
// "Transform AWS::Serverless-2016-10-31 failed with: ".

/** One problem in the template; `message` is SAM's full sentence for it. */
export class SamError extends Error {
  constructor(
    message: string,
    /** What SAM sorts its causes by: the resource's logical id ("" for template-level problems). */
    readonly sortKey = "",
  ) {
    super(message);
  }
}

/** "Resource with id [Fn] is invalid. ..." */
export function resourceError(logicalId: string, message: string): SamError {
  return new SamError(`Resource with id [${logicalId}] is invalid. ${message}`, logicalId);
}

/** "Resource with id [Fn] is invalid. Event with id [Ev] is invalid. ..." */
export function eventError(logicalId: string, eventId: string, message: string): SamError {
  return resourceError(logicalId, `Event with id [${eventId}] is invalid. ${message}`);
}

/** "'Globals' section is invalid. ..." */
export function globalsError(message: string): SamError {
  return new SamError(`'Globals' section is invalid. ${message}`);
}

/** "Structure of the SAM template is invalid. ..." */
export function structureError(message: string): SamError {
  return new SamError(`Structure of the SAM template is invalid. ${message}`);
}

/**
 * Every cause in one message, as InvalidDocumentException words it: duplicates dropped, resource
 * errors in logical-id order.
 */
export function documentMessage(causes: SamError[]): string {
  const unique = [...new Map(causes.map((c) => [c.message, c])).values()];
  unique.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  return [`Invalid Serverless Application Specification document. Number of errors found: ${unique.length}.`, ...unique.map((c) => c.message)].join(" ");
}
