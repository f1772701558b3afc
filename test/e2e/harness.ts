/**
 * End-to-end harness: the embedded tenant over HTTP, stacks synthesized from the real constructs into
 * a temporary project folder, and the real Terraform or OpenTofu (chosen by scripts/engine.ts) applying
 * them with the bundled CLI as provisioner. Nothing here stands in for our own code.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { App } from "cdktf";
import { createAdminApi, type AdminClient } from "../../src/client/admin-api";
import { DEFAULT_CREDENTIAL_ENV } from "../../src/contract";
import { startTenant } from "../../src/emulator";
import { TenantStack, type AicTenantProps } from "../../constructs";
import { ANNOUNCED_ENV, announce, chooseEngine, type Engine } from "../../scripts/engine";

export const REPO = resolve(__dirname, "../..");
export const CLI = join(REPO, "dist", "cli", "cdktf-aic.mjs");
export const STACK = "alpha";

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for scans. */
  output: string;
}

let engine: Engine | undefined;

/**
 * The Terraform or OpenTofu the tests run (scripts/engine.ts): CDKTF_AIC_TERRAFORM, else a terraform
 * or tofu >= 1.5 on PATH, else the offline build. Chosen once per process, announced once per run.
 */
export function terraformEngine(): Engine {
  if (!engine) {
    engine = chooseEngine()!;
    announce(engine);
    process.env[ANNOUNCED_ENV] = engine.binary;
  }
  return engine;
}

export function terraformBinary(): string {
  return terraformEngine().binary;
}

export interface AuditEntry {
  method: string;
  path: string;
  status: number;
  time: string;
  kind?: string;
}

export class Workspace {
  readonly dir = mkdtempSync(join(tmpdir(), "cdktf-aic-e2e-"));
  readonly outdir = join(this.dir, "cdktf.out");
  readonly stackDir = join(this.outdir, "stacks", STACK);
  /** Planted secret values: tests scan every output for them. */
  readonly secrets = {
    WEB_APP_CLIENT_SECRET: `web-secret-${Math.random().toString(36).slice(2)}-planted`,
    AI_AGENT_CLIENT_SECRET: `agent-secret-${Math.random().toString(36).slice(2)}-planted`,
  };
  tenant!: Awaited<ReturnType<typeof startTenant>>;
  /** Every line Terraform and the CLI printed, for the secret scan. */
  readonly transcript: string[] = [];

  async start(): Promise<this> {
    this.tenant = await startTenant({ port: 0 });
    return this;
  }

  async stop(): Promise<void> {
    await this.tenant?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The environment Terraform runs in: credentials and secrets as a CI job would have them. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const c = this.tenant.connection;
    return {
      ...process.env,
      ...terraformEngine().env,
      [DEFAULT_CREDENTIAL_ENV.serviceAccountId]: c.serviceAccount.id,
      [DEFAULT_CREDENTIAL_ENV.serviceAccountJwk]: JSON.stringify(c.serviceAccount.jwk),
      // A token cache per workspace, so tests do not share tokens across tenants.
      CDKTF_AIC_TOKEN_CACHE_DIR: join(this.dir, "token-cache"),
      VERIFY_USERNAME: "barbara.jensen",
      VERIFY_PASSWORD: c.users.find((u) => u.userName === "barbara.jensen")!.password,
      TF_IN_AUTOMATION: "1",
      ...this.secrets,
      ...extra,
    };
  }

  /** Synthesizes one stack into this workspace's cdktf.out (state and .terraform stay). */
  synth(configure: (stack: TenantStack) => void, tenant: Partial<AicTenantProps> = {}): void {
    const app = new App({ outdir: this.outdir });
    const stack = new TenantStack(app, STACK, { tenant: { baseUrl: this.tenant.baseUrl, realm: "alpha", ...tenant } });
    configure(stack);
    app.synth();
  }

  terraform(args: string[], extraEnv: Record<string, string> = {}): Promise<RunResult> {
    return this.run(terraformBinary(), args, this.stackDir, extraEnv);
  }

  /** init, then apply; throws with the output when Terraform fails. */
  async apply(extraArgs: string[] = []): Promise<RunResult> {
    const init = await this.terraform(["init", "-input=false", "-no-color"]);
    if (init.status !== 0) throw new Error(`terraform init failed:\n${init.output}`);
    const result = await this.terraform(["apply", "-auto-approve", "-input=false", "-no-color", ...extraArgs]);
    if (result.status !== 0) throw new Error(`terraform apply failed:\n${result.output}`);
    return result;
  }

  cli(args: string[], extraEnv: Record<string, string> = {}): Promise<RunResult> {
    return this.run(process.execPath, [CLI, ...args], this.dir, extraEnv);
  }

  /**
   * Runs a child process to its end. Never spawnSync: the tenant answers from this process's event
   * loop, so blocking it would stall every admin call the child makes.
   */
  run(cmd: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<RunResult> {
    return new Promise((resolve) => {
      const child = spawn(cmd, args, { cwd, env: this.env(extraEnv) });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
      const finish = (status: number) => {
        this.transcript.push(`$ ${cmd} ${args.join(" ")}`, stdout, stderr);
        resolve({ status, stdout, stderr, output: stdout + stderr });
      };
      child.on("error", (e) => {
        stderr += String(e);
        finish(1);
      });
      child.on("close", (code) => finish(code ?? 1));
    });
  }

  /**
   * The pids of the bundled CLI's syncs running in this workspace's stack folder (from /proc), for
   * tests that signal a sync or wait for one that outlived its Terraform.
   */
  syncPids(): number[] {
    return readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .filter((pid) => {
        try {
          return readlinkSync(`/proc/${pid}/cwd`) === this.stackDir && /cdktf-aic\.mjs\0sync\0/.test(readFileSync(`/proc/${pid}/cmdline`, "utf8"));
        } catch {
          return false; // gone meanwhile
        }
      })
      .map(Number);
  }

  /**
   * An admin client of this workspace's tenant, for reads in assertions and for writes made
   * outside code (drift); its own token cache, so it never shares Terraform's token.
   */
  adminClient(): AdminClient {
    return createAdminApi({
      baseUrl: this.tenant.baseUrl,
      realm: "alpha",
      auth: { method: "service-account", idEnv: DEFAULT_CREDENTIAL_ENV.serviceAccountId, jwkEnv: DEFAULT_CREDENTIAL_ENV.serviceAccountJwk },
      env: this.env(),
      tokenCacheDir: mkdtempSync(join(this.dir, "admin-token-cache-")),
    });
  }

  /** The tenant's log of admin calls (or of OAuth2 calls: token requests, authentication). */
  async audit(kind: "admin" | "oauth2" = "admin"): Promise<AuditEntry[]> {
    const res = await fetch(`${this.tenant.baseUrl}/__emulator/audit`);
    const body = (await res.json()) as { entries: AuditEntry[] };
    return body.entries.filter((e) => e.kind === kind);
  }

  async clearAudit(): Promise<void> {
    await fetch(`${this.tenant.baseUrl}/__emulator/audit`, { method: "DELETE" });
  }

  async sessions(): Promise<Record<string, { peak: number; active: number }>> {
    const res = await fetch(`${this.tenant.baseUrl}/__emulator/sessions`);
    return (await res.json()) as Record<string, { peak: number; active: number }>;
  }
}

export const isWrite = (e: AuditEntry) => e.method !== "GET";

/** Waits until `condition` holds, checking every `everyMs`; throws naming `what` after `ms`. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, ms: number, everyMs = 50): Promise<void> {
  const until = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** One admin client per workspace (each holds a session of the service account, which has 5). */
const admins = new Map<Workspace, AdminClient>();
export const adminOf = (ws: Workspace): AdminClient => admins.get(ws) ?? admins.set(ws, ws.adminClient()).get(ws)!;

/** Starts a workspace for one describe block, and stops it and its admin client after. */
export function workspace(): Workspace {
  const ws = new Workspace();
  beforeAll(() => ws.start(), 60_000);
  afterAll(async () => {
    await admins.get(ws)?.close();
    admins.delete(ws);
    await ws.stop();
  });
  return ws;
}
