/**
 * Timing child processes for the benchmark. Always asynchronous: the embedded tenant answers from
 * this process's event loop while Terraform and the CLI run.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const MAXRSS_PRELOAD = join(__dirname, "maxrss.cjs");

export interface Ran {
  code: number;
  ms: number;
  stdout: string;
  stderr: string;
  /** Peak RSS of the Node process in KiB (only with `maxRss`). */
  maxRssKb?: number;
  /** CPU seconds of the process and every descendant it waited for (Linux only). */
  cpuSeconds?: number;
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** `cmd` is Node: preload the peak-RSS reporter into it. */
  maxRss?: boolean;
}

export async function run(cmd: string, args: string[], opts: RunOptions): Promise<Ran> {
  const rssDir = opts.maxRss ? mkdtempSync(join(tmpdir(), "cdktf-aic-bench-rss-")) : undefined;
  const env = rssDir ? { ...opts.env, BENCH_MAXRSS_FILE: join(rssDir, "rss") } : opts.env;
  const argv = rssDir ? ["-r", MAXRSS_PRELOAD, ...args] : args;
  const cpuBefore = childrenCpuTicks();
  const start = performance.now();
  try {
    const result = await new Promise<Omit<Ran, "maxRssKb" | "cpuSeconds">>((resolve, reject) => {
      const child = spawn(cmd, argv, { cwd: opts.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (b: Buffer) => out.push(b));
      child.stderr.on("data", (b: Buffer) => err.push(b));
      child.on("error", reject);
      child.on("close", (code, signal) =>
        resolve({
          code: code ?? (signal ? 128 : 1),
          ms: performance.now() - start,
          stdout: Buffer.concat(out).toString("utf8"),
          stderr: Buffer.concat(err).toString("utf8"),
        }),
      );
    });
    const cpuAfter = childrenCpuTicks();
    return {
      ...result,
      maxRssKb: rssDir ? readMaxRss(join(rssDir, "rss")) : undefined,
      cpuSeconds: cpuBefore !== undefined && cpuAfter !== undefined ? (cpuAfter - cpuBefore) / CLOCK_TICKS : undefined,
    };
  } finally {
    if (rssDir) rmSync(rssDir, { recursive: true, force: true });
  }
}

function readMaxRss(file: string): number | undefined {
  try {
    const values = readFileSync(file, "utf8").split("\n").filter(Boolean).map(Number);
    return values.length > 0 ? Math.max(...values) : undefined;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS = 100;

/**
 * cutime + cstime of this process (/proc/self/stat): the CPU time of the children it has waited
 * for, which include their own waited-for children (Terraform's CLI processes).
 */
function childrenCpuTicks(): number | undefined {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[13]) + Number(fields[14]);
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine (all cores) has spent busy so far (/proc/stat). */
export function machineBusySeconds(): number | undefined {
  try {
    const [, ...values] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/);
    const [user, nice, system, , , irq, softirq, steal] = values.map(Number);
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** Throws with the last lines of the output (after `redact`) when a process failed. */
export function check(ran: Ran, what: string, redact: (s: string) => string): Ran {
  if (ran.code === 0) return ran;
  const tail = redact(`${ran.stdout}\n${ran.stderr}`).split("\n").slice(-40).join("\n");
  throw new Error(`${what} exited with ${ran.code}:\n${tail}`);
}
