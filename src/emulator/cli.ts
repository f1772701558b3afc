/**
 * `cdktf-aic tenant --port N --connection-file FILE [--state FILE]`: runs the embedded tenant until
 * SIGINT or SIGTERM. Prints its base URL on stdout and writes the connection file (owner-only: it
 * holds the service account's private key and the seeded passwords).
 */
import { chmodSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { startTenant } from "./index";

const USAGE = `Usage: cdktf-aic tenant --port N --connection-file FILE [--state FILE]

  --port N               port on 127.0.0.1 (0 picks a free one)
  --connection-file FILE where to write the base URL and the seeded credentials (mode 0600)
  --state FILE           keep the tenant's state in FILE across restarts: every write is in it before
                         it is answered, even if the process is killed (default: in memory)`;

interface TenantArgs {
  port: number;
  connectionFile: string;
  statePath?: string;
}

function parseArgs(argv: string[]): TenantArgs | "help" {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") return "help";
    const [flag, inline] = arg.split(/=(.*)/s, 2);
    if (!["--port", "--connection-file", "--state"].includes(flag)) {
      throw new Error(`unknown option "${arg}"; allowed: --port, --connection-file, --state (see cdktf-aic tenant --help)`);
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === "") throw new Error(`option ${flag} needs a value (see cdktf-aic tenant --help)`);
    values[flag] = value;
  }
  const port = Number(values["--port"]);
  if (values["--port"] === undefined || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be an integer from 0 to 65535, received ${JSON.stringify(values["--port"] ?? null)}`);
  }
  if (!values["--connection-file"]) throw new Error("--connection-file FILE is required: where to write the tenant's credentials");
  return { port, connectionFile: values["--connection-file"], statePath: values["--state"] };
}

function writeOwnerOnly(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export async function tenantCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const tenant = await startTenant({ port: args.port, statePath: args.statePath });
  writeOwnerOnly(args.connectionFile, `${JSON.stringify(tenant.connection, null, 2)}\n`);
  process.stdout.write(`${tenant.baseUrl}\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  process.stderr.write(`cdktf-aic tenant: ${signal} received, stopping\n`);
  await tenant.close();
  return 0;
}
