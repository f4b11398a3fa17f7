// Configuration → VPC, with "Edit". Like the AWS console, the edit form warns when the execution
// role lacks the permissions Lambda needs to manage the function's network interfaces.
import { SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { UpdateFunctionConfigurationCommand, type FunctionConfiguration } from "@aws-sdk/client-lambda";
import { useState } from "preact/hooks";
import { ErrorBox } from "../components.tsx";
import { useLoad } from "../hooks.ts";
import type { Clients } from "../session.ts";
import { VpcChooser, type VpcChoice } from "../vpc-chooser.tsx";

export const ENI_ACTIONS = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"];

/** The ENI actions the role is not allowed, by IAM's own simulator. */
async function missingEniPermissions(clients: Clients, roleArn: string): Promise<string[]> {
  const out = await clients.iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: roleArn, ActionNames: ENI_ACTIONS }));
  return (out.EvaluationResults ?? []).filter((r) => r.EvalDecision !== "allowed").map((r) => r.EvalActionName!);
}

export function VpcConfigSection({ clients, cfg, onSaved }: { clients: Clients; cfg: FunctionConfiguration; onSaved: () => void }) {
  const [editing, setEditing] = useState(false);
  const vc = cfg.VpcConfig;
  const attached = Boolean(vc?.VpcId);
  return (
    <div>
      <div class="title-row">
        <h2>VPC</h2>
        {!editing ? <button onClick={() => setEditing(true)}>Edit</button> : null}
      </div>
      {editing ? (
        <VpcEdit clients={clients} cfg={cfg} onDone={(saved) => (setEditing(false), saved && onSaved())} />
      ) : attached ? (
        <dl class="summary" aria-label="VPC configuration">
          <dt>VPC</dt>
          <dd>
            <a href={`#/vpc/${vc!.VpcId}`}>{vc!.VpcId}</a>
          </dd>
          <dt>Subnets</dt>
          <dd>{(vc!.SubnetIds ?? []).join(", ")}</dd>
          <dt>Security groups</dt>
          <dd>{(vc!.SecurityGroupIds ?? []).join(", ")}</dd>
          <dt>Allow IPv6 traffic for dual-stack subnets</dt>
          <dd>{vc!.Ipv6AllowedForDualStack ? "Yes" : "No"}</dd>
        </dl>
      ) : (
        <p>No VPC configuration. This function is not connected to a VPC; it reaches the internet directly.</p>
      )}
    </div>
  );
}

function VpcEdit({ clients, cfg, onDone }: { clients: Clients; cfg: FunctionConfiguration; onDone: (saved: boolean) => void }) {
  const vc = cfg.VpcConfig;
  const [choice, setChoice] = useState<VpcChoice>({
    vpcId: vc?.VpcId ?? "",
    subnetIds: vc?.SubnetIds ?? [],
    securityGroupIds: vc?.SecurityGroupIds ?? [],
    ipv6: vc?.Ipv6AllowedForDualStack ?? false,
  });
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const missing = useLoad(() => missingEniPermissions(clients, cfg.Role!), [clients, cfg.Role]);

  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await clients.lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: cfg.FunctionName,
          VpcConfig: choice.vpcId
            ? { SubnetIds: choice.subnetIds, SecurityGroupIds: choice.securityGroupIds, Ipv6AllowedForDualStack: choice.ipv6 }
            : { SubnetIds: [], SecurityGroupIds: [] },
        }),
      );
      onDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={save} aria-label="Edit VPC">
      {missing.data && missing.data.length > 0 ? (
        <div class="warning" role="alert">
          {/* unverified wording */}
          The execution role {cfg.Role} does not have permissions to call {missing.data.map((a) => a.replace("ec2:", "")).join(", ")} on EC2. To connect a function to a VPC,
          its execution role needs them: attach the AWSLambdaVPCAccessExecutionRole managed policy to the role.
        </div>
      ) : null}
      {missing.error ? (
        <p class="hint">
          Could not check the execution role's permissions: <ErrorBox error={missing.error} />
        </p>
      ) : null}
      <VpcChooser clients={clients} idPrefix="edit" value={choice} onChange={setChoice} />
      <ErrorBox error={error} />
      <div class="actions">
        <button type="button" onClick={() => onDone(false)}>
          Cancel
        </button>
        <button type="submit" class="primary" disabled={busy}>
          Save
        </button>
      </div>
    </form>
  );
}
