// sitecustomize.py gives botocore clients hyperlocal's endpoints: botocore before 1.31 (Debian's
// python3-botocore is 1.29) ignores AWS_ENDPOINT_URL*, so the shim patches Session.create_client.
// Run with every python that has botocore: Debian's /usr/bin/python3 and the python3 on PATH.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { PYTHON_SHIM_DIR } from "../server/shim-env.ts";

const SCRIPT = `
import json, botocore, botocore.session
s = botocore.session.get_session()
out = {"version": botocore.__version__}
for name in ("sts", "ec2", "iam", "s3"):
    out[name] = s.create_client(name, region_name="eu-west-1", aws_access_key_id="a", aws_secret_access_key="b").meta.endpoint_url
out["explicit"] = s.create_client("sts", region_name="eu-west-1", endpoint_url="http://127.0.0.1:9", aws_access_key_id="a", aws_secret_access_key="b").meta.endpoint_url
print(json.dumps(out))
`;

const ENDPOINTS = { AWS_ENDPOINT_URL_STS: "http://sts.eu-west-1.amazonaws.com:443", AWS_ENDPOINT_URL_EC2: "http://ec2.eu-west-1.amazonaws.com:443", AWS_ENDPOINT_URL_IAM: "http://iam.amazonaws.com:443" };

for (const python of ["/usr/bin/python3", "python3"]) {
  const probe = spawnSync(python, ["-c", "import botocore"], { encoding: "utf8" });
  test(`${python}: botocore clients take the shim's endpoints, the rest AWS_ENDPOINT_URL, an explicit endpoint_url wins`, { skip: probe.status !== 0 && `${python} has no botocore` }, () => {
    const r = spawnSync(python, ["-c", SCRIPT], {
      encoding: "utf8",
      // No decision URL: the shim refuses every non-loopback connection, and this test makes none.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PYTHONPATH: PYTHON_SHIM_DIR, HYPERLOCAL_AWS_ENDPOINTS: Object.entries(ENDPOINTS).map(([k, v]) => `${k}=${v}`).join(" "), AWS_ENDPOINT_URL: "http://127.0.0.1:4567" },
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    assert.equal(out.sts, ENDPOINTS.AWS_ENDPOINT_URL_STS, `botocore ${out.version}`);
    assert.equal(out.ec2, ENDPOINTS.AWS_ENDPOINT_URL_EC2);
    assert.equal(out.iam, ENDPOINTS.AWS_ENDPOINT_URL_IAM);
    assert.equal(out.s3, "http://127.0.0.1:4567", "a service without its own variable takes AWS_ENDPOINT_URL");
    assert.equal(out.explicit, "http://127.0.0.1:9");
  });
}
