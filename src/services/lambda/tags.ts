// TagResource, UntagResource and ListTags on functions (/2017-03-31/tags/{ARN}).
import { dict } from "../../core/dict.ts";
import type { ListTagsResponse } from "@aws-sdk/client-lambda";
import { uuid } from "../../core/ids.ts";
import { restOutput, type RestOutput } from "../../core/rest-model.ts";
import type { LambdaCall, LambdaEnv } from "./env.ts";
import { invalidParameter } from "./errors.ts";
import { requireFunction, type Found } from "./lookup.ts";
import { LIMITS } from "./model.ts";
import { LIST_TAGS, TAG_RESOURCE, UNTAG_RESOURCE, validate } from "./validation.ts";

/** Tag limits of the Lambda quotas page. */
export function checkTags(add: Record<string, string>, existing: Record<string, string>): void {
  for (const [k, v] of Object.entries(add)) {
    // unverified wording
    if (k.length < 1 || k.length > 128) throw invalidParameter(`Tag key must be between 1 and 128 characters: ${k}`);
    // unverified wording
    if (String(v).length > 256) throw invalidParameter(`Tag value must be no longer than 256 characters: ${k}`);
    // unverified wording
    if (k.toLowerCase().startsWith("aws:")) throw invalidParameter("Tag keys starting with 'aws:' are reserved for AWS use.");
  }
  const total = new Set([...Object.keys(existing), ...Object.keys(add)]).size;
  if (total > LIMITS.maxTagsPerResource) throw invalidParameter("Number of tags exceeds function tag limit.");
}

function taggedFunction(env: LambdaEnv, call: LambdaCall, action: string): Found {
  const resource = call.labels.ARN;
  const found = requireFunction(env, call, resource, undefined, action);
  if (found.ref.qualifier !== undefined) {
    // ListTags's own text, AWS-validated (LocalStack's test_tag_exceptions[lambda_function]).
    if (action === "lambda:ListTags") throw invalidParameter("Tags on function aliases and versions are not supported. Please specify a function ARN.");
    throw invalidParameter(
      "Tagging operations are permitted on Lambda functions only. Tags on aliases and versions are not supported. Please specify either a function name or a function ARN.",
    );
  }
  return found;
}

export function tagResource(env: LambdaEnv, call: LambdaCall): RestOutput {
  call.ctx.operation = "TagResource";
  const input: Record<string, unknown> = { ...call.input(), Resource: call.labels.ARN };
  validate(TAG_RESOURCE, input);
  const { fn } = taggedFunction(env, call, "lambda:TagResource");
  const tags = input.Tags as Record<string, string>;
  if (Object.keys(tags).length === 0) throw invalidParameter("An error occurred and the request cannot be processed.");
  checkTags(tags, fn.tags);
  for (const [k, v] of Object.entries(tags)) fn.tags[k] = v;
  fn.latest.revisionId = uuid(); // tags are part of the function: its RevisionId moves
  return { status: 204, headers: {}, body: "" };
}

export function untagResource(env: LambdaEnv, call: LambdaCall): RestOutput {
  call.ctx.operation = "UntagResource";
  const input = { Resource: call.labels.ARN, TagKeys: call.query.has("tagKeys") ? call.query.getAll("tagKeys") : undefined };
  validate(UNTAG_RESOURCE, input);
  const { fn } = taggedFunction(env, call, "lambda:UntagResource");
  // Tags AWS set (aws:cloudformation:*) cannot be removed by anyone. // unverified wording
  if ((input.TagKeys ?? []).some((k) => k.toLowerCase().startsWith("aws:"))) throw invalidParameter("Tag keys starting with 'aws:' are reserved for AWS use.");
  for (const k of input.TagKeys ?? []) delete fn.tags[k];
  fn.latest.revisionId = uuid();
  return { status: 204, headers: {}, body: "" };
}

export function listTags(env: LambdaEnv, call: LambdaCall): RestOutput {
  call.ctx.operation = "ListTags";
  const input = { Resource: call.labels.ARN };
  validate(LIST_TAGS, input);
  const { fn } = taggedFunction(env, call, "lambda:ListTags");
  const out: ListTagsResponse = { Tags: { ...fn.tags } };
  return restOutput(200, out);
}
