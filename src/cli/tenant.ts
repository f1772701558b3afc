/**
 * `cdktf-aic tenant`: runs the embedded tenant until SIGINT or SIGTERM (prints its base URL on
 * stdout, writes the owner-only connection file: it holds the service account's private key and
 * the seeded passwords), or, with `--print-env`, prints the environment a stack needs to reach the
 * tenant that connection file describes.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { TenantConnection } from "../contract/connection";
import { DEFAULT_CREDENTIAL_ENV, EMBEDDED_TENANT_URL, LOCAL_DIR, TENANT_FILES } from "../contract/constants";
import { CliError } from "../contract/errors";
import { parseOptions } from "./args";
import { err, out } from "./output";

const DEFAULT_PORT = Number(new URL(EMBEDDED_TENANT_URL).port);
/** The seeded user `verify` signs in as (the seed's Task 4). */
const VERIFY_USER = "barbara.jensen";

const HELP = `Usage: cdktf-aic tenant [options]
Runs the embedded tenant (a local AM/IDM) on 127.0.0.1 until Ctrl-C, and prints its base URL.

  --port N                 the port (default: ${DEFAULT_PORT}, where main.ts and npm start point; 0 picks a free one)
  --connection-file FILE   where to write the base URL and the seeded credentials, mode 0600
                           (default: ${TENANT_FILES.connection})
  --state FILE             where the tenant keeps its objects across restarts, so that it stays in step
                           with the Terraform state (default: ${TENANT_FILES.state})
  --print-env              print the environment a stack and verify need for the tenant of the
                           connection file, as shell lines, and exit: eval "$(cdktf-aic tenant --print-env)"

${LOCAL_DIR}/ is relative to the current directory (run it beside cdktf.json) and ignores itself in git.

Exit codes: 0 stopped by SIGINT or SIGTERM, or the environment printed; 1 error (the port is
taken, no connection file to print).`;

/** Makes the folder of `path`; the local folder keeps its credentials and state out of git by itself. */
function makeDirOf(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const ignore = join(LOCAL_DIR, ".gitignore");
  if (resolve(dirname(path)) === resolve(LOCAL_DIR) && !existsSync(ignore)) writeFileSync(ignore, "*\n");
}

function writeOwnerOnly(path: string, text: string): void {
  makeDirOf(path);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** A value in single quotes for a POSIX shell. */
const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** The `export NAME=value` lines a stack with the default credential env names, and verify, need. */
function envLines(c: TenantConnection): string[] {
  const user = c.users.find((u) => u.userName === VERIFY_USER);
  const env: [string, string][] = [
    ["AIC_BASE_URL", c.baseUrl],
    [DEFAULT_CREDENTIAL_ENV.serviceAccountId, c.serviceAccount.id],
    [DEFAULT_CREDENTIAL_ENV.serviceAccountJwk, JSON.stringify(c.serviceAccount.jwk)],
    ...(user ? ([["VERIFY_USERNAME", user.userName], ["VERIFY_PASSWORD", user.password]] as [string, string][]) : []),
  ];
  return env.map(([name, value]) => `export ${name}=${shellQuote(value)}`);
}

function readConnection(file: string): TenantConnection {
  if (!existsSync(file)) throw new CliError(`no connection file at ${file}: start the tenant first (cdktf-aic tenant), in this directory or with --connection-file ${file}`);
  const parsed = TenantConnection.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new CliError(`${file} is not a connection file of cdktf-aic tenant`);
  return parsed.data;
}

export async function tenantCommand(argv: string[]): Promise<number> {
  const values = parseOptions("tenant", argv, {
    help: { type: "boolean", short: "h" },
    port: { type: "string" },
    "connection-file": { type: "string" },
    state: { type: "string" },
    "print-env": { type: "boolean" },
  });
  if (values.help) {
    out(HELP);
    return 0;
  }
  const connectionFile = values["connection-file"] ?? TENANT_FILES.connection;
  if (values["print-env"]) {
    for (const line of envLines(readConnection(connectionFile))) out(line);
    return 0;
  }
  const port = Number(values.port ?? DEFAULT_PORT);
  if (!/^\d+$/.test(values.port ?? String(DEFAULT_PORT)) || port > 65535) {
    throw new CliError(`--port must be an integer from 0 to 65535, received ${JSON.stringify(values.port)}`);
  }
  const statePath = values.state ?? TENANT_FILES.state;
  makeDirOf(statePath);
  const { startTenant } = await import("../emulator");
  const tenant = await startTenant({ port, statePath }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== "EADDRINUSE") throw e;
    throw new CliError(`port ${port} is taken (an embedded tenant already running?): stop that process, or pass --port N`);
  });
  writeOwnerOnly(connectionFile, `${JSON.stringify(tenant.connection, null, 2)}\n`);
  out(tenant.baseUrl);
  err(`cdktf-aic tenant: connection file ${connectionFile}, state ${statePath}; eval "$(npx cdktf-aic tenant --print-env${values["connection-file"] ? ` --connection-file ${connectionFile}` : ""})" sets the environment a stack needs`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  err(`cdktf-aic tenant: ${signal} received, stopping`);
  await tenant.close();
  return 0;
}
