/**
 * For requests that carry no signature we still answer in the shape of the service they were
 * meant for: Lambda by its dated REST paths, the query services by their API Version.
 */
import { own } from "../core/dict.ts";

const LAMBDA_PREFIX = /^\/(2015-03-31|2016-08-19|2017-10-31|2018-10-31|2019-09-25|2019-09-30|2020-04-22|2020-06-30|2021-10-31|2024-08-31)\//;
const VERSIONS: Record<string, string> = { "2016-11-15": "ec2", "2010-05-08": "iam", "2011-06-15": "sts", "2010-05-15": "cloudformation" };

export function serviceFromPath(rawPath: string): string | undefined {
  return LAMBDA_PREFIX.test(rawPath) ? "lambda" : undefined;
}

export function serviceFromParams(params: URLSearchParams): string | undefined {
  const v = params.get("Version");
  return v ? own(VERSIONS, v) : undefined;
}
