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
 * `--only scale` measures big stacks (1,000 / 2,500 / 5,000 objects: synth, apply, no-op re-apply, plan,
 * with what bounds each) and `--only destroy` a `terraform destroy` of 1,000; each writes its own block.
 *
 * `--only export` measures `cdktf-aic export` alone: a tenant holding N objects (applied through the
 * engine, without Terraform), then the export with the latency on; it rewrites only its own block.
 *
 * Each scenario is a module of scripts/bench/ (cold, mix, webapps with frodo, floor, export, scale, destroy); runner.ts
 * is what they share (the tenant, a run's folder, the timed steps), report.ts and results.ts the output.
 *
 * Needs Terraform on PATH (`bash scripts/with-tools.sh`) and dist/cli/cdktf-aic.mjs (`npm run build`).
 */
import { existsSync } from "node:fs";
import { relative } from "node:path";
import { coldStart } from "./bench/cold";
import { runDestroyOnly } from "./bench/destroy";
import { runRemovalsOnly } from "./bench/removals";
import { runExportOnly } from "./bench/export";
import { measureFloor } from "./bench/floor";
import { runMix } from "./bench/mix";
import { parseOptions, USAGE, type Scenario } from "./bench/options";
import { report, type Results } from "./bench/report";
import { machine, writeResults } from "./bench/results";
import { CLI, planAvailable, progress } from "./bench/runner";
import { runScaleOnly } from "./bench/scale";
import { runWebApps } from "./bench/webapps";

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
  if (opts.only === "scale") return runScaleOnly(opts, m);
  if (opts.only === "destroy") return runDestroyOnly(opts, m);
  if (opts.only === "removals") return runRemovalsOnly(opts, m);
  const planOk = await planAvailable();
  if (!planOk) progress("`cdktf-aic plan` is not in the CLI yet: its rows will say \"not available\"");

  const res: Results = { mix: [], floor: new Map() };
  const want = (s: Scenario) => opts.scenarios.has(s);
  if (want("cold")) {
    progress("CLI cold start");
    res.cold = await coldStart(opts.runs === 1 ? 5 : 10);
  }
  if (want("webapps") || want("frodo")) res.webApps = await runWebApps(opts, want("frodo"), want("floor"));
  if (want("mix")) res.mix = await runMix(opts, planOk, want("floor"));
  if (want("floor")) {
    // As many bare resources as the stacks measured hold (or would: web apps + Journal + Origin).
    const counts = new Set<number>([
      ...(res.webApps?.samples.map((s) => s.resources) ?? [opts.webApps + 2]),
      ...res.mix.flatMap((r) => r.samples.flatMap((s) => (s.terraform ? [s.terraform.resources] : []))),
    ]);
    res.floor = await measureFloor(counts, opts.runs);
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
