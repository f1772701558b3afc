/**
 * `--only scale`: big stacks (N = 1,000 / 2,500 / 5,000 by default, the seed's mix), one run each on
 * a fresh tenant: synth, `terraform apply` of N new objects, a re-apply with no change and
 * `cdktf-aic plan`, with what bounds each. A step that fails is recorded with its reason (e.g. the
 * journal's size cap at synth) and the steps after it are skipped; the other sizes still run.
 *
 * What bounds an apply: the sync is the window in which the tenant saw calls (first arrival to
 * last answer); Terraform's own time is the rest of the wall time (init of the run, refresh, plan,
 * writing its state after every resource); the tenant's share is the CPU it spent (this process).
 */
import { check } from "./process";
import type { Options } from "./options";
import { measureEachSize, type Machine } from "./results";
import { BenchRun, BenchTenant, progress, resourceCount, type PlanStep, type Step } from "./runner";
import { objectMix } from "./stack";
import { fmt, mib } from "./stats";

/** A step that failed: which, and the line of its output that says why. */
export interface Failure {
  step: string;
  reason: string;
}

interface ScaleSample {
  n: number;
  resources?: number;
  synth?: { processMs: number; maxRssKb: number };
  apply?: Step;
  reapply?: Step;
  plan?: PlanStep;
  failed?: Failure;
}

/** The line of a failed step's output that names the error (an error code, else Terraform's "Error:"), else its first line. */
export function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => /\bAIC_[A-Z_]+\b/.test(l)) ?? lines.find((l) => l.startsWith("Error:")) ?? lines[0] ?? "";
  return line.length > 240 ? `${line.slice(0, 240)}…` : line;
}

/**
 * Runs `steps` in order until one throws: its failure is returned (the steps after it are skipped),
 * undefined when all ran.
 */
export async function untilFailure(steps: ReadonlyArray<[string, () => Promise<unknown>]>): Promise<Failure | undefined> {
  for (const [step, go] of steps) {
    try {
      await go();
    } catch (e) {
      const failure = { step, reason: reasonOf(e) };
      progress(`  ${step} failed: ${failure.reason}`);
      return failure;
    }
  }
  return undefined;
}

/** A Terraform step whose non-zero exit is a failure (with its output), not a figure. */
export const succeeded = <T extends Step>(step: T, what: string): T => {
  if (step.code !== 0) throw new Error(`${what} exited with ${step.code}`);
  return step;
};

async function measureScale(n: number, opts: Options): Promise<ScaleSample> {
  const bt = await BenchTenant.start(opts.latencyMs);
  const r = new BenchRun(bt, n);
  const sample: ScaleSample = { n };
  try {
    sample.failed = await untilFailure([
      ["synth", async () => (sample.synth = await r.synth())],
      ["terraform init", async () => check(await r.terraform(["init"]), "terraform init", r.redact)],
      ["apply", async () => (sample.apply = await r.apply())],
      ["re-apply", async () => (sample.reapply = await r.apply())],
      ["cdktf-aic plan", async () => (sample.plan = succeeded(await r.plan(), "cdktf-aic plan"))],
    ]);
    if (sample.synth) sample.resources = resourceCount(r.stackDir);
    progress(`  N=${n}: apply ${fmt(sample.apply && sample.apply.ms / 1000, 1)} s, re-apply ${fmt(sample.reapply && sample.reapply.ms / 1000, 1)} s`);
    return sample;
  } finally {
    await bt.close();
  }
}

const seconds = (ms: number | undefined) => fmt(ms === undefined ? undefined : ms / 1000, 1);

/** Terraform's own time in a step: its wall time less the window in which the tenant saw calls. */
export const terraformOwnMs = (step: Step) => step.ms - (step.callSpanMs ?? 0);

/** Which of Terraform, the sync and the tenant took most of a step. */
export function boundOf(step: Step | undefined): string {
  if (!step) return "–";
  const own = terraformOwnMs(step);
  const sync = step.callSpanMs ?? 0;
  const tenantMs = step.tenantCpuSeconds * 1000;
  if (sync === 0) return `Terraform (no admin call)`;
  if (own >= sync) return `Terraform (${seconds(own)} s of ${seconds(step.ms)} s)`;
  return tenantMs >= sync / 2 ? `the tenant (${seconds(tenantMs)} s CPU of ${seconds(sync)} s of calls)` : `the sync (${seconds(sync)} s of ${seconds(step.ms)} s)`;
}

function scaleReport(samples: ScaleSample[], m: Machine, opts: Options): string {
  const row = (label: string, cell: (s: ScaleSample) => string) => `| ${label} | ${samples.map(cell).join(" | ")} |`;
  const missing = (s: ScaleSample) => (s.failed ? "not run" : "–");
  const stepRows = (name: string, pick: (s: ScaleSample) => Step | undefined) => [
    row(`${name}: wall (s)`, (s) => (pick(s) ? seconds(pick(s)!.ms) : missing(s))),
    row(`${name}: the sync's calls, first to last (s)`, (s) => seconds(pick(s)?.callSpanMs)),
    row(`${name}: Terraform's own time, wall less the sync's calls (s)`, (s) => seconds(pick(s) && terraformOwnMs(pick(s)!))),
    row(`${name}: CPU of Terraform + CLI / of the tenant / of other processes (s)`, (s) => {
      const st = pick(s);
      return st ? `${fmt(st.cpuSeconds, 1)} / ${fmt(st.tenantCpuSeconds, 1)} / ${fmt(st.otherCpuSeconds, 1)}` : "–";
    }),
    row(`${name}: admin calls / writes / peak in flight`, (s) => {
      const st = pick(s);
      return st ? `${st.admin} / ${st.writes} / ${st.peakInFlight}` : "–";
    }),
    row(`${name}: bound by`, (s) => boundOf(pick(s))),
  ];
  return [
    `Generated by \`npm run bench -- --only scale\` on ${m.date}: ${m.cores} cores (${m.cpu}), Node.js ${m.node}, Terraform ${m.terraform}; ` +
      `1-minute load average at the start ${m.load.toFixed(1)}.`,
    "",
    `One run per size on a fresh tenant (in the benchmark's process), ${opts.latencyMs} ms added to every admin call, ` +
      "`terraform apply -parallelism=10`. N counts web apps, agents and grants 1:1:1 (plus the realm's provider grants). " +
      "\"The sync's calls\" is the window from the first call the tenant saw to its last answer; Terraform's own time is the rest.",
    "",
    `| | ${samples.map((s) => `N=${s.n}`).join(" | ")} |`,
    `|---|${samples.map(() => "---:").join("|")}|`,
    row("objects: web apps / agents / grants", (s) => Object.values(objectMix(s.n)).join(" / ")),
    row("failed step: reason", (s) => (s.failed ? `${s.failed.step}: ${s.failed.reason.replace(/\|/g, "\\|")}` : "none")),
    row("Terraform resources", (s) => fmt(s.resources)),
    row("synth: whole process (s) / peak RSS (MiB)", (s) => (s.synth ? `${seconds(s.synth.processMs)} / ${fmt(mib(s.synth.maxRssKb))}` : missing(s))),
    ...stepRows("apply N new", (s) => s.apply),
    ...stepRows("re-apply, no change", (s) => s.reapply),
    row("`cdktf-aic plan`: wall (s) / admin calls / peak RSS (MiB)", (s) =>
      s.plan ? `${fmt(s.plan.ms / 1000, 2)} / ${s.plan.admin} / ${fmt(mib(s.plan.maxRssKb))}` : missing(s),
    ),
    row("`cdktf-aic plan`: objects reported unchanged (must be N+1)", (s) => (s.plan ? (s.plan.changesPresent === false ? fmt(s.plan.noChange) : "changes reported") : "–")),
    row("`cdktf-aic plan`: CPU of the CLI / of the tenant (s)", (s) => (s.plan ? `${fmt(s.plan.cpuSeconds, 1)} / ${fmt(s.plan.tenantCpuSeconds, 1)}` : "–")),
  ].join("\n");
}

export function runScaleOnly(opts: Options, m: Machine): Promise<number> {
  return measureEachSize(opts.sizes, "scale", (n) => measureScale(n, opts), (samples) => scaleReport(samples, m, opts), opts.out);
}
