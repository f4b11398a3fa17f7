// hyperlocal's own unsigned JSON API under /_hyperlocal/ (clock, logs, reachability, decisions).
import type { Session } from "./session.ts";

let adminToken: string | undefined;

export function useAdminToken(session: Session | undefined): void {
  adminToken = session?.adminToken;
}

export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function admin<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const headers: Record<string, string> = {};
  if (init?.body !== undefined) headers["content-type"] = "application/json";
  if (adminToken) headers["authorization"] = `Bearer ${adminToken}`;
  const res = await fetch(`/_hyperlocal/${path}`, {
    method: init?.method ?? "GET",
    headers,
    ...(init?.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* plain text */
  }
  if (!res.ok) throw new AdminError(res.status, (body as { error?: string })?.error ?? `${res.status} ${res.statusText}`);
  return body as T;
}

export interface ClockView {
  now: string;
  offsetMs: number;
}

export interface Health {
  version: string;
  services: Record<string, string>;
}

export interface LogEvent {
  seq: number;
  timestamp: string;
  message: string;
}

export interface Hop {
  kind: string;
  id: string;
  detail?: string;
}

export interface Reachability {
  /** The source: a function, or (with ?eni=) a network interface. */
  function?: string;
  networkInterfaceId?: string;
  verdict: "allow" | "drop" | "unreachable";
  reasons: { code: string; check?: string; message: string; component?: { kind: string; id: string } }[];
  path: Hop[];
  returnPath: Hop[];
  action: string;
  answer: string;
  source: { kind: "vpc" | "internet"; networkInterfaceId?: string };
  to: { host: string; ip?: string; port: number; protocol: string };
}

export interface Decision {
  time: string;
  principal: string;
  action: string;
  resource: string;
  context: Record<string, unknown>;
  result: "Allowed" | "ExplicitDeny" | "ImplicitDeny";
  deniedBy?: string;
  via?: string;
  matchedStatements: { policy: string; policyType: string; sid?: string; index: number; effect: string }[];
}

export const getClock = () => admin<ClockView>("clock");
export const advanceClock = (body: Record<string, number>) => admin<ClockView>("clock/advance", { method: "POST", body });
export const getHealth = () => admin<Health>("health");
