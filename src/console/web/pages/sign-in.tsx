import { useState } from "preact/hooks";
import { ErrorBox, Field } from "../components.tsx";
import { signIn, type Session } from "../session.ts";

/** Sign in as the built-in root (test/test), with an IAM user's access keys, or by assuming a role. */
export function SignInPage({ current, onSignedIn }: { current?: Session; onSignedIn: (s: Session) => void }) {
  const [kind, setKind] = useState<Session["kind"]>(current?.kind ?? "root");
  const [accessKeyId, setAccessKeyId] = useState("");
  const [secretAccessKey, setSecretAccessKey] = useState("");
  const [roleArn, setRoleArn] = useState("");
  const [region, setRegion] = useState(current?.region ?? "us-east-1");
  const [adminToken, setAdminToken] = useState(current?.adminToken ?? "");
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const keysNeeded = kind === "user" || (kind === "role" && accessKeyId !== "");

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const credentials = kind === "root" || (kind === "role" && !accessKeyId) ? undefined : { accessKeyId: accessKeyId.trim(), secretAccessKey: secretAccessKey.trim() };
      onSignedIn(await signIn({ kind, region, ...(credentials ? { credentials } : {}), ...(kind === "role" ? { roleArn: roleArn.trim() } : {}), ...(adminToken ? { adminToken } : {}) }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in</h1>
      <p class="hint">Every page calls the AWS APIs signed as this principal, so what you see is what IAM allows it.</p>
      <form onSubmit={submit}>
        <fieldset class="field">
          <legend>Sign in as</legend>
          <label class="check">
            <input type="radio" name="kind" checked={kind === "root"} onChange={() => setKind("root")} /> <span>Root user (access key test, secret test)</span>
          </label>
          <label class="check">
            <input type="radio" name="kind" checked={kind === "user"} onChange={() => setKind("user")} /> <span>IAM user (access keys)</span>
          </label>
          <label class="check">
            <input type="radio" name="kind" checked={kind === "role"} onChange={() => setKind("role")} /> <span>Assume a role</span>
          </label>
        </fieldset>
        {kind !== "root" ? (
          <>
            <Field label="Access key ID" id="si-akid" hint={kind === "role" ? "The keys that call AssumeRole; empty: the root user." : undefined}>
              <input id="si-akid" autocomplete="off" required={keysNeeded} value={accessKeyId} onInput={(e) => setAccessKeyId(e.currentTarget.value)} />
            </Field>
            <Field label="Secret access key" id="si-secret">
              <input id="si-secret" type="password" autocomplete="off" required={keysNeeded} value={secretAccessKey} onInput={(e) => setSecretAccessKey(e.currentTarget.value)} />
            </Field>
          </>
        ) : null}
        {kind === "role" ? (
          <Field label="Role ARN" id="si-role">
            <input id="si-role" class="wide" required value={roleArn} placeholder="arn:aws:iam::000000000000:role/admin" onInput={(e) => setRoleArn(e.currentTarget.value)} />
          </Field>
        ) : null}
        <Field label="Region" id="si-region">
          <input id="si-region" required value={region} onInput={(e) => setRegion(e.currentTarget.value)} />
        </Field>
        <Field label="Admin token (only when the server asks for one)" id="si-admin">
          <input id="si-admin" type="password" autocomplete="off" value={adminToken} onInput={(e) => setAdminToken(e.currentTarget.value)} />
        </Field>
        <ErrorBox error={error} />
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </section>
  );
}
