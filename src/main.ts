// CLI entry: `hyperlocal start [options]`. Parses configuration and starts the app; no logic here.
import { configHelp, ConfigError, parseConfig } from "./config.ts";
import { startApp } from "./app.ts";
import { SnapshotError } from "./store/store.ts";
import { runLogsCommand } from "./services/lambda/logs-cli.ts";

const USAGE = `hyperlocal: AWS Lambda attached to a VPC, on one machine, behind the real AWS wire protocols

usage:
  hyperlocal start [options]      start the server (Lambda, EC2, IAM, STS on one port)
  hyperlocal logs <function> [--follow] [--endpoint-url URL]
                                  print a function's logs from a running server
  hyperlocal --help               this text

options (each also an environment variable):
${configHelp()}
`;

/** Started by a parent with an IPC channel to it (a harness): if that process goes away, even by SIGKILL, so do we. */
const orphaned = () => process.exit(0);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help" || rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (process.channel) process.on("disconnect", orphaned);
  if (command === "logs") return runLogsCommand(rest, process.env);
  if (command !== "start") {
    process.stderr.write(`unknown command: ${command}\n\n${USAGE}`);
    return 2;
  }
  let config;
  try {
    config = parseConfig(rest, process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`hyperlocal: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  try {
    const app = await startApp(config);
    // Ctrl-C may reach us twice (from the terminal and from a parent that forwards it): stop once. SIGHUP (the
    // terminal closed) stops the server too, with its execution environments, never orphaning them.
    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= app.close().then(
        () => process.exit(0),
        (e: unknown) => {
          process.stderr.write(`hyperlocal: error while stopping: ${(e as Error)?.message ?? e}\n`);
          process.exit(1);
        },
      );
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    process.on("SIGHUP", stop);
    if (process.channel) {
      process.off("disconnect", orphaned);
      process.on("disconnect", stop);
    }
    // Printed whatever the log level: a warning nobody sees protects nobody.
    if (app.exposed) {
      process.stderr.write(
        `hyperlocal: WARNING: listening on ${config.host}, so other machines can reach this server. Anyone who can reach ${app.url} ` +
          `can call the AWS APIs (the built-in credentials are public) and run function code on this machine. ` +
          `Admin calls (/_hyperlocal/) need the admin token, in the x-hyperlocal-admin-token header or as Authorization: Bearer <token>. ` +
          `Use --host 127.0.0.1 unless you need this.\n`,
      );
    }
    if (app.admin.generated) process.stderr.write(`hyperlocal: admin token (generated for this run; choose one with --admin-token or HYPERLOCAL_ADMIN_TOKEN): ${app.admin.token}\n`);
    // The parent (a test harness) reads this line to learn the port.
    if (process.env.HYPERLOCAL_READY_LINE === "1") process.stdout.write(`HYPERLOCAL_READY ${app.url}\n`);
    return -1;
  } catch (e) {
    if (e instanceof SnapshotError) {
      process.stderr.write(`hyperlocal: ${e.message}\n`);
      return 1;
    }
    if ((e as NodeJS.ErrnoException).code === "EADDRINUSE") {
      process.stderr.write(`hyperlocal: ${config.host}:${config.port} is already in use\n`);
      return 1;
    }
    throw e;
  }
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
