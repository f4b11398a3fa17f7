import { CreateAliasCommand, ListAliasesCommand, ListVersionsByFunctionCommand, PublishVersionCommand } from "@aws-sdk/client-lambda";
import { useState } from "preact/hooks";
import { Badge, ErrorBox, Field } from "../components.tsx";
import { useLoad } from "../hooks.ts";
import type { Clients } from "../session.ts";

export function VersionsTab({ clients, name }: { clients: Clients; name: string }) {
  const versions = useLoad(async () => (await clients.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name }))).Versions ?? [], [clients, name], 5000);
  const aliases = useLoad(async () => (await clients.lambda.send(new ListAliasesCommand({ FunctionName: name }))).Aliases ?? [], [clients, name], 5000);
  const [description, setDescription] = useState("");
  const [aliasName, setAliasName] = useState("");
  const [aliasVersion, setAliasVersion] = useState("");
  const [error, setError] = useState<unknown>(undefined);

  const act = (f: () => Promise<unknown>) => async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      await f();
      versions.reload();
      aliases.reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <div>
      <ErrorBox error={error} />
      <h2>Versions</h2>
      <form class="inline" onSubmit={act(() => clients.lambda.send(new PublishVersionCommand({ FunctionName: name, Description: description || undefined })))}>
        <Field label="Version description" id="ver-desc">
          <input id="ver-desc" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </Field>
        <button type="submit">Publish new version</button>
      </form>
      <ErrorBox error={versions.error} />
      <table class="grid" aria-label="Versions">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">State</th>
            <th scope="col">Description</th>
            <th scope="col">Last modified</th>
          </tr>
        </thead>
        <tbody>
          {(versions.data ?? []).map((v) => (
            <tr key={v.Version}>
              <td>{v.Version}</td>
              <td>
                <Badge label="State" value={v.State} reason={v.StateReason} />
              </td>
              <td>{v.Description}</td>
              <td>{v.LastModified}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Aliases</h2>
      <form class="inline" onSubmit={act(() => clients.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: aliasName, FunctionVersion: aliasVersion })))}>
        <Field label="Name" id="alias-name">
          <input id="alias-name" required value={aliasName} onInput={(e) => setAliasName(e.currentTarget.value)} />
        </Field>
        <Field label="Version" id="alias-version">
          <select id="alias-version" required value={aliasVersion} onChange={(e) => setAliasVersion(e.currentTarget.value)}>
            <option value="">Choose a version</option>
            {(versions.data ?? []).map((v) => (
              <option key={v.Version} value={v.Version}>
                {v.Version}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit">Create alias</button>
      </form>
      <ErrorBox error={aliases.error} />
      <table class="grid" aria-label="Aliases">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Version</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {(aliases.data ?? []).map((a) => (
            <tr key={a.Name}>
              <td>{a.Name}</td>
              <td>{a.FunctionVersion}</td>
              <td>{a.Description}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
