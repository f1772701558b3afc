/**
 * The `webapps` scenario (and `frodo`): N new web apps and nothing else applied by Terraform on a
 * fresh tenant, a re-apply; with `frodo`, the same clients exported by frodo and imported by it
 * into another fresh tenant; with `floor`, the stack applied again without its provisioners.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { measureTerraformAlone, withoutProvisioners } from "./floor";
import { exportWithFrodo, FRODO_PROCESSES, importWithFrodo } from "./frodo";
import type { Options } from "./options";
import { check } from "./process";
import { BenchRun, BenchTenant, medianOf, progress, resourceCount, type Step } from "./runner";
import { fmt } from "./stats";

/** The web apps scenario: N new web apps and nothing else, then (with frodo) the same clients imported by frodo. */
/** The samples of one `webapps` measurement (N web apps, one sample per run). */
export interface WebAppsResult {
  n: number;
  samples: WebAppsSample[];
}

export interface WebAppsSample {
  resources: number;
  /** The same stack without provisioners: Terraform's own time for this layout. */
  layout?: Step;
  apply: Step & { peakSessions: number };
  reapply: Step;
  frodo?: Step & { clients: number };
}

/** `opts.runs` samples of `opts.webApps` web apps, each on fresh tenants. */
export async function runWebApps(opts: Options, withFrodo: boolean, withLayout: boolean): Promise<WebAppsResult> {
  const result: WebAppsResult = { n: opts.webApps, samples: [] };
  for (let i = 0; i < opts.runs; i++) {
    progress(`${opts.webApps} web apps${withFrodo ? " and frodo" : ""}, run ${i + 1}/${opts.runs}`);
    result.samples.push(await measureWebApps(opts.webApps, opts.latencyMs, withFrodo, withLayout));
  }
  return result;
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

export function webAppsTable(w: WebAppsResult, floor: Map<number, Step[]>): string[] {
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
