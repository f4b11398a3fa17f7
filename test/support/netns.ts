/**
 * Network safety: tests that run function code need the loopback-only network namespace that
 * `npm test` (scripts/run-tests.mjs) enters. Outside it they skip and say why.
 */
export const IN_LOOPBACK_NETNS = process.env.HYPERLOCAL_TEST_NETNS === "1";

export const NETNS_SKIP_REASON = "needs the loopback-only network namespace that `npm test` creates (unshare -rn)";
