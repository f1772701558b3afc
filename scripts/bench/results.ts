/**
 * What every report of the benchmark starts with (the machine) and where it goes: a generated block
 * of bench/results.md, replaced by each run while the notes around it are kept.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem, type } from "node:os";
import { run } from "./process";
import { relative } from "node:path";
import { progress, ROOT, TERRAFORM } from "./runner";

/** The markers of a generated block: the main one, or a scenario's own. */
export const BLOCKS = {
  main: ["<!-- bench:generated:begin -->", "<!-- bench:generated:end -->"],
  export: ["<!-- bench:export:begin -->", "<!-- bench:export:end -->"],
  scale: ["<!-- bench:scale:begin -->", "<!-- bench:scale:end -->"],
  destroy: ["<!-- bench:destroy:begin -->", "<!-- bench:destroy:end -->"],
  removals: ["<!-- bench:removals:begin -->", "<!-- bench:removals:end -->"],
} as const satisfies Record<string, readonly [string, string]>;

export interface Machine {
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

export async function machine(): Promise<Machine> {
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

/** Replaces the generated block of `file` and keeps the text around it (the notes). */
export function writeResults(file: string, generated: string, markers: readonly [string, string] = BLOCKS.main): void {
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

/**
 * A measurement run alone (`--only`): `measure` once per size, then its report printed and written
 * to its own block of `out` (when writing), in place of the previous one.
 */
export async function measureEachSize<T>(
  sizes: readonly number[],
  block: keyof typeof BLOCKS,
  measure: (n: number) => Promise<T>,
  report: (samples: T[]) => string,
  out: string | undefined,
): Promise<number> {
  const samples: T[] = [];
  for (const n of sizes) {
    progress(`${block} N=${n}`);
    samples.push(await measure(n));
  }
  publish(out, report(samples), block);
  return 0;
}

/** Prints a measurement's own block and writes it to `out` (when writing), in place of its previous one. */
function publish(out: string | undefined, text: string, block: keyof typeof BLOCKS): void {
  process.stdout.write(`${text}\n`);
  if (!out) return;
  writeResults(out, text, BLOCKS[block]);
  progress(`${block} results written to ${relative(process.cwd(), out) || out}`);
}
