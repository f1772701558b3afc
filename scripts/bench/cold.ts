/**
 * The `cold` scenario: the bundled CLI's cold start (`cdktf-aic --help`) against `node -e 0`.
 */
import { check, run } from "./process";
import { CLI, ROOT } from "./runner";
import { fmt, median, mib } from "./stats";

export interface ColdStart {
  nodeMs: number;
  cliMs: number;
  cliRssKb?: number;
  nodeRssKb?: number;
}

/** `node -e 0` and `cdktf-aic --help`, interleaved so that both see the same machine. */
export async function coldStart(samples: number): Promise<ColdStart> {
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

export function coldTable(cold: ColdStart): string[] {
  return [
    "| CLI cold start | median (ms) | peak RSS (MiB) |",
    "|---|---:|---:|",
    `| \`node -e 0\` | ${fmt(cold.nodeMs)} | ${fmt(mib(cold.nodeRssKb))} |`,
    `| \`node dist/cli/cdktf-aic.mjs --help\` | ${fmt(cold.cliMs)} | ${fmt(mib(cold.cliRssKb))} |`,
    `| ratio | ${(cold.cliMs / cold.nodeMs).toFixed(2)}x | |`,
  ];
}
