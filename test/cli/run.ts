/** Runs the bundled CLI as Terraform would: a child process, input through the environment. */
import { execFileSync, spawn } from "node:child_process";
import { join, resolve } from "node:path";

export const REPO = resolve(__dirname, "../..");
export const CLI = join(REPO, "dist", "cdktf-aic.cjs");

/** Builds the bundle from the current sources: the tests run the artefact Terraform ships. */
export function buildCli(): void {
  execFileSync(process.execPath, [join(REPO, "scripts", "build.mjs")], { cwd: REPO });
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Asynchronous on purpose: the embedded tenant answers from this same process. */
export function runCli(args: string[], env: Record<string, string | undefined>, cwd = REPO): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH, ...env } as NodeJS.ProcessEnv });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ status: code ?? 1, stdout, stderr }));
  });
}
