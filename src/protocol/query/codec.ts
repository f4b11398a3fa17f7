import type { AwsError } from "../../core/aws-error.ts";
import type { ServiceResponse } from "../http-types.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import { escapeXml, writeXml } from "../xml.ts";

/**
 * awsQuery (IAM, STS): <OpResponse xmlns><OpResult>..</OpResult><ResponseMetadata><RequestId>..</RequestId></ResponseMetadata></OpResponse>,
 * lists as <member>.
 */
export function renderQueryResult(action: string, xmlns: string, requestId: string, result: OutputObject | undefined): ServiceResponse {
  const inner = result === undefined ? "" : `<${action}Result>${writeXml(result, "member")}</${action}Result>`;
  const body = `<${action}Response xmlns="${xmlns}">${inner}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, headers: { "content-type": "text/xml" }, body };
}

/** <ErrorResponse xmlns><Error><Type>Sender</Type><Code>..</Code><Message>..</Message></Error><RequestId>..</RequestId></ErrorResponse> */
export function renderQueryError(err: AwsError, xmlns: string, requestId: string): ServiceResponse {
  const type = err.isClientFault ? "Sender" : "Receiver";
  const body = `<ErrorResponse xmlns="${xmlns}"><Error><Type>${type}</Type><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status: err.status, headers: { "content-type": "text/xml", ...err.headers }, body };
}
