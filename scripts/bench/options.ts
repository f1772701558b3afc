/**
 * The options of `npm run bench` (see scripts/bench.ts for what each scenario measures).
 */
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "./runner";

const DEFAULT_OUT = join(ROOT, "bench", "results.md");
/** Upper bound of the runs and sizes the options may ask for: the loops stay bounded. */
const LIMITS = { runs: 20, size: 5000 };

export const SCENARIOS = ["cold", "mix", "webapps", "frodo", "floor"] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Measurements run alone, each into its own block of the results file; their default sizes and runs. */
const ONLY = {
  export: { sizes: "10,100,500", runs: 3 },
  scale: { sizes: "1000,2500,5000", runs: 1 },
  destroy: { sizes: "1000", runs: 1 },
  removals: { sizes: "60", runs: 3, latencyMs: "300" },
} as const;
export type Only = keyof typeof ONLY;

export const USAGE = `Usage: tsx scripts/bench.ts [options]
  --scenario LIST           what to run, comma-separated: ${SCENARIOS.join(", ")} (default all)
  --web-apps N              web apps of the webapps and frodo scenarios (default 100)
  --sizes LIST              stack sizes N, comma-separated (default 10,100,500)
  --runs N                  runs per size; figures are medians (default 3)
  --latency-ms MS           latency the tenant adds to every admin call (default 20)
  --terraform-runs-from N   sizes >= N run the Terraform steps once, synth still --runs times (default 500)
  --quick                   sizes 10, one run, nothing written (a smoke test)
  --only export             only the export measurement (its own block of the results file)
  --only scale              only synth, apply, no-op re-apply and \`cdktf-aic plan\` of big stacks, with
                            what bounds each (sizes default 1000,2500,5000; one run; its own block)
  --only destroy            only \`terraform destroy\` of a stack (size default 1000; one run; its own block)
  --only removals           only N web apps created, then removed from code, at the same latency (size
                            default 60, latency default 300 ms, 3 runs; its own block)
  --out FILE                where to write the results (default bench/results.md)
  --no-write                print only`;

export interface Options {
  /** Run only this part. */
  only?: Only;
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

export function parseOptions(argv: string[]): Options | "help" {
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
  const onlyDefaults = values.only !== undefined && Object.hasOwn(ONLY, values.only) ? (ONLY[values.only as Only] as { latencyMs?: string }) : {};
  const latency = Number(values["latency-ms"] ?? onlyDefaults.latencyMs ?? "20");
  if (!Number.isInteger(latency) || latency < 0 || latency > 5000) {
    throw new Error(`--latency-ms must be an integer from 0 to 5000, received ${JSON.stringify(values["latency-ms"])}`);
  }
  if (values.only !== undefined && !Object.hasOwn(ONLY, values.only)) {
    throw new Error(`--only takes ${Object.keys(ONLY).join(", ")}; received ${JSON.stringify(values.only)}`);
  }
  const only = values.only as Only | undefined;
  const sizes = (values.sizes ?? (quick ? "10" : only ? ONLY[only].sizes : "10,100,500")).split(",").map((s) => positiveInt("--sizes", s.trim(), LIMITS.size));
  const write = values["no-write"] !== true && (!quick || values.out !== undefined);
  const scenarios = (values.scenario ?? (quick ? "cold,mix" : SCENARIOS.join(","))).split(",").map((s) => s.trim());
  const unknown = scenarios.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`--scenario takes ${SCENARIOS.join(", ")}; received ${JSON.stringify(unknown.join(","))}`);
  return {
    only,
    scenarios: new Set(scenarios as Scenario[]),
    webApps: positiveInt("--web-apps", values["web-apps"] ?? "100", LIMITS.size),
    sizes,
    runs: values.runs !== undefined ? positiveInt("--runs", values.runs, LIMITS.runs) : quick ? 1 : only ? ONLY[only].runs : 3,
    latencyMs: latency,
    terraformRunsFrom: positiveInt("--terraform-runs-from", values["terraform-runs-from"] ?? "500", LIMITS.size),
    out: write ? resolve(values.out ?? DEFAULT_OUT) : undefined,
  };
}
