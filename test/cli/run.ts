/** Runs the bundled CLI as Terraform would: a child process, input through the environment. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

export const REPO = resolve(__dirname, "../..");
export const CLI = join(REPO, "dist", "cli", "cdktf-aic.mjs");

/**
 * The tests run the artefact Terraform ships, which `npm test` builds before jest starts. Never
 * rebuilt here: test files run in parallel, and a rebuild would pull the bundle from under another.
 */
export function requireCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run the tests with npm test (or npm run build first)`);
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Asynchronous on purpose: the embedded tenant answers from this same process. */
export function runCli(args: string[], env: Record<string, string | undefined>, cwd = REPO): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR, ...env } as NodeJS.ProcessEnv });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ status: code ?? 1, stdout, stderr }));
  });
}
