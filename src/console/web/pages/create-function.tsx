// The Lambda console's "Create function" page, with its labels. When the console creates the
// execution role and a VPC is chosen, it also attaches AWSLambdaVPCAccessExecutionRole, as the
// guide says the AWS console does.
import { AttachRolePolicyCommand, CreateRoleCommand, ListRolesCommand } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, type Architecture, type Runtime } from "@aws-sdk/client-lambda";
import { useState } from "preact/hooks";
import { ErrorBox, Field } from "../components.tsx";
import { useLoad } from "../hooks.ts";
import type { Clients } from "../session.ts";
import { VpcChooser, type VpcChoice } from "../vpc-chooser.tsx";
import { storedZip } from "../zip.ts";

export const RUNTIMES = ["nodejs22.x", "nodejs20.x", "nodejs18.x", "python3.13", "python3.12", "python3.11", "python3.10", "python3.9", "provided.al2023", "provided.al2"];

const LAMBDA_TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
const VPC_ACCESS = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";

/** The inline editor's starting file and handler per runtime family, as the Lambda console starts them. */
export function starterCode(runtime: string): { file: string; handler: string; text: string } | undefined {
  if (runtime.startsWith("nodejs")) {
    return {
      file: "index.js",
      handler: "index.handler",
      text: `exports.handler = async (event) => {\n  console.log("event", JSON.stringify(event));\n  const response = { statusCode: 200, body: JSON.stringify("Hello from Lambda!") };\n  return response;\n};\n`,
    };
  }
  if (runtime.startsWith("python")) {
    return {
      file: "lambda_function.py",
      handler: "lambda_function.lambda_handler",
      text: `import json\n\ndef lambda_handler(event, context):\n    print("event", json.dumps(event))\n    return {"statusCode": 200, "body": json.dumps("Hello from Lambda!")}\n`,
    };
  }
  return undefined; // provided.*: a bootstrap in an uploaded .zip
}

export function CreateFunction({ clients, onCreated }: { clients: Clients; onCreated: (name: string) => void }) {
  const [name, setName] = useState("");
  const [runtime, setRuntime] = useState("nodejs20.x");
  const [arch, setArch] = useState<Architecture>("x86_64");
  const [roleMode, setRoleMode] = useState<"new" | "existing">("new");
  const [existingRole, setExistingRole] = useState("");
  const [codeMode, setCodeMode] = useState<"inline" | "zip">("inline");
  const [code, setCode] = useState<string | undefined>(undefined);
  const [zipFile, setZipFile] = useState<File | undefined>(undefined);
  const [handler, setHandler] = useState("");
  const [vpcOn, setVpcOn] = useState(false);
  const [vpc, setVpc] = useState<VpcChoice>({ vpcId: "", subnetIds: [], securityGroupIds: [], ipv6: false });
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const roles = useLoad(async () => (roleMode === "existing" ? ((await clients.iam.send(new ListRolesCommand({}))).Roles ?? []) : []), [clients, roleMode]);

  const starter = starterCode(runtime);
  const inline = codeMode === "inline" && starter !== undefined;

  async function submit(e: Event) {
    e.preventDefault();
    setError(undefined);
    try {
      let roleArn = existingRole;
      if (roleMode === "new") {
        const roleName = `${name}-role-${Math.random().toString(36).slice(2, 10)}`;
        setBusy(`Creating role ${roleName}…`);
        roleArn = (await clients.iam.send(new CreateRoleCommand({ RoleName: roleName, Path: "/service-role/", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
        await clients.iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: BASIC }));
        if (vpcOn && vpc.vpcId) await clients.iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: VPC_ACCESS }));
      }
      let zip: Uint8Array;
      if (inline) zip = storedZip([{ name: starter.file, text: code ?? starter.text }]);
      else if (zipFile) zip = new Uint8Array(await zipFile.arrayBuffer());
      else throw new Error("Upload a .zip file with the function's code.");
      setBusy("Creating function…");
      await clients.lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: runtime as Runtime,
          Architectures: [arch],
          Role: roleArn,
          Handler: handler || starter?.handler || "bootstrap",
          Code: { ZipFile: zip },
          ...(vpcOn && vpc.vpcId
            ? { VpcConfig: { SubnetIds: vpc.subnetIds, SecurityGroupIds: vpc.securityGroupIds, Ipv6AllowedForDualStack: vpc.ipv6 } }
            : {}),
        }),
      );
      onCreated(name);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <section aria-labelledby="create-title">
      <h1 id="create-title">Create function</h1>
      <form onSubmit={submit}>
        <h2>Basic information</h2>
        <Field label="Function name" id="fn-name" hint="Enter a name that describes the purpose of your function.">
          <input id="fn-name" required value={name} pattern="[a-zA-Z0-9_-]{1,64}" onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field label="Runtime" id="fn-runtime">
          <select id="fn-runtime" value={runtime} onChange={(e) => setRuntime(e.currentTarget.value)}>
            {RUNTIMES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </Field>
        <fieldset class="field">
          <legend>Architecture</legend>
          {(["x86_64", "arm64"] as const).map((a) => (
            <label class="check" key={a}>
              <input type="radio" name="arch" value={a} checked={arch === a} onChange={() => setArch(a)} /> <span>{a}</span>
            </label>
          ))}
        </fieldset>
        <fieldset class="field">
          <legend>Execution role</legend>
          <label class="check">
            <input type="radio" name="role" checked={roleMode === "new"} onChange={() => setRoleMode("new")} /> <span>Create a new role with basic Lambda permissions</span>
          </label>
          <label class="check">
            <input type="radio" name="role" checked={roleMode === "existing"} onChange={() => setRoleMode("existing")} /> <span>Use an existing role</span>
          </label>
          {roleMode === "existing" ? (
            <Field label="Existing role" id="fn-existing-role">
              <ErrorBox error={roles.error} />
              <select id="fn-existing-role" required value={existingRole} onChange={(e) => setExistingRole(e.currentTarget.value)}>
                <option value="">Choose a role</option>
                {(roles.data ?? []).map((r) => (
                  <option key={r.Arn} value={r.Arn}>
                    {r.RoleName}
                  </option>
                ))}
              </select>
            </Field>
          ) : (
            <p class="hint">Lambda will create an execution role with permission to upload logs{vpcOn ? " and to manage network interfaces in the VPC (AWSLambdaVPCAccessExecutionRole)" : ""}.</p>
          )}
        </fieldset>
        <fieldset class="field">
          <legend>Code</legend>
          <label class="check">
            <input type="radio" name="code" checked={codeMode === "inline"} disabled={!starter} onChange={() => setCodeMode("inline")} /> <span>Edit code inline</span>
          </label>
          <label class="check">
            <input type="radio" name="code" checked={codeMode === "zip" || !starter} onChange={() => setCodeMode("zip")} /> <span>Upload a .zip file</span>
          </label>
          {inline ? (
            <Field label={`Code source (${starter.file})`} id="fn-code">
              <textarea id="fn-code" class="code" rows={8} spellcheck={false} value={code ?? starter.text} onInput={(e) => setCode(e.currentTarget.value)} />
            </Field>
          ) : (
            <>
              <Field label=".zip file" id="fn-zip">
                <input id="fn-zip" type="file" accept=".zip,application/zip" onChange={(e) => setZipFile(e.currentTarget.files?.[0])} />
              </Field>
              <Field label="Handler" id="fn-handler">
                <input id="fn-handler" value={handler} placeholder={starter?.handler ?? "bootstrap"} onInput={(e) => setHandler(e.currentTarget.value)} />
              </Field>
            </>
          )}
        </fieldset>
        <details>
          <summary>Advanced settings</summary>
          <label class="check">
            <input type="checkbox" checked={vpcOn} onChange={(e) => setVpcOn(e.currentTarget.checked)} /> <span>Enable VPC</span>
          </label>
          <p class="hint">Connect your function to a VPC to access private resources during invocation.</p>
          {vpcOn ? <VpcChooser clients={clients} idPrefix="create" value={vpc} onChange={setVpc} /> : null}
        </details>
        <ErrorBox error={error} />
        {busy ? (
          <p role="status" class="muted">
            {busy}
          </p>
        ) : null}
        <div class="actions">
          <a class="button" href="#/functions">
            Cancel
          </a>
          <button type="submit" class="primary" disabled={busy !== undefined}>
            Create function
          </button>
        </div>
      </form>
    </section>
  );
}
