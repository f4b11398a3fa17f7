import type { AwsError } from "../../core/aws-error.ts";
import type { ServiceResponse } from "../http-types.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import { escapeXml, writeXmlBytes } from "../xml.ts";

export const EC2_XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/";

/**
 * EC2 success: no Result wrapper, lowercase requestId, lists as <item>.
 *   <DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>..</requestId><vpcSet><item>..</item></vpcSet></DescribeVpcsResponse>
 */
export function renderEc2Result(action: string, requestId: string, result: OutputObject): ServiceResponse {
  const body = writeXmlBytes(`<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_XMLNS}"><requestId>${requestId}</requestId>`, result, "item", `</${action}Response>`);
  return { status: 200, headers: { "content-type": "text/xml;charset=UTF-8" }, body };
}

/** EC2 errors: <Response><Errors><Error><Code>..</Code><Message>..</Message></Error></Errors><RequestID>..</RequestID></Response> (capital ID). */
export function renderEc2Error(err: AwsError, requestId: string): ServiceResponse {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
  return { status: err.status, headers: { "content-type": "text/xml;charset=UTF-8", ...err.headers }, body };
}
