// Lambda's REST routes, as the model (botocore lambda/2015-03-31) gives them. The dated prefixes
// are part of each operation's path: concurrency lives under 2017-10-31 (Get under 2019-09-30),
// tags under 2017-03-31, account settings under 2016-08-19.
import type { RestRoute } from "../../core/rest-model.ts";

export type LambdaOperationName =
  | "CreateFunction"
  | "ListFunctions"
  | "GetFunction"
  | "DeleteFunction"
  | "GetFunctionConfiguration"
  | "UpdateFunctionConfiguration"
  | "UpdateFunctionCode"
  | "Invoke"
  | "InvokeAsync"
  | "PublishVersion"
  | "ListVersionsByFunction"
  | "CreateAlias"
  | "ListAliases"
  | "GetAlias"
  | "UpdateAlias"
  | "DeleteAlias"
  | "AddPermission"
  | "GetPolicy"
  | "RemovePermission"
  | "TagResource"
  | "UntagResource"
  | "ListTags"
  | "PutFunctionConcurrency"
  | "DeleteFunctionConcurrency"
  | "GetFunctionConcurrency"
  | "GetAccountSettings"
  | "PutFunctionEventInvokeConfig"
  | "GetFunctionEventInvokeConfig"
  | "UpdateFunctionEventInvokeConfig"
  | "DeleteFunctionEventInvokeConfig"
  | "ListFunctionEventInvokeConfigs";

const F = "/2015-03-31/functions/{FunctionName}";

export const LAMBDA_ROUTES: RestRoute<LambdaOperationName>[] = [
  { method: "POST", pattern: "/2015-03-31/functions", operation: "CreateFunction" },
  { method: "GET", pattern: "/2015-03-31/functions", operation: "ListFunctions" },
  { method: "GET", pattern: F, operation: "GetFunction" },
  { method: "DELETE", pattern: F, operation: "DeleteFunction" },
  { method: "GET", pattern: `${F}/configuration`, operation: "GetFunctionConfiguration" },
  { method: "PUT", pattern: `${F}/configuration`, operation: "UpdateFunctionConfiguration" },
  { method: "PUT", pattern: `${F}/code`, operation: "UpdateFunctionCode" },
  { method: "POST", pattern: `${F}/invocations`, operation: "Invoke" },
  { method: "POST", pattern: "/2014-11-13/functions/{FunctionName}/invoke-async", operation: "InvokeAsync" },
  { method: "POST", pattern: `${F}/versions`, operation: "PublishVersion" },
  { method: "GET", pattern: `${F}/versions`, operation: "ListVersionsByFunction" },
  { method: "POST", pattern: `${F}/aliases`, operation: "CreateAlias" },
  { method: "GET", pattern: `${F}/aliases`, operation: "ListAliases" },
  { method: "GET", pattern: `${F}/aliases/{Name}`, operation: "GetAlias" },
  { method: "PUT", pattern: `${F}/aliases/{Name}`, operation: "UpdateAlias" },
  { method: "DELETE", pattern: `${F}/aliases/{Name}`, operation: "DeleteAlias" },
  { method: "POST", pattern: `${F}/policy`, operation: "AddPermission" },
  { method: "GET", pattern: `${F}/policy`, operation: "GetPolicy" },
  { method: "DELETE", pattern: `${F}/policy/{StatementId}`, operation: "RemovePermission" },
  { method: "POST", pattern: "/2017-03-31/tags/{ARN}", operation: "TagResource" },
  { method: "DELETE", pattern: "/2017-03-31/tags/{ARN}", operation: "UntagResource" },
  { method: "GET", pattern: "/2017-03-31/tags/{ARN}", operation: "ListTags" },
  { method: "PUT", pattern: "/2017-10-31/functions/{FunctionName}/concurrency", operation: "PutFunctionConcurrency" },
  { method: "PUT", pattern: "/2019-09-25/functions/{FunctionName}/event-invoke-config", operation: "PutFunctionEventInvokeConfig" },
  { method: "GET", pattern: "/2019-09-25/functions/{FunctionName}/event-invoke-config", operation: "GetFunctionEventInvokeConfig" },
  { method: "POST", pattern: "/2019-09-25/functions/{FunctionName}/event-invoke-config", operation: "UpdateFunctionEventInvokeConfig" },
  { method: "DELETE", pattern: "/2019-09-25/functions/{FunctionName}/event-invoke-config", operation: "DeleteFunctionEventInvokeConfig" },
  { method: "GET", pattern: "/2019-09-25/functions/{FunctionName}/event-invoke-config/list", operation: "ListFunctionEventInvokeConfigs" },
  { method: "DELETE", pattern: "/2017-10-31/functions/{FunctionName}/concurrency", operation: "DeleteFunctionConcurrency" },
  { method: "GET", pattern: "/2019-09-30/functions/{FunctionName}/concurrency", operation: "GetFunctionConcurrency" },
  { method: "GET", pattern: "/2016-08-19/account-settings", operation: "GetAccountSettings" },
];

