// The console's entry: sign-in, navigation and a hash router (#/functions, #/vpc/vpc-1, ...).
import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { getClock, getHealth, useAdminToken } from "./admin-api.ts";
import { useLoad } from "./hooks.ts";
import { CLOCK_MOVED, ClockPage } from "./pages/clock.tsx";
import { CreateFunction } from "./pages/create-function.tsx";
import { FunctionDetail } from "./pages/function-detail.tsx";
import { FunctionsList } from "./pages/functions-list.tsx";
import { IamPage } from "./pages/iam.tsx";
import { ReachabilityPage } from "./pages/reachability.tsx";
import { SignInPage } from "./pages/sign-in.tsx";
import { StackDetail } from "./pages/stack-detail.tsx";
import { StacksPage } from "./pages/stacks.tsx";
import { VpcMapPage } from "./pages/vpc-map.tsx";
import { loadSession, makeClients, ROOT_CREDENTIALS, saveSession, type Session } from "./session.ts";
import "./styles.css";

const DEFAULT_SESSION: Session = { kind: "root", credentials: ROOT_CREDENTIALS, region: "us-east-1", arn: "", account: "" };

function useHash(): string {
  const [hash, setHash] = useState(location.hash || "#/functions");
  useEffect(() => {
    const on = () => setHash(location.hash || "#/functions");
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return hash;
}

const go = (hash: string) => {
  location.hash = hash;
};

function App() {
  const [session, setSession] = useState<Session>(() => loadSession() ?? DEFAULT_SESSION);
  useAdminToken(session);
  const clients = useMemo(() => makeClients(session.credentials, session.region), [session]);
  const hash = useHash();
  const health = useLoad(getHealth, []);
  const clock = useLoad(getClock, [], 2000);
  useEffect(() => {
    addEventListener(CLOCK_MOVED, clock.reload);
    return () => removeEventListener(CLOCK_MOVED, clock.reload);
  }, [clock.reload]);
  const parts = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const hasStacks = Boolean(health.data?.services.cloudformation);

  let page;
  if (parts[0] === "signin") page = <SignInPage current={session} onSignedIn={(s) => (saveSession(s), setSession(s), go("#/functions"))} />;
  else if (parts[0] === "functions" && parts[1] === "new") page = <CreateFunction clients={clients} onCreated={(name) => go(`#/functions/${encodeURIComponent(name)}`)} />;
  else if (parts[0] === "functions" && parts[1]) page = <FunctionDetail key={parts[1]} clients={clients} name={parts[1]} />;
  else if (parts[0] === "vpc") page = <VpcMapPage clients={clients} {...(parts[1] ? { vpcId: parts[1] } : {})} go={go} />;
  else if (parts[0] === "reachability") page = <ReachabilityPage clients={clients} />;
  else if (parts[0] === "iam") page = <IamPage clients={clients} session={session} />;
  else if (parts[0] === "clock") page = <ClockPage />;
  else if (parts[0] === "stacks" && parts[1] && hasStacks) page = <StackDetail key={parts[1]} clients={clients} stackId={parts[1]} />;
  else if (parts[0] === "stacks" && hasStacks) page = <StacksPage clients={clients} />;
  else page = <FunctionsList clients={clients} />;

  const nav = [
    ["#/functions", "Functions"],
    ["#/vpc", "VPC map"],
    ["#/reachability", "Reachability"],
    ["#/iam", "IAM"],
    ["#/clock", "Clock"],
    // Stacks appears when the server runs CloudFormation.
    ...(hasStacks ? [["#/stacks", "Stacks"]] : []),
  ];
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById("main")?.focus())}>
        Skip to content
      </a>
      <header>
        <span class="brand">hyperlocal</span>
        <nav aria-label="Main">
          {nav.map(([href, label]) => (
            <a key={href} href={href} aria-current={hash.startsWith(href) ? "page" : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who">
          <span class="muted">Clock:</span> <time data-testid="header-clock">{clock.data?.now.replace("T", " ").slice(0, 19) ?? "…"}</time>
        </span>
        <a class="who" href="#/signin" aria-label={`Signed in as ${session.arn || "the root user"}. Switch principal`}>
          {session.arn ? session.arn.replace(/^arn:aws:(iam|sts)::/, "") : "root (test)"}
        </a>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}

const root = document.getElementById("root")!;
root.textContent = ""; // the "Loading…" placeholder
render(<App />, root);
