// One sentence per IAM decision, in the words of AWS's denial messages where they exist.
import type { Decision } from "./admin-api.ts";

function statementName(m: Decision["matchedStatements"][number]): string {
  return `statement ${m.sid ? `"${m.sid}"` : `#${m.index + 1}`} of ${m.policyType} policy ${m.policy}`;
}

export function explainDecision(d: Decision): string {
  const soft = d.via === "soft" || d.via === "off" ? ` It was let through anyway, because IAM runs in "${d.via}" mode.` : "";
  if (d.result === "Allowed") {
    if (d.via === "root") return "Allowed: the account's root user may perform every action.";
    const allows = d.matchedStatements.filter((m) => m.effect === "Allow");
    return allows.length ? `Allowed by ${allows.map(statementName).join(" and ")}.` : "Allowed.";
  }
  if (d.result === "ExplicitDeny") {
    const denies = d.matchedStatements.filter((m) => m.effect === "Deny");
    return `Denied with an explicit deny in ${denies.length ? denies.map(statementName).join(" and ") : `a ${d.deniedBy ?? ""} policy`}. An explicit deny wins over any allow.${soft}`;
  }
  const where = d.deniedBy ?? "identity-based policy";
  return `Denied because no ${where} allows the ${d.action} action on this resource (implicit deny).${soft}`;
}
