/**
 * `npm start`: the main job against the embedded tenant. Starts the tenant on the URL main.ts points
 * at by default, synthesizes main.ts, runs `terraform init` and `terraform apply` on the stack, then
 * the seed's Task 4 through `cdktf-aic verify`. Exits non-zero on any failure and leaves nothing running.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { colourful } from "../src/cli/output";
import { DEFAULT_CREDENTIAL_ENV, EMBEDDED_TENANT_URL, LOCAL_DIR } from "../src/contract";
import { startTenant } from "../src/emulator";

const root = resolve(__dirname, "..");
const stackName = "alpha";
const stackDir = join(root, "cdktf.out", "stacks", stackName);

function step(title: string): void {
  process.stderr.write(`\n== ${title}\n`);
}

/** Runs a child process to its end. Never spawnSync: the tenant answers from this event loop. */
function exec(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: "inherit" });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  const code = await exec(cmd, args, cwd, env);
  if (code !== 0) throw new Error(`${[cmd, ...args].join(" ")} exited with ${code}`);
}

async function main(): Promise<number> {
  const port = Number(new URL(EMBEDDED_TENANT_URL).port);
  step(`embedded tenant on ${EMBEDDED_TENANT_URL}`);
  const tenant = await startTenant({ port }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== "EADDRINUSE") throw e;
    throw new Error(`port ${port} is taken (an embedded tenant still running?): stop that process; main.ts points at ${EMBEDDED_TENANT_URL}`);
  });
  const cacheDir = mkdtempSync(join(tmpdir(), "cdktf-aic-start-"));
  try {
    const c = tenant.connection;
    const barbara = c.users.find((u) => u.userName === "barbara.jensen");
    if (!barbara) throw new Error("the embedded tenant has no barbara.jensen");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AIC_BASE_URL: tenant.baseUrl,
      [DEFAULT_CREDENTIAL_ENV.serviceAccountId]: c.serviceAccount.id,
      [DEFAULT_CREDENTIAL_ENV.serviceAccountJwk]: JSON.stringify(c.serviceAccount.jwk),
      // Demo secrets for the two clients, unless the caller brings their own.
      WEB_APP_CLIENT_SECRET: process.env.WEB_APP_CLIENT_SECRET ?? randomBytes(24).toString("base64url"),
      AI_AGENT_CLIENT_SECRET: process.env.AI_AGENT_CLIENT_SECRET ?? randomBytes(24).toString("base64url"),
      VERIFY_USERNAME: barbara.userName,
      VERIFY_PASSWORD: barbara.password,
      CDKTF_AIC_TOKEN_CACHE_DIR: cacheDir,
      TF_IN_AUTOMATION: "1",
    };

    step("cdktf synth (main.ts)");
    await run(process.execPath, [require.resolve("tsx/cli"), "main.ts"], root, env);

    // The embedded tenant starts from its seed every time: state from an earlier run describes
    // objects that no longer exist, so this demo starts Terraform from empty state too.
    for (const f of [`${stackName}.tfstate`, `${stackName}.tfstate.backup`]) {
      const p = join(root, LOCAL_DIR, "state", f);
      if (existsSync(p)) rmSync(p);
    }
    const terraform = process.env.CDKTF_AIC_TERRAFORM ?? "terraform";
    // Terraform colours whatever its output is: only a terminal gets colour (NO_COLOR, FORCE_COLOR).
    const colour = colourful(process.stdout) ? [] : ["-no-color"];
    step("terraform init");
    await run(terraform, ["init", "-input=false", ...colour], stackDir, env);
    step("terraform apply");
    await run(terraform, ["apply", "-auto-approve", "-input=false", "-parallelism=10", ...colour], stackDir, env);

    step("Task 4: the on-behalf-of token exchange (cdktf-aic verify)");
    return await exec(process.execPath, [join(root, "dist", "cli", "cdktf-aic.mjs"), "verify", "--stack", stackName], root, env);
  } finally {
    await tenant.close();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`npm start: ${err instanceof Error ? err.message : String(err)}\nFAIL\n`);
    process.exit(1);
  },
);
