/**
 * The `mix` scenario: stacks of N objects (web apps, agents and grants 1:1:1, see stack.ts) on a
 * fresh tenant per run: synth, `terraform apply` of N new objects, a re-apply with no change, one
 * provisioner run on its own, `cdktf-aic plan`, one field changed on one object, and (with `floor`)
 * the same stack applied without its provisioners. Its table has a column per N.
 */
import { join } from "node:path";
import { journalKey, journalOf, PROVISIONER_ENV } from "../../src/contract";
import { applicationId } from "../../src/engine/refs";
import { specsOfStack } from "../../src/plan/stack";
import { measureTerraformAlone, withoutProvisioners } from "./floor";
import { check, run } from "./process";
import type { Options } from "./options";
import { BenchRun, BenchTenant, CLI, progress, resourceCount, type PlanStep, type Step } from "./runner";
import { BENCH_STACK, objectMix, webAppId } from "./stack";
import { fmt, max, median, mib } from "./stats";

export interface RunSample {
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

/**
 * One provisioner run on its own: `cdktf-aic sync` of the whole stack in which only web app 0
 * counts as changed (it exists and is as in code, and no secret is set: one read, no write).
 */
export function probe(r: BenchRun): Promise<Step> {
  const specs = specsOfStack(r.outdir, BENCH_STACK);
  const spec = specs.find((s) => s.kind === "web-app" && s.id === webAppId(0));
  if (!spec) throw new Error(`the synthesized stack has no web app ${webAppId(0)}`);
  const desired = journalOf(spec.tenant, specs);
  const key = journalKey(spec);
  const previous = { ...desired, objects: { ...desired.objects, [key]: { ...desired.objects[key], hash: "changed" } } };
  const env = r.env({ [PROVISIONER_ENV.desired]: JSON.stringify(desired), [PROVISIONER_ENV.previous]: JSON.stringify(previous), WEB_APP_CLIENT_SECRET: "" });
  const cwd = join(r.outdir, "stacks", BENCH_STACK);
  return r.step("cdktf-aic sync (one changed object)", () => run(process.execPath, [CLI, "sync"], { cwd, env, maxRss: true }));
}

export async function measureMix(r: BenchRun, withTerraform: boolean, planAvailable: boolean, withLayout = false): Promise<RunSample> {
  const synth = await r.synth();
  const sample: RunSample = { synthMs: synth.synthMs, synthProcessMs: synth.processMs, synthRssKb: synth.maxRssKb };
  if (!withTerraform) return sample;
  check(await r.terraform(["init"]), "terraform init", r.redact);
  const apply = { ...(await r.apply()), peakSessions: await r.bt.peakSessions() };
  progress(`  apply ${r.n}: ${fmt(apply.ms / 1000, 1)} s, ${apply.admin} admin calls`);
  const reapply = await r.apply();
  const probed = await probe(r);
  const plan = planAvailable ? await r.plan() : "not available";
  await r.synth("changed");
  const change = await r.apply();
  const layout = withLayout ? await measureTerraformAlone(withoutProvisioners(r.stackDir)) : undefined;
  return { ...sample, terraform: { resources: resourceCount(r.stackDir), layout, apply, reapply, probe: probed, plan, change } };
}

/** Every size of `opts.sizes`, `opts.runs` times each on a fresh tenant (the Terraform steps once from `terraformRunsFrom`). */
export async function runMix(opts: Options, planOk: boolean, withLayout: boolean): Promise<SizeResult[]> {
  const results: SizeResult[] = [];
  for (const n of opts.sizes) {
    const result: SizeResult = { n, samples: [] };
    for (let i = 0; i < opts.runs; i++) {
      const withTerraform = n < opts.terraformRunsFrom || i === 0;
      progress(`N=${n}, run ${i + 1}/${opts.runs}${withTerraform ? "" : " (synth only)"}`);
      const bt = await BenchTenant.start(opts.latencyMs);
      try {
        result.samples.push(await measureMix(new BenchRun(bt, n), withTerraform, planOk, withLayout));
      } finally {
        await bt.close();
      }
    }
    results.push(result);
  }
  return results;
}

export interface SizeResult {
  n: number;
  samples: RunSample[];
}

export type Figure = (s: RunSample) => number | undefined;
type StepName = keyof NonNullable<RunSample["terraform"]>;

/** A figure of one Terraform step of a run (none when the step did not run or is not available). */
export function of<K extends StepName>(name: K, figure: (step: Exclude<NonNullable<RunSample["terraform"]>[K], "not available">) => number | undefined): Figure {
  return (s) => {
    const step = s.terraform?.[name];
    return step === undefined || step === "not available" ? undefined : figure(step as Exclude<typeof step, "not available">);
  };
}

/** The median over the runs of a figure; `undefined` when no run has it. */
export function med(r: SizeResult, pick: Figure): number | undefined {
  return median(r.samples.map(pick).filter((v): v is number => v !== undefined));
}

export function worst(r: SizeResult, pick: Figure): number | undefined {
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

export function rows(floor: Map<number, Step[]>): Row[] {
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
