/**
 * `npm run bench`: how the tool performs against the embedded tenant with a latency on every admin
 * call. For each stack size N (web apps, agents and grants in the seed's proportions) and run: a
 * fresh tenant, synth with the real constructs, `terraform apply` of N new objects, a re-apply with
 * no change, one field changed on one object, `cdktf-aic plan`, and one provisioner run measured on
 * its own. Also the CLI's cold start against `node -e 0`. Prints a table of medians and writes it to
 * bench/results.md (the text around the generated block is kept).
 *
 *   tsx scripts/bench.ts [--scenario cold,mix,webapps,frodo,floor] [--sizes 10,100,500] [--web-apps 100]
 *                        [--runs 3] [--latency-ms 20] [--terraform-runs-from 500] [--quick] [--out FILE] [--no-write]
 *
 * Scenarios: `cold` (CLI cold start), `mix` (the sizes above), `webapps` (N new web apps and
 * nothing else), `frodo` (`frodo oauth client import` of the same web apps, on a fresh tenant),
 * `floor` (Terraform alone: each stack measured applied again without its provisioners, and as many
 * bare `terraform_data` as it holds). `--quick` runs cold and mix.
 *
 * `--only export` measures `cdktf-aic export` alone: a tenant holding N objects (applied through the
 * engine, without Terraform), then the export with the latency on; it rewrites only its own block.
 *
 * Needs Terraform on PATH (`bash scripts/with-tools.sh`) and dist/cli/cdktf-aic.mjs (`npm run build`).
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir, totalmem, type } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CONTROL_PREFIX, DEFAULT_CREDENTIAL_ENV, PROVISIONER_ENV, journalKey, journalOf } from "../src/contract";
import { startTenant, type RunningTenant } from "../src/emulator";
import { createAdminApi } from "../src/client/admin-api";
import { KINDS } from "../src/contract/constants";
import { applySpec } from "../src/engine/apply";
import { LIST_PAGE_SIZE } from "../src/export/read";
import { applicationId } from "../src/engine/refs";
import { specsOfStack } from "../src/plan/stack";
import { FRODO_PROCESSES, exportWithFrodo, importWithFrodo, type FrodoLogin } from "./bench/frodo";
import { check, machineBusySeconds, run, type Ran } from "./bench/process";
import { BENCH_STACK, SECRET_ENV, objectMix, webAppId } from "./bench/stack";
import { fmt, max, median, mib } from "./bench/stats";

const ROOT = resolve(__dirname, "..");
const CLI = join(ROOT, "dist", "cli", "cdktf-aic.mjs");
const SYNTH_CHILD = join(__dirname, "bench", "synth.ts");
const TERRAFORM = process.env.CDKTF_AIC_TERRAFORM ?? "terraform";
const DEFAULT_OUT = join(ROOT, "bench", "results.md");
const BEGIN = "<!-- bench:generated:begin -->";
const END = "<!-- bench:generated:end -->";
const EXPORT_BEGIN = "<!-- bench:export:begin -->";
const EXPORT_END = "<!-- bench:export:end -->";
/** Upper bound of the runs and sizes the options may ask for: the loops stay bounded. */
const LIMITS = { runs: 20, size: 2000 };

const SCENARIOS = ["cold", "mix", "webapps", "frodo", "floor"] as const;
type Scenario = (typeof SCENARIOS)[number];

const USAGE = `Usage: tsx scripts/bench.ts [options]
  --scenario LIST           what to run, comma-separated: ${SCENARIOS.join(", ")} (default all)
  --web-apps N              web apps of the webapps and frodo scenarios (default 100)
  --sizes LIST              stack sizes N, comma-separated (default 10,100,500)
  --runs N                  runs per size; figures are medians (default 3)
  --latency-ms MS           latency the tenant adds to every admin call (default 20)
  --terraform-runs-from N   sizes >= N run the Terraform steps once, synth still --runs times (default 500)
  --quick                   sizes 10, one run, nothing written (a smoke test)
  --only export             only the export measurement (its own block of the results file)
  --out FILE                where to write the results (default bench/results.md)
  --no-write                print only`;

interface Options {
  /** Run only this part. */
  only?: "export";
  scenarios: Set<Scenario>;
  webApps: number;
  sizes: number[];
  runs: number;
  latencyMs: number;
  terraformRunsFrom: number;
  out?: string;
}

function positiveInt(name: string, text: string, limit: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > limit) throw new Error(`${name} must be an integer from 1 to ${limit}, received ${JSON.stringify(text)}`);
  return n;
}

function parseOptions(argv: string[]): Options | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: "string" },
      "web-apps": { type: "string" },
      sizes: { type: "string" },
      runs: { type: "string" },
      "latency-ms": { type: "string" },
      "terraform-runs-from": { type: "string" },
      quick: { type: "boolean" },
      only: { type: "string" },
      out: { type: "string" },
      "no-write": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  const quick = values.quick === true;
  const latency = Number(values["latency-ms"] ?? "20");
  if (!Number.isInteger(latency) || latency < 0 || latency > 5000) {
    throw new Error(`--latency-ms must be an integer from 0 to 5000, received ${JSON.stringify(values["latency-ms"])}`);
  }
  const sizes = (values.sizes ?? (quick ? "10" : "10,100,500")).split(",").map((s) => positiveInt("--sizes", s.trim(), LIMITS.size));
  const write = values["no-write"] !== true && (!quick || values.out !== undefined);
  if (values.only !== undefined && values.only !== "export") throw new Error(`--only must be "export", received ${JSON.stringify(values.only)}`);
  const scenarios = (values.scenario ?? (quick ? "cold,mix" : SCENARIOS.join(","))).split(",").map((s) => s.trim());
  const unknown = scenarios.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`--scenario takes ${SCENARIOS.join(", ")}; received ${JSON.stringify(unknown.join(","))}`);
  return {
    only: values.only as "export" | undefined,
    scenarios: new Set(scenarios as Scenario[]),
    webApps: positiveInt("--web-apps", values["web-apps"] ?? "100", LIMITS.size),
    sizes,
    runs: values.runs !== undefined ? positiveInt("--runs", values.runs, LIMITS.runs) : quick ? 1 : 3,
    latencyMs: latency,
    terraformRunsFrom: positiveInt("--terraform-runs-from", values["terraform-runs-from"] ?? "500", LIMITS.size),
    out: write ? resolve(values.out ?? DEFAULT_OUT) : undefined,
  };
}

function progress(line: string): void {
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
interface Calls {
  admin: number;
  writes: number;
  tokenRequests: number;
  /** Paths (without query) of the admin writes. */
  writePaths: string[];
  /** The most admin calls the tenant was answering at once. */
  peakInFlight: number;
}

/** One measured step of a run. */
interface Step extends Calls {
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
interface PlanStep extends Step {
  changesPresent?: boolean;
  /** Objects the plan reports as "no-change". */
  noChange?: number;
}

/** An export, with how many constructs the file holds (must be N). */
interface ExportStep extends Step {
  exported: number;
}

interface RunSample {
  synthMs: number;
  synthProcessMs: number;
  synthRssKb: number;
  terraform?: {
    /** Terraform resources in the synthesized stack. */
    resources: number;
    /** The same stack without provisioners: Terraform's own time for this layout. */
    layout?: Step;
    apply: Step & { peakSessions: number };
    reapply: Step;
    probe: Step;
    plan: PlanStep | "not available";
    change: Step;
  };
}

class BenchTenant {
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
class BenchRun {
  readonly outdir: string;
  readonly stackDir: string;
  private readonly secrets = { [SECRET_ENV.webApp]: randomBytes(24).toString("base64url"), [SECRET_ENV.agent]: randomBytes(24).toString("base64url") };

  constructor(
    private readonly bt: BenchTenant,
    private readonly n: number,
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

  /**
   * One provisioner run on its own: `cdktf-aic sync` of the whole stack in which only web app 0
   * counts as changed (it exists and is as in code, and no secret is set: one read, no write).
   */
  probe(): Promise<Step> {
    const specs = specsOfStack(this.outdir, BENCH_STACK);
    const spec = specs.find((s) => s.kind === "web-app" && s.id === webAppId(0));
    if (!spec) throw new Error(`the synthesized stack has no web app ${webAppId(0)}`);
    const desired = journalOf(spec.tenant, specs);
    const key = journalKey(spec);
    const previous = { ...desired, objects: { ...desired.objects, [key]: { ...desired.objects[key], hash: "changed" } } };
    const env = this.env({ [PROVISIONER_ENV.desired]: JSON.stringify(desired), [PROVISIONER_ENV.previous]: JSON.stringify(previous), WEB_APP_CLIENT_SECRET: "" });
    const cwd = join(this.outdir, "stacks", BENCH_STACK);
    return this.step("cdktf-aic sync (one changed object)", () => run(process.execPath, [CLI, "sync"], { cwd, env, maxRss: true }));
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

  /**
   * `cdktf-aic export` of a tenant holding the N objects: they are applied through the engine with
   * no latency (Terraform's minutes would measure nothing new), then the export runs with it.
   */
  async exportStep(latencyMs: number): Promise<ExportStep> {
    await this.synth();
    const specs = specsOfStack(this.outdir, BENCH_STACK);
    await this.bt.setLatency(0);
    const c = this.bt.tenant.connection;
    const api = createAdminApi({
      baseUrl: this.bt.tenant.baseUrl,
      realm: c.realm,
      auth: { method: "service-account", idEnv: DEFAULT_CREDENTIAL_ENV.serviceAccountId, jwkEnv: DEFAULT_CREDENTIAL_ENV.serviceAccountJwk },
      env: this.env(),
      tokenCacheDir: join(this.bt.dir, "token-cache"),
    });
    try {
      // Kind by kind (grants need their agents and apps), ten at a time as Terraform would.
      for (const kind of KINDS) {
        const ofKind = specs.filter((s) => s.kind === kind);
        for (let i = 0; i < ofKind.length; i += 10) await Promise.all(ofKind.slice(i, i + 10).map((s) => applySpec(api, s, { env: this.env() })));
      }
    } finally {
      await api.close();
    }
    await this.bt.setLatency(latencyMs);
    const file = join(this.bt.dir, "exported.ts");
    const env = this.env({ AIC_BASE_URL: this.bt.tenant.baseUrl });
    const step = await this.step("cdktf-aic export", () => run(process.execPath, [CLI, "export", "--out", file], { cwd: this.bt.dir, env, maxRss: true }));
    const text = readFileSync(file, "utf8");
    const count = (construct: string) => (text.match(new RegExp(`new ${construct}\\(`, "g")) ?? []).length;
    return { ...step, exported: count("ConfidentialWebApp") + count("AiAgent") + count("AgentApplicationGrant") };
  }

  async measure(withTerraform: boolean, planAvailable: boolean, withLayout = false): Promise<RunSample> {
    const synth = await this.synth();
    const sample: RunSample = { synthMs: synth.synthMs, synthProcessMs: synth.processMs, synthRssKb: synth.maxRssKb };
    if (!withTerraform) return sample;
    check(await this.terraform(["init"]), "terraform init", this.redact);
    const apply = { ...(await this.apply()), peakSessions: await this.bt.peakSessions() };
    progress(`  apply ${this.n}: ${fmt(apply.ms / 1000, 1)} s, ${apply.admin} admin calls`);
    const reapply = await this.apply();
    const probe = await this.probe();
    const plan = planAvailable ? await this.plan() : "not available";
    await this.synth("changed");
    const change = await this.apply();
    const layout = withLayout ? await measureTerraformAlone(withoutProvisioners(this.stackDir)) : undefined;
    return { ...sample, terraform: { resources: resourceCount(this.stackDir), layout, apply, reapply, probe, plan, change } };
  }
}

/** The web apps scenario: N new web apps and nothing else, then (with frodo) the same clients imported by frodo. */
interface WebAppsSample {
  resources: number;
  /** The same stack without provisioners: Terraform's own time for this layout. */
  layout?: Step;
  apply: Step & { peakSessions: number };
  reapply: Step;
  frodo?: Step & { clients: number };
}

/** Terraform resources in the synthesized stack. */
function resourceCount(stackDir: string): number {
  const json = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as { resource?: Record<string, Record<string, unknown>> };
  return Object.values(json.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
}

async function measureWebApps(n: number, latencyMs: number, withFrodo: boolean, withLayout: boolean): Promise<WebAppsSample> {
  const bt = await BenchTenant.start(latencyMs);
  try {
    const r = new BenchRun(bt, n);
    await r.synth("webapps");
    check(await r.terraform(["init"]), "terraform init", r.redact);
    const apply = { ...(await r.apply()), peakSessions: await bt.peakSessions() };
    const reapply = await r.apply();
    const sample: WebAppsSample = { resources: resourceCount(r.stackDir), apply, reapply };
    progress(`  apply ${n} web apps: ${fmt(apply.ms / 1000, 1)} s, ${apply.admin} admin calls, ${apply.cliRuns} CLI processes`);
    if (withLayout) sample.layout = await measureTerraformAlone(withoutProvisioners(r.stackDir));
    if (!withFrodo) return sample;
    const file = join(bt.dir, "oauth2-clients.json");
    check(await exportWithFrodo(bt.login(), file), "frodo oauth client export", (t) => t);
    const exported = Object.keys((JSON.parse(readFileSync(file, "utf8")) as { application?: object }).application ?? {}).length;
    if (exported !== n) throw new Error(`frodo exported ${exported} OAuth2 clients, expected ${n}`);
    const fresh = await BenchTenant.start(latencyMs);
    try {
      const target = new BenchRun(fresh, n);
      const imported = await target.step("frodo oauth client import", () => importWithFrodo(fresh.login(), file));
      // Clients written: distinct OAuth2Client paths among the import's writes.
      const clients = new Set(imported.writePaths.filter((p) => p.includes("/OAuth2Client/"))).size;
      if (clients !== n) throw new Error(`frodo's import wrote ${clients} OAuth2 clients, expected ${n}`);
      sample.frodo = { ...imported, clients };
      progress(`  frodo import ${n}: ${fmt(imported.ms / 1000, 1)} s, ${imported.admin} admin calls`);
    } finally {
      await fresh.close();
    }
    return sample;
  } finally {
    await bt.close();
  }
}

/** \`count\` bare \`terraform_data\` resources: no provisioner, no dependency, a one-number input. */
function bareResources(count: number): object {
  return { resource: { terraform_data: Object.fromEntries(Array.from({ length: count }, (_, i) => [`r${i}`, { input: { i } }])) } };
}

/**
 * The synthesized stack of \`stackDir\` without its provisioners: the same resources, values and
 * dependencies, so that applying it is Terraform's own time for this layout, without the sync.
 */
function withoutProvisioners(stackDir: string): object {
  const json = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as { resource: Record<string, Record<string, Record<string, unknown>>> };
  for (const byName of Object.values(json.resource)) for (const r of Object.values(byName)) delete r.provisioner;
  return { resource: json.resource };
}

/**
 * Terraform alone: \`terraform apply\` of \`config\` (no provider, no provisioner) in a fresh folder,
 * with the same parallelism as the stacks.
 */
async function measureTerraformAlone(config: object): Promise<Step> {
  const dir = mkdtempSync(join(tmpdir(), "cdktf-aic-bench-floor-"));
  try {
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(config));
    const env = { ...process.env, TF_IN_AUTOMATION: "1" };
    const tf = (args: string[]) => run(TERRAFORM, [...args, "-input=false", "-no-color"], { cwd: dir, env });
    check(await tf(["init"]), "terraform init (floor)", (t) => t);
    const machine = machineBusySeconds();
    const ran = check(await tf(["apply", "-auto-approve", "-parallelism=10"]), "terraform apply (floor)", (t) => t);
    const machineAfter = machineBusySeconds();
    return {
      admin: 0,
      writes: 0,
      tokenRequests: 0,
      writePaths: [],
      peakInFlight: 0,
      ms: ran.ms,
      cpuSeconds: ran.cpuSeconds,
      tenantCpuSeconds: 0,
      otherCpuSeconds: machine !== undefined && machineAfter !== undefined ? Math.max(0, machineAfter - machine - (ran.cpuSeconds ?? 0)) : undefined,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function planAvailable(): Promise<boolean> {
  const ran = await run(process.execPath, [CLI, "plan", "--help"], { cwd: ROOT, env: process.env });
  return ran.code === 0;
}

interface ColdStart {
  nodeMs: number;
  cliMs: number;
  cliRssKb?: number;
  nodeRssKb?: number;
}

/** `node -e 0` and `cdktf-aic --help`, interleaved so that both see the same machine. */
async function coldStart(samples: number): Promise<ColdStart> {
  const node: number[] = [];
  const cli: number[] = [];
  const opts = { cwd: ROOT, env: process.env };
  await run(process.execPath, ["-e", "0"], opts); // warm the page cache for both
  await run(process.execPath, [CLI, "--help"], opts);
  for (let i = 0; i < samples; i++) {
    node.push((await run(process.execPath, ["-e", "0"], opts)).ms);
    cli.push(check(await run(process.execPath, [CLI, "--help"], opts), "cdktf-aic --help", (s) => s).ms);
  }
  const rss = async (args: string[]) => (await run(process.execPath, args, { ...opts, maxRss: true })).maxRssKb;
  return { nodeMs: median(node)!, cliMs: median(cli)!, nodeRssKb: await rss(["-e", "0"]), cliRssKb: await rss([CLI, "--help"]) };
}

interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  os: string;
  node: string;
  terraform: string;
  date: string;
  /** 1-minute load average when the benchmark started: other jobs skew wall times. */
  load: number;
}

async function machine(): Promise<Machine> {
  const ran = await run(TERRAFORM, ["version", "-json"], { cwd: ROOT, env: process.env });
  let terraform = "not found";
  try {
    terraform = (JSON.parse(ran.stdout) as { terraform_version: string }).terraform_version;
  } catch {
    // reported as not found; the Terraform steps will fail with Terraform's own message
  }
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    terraform,
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    load: loadavg()[0],
  };
}

// ---------------------------------------------------------------------------------------------
// Report

interface SizeResult {
  n: number;
  samples: RunSample[];
}

type Figure = (s: RunSample) => number | undefined;
type StepName = keyof NonNullable<RunSample["terraform"]>;

/** A figure of one Terraform step of a run (none when the step did not run or is not available). */
function of<K extends StepName>(name: K, figure: (step: Exclude<NonNullable<RunSample["terraform"]>[K], "not available">) => number | undefined): Figure {
  return (s) => {
    const step = s.terraform?.[name];
    return step === undefined || step === "not available" ? undefined : figure(step as Exclude<typeof step, "not available">);
  };
}

/** The median over the runs of a figure; `undefined` when no run has it. */
function med(r: SizeResult, pick: Figure): number | undefined {
  return median(r.samples.map(pick).filter((v): v is number => v !== undefined));
}

function worst(r: SizeResult, pick: Figure): number | undefined {
  return max(r.samples.map(pick).filter((v): v is number => v !== undefined));
}

/** A plan figure, or why there is none: the command is not in the CLI yet, or it failed. */
function planCell(r: SizeResult, figure: (p: PlanStep) => number | undefined, digits: number): string {
  const plans = r.samples.flatMap((s) => (s.terraform ? [s.terraform.plan] : []));
  if (plans.length === 0) return "–";
  if (plans.every((p) => p === "not available")) return "not available";
  const failed = plans.flatMap((p) => (p !== "not available" && p.code !== 0 ? [p.code] : []));
  if (failed.length > 0) return `failed (exit ${failed.join(", ")})`;
  return fmt(med(r, of("plan", figure)), digits);
}

interface Row {
  label: string;
  cell: (r: SizeResult) => string;
}

function rows(floor: Map<number, Step[]>): Row[] {
  const perObject = (r: SizeResult, v: number | undefined) => (v === undefined ? undefined : v / r.n);
  const seconds = (step: Step) => step.ms / 1000;
  return [
    { label: "objects: web apps / agents / grants", cell: (r) => Object.values(objectMix(r.n)).join(" / ") },
    { label: "synth: constructs + synth, in process (ms)", cell: (r) => fmt(med(r, (s) => s.synthMs)) },
    { label: "synth: whole process, tsx + module load (ms)", cell: (r) => fmt(med(r, (s) => s.synthProcessMs)) },
    { label: "synth: peak RSS (MiB)", cell: (r) => fmt(mib(med(r, (s) => s.synthRssKb))) },
    { label: "apply N new: wall (s)", cell: (r) => fmt(med(r, of("apply", seconds)), 1) },
    { label: "Terraform alone: `terraform apply` of this stack without its provisioners (s)", cell: (r) => fmt(med(r, (s) => s.terraform?.layout && s.terraform.layout.ms / 1000), 1) },
    {
      label: "Terraform alone: `terraform apply` of as many bare `terraform_data` (resources: s)",
      cell: (r) => {
        const resources = r.samples.find((s) => s.terraform)?.terraform?.resources;
        const steps = resources === undefined ? undefined : floor.get(resources);
        return steps ? `${resources}: ${fmt(median(steps.map((s) => s.ms))! / 1000, 1)}` : `${fmt(resources)}: not run`;
      },
    },
    { label: "apply N new: objects per second", cell: (r) => fmt(med(r, of("apply", (a) => r.n / seconds(a))), 1) },
    { label: "apply N new: admin calls per object", cell: (r) => fmt(perObject(r, med(r, of("apply", (a) => a.admin))), 1) },
    { label: "apply N new: admin writes per object", cell: (r) => fmt(perObject(r, med(r, of("apply", (a) => a.writes))), 1) },
    { label: "apply N new: CLI processes (provisioner runs)", cell: (r) => fmt(med(r, of("apply", (a) => a.cliRuns))) },
    { label: "apply N new: token requests", cell: (r) => fmt(med(r, of("apply", (a) => a.tokenRequests))) },
    { label: "apply N new: CPU of Terraform + CLI processes (s)", cell: (r) => fmt(med(r, of("apply", (a) => a.cpuSeconds)), 1) },
    { label: "apply N new: CPU of the embedded tenant (s)", cell: (r) => fmt(med(r, of("apply", (a) => a.tenantCpuSeconds)), 1) },
    { label: "apply N new: CPU of other processes on the machine (s)", cell: (r) => fmt(med(r, of("apply", (a) => a.otherCpuSeconds)), 1) },
    { label: "apply N new: peak admin calls in flight", cell: (r) => fmt(worst(r, of("apply", (a) => a.peakInFlight))) },
    { label: "apply N new: peak concurrent admin sessions", cell: (r) => fmt(worst(r, of("apply", (a) => a.peakSessions))) },
    { label: "re-apply, no change: wall (s)", cell: (r) => fmt(med(r, of("reapply", seconds)), 1) },
    { label: "re-apply, no change: CPU of Terraform (s)", cell: (r) => fmt(med(r, of("reapply", (a) => a.cpuSeconds)), 1) },
    { label: "re-apply, no change: admin writes (must be 0; worst run)", cell: (r) => fmt(worst(r, of("reapply", (a) => a.writes))) },
    { label: "re-apply, no change: admin calls (worst run)", cell: (r) => fmt(worst(r, of("reapply", (a) => a.admin))) },
    { label: "one field changed on one object: wall (s)", cell: (r) => fmt(med(r, of("change", seconds)), 1) },
    {
      label: "one field changed: CLI processes / admin writes (worst run)",
      cell: (r) => `${fmt(worst(r, of("change", (c) => c.cliRuns)))} / ${fmt(worst(r, of("change", (c) => c.writes)))}`,
    },
    {
      label: "one field changed: writes to other objects (must be 0; worst run)",
      cell: (r) => fmt(worst(r, of("change", (c) => writesElsewhere(c.writePaths)))),
    },
    { label: "`cdktf-aic plan`: wall (s)", cell: (r) => planCell(r, seconds, 2) },
    { label: "`cdktf-aic plan`: admin calls", cell: (r) => planCell(r, (p) => p.admin, 0) },
    { label: "`cdktf-aic plan`: peak RSS (MiB)", cell: (r) => planCell(r, (p) => mib(p.maxRssKb), 0) },
    {
      label: "`cdktf-aic plan`: objects reported unchanged (must be N+1; worst run)",
      cell: (r) => {
        const plans = r.samples.flatMap((s) => (s.terraform && s.terraform.plan !== "not available" ? [s.terraform.plan] : []));
        if (plans.length === 0) return planCell(r, () => undefined, 0);
        return plans.some((p) => p.changesPresent !== false) ? "changes reported" : fmt(Math.min(...plans.map((p) => p.noChange ?? 0)));
      },
    },
    { label: "one provisioner run (`cdktf-aic sync`, one object to check): wall (ms)", cell: (r) => fmt(med(r, of("probe", (p) => p.ms))) },
    { label: "one provisioner run: CPU (ms)", cell: (r) => fmt(med(r, of("probe", (p) => p.cpuSeconds && p.cpuSeconds * 1000))) },
    {
      label: "one provisioner run: admin calls / peak RSS (MiB)",
      cell: (r) => `${fmt(med(r, of("probe", (p) => p.admin)))} / ${fmt(mib(med(r, of("probe", (p) => p.maxRssKb))))}`,
    },
  ];
}

/**
 * Admin writes that touch anything but web app 0 (its AM client and its IDM application record):
 * the one-field change must write that object only.
 */
function writesElsewhere(paths: readonly string[]): number {
  const own = [`/OAuth2Client/${webAppId(0)}`, `/alpha_application/${applicationId("alpha", webAppId(0))}`];
  return paths.filter((p) => !own.some((suffix) => p.endsWith(suffix))).length;
}

interface Target {
  what: string;
  result: "pass" | "FAIL" | "not measured";
  figure: string;
}

/** Everything one benchmark run measured (a scenario not run leaves its part empty). */
interface Results {
  cold?: ColdStart;
  mix: SizeResult[];
  webApps?: { n: number; samples: WebAppsSample[] };
  /** Terraform alone, by resource count. */
  floor: Map<number, Step[]>;
}

const medianOf = (values: readonly (number | undefined)[]) => median(values.filter((v): v is number => v !== undefined));

function targets(res: Results, opts: Options): Target[] {
  const at = (n: number) => res.mix.find((r) => r.n === n);
  const latencyNote = opts.latencyMs === 20 ? "" : ` (measured with ${opts.latencyMs} ms, not 20 ms)`;
  const judge = (what: string, value: number | undefined, ok: (v: number) => boolean, figure: (v: number) => string): Target =>
    value === undefined ? { what, result: "not measured", figure: "–" } : { what, result: ok(value) ? "pass" : "FAIL", figure: figure(value) };
  const ratio = res.cold && res.cold.cliMs / res.cold.nodeMs;
  const figure = (n: number, pick: Figure, over = med) => {
    const r = at(n);
    return r && over(r, pick);
  };
  const apply100 = figure(100, of("apply", (a) => a.ms / 1000));
  const apply500 = figure(500, of("apply", (a) => a.ms / 1000));
  const reapply500 = figure(500, of("reapply", (a) => a.writes), worst);
  const reapply500Calls = figure(500, of("reapply", (a) => a.admin), worst);
  const reapply500Wall = figure(500, of("reapply", (a) => a.ms / 1000));
  const plan500 = figure(500, of("plan", (p) => (p.code === 0 ? p.ms / 1000 : undefined)));
  const synth500 = figure(500, (s) => s.synthProcessMs / 1000);
  const w = res.webApps;
  const web = w && medianOf(w.samples.map((s) => s.apply.ms / 1000));
  const frodo = w && medianOf(w.samples.map((s) => s.frodo && s.frodo.ms / 1000));
  const processes = [...res.mix.flatMap((r) => r.samples.map((s) => s.terraform?.apply.cliRuns)), ...(w?.samples.map((s) => s.apply.cliRuns) ?? [])].filter(
    (v): v is number => v !== undefined,
  );
  const n = w?.n ?? opts.webApps;
  return [
    judge("bundled CLI cold start within 1.5x of `node -e 0`", ratio, (v) => v <= 1.5, (v) => `${v.toFixed(2)}x`),
    judge(`apply of ${n} new web apps under 5 s with 20 ms latency (Terraform included)${latencyNote}`, web, (v) => v < 5, (v) => `${v.toFixed(1)} s`),
    judge(
      `apply of the same ${n} web apps faster than \`frodo oauth client import\` of them (ratio apply / frodo)`,
      web !== undefined && frodo !== undefined ? web / frodo : undefined,
      (v) => v < 1,
      (v) => `${v.toFixed(2)} (${fmt(web, 1)} s / ${fmt(frodo, 1)} s)`,
    ),
    judge("CLI processes per apply: a constant (the most in any apply, any N)", max(processes), (v) => v <= 2, (v) => `${v}`),
    judge(`apply of 100 new objects under 15 s with 20 ms latency${latencyNote}`, apply100, (v) => v < 15, (v) => `${v.toFixed(1)} s`),
    judge(`apply of 500 new objects under 20 s with 20 ms latency${latencyNote}`, apply500, (v) => v < 20, (v) => `${v.toFixed(1)} s`),
    judge("re-apply of 500 unchanged objects with zero writes", reapply500, (v) => v === 0, (v) => `${v} writes`),
    judge("re-apply of 500 unchanged objects: zero admin calls", reapply500Calls, (v) => v === 0, (v) => `${v} calls`),
    judge("re-apply of 500 unchanged objects under 5 s", reapply500Wall, (v) => v < 5, (v) => `${v.toFixed(1)} s`),
    judge(`\`cdktf-aic plan\` of 500 objects under 3 s with 20 ms latency${latencyNote}`, plan500, (v) => v < 3, (v) => `${v.toFixed(2)} s`),
    judge("synth of 500 objects under 3 s (whole synth process)", synth500, (v) => v < 3, (v) => `${v.toFixed(2)} s`),
  ];
}

function webAppsTable(w: NonNullable<Results["webApps"]>, floor: Map<number, Step[]>): string[] {
  const m = (pick: (s: WebAppsSample) => number | undefined, digits = 0) => fmt(medianOf(w.samples.map(pick)), digits);
  const resources = w.samples[0]?.resources;
  const floorSteps = resources === undefined ? undefined : floor.get(resources);
  const floorMs = floorSteps && medianOf(floorSteps.map((s) => s.ms));
  const hasFrodo = w.samples.some((s) => s.frodo);
  const f = (pick: (s: NonNullable<WebAppsSample["frodo"]>) => number | undefined, digits = 0) =>
    hasFrodo ? fmt(medianOf(w.samples.map((s) => s.frodo && pick(s.frodo))), digits) : "not run";
  return [
    `| ${w.n} new web apps (ConfidentialWebApp only; ${w.samples.length} runs, medians) | cdktf-aic: \`terraform apply\` | frodo: \`oauth client import --all\` |`,
    "|---|---:|---:|",
    `| wall (s) | ${m((s) => s.apply.ms / 1000, 1)} | ${f((s) => s.ms / 1000, 1)} |`,
    `| Terraform resources in the stack | ${fmt(resources)} | – |`,
    `| admin calls | ${m((s) => s.apply.admin)} | ${f((s) => s.admin)} |`,
    `| admin writes | ${m((s) => s.apply.writes)} | ${f((s) => s.writes)} |`,
    `| token requests / logins | ${m((s) => s.apply.tokenRequests)} | ${f((s) => s.tokenRequests)} |`,
    `| processes (ours: CLI processes Terraform ran; frodo: launcher + CLI) | ${m((s) => s.apply.cliRuns)} | ${hasFrodo ? FRODO_PROCESSES : "not run"} |`,
    `| peak admin calls in flight | ${m((s) => s.apply.peakInFlight)} | ${f((s) => s.peakInFlight)} |`,
    `| peak concurrent admin sessions | ${m((s) => s.apply.peakSessions)} | – |`,
    `| CPU of the processes (s) | ${m((s) => s.apply.cpuSeconds, 1)} | ${f((s) => s.cpuSeconds, 1)} |`,
    `| CPU of other processes on the machine (s) | ${m((s) => s.apply.otherCpuSeconds, 1)} | ${f((s) => s.otherCpuSeconds, 1)} |`,
    `| Terraform alone: \`terraform apply\` of this stack without its provisioners (s) | ${m((s) => s.layout && s.layout.ms / 1000, 1)} | – |`,
    `| Terraform alone: \`terraform apply\` of ${fmt(resources)} bare \`terraform_data\` (s) | ${fmt(floorMs && floorMs / 1000, 1)} | – |`,
    `| re-apply, no change: wall (s) / admin calls | ${m((s) => s.reapply.ms / 1000, 1)} / ${m((s) => s.reapply.admin)} | – |`,
    `| ratio of walls (apply / frodo) | ${hasFrodo ? fmt(medianOf(w.samples.map((s) => s.apply.ms))! / medianOf(w.samples.map((s) => s.frodo?.ms))!, 2) : "not run"} | |`,
  ];
}

function report(res: Results, m: Machine, opts: Options, planOk: boolean): string {
  const results = res.mix;
  const sizes = results.map((r) => r.n);
  const runsOf = (r: SizeResult) => `${r.samples.length} synth / ${r.samples.filter((s) => s.terraform).length} Terraform`;
  const lines: string[] = [];
  lines.push(
    `Generated by \`npm run bench\` on ${m.date}: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB memory, ${m.os}, ` +
      `Node.js ${m.node}, Terraform ${m.terraform}; 1-minute load average at the start ${m.load.toFixed(1)}. ` +
      `Scenarios: ${[...opts.scenarios].join(", ")}.`,
    "",
  );
  if (res.webApps) lines.push(...webAppsTable(res.webApps, res.floor), "");
  if (results.length > 0) {
    lines.push(
      `Embedded tenant in the benchmark's process, ${opts.latencyMs} ms added to every admin call; a fresh tenant, ` +
        "token cache and project folder per run; `terraform apply -parallelism=10`. Figures are medians over the runs " +
        "(\"worst run\" where a figure must hold every time). Runs per size: " +
        results.map((r) => `N=${r.n}: ${runsOf(r)}`).join(", ") +
        ". N counts web apps, agents and grants; every stack also has the realm's provider grants (1 object more)." +
        (planOk ? "" : " `cdktf-aic plan` is not in the CLI yet: its rows say \"not available\"."),
      "",
      `| | ${sizes.map((n) => `N=${n}`).join(" | ")} |`,
      `|---|${sizes.map(() => "---:").join("|")}|`,
      ...rows(res.floor).map((row) => `| ${row.label} | ${results.map((r) => row.cell(r)).join(" | ")} |`),
      "",
    );
  }
  if (res.cold) {
    const cold = res.cold;
    lines.push(
      "| CLI cold start | median (ms) | peak RSS (MiB) |",
      "|---|---:|---:|",
      `| \`node -e 0\` | ${fmt(cold.nodeMs)} | ${fmt(mib(cold.nodeRssKb))} |`,
      `| \`node dist/cli/cdktf-aic.mjs --help\` | ${fmt(cold.cliMs)} | ${fmt(mib(cold.cliRssKb))} |`,
      `| ratio | ${(cold.cliMs / cold.nodeMs).toFixed(2)}x | |`,
      "",
    );
  }
  lines.push(
    "| target (2 cores) | result | figure |",
    "|---|---|---|",
    ...targets(res, opts).map((t) => `| ${t.what} | ${t.result} | ${t.figure} |`),
  );
  return lines.join("\n");
}

/** Replaces the generated block of `file` and keeps the text around it (the notes). */
function writeResults(file: string, generated: string, markers: [string, string] = [BEGIN, END]): void {
  const [BEGIN_MARK, END_MARK] = markers;
  const block = `${BEGIN_MARK}\n${generated}\n${END_MARK}`;
  const existing = existsSync(file) ? readFileSync(file, "utf8") : undefined;
  const begin = existing?.indexOf(BEGIN_MARK) ?? -1;
  const end = existing?.indexOf(END_MARK) ?? -1;
  const text =
    existing !== undefined && begin >= 0 && end > begin
      ? existing.slice(0, begin) + block + existing.slice(end + END_MARK.length)
      : existing !== undefined
        ? `${existing.trimEnd()}\n\n${block}\n`
        : `# Benchmark results\n\n${block}\n`;
  writeFileSync(file, text);
}

/** The export's own block: per N the wall time, admin calls (and per page of the lists) and the target. */
function exportReport(results: { n: number; steps: ExportStep[] }[], m: Machine, opts: Options): string {
  const sizes = results.map((r) => r.n);
  const cell = (pick: (s: ExportStep) => number | undefined, digits = 0, over = median) => results.map((r) => fmt(over(r.steps.map(pick).filter((v): v is number => v !== undefined)), digits)).join(" | ");
  const at500 = results.find((r) => r.n === 500);
  const wall500 = at500 && median(at500.steps.map((s) => s.ms / 1000));
  const exported500 = at500 && Math.min(...at500.steps.map((s) => s.exported));
  return [
    `Generated by \`npm run bench -- --only export\` on ${m.date}: ${m.cores} cores (${m.cpu}), Node.js ${m.node}; 1-minute load average at the start ${m.load.toFixed(1)}.`,
    "",
    `\`cdktf-aic export\` of a tenant holding N objects (web apps, agents and grants 1:1:1, applied through the engine beforehand), ` +
      `${opts.latencyMs} ms added to every admin call; list calls paged by ${LIST_PAGE_SIZE}. Medians over ${opts.runs} run(s) per size.`,
    "",
    `| | ${sizes.map((n) => `N=${n}`).join(" | ")} |`,
    `|---|${sizes.map(() => "---:").join("|")}|`,
    `| export: wall, whole CLI process (s) | ${cell((s) => s.ms / 1000, 2)} |`,
    `| export: CPU of the CLI process (s) | ${cell((s) => s.cpuSeconds, 2)} |`,
    `| export: CPU of other processes on the machine (s) | ${cell((s) => s.otherCpuSeconds, 1)} |`,
    `| export: admin calls | ${cell((s) => s.admin)} |`,
    `| export: admin writes (must be 0; worst run) | ${cell((s) => s.writes, 0, max)} |`,
    `| export: constructs in the file (must be N; worst run) | ${results.map((r) => fmt(Math.min(...r.steps.map((s) => s.exported)))).join(" | ")} |`,
    `| export: peak RSS (MiB) | ${cell((s) => mib(s.maxRssKb))} |`,
    "",
    "| target (2 cores) | result | figure |",
    "|---|---|---|",
    `| \`cdktf-aic export\` of 500 objects under 3 s with 20 ms latency | ${wall500 === undefined ? "not measured" : wall500 < 3 && exported500 === 500 ? "pass" : "FAIL"} | ${wall500 === undefined ? "–" : `${wall500.toFixed(2)} s`} |`,
  ].join("\n");
}

async function runExportOnly(opts: Options, m: Machine): Promise<number> {
  const results: { n: number; steps: ExportStep[] }[] = [];
  for (const n of opts.sizes) {
    const steps: ExportStep[] = [];
    for (let i = 0; i < opts.runs; i++) {
      progress(`export N=${n}, run ${i + 1}/${opts.runs}`);
      const bt = await BenchTenant.start(opts.latencyMs);
      try {
        const step = await new BenchRun(bt, n).exportStep(opts.latencyMs);
        progress(`  export ${n}: ${fmt(step.ms / 1000, 2)} s, ${step.admin} admin calls, ${step.exported} constructs`);
        steps.push(step);
      } finally {
        await bt.close();
      }
    }
    results.push({ n, steps });
  }
  const text = exportReport(results, m, opts);
  process.stdout.write(`${text}\n`);
  if (opts.out) {
    writeResults(opts.out, text, [EXPORT_BEGIN, EXPORT_END]);
    progress(`export results written to ${relative(process.cwd(), opts.out) || opts.out}`);
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  if (opts === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!existsSync(CLI)) throw new Error("dist/cli/cdktf-aic.mjs is missing: run `npm run build` (npm run bench does)");
  const m = await machine();
  progress(`${m.cores} cores, Node.js ${m.node}, Terraform ${m.terraform}; latency ${opts.latencyMs} ms`);
  if (opts.only === "export") return runExportOnly(opts, m);
  const planOk = await planAvailable();
  if (!planOk) progress("`cdktf-aic plan` is not in the CLI yet: its rows will say \"not available\"");

  const res: Results = { mix: [], floor: new Map() };
  const want = (s: Scenario) => opts.scenarios.has(s);
  if (want("cold")) {
    progress("CLI cold start");
    res.cold = await coldStart(opts.runs === 1 ? 5 : 10);
  }
  if (want("webapps") || want("frodo")) {
    const w = { n: opts.webApps, samples: [] as WebAppsSample[] };
    for (let i = 0; i < opts.runs; i++) {
      progress(`${opts.webApps} web apps${want("frodo") ? " and frodo" : ""}, run ${i + 1}/${opts.runs}`);
      w.samples.push(await measureWebApps(opts.webApps, opts.latencyMs, want("frodo"), want("floor")));
    }
    res.webApps = w;
  }
  if (want("mix")) {
    for (const n of opts.sizes) {
      const result: SizeResult = { n, samples: [] };
      for (let i = 0; i < opts.runs; i++) {
        const withTerraform = n < opts.terraformRunsFrom || i === 0;
        progress(`N=${n}, run ${i + 1}/${opts.runs}${withTerraform ? "" : " (synth only)"}`);
        const bt = await BenchTenant.start(opts.latencyMs);
        try {
          result.samples.push(await new BenchRun(bt, n).measure(withTerraform, planOk, want("floor")));
        } finally {
          await bt.close();
        }
      }
      res.mix.push(result);
    }
  }
  if (want("floor")) {
    // As many bare resources as the stacks measured hold (or would: web apps + Journal + Origin).
    const counts = new Set<number>([
      ...(res.webApps?.samples.map((s) => s.resources) ?? [opts.webApps + 2]),
      ...res.mix.flatMap((r) => r.samples.flatMap((s) => (s.terraform ? [s.terraform.resources] : []))),
    ]);
    for (const count of [...counts].sort((a, b) => a - b)) {
      const steps: Step[] = [];
      for (let i = 0; i < opts.runs; i++) {
        progress(`Terraform alone: ${count} bare terraform_data, run ${i + 1}/${opts.runs}`);
        steps.push(await measureTerraformAlone(bareResources(count)));
      }
      res.floor.set(count, steps);
    }
  }
  const text = report(res, m, opts, planOk);
  process.stdout.write(`${text}\n`);
  if (opts.out) {
    writeResults(opts.out, text);
    progress(`results written to ${relative(process.cwd(), opts.out) || opts.out}`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`npm run bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
