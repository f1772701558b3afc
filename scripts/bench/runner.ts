/**
 * The benchmark's shared runner: the embedded tenant it measures against (in this process, with a
 * latency on every admin call), one run's project folder and the steps every scenario times
 * (synth, `terraform apply`, `cdktf-aic plan`), each with what the tenant saw during it.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CONTROL_PREFIX, DEFAULT_CREDENTIAL_ENV } from "../../src/contract";
import { startTenant, type RunningTenant } from "../../src/emulator";
import type { FrodoLogin } from "./frodo";
import { check, machineBusySeconds, run, type Ran } from "./process";
import { BENCH_STACK, SECRET_ENV } from "./stack";
import { median } from "./stats";

export const ROOT = resolve(__dirname, "..", "..");
export const CLI = join(ROOT, "dist", "cli", "cdktf-aic.mjs");
const SYNTH_CHILD = join(__dirname, "synth.ts");
export const TERRAFORM = process.env.CDKTF_AIC_TERRAFORM ?? "terraform";

export function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

interface AuditEntry {
  kind: "admin" | "oauth2";
  method: string;
  path: string;
  status: number;
  time: string;
  durationMs: number;
}

/** What the tenant saw during one step. */
export interface Calls {
  admin: number;
  writes: number;
  tokenRequests: number;
  /** Paths (without query) of the admin writes. */
  writePaths: string[];
  /** The most admin calls the tenant was answering at once. */
  peakInFlight: number;
  /** From the first call's arrival to the last call's answer (ms): the window the CLI was calling the tenant. */
  callSpanMs?: number;
}

/** One measured step of a run. */
export interface Step extends Calls {
  ms: number;
  /** CPU of the process tree (Terraform and the CLI processes it ran). */
  cpuSeconds?: number;
  /** CPU of this process: the embedded tenant (and the benchmark reading Terraform's output). */
  tenantCpuSeconds: number;
  /** CPU that other processes of the machine used during the step (other people's jobs). */
  otherCpuSeconds?: number;
  maxRssKb?: number;
  /** Provisioner runs of the bundled CLI (Terraform steps). */
  cliRuns?: number;
  code?: number;
}

/** A plan, with what its JSON report says (after a no-change re-apply: nothing to do). */
export interface PlanStep extends Step {
  changesPresent?: boolean;
  /** Objects the plan reports as "no-change". */
  noChange?: number;
}

export class BenchTenant {
  private constructor(
    readonly tenant: RunningTenant,
    readonly dir: string,
  ) {}

  static async start(latencyMs: number): Promise<BenchTenant> {
    const tenant = await startTenant({ port: 0 });
    const self = new BenchTenant(tenant, mkdtempSync(join(tmpdir(), "cdktf-aic-bench-")));
    await self.control("POST", "/config", { latencyMs });
    return self;
  }

  async close(): Promise<void> {
    try {
      await this.tenant.close();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private async control(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.tenant.baseUrl}${CONTROL_PREFIX}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${CONTROL_PREFIX}${path} answered ${res.status}`);
    return res.json();
  }

  async clearAudit(): Promise<void> {
    await this.control("DELETE", "/audit");
  }

  async setLatency(latencyMs: number): Promise<void> {
    await this.control("POST", "/config", { latencyMs });
  }

  async calls(): Promise<Calls> {
    const { entries } = (await this.control("GET", "/audit")) as { entries: AuditEntry[] };
    const admin = entries.filter((e) => e.kind === "admin");
    const writes = admin.filter((e) => e.method !== "GET");
    return {
      admin: admin.length,
      writes: writes.length,
      tokenRequests: entries.filter((e) => e.kind === "oauth2").length,
      writePaths: writes.map((e) => `${e.method} ${e.path.split("?")[0]}`),
      peakInFlight: peakOverlap(admin.map((e) => [Date.parse(e.time), Date.parse(e.time) + e.durationMs])),
      callSpanMs: entries.length === 0 ? undefined : Math.max(...entries.map((e) => Date.parse(e.time) + e.durationMs)) - Math.min(...entries.map((e) => Date.parse(e.time))),
    };
  }

  /** The amadmin login (frodo's). */
  login(): FrodoLogin {
    const c = this.tenant.connection;
    return { baseUrl: this.tenant.baseUrl, realm: c.realm, username: c.amAdmin.username, password: c.amAdmin.password };
  }

  async peakSessions(): Promise<number> {
    const sessions = (await this.control("GET", "/sessions")) as Record<string, { peak: number }>;
    return sessions[this.tenant.connection.serviceAccount.id]?.peak ?? 0;
  }
}

/** The most [start, end) intervals that overlap at one instant. */
function peakOverlap(intervals: Array<[number, number]>): number {
  const events = intervals.flatMap(([a, b]): Array<[number, number]> => [[a, 1], [b, -1]]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let current = 0;
  let peak = 0;
  for (const [, delta] of events) peak = Math.max(peak, (current += delta));
  return peak;
}

/** One run at one size: a fresh tenant and project folder, everything measured in it. */
export class BenchRun {
  readonly outdir: string;
  readonly stackDir: string;
  private readonly secrets = { [SECRET_ENV.webApp]: randomBytes(24).toString("base64url"), [SECRET_ENV.agent]: randomBytes(24).toString("base64url") };

  constructor(
    readonly bt: BenchTenant,
    readonly n: number,
  ) {
    this.outdir = join(bt.dir, "cdktf.out");
    this.stackDir = join(this.outdir, "stacks", BENCH_STACK);
  }

  /** The environment a CI job would run Terraform in. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const c = this.bt.tenant.connection;
    return {
      ...process.env,
      [DEFAULT_CREDENTIAL_ENV.serviceAccountId]: c.serviceAccount.id,
      [DEFAULT_CREDENTIAL_ENV.serviceAccountJwk]: JSON.stringify(c.serviceAccount.jwk),
      CDKTF_AIC_TOKEN_CACHE_DIR: join(this.bt.dir, "token-cache"),
      TF_IN_AUTOMATION: "1",
      ...this.secrets,
      ...extra,
    };
  }

  redact = (text: string): string => Object.values(this.secrets).reduce((t, s) => t.split(s).join("[secret]"), text);

  async synth(variant: "mix" | "changed" | "webapps" = "mix"): Promise<{ synthMs: number; processMs: number; maxRssKb: number }> {
    const args = ["--require", require.resolve("tsx/cjs"), SYNTH_CHILD, this.outdir, this.bt.tenant.baseUrl, String(this.n)];
    const ran = check(await run(process.execPath, variant === "mix" ? args : [...args, variant], { cwd: ROOT, env: this.env() }), "synth", this.redact);
    const report = JSON.parse(ran.stdout.trim().split("\n").pop()!) as { synthMs: number; maxRssKb: number };
    return { synthMs: report.synthMs, processMs: ran.ms, maxRssKb: report.maxRssKb };
  }

  async step(what: string, go: () => Promise<Ran>, mustSucceed = true): Promise<Step> {
    await this.bt.clearAudit();
    const tenantCpu = process.cpuUsage();
    const machine = machineBusySeconds();
    const ran = await go();
    const machineAfter = machineBusySeconds();
    const { user, system } = process.cpuUsage(tenantCpu);
    const ours = (ran.cpuSeconds ?? 0) + (user + system) / 1e6;
    if (mustSucceed) check(ran, what, this.redact);
    return {
      ...(await this.bt.calls()),
      ms: ran.ms,
      cpuSeconds: ran.cpuSeconds,
      tenantCpuSeconds: (user + system) / 1e6,
      otherCpuSeconds: machine !== undefined && machineAfter !== undefined ? Math.max(0, machineAfter - machine - ours) : undefined,
      maxRssKb: ran.maxRssKb,
      cliRuns: (ran.stdout.match(/Provisioning with 'local-exec'/g) ?? []).length,
      code: ran.code,
    };
  }

  terraform(args: string[]): Promise<Ran> {
    return run(TERRAFORM, [...args, "-input=false", "-no-color"], { cwd: this.stackDir, env: this.env() });
  }

  apply(): Promise<Step> {
    return this.step("terraform apply", () => this.terraform(["apply", "-auto-approve", "-parallelism=10"]));
  }

  async plan(): Promise<PlanStep> {
    let report: Pick<PlanStep, "changesPresent" | "noChange"> = {};
    const step = await this.step(
      "cdktf-aic plan",
      async () => {
        const ran = await run(process.execPath, [CLI, "plan", "--stack", BENCH_STACK, "--format", "json"], { cwd: this.bt.dir, env: this.env(), maxRss: true });
        try {
          const json = JSON.parse(ran.stdout) as { changesPresent?: boolean; summary?: { noChange?: number } };
          report = { changesPresent: json.changesPresent, noChange: json.summary?.noChange };
        } catch {
          // not JSON: the exit code tells
        }
        return ran;
      },
      false,
    );
    return { ...step, ...report };
  }
}

/** Terraform resources in the synthesized stack. */
export function resourceCount(stackDir: string): number {
  const json = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as { resource?: Record<string, Record<string, unknown>> };
  return Object.values(json.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
}

export async function planAvailable(): Promise<boolean> {
  const ran = await run(process.execPath, [CLI, "plan", "--help"], { cwd: ROOT, env: process.env });
  return ran.code === 0;
}

export const medianOf = (values: readonly (number | undefined)[]) => median(values.filter((v): v is number => v !== undefined));
