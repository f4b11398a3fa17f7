// `npm run bench -- network`: the network figures in one run. Each part is its own
// benchmark (and process): the model's evaluations per second on a VPC with 200 security-group
// rules and 50 ACL entries; connect latency through the userspace shim against a direct loopback
// connect; kernel mode's setup time per ENI and its connect latency against loopback; a function's
// AWS call through an interface endpoint against the direct path. The parts
// that run function code or build namespaces enter a loopback-only namespace themselves.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
let failed = false;
for (const part of ["network-model", "network-shim", "network-kernel", "network-aws-calls"]) {
  console.log(`\n=== ${part}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", join(here, "run.ts"), part], { stdio: "inherit", env: process.env });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
