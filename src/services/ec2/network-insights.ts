import { dict } from "../../core/dict.ts";
import { ec2Id } from "../../core/ids.ts";
import { parseIp } from "../../net-addr/ip.ts";
import type { InputTree } from "../../core/input-tree.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import { priorResult, rememberResult } from "./client-token.ts";
import { arnOf, gate, gateDescribe, iso, requestTagContext, resourceTagContext, type ArnType, type Ec2Call, type Ec2Operation } from "./context.ts";
import { ec2Error, invalidParameterValue, missingParameter, notFound } from "./errors.ts";
import { applyFilters, parseFilters, type FilterTable } from "./filters.ts";
import { analyzePath, type PathSpec } from "./network-insights-analysis.ts";
import { paginate } from "./pagination.ts";
import { optInt, optString, stringList } from "./request.ts";
import type { Ec2State, Tags } from "./state.ts";
import { tagSetView, tagSpecifications } from "./tags.ts";

/**
 * VPC Reachability Analyzer: network insights paths and analyses, answered by hyperlocal's
 * reachability model (the same one that decides a function's connections).
 *
 * Sources: a network interface (a Lambda Hyperplane ENI stands for its functions) or an internet
 * gateway (traffic from the internet). Destinations: a network interface, an internet gateway
 * (with DestinationIp: a public address), or none with DestinationIp / FilterAtSource.DestinationAddress.
 *
 * Timing (a choice): StartNetworkInsightsAnalysis analyzes the network as it is at that moment and
 * answers status "running", as AWS does; Describe shows "succeeded" with the result once the clock
 * has moved ANALYSIS_MS past the start (tests advance the simulated clock; AWS takes seconds to minutes).
 */
export const ANALYSIS_MS = 1000;

interface PathFilterRec {
  sourceAddress?: string;
  sourcePortRange?: { fromPort?: number; toPort?: number };
  destinationAddress?: string;
  destinationPortRange?: { fromPort?: number; toPort?: number };
}

interface PathRec {
  id: string;
  arn: string;
  createdAt: number;
  source: string;
  sourceArn: string;
  destination?: string;
  destinationArn?: string;
  sourceIp?: string;
  destinationIp?: string;
  protocol: "tcp" | "udp";
  destinationPort?: number;
  filterAtSource?: PathFilterRec;
  filterAtDestination?: PathFilterRec;
  tags: Tags;
}

interface AnalysisRec {
  id: string;
  arn: string;
  pathId: string;
  startedAt: number;
  readyAt: number;
  filterInArns: string[];
  additionalAccounts: string[];
  networkPathFound: boolean;
  forwardPathComponents: OutputObject[];
  returnPathComponents: OutputObject[];
  explanations: OutputObject[];
  tags: Tags;
}

/** Kept beside EC2's own tables in the same JSON state (so it is saved, restored and reset with it). */
type InsightsState = Ec2State & { networkInsights?: { paths: Record<string, PathRec>; analyses: Record<string, AnalysisRec> } };

function insights(s: Ec2State): { paths: Record<string, PathRec>; analyses: Record<string, AnalysisRec> } {
  return ((s as InsightsState).networkInsights ??= { paths: dict(), analyses: dict() });
}

/** For Describe calls, which only read (they get the plain state with --state-dir): nothing is created. */
function insightsRead(s: Ec2State): { paths: Record<string, PathRec>; analyses: Record<string, AnalysisRec> } {
  return (s as InsightsState).networkInsights ?? { paths: dict(), analyses: dict() };
}

const PATH_TYPE = "network-insights-path" as ArnType;
const ANALYSIS_TYPE = "network-insights-analysis" as ArnType;
const BOUNDS = { min: 1, max: 100 };

function pathArn(s: Ec2State, id: string): string {
  return `arn:aws:ec2:${s.region}:${s.account}:network-insights-path/${id}`;
}

function analysisArn(s: Ec2State, id: string): string {
  return `arn:aws:ec2:${s.region}:${s.account}:network-insights-analysis/${id}`;
}

function pathNotFound(id: string) {
  return ec2Error("InvalidNetworkInsightsPathId.NotFound", `The networkInsightsPath ID '${id}' does not exist`); // unverified wording
}

function analysisNotFound(id: string) {
  return ec2Error("InvalidNetworkInsightsAnalysisId.NotFound", `The networkInsightsAnalysis ID '${id}' does not exist`); // unverified wording
}

/** A source or destination given as an id or an ARN, checked against the state. */
function resolveResource(s: Ec2State, given: string, role: "source" | "destination"): { id: string; arn: string } {
  const id = given.startsWith("arn:") ? given.slice(given.lastIndexOf("/") + 1) : given;
  if (id.startsWith("eni-")) {
    if (!s.networkInterfaces[id]) throw notFound("eni", id);
    return { id, arn: arnOf(s, "network-interface", id) };
  }
  if (id.startsWith("igw-")) {
    if (!s.internetGateways[id]) throw notFound("igw", id);
    return { id, arn: arnOf(s, "internet-gateway", id) };
  }
  if (id.startsWith("vpce-") && role === "destination") {
    if (!s.vpcEndpoints?.[id] || s.vpcEndpoints[id].state === "deleted") throw notFound("vpce", id);
    return { id, arn: arnOf(s, "vpc-endpoint", id) };
  }
  throw invalidParameterValue(`The ${role} '${given}' is not supported here: give a network interface (eni-...) or an internet gateway (igw-...).`); // unverified wording
}

function ipParam(p: InputTree, key: string, wire: string): string | undefined {
  const v = optString(p, key);
  if (v === undefined || v === "") return undefined;
  if (!parseIp(v)) throw invalidParameterValue(`Value (${v}) for parameter ${wire} is invalid. It is not a valid IP address.`); // unverified wording
  return v;
}

function portParam(p: InputTree | undefined, key: string, wire: string): number | undefined {
  const v = optInt(p, key);
  if (v !== undefined && (v < 0 || v > 65535)) throw invalidParameterValue(`Value (${v}) for parameter ${wire} is invalid. Valid range is 0-65535.`); // unverified wording
  return v;
}

function pathFilter(p: InputTree, key: string): PathFilterRec | undefined {
  const node = p[key];
  if (typeof node !== "object") return undefined;
  const range = (k: string) => {
    const r = node[k];
    if (typeof r !== "object") return undefined;
    return { fromPort: portParam(r, "FromPort", `${key}.${k}.FromPort`), toPort: portParam(r, "ToPort", `${key}.${k}.ToPort`) };
  };
  return {
    sourceAddress: ipParam(node, "SourceAddress", `${key}.SourceAddress`),
    sourcePortRange: range("SourcePortRange"),
    destinationAddress: ipParam(node, "DestinationAddress", `${key}.DestinationAddress`),
    destinationPortRange: range("DestinationPortRange"),
  };
}

function filterView(f: PathFilterRec | undefined): OutputObject | undefined {
  if (!f) return undefined;
  return {
    sourceAddress: f.sourceAddress,
    sourcePortRange: f.sourcePortRange ? { fromPort: f.sourcePortRange.fromPort, toPort: f.sourcePortRange.toPort } : undefined,
    destinationAddress: f.destinationAddress,
    destinationPortRange: f.destinationPortRange ? { fromPort: f.destinationPortRange.fromPort, toPort: f.destinationPortRange.toPort } : undefined,
  };
}

function pathView(r: PathRec): OutputObject {
  return {
    networkInsightsPathId: r.id,
    networkInsightsPathArn: r.arn,
    createdDate: iso(r.createdAt),
    source: r.source,
    destination: r.destination,
    sourceArn: r.sourceArn,
    destinationArn: r.destinationArn,
    sourceIp: r.sourceIp,
    destinationIp: r.destinationIp,
    protocol: r.protocol,
    destinationPort: r.destinationPort,
    tagSet: tagSetView(r.tags, true),
    filterAtSource: filterView(r.filterAtSource),
    filterAtDestination: filterView(r.filterAtDestination),
  };
}

function analysisView(a: AnalysisRec, now: number): OutputObject {
  const done = now >= a.readyAt;
  return {
    networkInsightsAnalysisId: a.id,
    networkInsightsAnalysisArn: a.arn,
    networkInsightsPathId: a.pathId,
    additionalAccountSet: a.additionalAccounts.length ? a.additionalAccounts : undefined,
    filterInArnSet: a.filterInArns.length ? a.filterInArns : undefined,
    startDate: iso(a.startedAt),
    status: done ? "succeeded" : "running",
    networkPathFound: done ? a.networkPathFound : undefined,
    forwardPathComponentSet: done && a.forwardPathComponents.length ? a.forwardPathComponents : undefined,
    returnPathComponentSet: done && a.returnPathComponents.length ? a.returnPathComponents : undefined,
    explanationSet: done && a.explanations.length ? a.explanations : undefined,
    tagSet: tagSetView(a.tags, true),
  };
}

function createNetworkInsightsPath(c: Ec2Call): OutputObject {
  const ni = insights(c.s);
  const prior = priorResult(c, "CreateNetworkInsightsPath");
  if (prior && ni.paths[prior]) return { networkInsightsPath: pathView(ni.paths[prior]) };
  const sourceIn = optString(c.p, "Source");
  if (!sourceIn) throw missingParameter("source");
  const protocol = optString(c.p, "Protocol");
  if (!protocol) throw missingParameter("protocol");
  if (protocol !== "tcp" && protocol !== "udp") throw invalidParameterValue(`Value (${protocol}) for parameter protocol is invalid. Valid values: tcp, udp.`); // unverified wording
  const source = resolveResource(c.s, sourceIn, "source");
  const destIn = optString(c.p, "Destination");
  const destination = destIn ? resolveResource(c.s, destIn, "destination") : undefined;
  const sourceIp = ipParam(c.p, "SourceIp", "sourceIp");
  const destinationIp = ipParam(c.p, "DestinationIp", "destinationIp");
  const destinationPort = portParam(c.p, "DestinationPort", "destinationPort");
  const filterAtSource = pathFilter(c.p, "FilterAtSource");
  const filterAtDestination = pathFilter(c.p, "FilterAtDestination");
  if (!destination && !destinationIp && !filterAtSource?.destinationAddress) throw missingParameter("destination"); // unverified wording
  if (destination?.id.startsWith("igw-") && !destinationIp && !filterAtSource?.destinationAddress) {
    throw invalidParameterValue("A destination IP address is required when the destination is an internet gateway."); // unverified wording
  }
  const tags = tagSpecifications(c.p, [PATH_TYPE])[PATH_TYPE] ?? dict();
  gate(c, "CreateNetworkInsightsPath", { arn: pathArn(c.s, "*"), context: requestTagContext(tags) });
  const id = ec2Id("nip");
  const rec: PathRec = {
    id,
    arn: pathArn(c.s, id),
    createdAt: c.now,
    source: source.id,
    sourceArn: source.arn,
    ...(destination ? { destination: destination.id, destinationArn: destination.arn } : {}),
    ...(sourceIp ? { sourceIp } : {}),
    ...(destinationIp ? { destinationIp } : {}),
    protocol,
    ...(destinationPort !== undefined ? { destinationPort } : {}),
    ...(filterAtSource ? { filterAtSource } : {}),
    ...(filterAtDestination ? { filterAtDestination } : {}),
    tags,
  };
  ni.paths[id] = rec;
  rememberResult(c, "CreateNetworkInsightsPath", id);
  return { networkInsightsPath: pathView(rec) };
}

const pathFilters: FilterTable<PathRec> = {
  destination: (r) => [r.destination, r.destinationArn],
  "destination-ip": (r) => r.destinationIp,
  "destination-port": (r) => r.destinationPort,
  protocol: (r) => r.protocol,
  source: (r) => [r.source, r.sourceArn],
  "source-ip": (r) => r.sourceIp,
  "filter-at-source.source-address": (r) => r.filterAtSource?.sourceAddress,
  "filter-at-source.source-port-range": (r) => portRangeText(r.filterAtSource?.sourcePortRange),
  "filter-at-source.destination-address": (r) => r.filterAtSource?.destinationAddress,
  "filter-at-source.destination-port-range": (r) => portRangeText(r.filterAtSource?.destinationPortRange),
  "filter-at-destination.source-address": (r) => r.filterAtDestination?.sourceAddress,
  "filter-at-destination.source-port-range": (r) => portRangeText(r.filterAtDestination?.sourcePortRange),
  "filter-at-destination.destination-address": (r) => r.filterAtDestination?.destinationAddress,
  "filter-at-destination.destination-port-range": (r) => portRangeText(r.filterAtDestination?.destinationPortRange),
};

function portRangeText(r: { fromPort?: number; toPort?: number } | undefined): string | undefined {
  return r ? `${r.fromPort ?? 0}-${r.toPort ?? 65535}` : undefined;
}

function describeNetworkInsightsPaths(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribeNetworkInsightsPaths");
  const ni = insightsRead(c.s);
  const ids = stringList(c.p, "NetworkInsightsPathId");
  let all: PathRec[] = Object.values(ni.paths);
  if (ids.length) {
    all = ids.map((id) => {
      const r = ni.paths[id];
      if (!r) throw pathNotFound(id);
      return r;
    });
    all = [...new Set(all)];
  }
  const picked = applyFilters(all, parseFilters(c.p), pathFilters, (r) => r.tags);
  const page = paginate(picked, c.p, BOUNDS, (r) => r.id);
  return { networkInsightsPathSet: page.items.map(pathView), nextToken: page.nextToken };
}

function deleteNetworkInsightsPath(c: Ec2Call): OutputObject {
  const id = optString(c.p, "NetworkInsightsPathId");
  if (!id) throw missingParameter("networkInsightsPathId");
  const ni = insights(c.s);
  const r = ni.paths[id];
  if (!r) throw pathNotFound(id);
  gate(c, "DeleteNetworkInsightsPath", { arn: r.arn, context: resourceTagContext(r.tags) });
  const analyses = Object.values(ni.analyses).filter((a) => a.pathId === id);
  if (analyses.length) {
    throw ec2Error("AnalysisExistsForNetworkInsightsPath", `The network insights path ${id} has analyses (${analyses.map((a) => a.id).join(", ")}); delete them first.`); // unverified wording
  }
  delete ni.paths[id];
  return { networkInsightsPathId: id };
}

function startNetworkInsightsAnalysis(c: Ec2Call): OutputObject {
  const ni = insights(c.s);
  const prior = priorResult(c, "StartNetworkInsightsAnalysis");
  if (prior && ni.analyses[prior]) return { networkInsightsAnalysis: analysisView(ni.analyses[prior], c.now) };
  const pathId = optString(c.p, "NetworkInsightsPathId");
  if (!pathId) throw missingParameter("networkInsightsPathId");
  const path = ni.paths[pathId];
  if (!path) throw pathNotFound(pathId);
  const tags = tagSpecifications(c.p, [ANALYSIS_TYPE])[ANALYSIS_TYPE] ?? dict();
  gate(c, "StartNetworkInsightsAnalysis", [
    { arn: path.arn, context: resourceTagContext(path.tags) },
    { arn: analysisArn(c.s, "*"), context: requestTagContext(tags) },
  ]);
  const sourceIp = path.sourceIp ?? path.filterAtSource?.sourceAddress;
  const destinationIp = path.destinationIp ?? path.filterAtSource?.destinationAddress;
  const destinationPort = path.destinationPort ?? path.filterAtSource?.destinationPortRange?.fromPort;
  const spec: PathSpec = {
    source: path.source,
    protocol: path.protocol,
    ...(path.destination ? { destination: path.destination } : {}),
    ...(sourceIp ? { sourceIp } : {}),
    ...(destinationIp ? { destinationIp } : {}),
    ...(destinationPort !== undefined ? { destinationPort } : {}),
  };
  const result = analyzePath(c.s, spec);
  const id = ec2Id("nia");
  const rec: AnalysisRec = {
    id,
    arn: analysisArn(c.s, id),
    pathId,
    startedAt: c.now,
    readyAt: c.now + ANALYSIS_MS,
    filterInArns: stringList(c.p, "FilterInArn"),
    additionalAccounts: stringList(c.p, "AdditionalAccount"),
    ...result,
    tags,
  };
  ni.analyses[id] = rec;
  rememberResult(c, "StartNetworkInsightsAnalysis", id);
  return { networkInsightsAnalysis: analysisView(rec, c.now) };
}

function describeNetworkInsightsAnalyses(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribeNetworkInsightsAnalyses");
  const ni = insightsRead(c.s);
  const ids = stringList(c.p, "NetworkInsightsAnalysisId");
  const pathId = optString(c.p, "NetworkInsightsPathId");
  if (pathId && !ni.paths[pathId] && !Object.values(ni.analyses).some((a) => a.pathId === pathId)) throw pathNotFound(pathId);
  let all: AnalysisRec[] = Object.values(ni.analyses);
  if (ids.length) {
    all = [
      ...new Set(
        ids.map((id) => {
          const a = ni.analyses[id];
          if (!a) throw analysisNotFound(id);
          return a;
        }),
      ),
    ];
  }
  const start = timeParam(c.p, "AnalysisStartTime");
  const end = timeParam(c.p, "AnalysisEndTime");
  all = all.filter((a) => (!pathId || a.pathId === pathId) && (start === undefined || a.startedAt >= start) && (end === undefined || a.startedAt <= end));
  const now = c.now;
  const filters: FilterTable<AnalysisRec> = {
    "path-found": (a) => (now >= a.readyAt ? a.networkPathFound : undefined),
    status: (a) => (now >= a.readyAt ? "succeeded" : "running"),
  };
  const picked = applyFilters(all, parseFilters(c.p), filters, (a) => a.tags);
  const page = paginate(picked, c.p, BOUNDS, (a) => a.id);
  return { networkInsightsAnalysisSet: page.items.map((a) => analysisView(a, now)), nextToken: page.nextToken };
}

function timeParam(p: InputTree, key: string): number | undefined {
  const v = optString(p, key);
  if (v === undefined || v === "") return undefined;
  const t = /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
  if (!Number.isFinite(t)) throw invalidParameterValue(`Value (${v}) for parameter ${key.charAt(0).toLowerCase() + key.slice(1)} is invalid.`); // unverified wording
  return t;
}

function deleteNetworkInsightsAnalysis(c: Ec2Call): OutputObject {
  const id = optString(c.p, "NetworkInsightsAnalysisId");
  if (!id) throw missingParameter("networkInsightsAnalysisId");
  const ni = insights(c.s);
  const a = ni.analyses[id];
  if (!a) throw analysisNotFound(id);
  gate(c, "DeleteNetworkInsightsAnalysis", { arn: a.arn, context: resourceTagContext(a.tags) });
  delete ni.analyses[id];
  return { networkInsightsAnalysisId: id };
}

export const networkInsightsOperations: Record<string, Ec2Operation> = {
  CreateNetworkInsightsPath: createNetworkInsightsPath,
  DescribeNetworkInsightsPaths: describeNetworkInsightsPaths,
  DeleteNetworkInsightsPath: deleteNetworkInsightsPath,
  StartNetworkInsightsAnalysis: startNetworkInsightsAnalysis,
  DescribeNetworkInsightsAnalyses: describeNetworkInsightsAnalyses,
  DeleteNetworkInsightsAnalysis: deleteNetworkInsightsAnalysis,
};
