// PublishVersion and ListVersionsByFunction. A version is an immutable copy of $LATEST with the next
// number; numbers are never reused. Publishing when nothing changed since the last version returns
// that version, as Lambda does.
import { cloneDocument } from "../../store/documents.ts";
import type { FunctionConfiguration, ListVersionsByFunctionResponse } from "@aws-sdk/client-lambda";
import { uuid } from "../../core/ids.ts";
import { restOutput, type RestOutput } from "../../core/rest-model.ts";
import type { LambdaCall, LambdaEnv } from "./env.ts";
import { invalidParameter, preconditionFailed, REVISION_MISMATCH } from "./errors.ts";
import { paginate, publishTasks, queryInt } from "./functions.ts";
import { requireFunction } from "./lookup.ts";
import { LATEST, lambdaTimestamp, type FunctionRecord, type VersionConfig } from "./model.ts";
import { toFunctionConfiguration } from "./render.ts";
import { LIST_VERSIONS, PUBLISH_VERSION, validate } from "./validation.ts";

/**
 * Copy $LATEST into a new version, or return the newest version when nothing changed since it was
 * published (Lambda compares its internal revision). The caller starts the new version's
 * transition (beginPublish, or CreateFunction's own), which sets its State and drops the
 * LastUpdateStatus copied from $LATEST: versions never have one.
 */
export function publishVersion(env: LambdaEnv, fn: FunctionRecord, description: string | undefined): { cfg: VersionConfig; created: boolean } {
  const newest = fn.lastVersion > 0 ? fn.versions[String(fn.lastVersion)] : undefined;
  if (newest && newest.internalRevision === fn.latest.internalRevision) return { cfg: newest, created: false };
  const version = String(++fn.lastVersion);
  const cfg: VersionConfig = {
    ...cloneDocument(fn.latest),
    version,
    description: description ?? fn.latest.description,
    lastModified: lambdaTimestamp(env.clock.now()),
    revisionId: uuid(),
    lastActivityAt: env.clock.now(),
  };
  fn.versions[version] = cfg;
  return { cfg, created: true };
}

export function publishVersionOperation(env: LambdaEnv, call: LambdaCall): RestOutput {
  call.ctx.operation = "PublishVersion";
  const input: Record<string, unknown> = { ...call.input(), FunctionName: call.labels.FunctionName };
  validate(PUBLISH_VERSION, input);
  const found = requireFunction(env, call, input.FunctionName, undefined, "lambda:PublishVersion", { noQualifier: true });
  const { fn, loc } = found;
  const conflict = env.states.modifyConflict(fn, found.arn);
  if (conflict) throw conflict;
  if (input.RevisionId !== undefined && input.RevisionId !== fn.latest.revisionId) throw preconditionFailed(REVISION_MISMATCH);
  if (input.CodeSha256 !== undefined && input.CodeSha256 !== fn.latest.code.sha256) {
    throw invalidParameter(
      `CodeSHA256 (${String(input.CodeSha256)}) is different from current CodeSHA256 in $LATEST (${fn.latest.code.sha256}). Please try again with the CodeSHA256 in $LATEST.`,
    );
  }
  const { cfg, created } = publishVersion(env, fn, input.Description as string | undefined);
  if (created) env.states.beginPublish(loc, fn, cfg.version, publishTasks(env, cfg));
  const out: FunctionConfiguration = toFunctionConfiguration(loc, cfg, { arnQualifier: cfg.version });
  return restOutput(201, out);
}

export function listVersionsByFunction(env: LambdaEnv, call: LambdaCall): RestOutput {
  call.ctx.operation = "ListVersionsByFunction";
  const input = {
    FunctionName: call.labels.FunctionName,
    Marker: call.query.get("Marker") ?? undefined,
    MaxItems: queryInt(call.query.get("MaxItems")),
  };
  validate(LIST_VERSIONS, input);
  const found = requireFunction(env, call, input.FunctionName, undefined, "lambda:ListVersionsByFunction", { noQualifier: true });
  const { fn, loc } = found;
  // Listed like ListFunctions: without the state fields and RuntimeVersionConfig (AWS-validated: LocalStack's test_version_lifecycle).
  const items: FunctionConfiguration[] = [toFunctionConfiguration(loc, fn.latest, { arnQualifier: LATEST, listing: true })];
  for (const v of Object.keys(fn.versions).sort((a, b) => Number(a) - Number(b))) {
    items.push(toFunctionConfiguration(loc, fn.versions[v], { arnQualifier: v, listing: true }));
  }
  const page = paginate(items, input.Marker, (input.MaxItems as number | undefined) ?? 50);
  const out: ListVersionsByFunctionResponse = { Versions: page.items };
  if (page.nextMarker) out.NextMarker = page.nextMarker;
  return restOutput(200, out);
}
