/** Runs the bundled CLI as Terraform would: a child process, input through the environment. */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PROVISIONER_ENV } from "../../src/contract/constants";
import { journalOf, type Journal } from "../../src/contract/journal";
import { canonicalJson, type Spec, type TenantRef } from "../../src/contract/spec";
import { TestTenant } from "../engine/support";

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

/** The embedded tenant of a test file that runs the bundled CLI: started before its tests (once the bundle is there), reset before each, stopped after. */
export function cliTestTenant(): TestTenant {
  const t = new TestTenant();
  beforeAll(async () => {
    requireCli();
    await t.start();
  }, 60_000);
  afterAll(() => t.stop());
  beforeEach(() => t.reset());
  return t;
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

/**
 * Runs `cdktf-aic sync` as a tenant's Journal does: in a stack folder whose cdk.tf.json holds the
 * specs, with the journal applied last and the journal of code in the environment. Keeps the new
 * journal only when the sync exits 0 (as Terraform keeps the old one when the provisioner fails).
 */
export class SyncRunner {
  readonly dir = mkdtempSync(join(tmpdir(), "cdktf-aic-sync-"));
  applied: Journal | undefined;

  constructor(private readonly tenant: TenantRef, private readonly env: (extra?: Record<string, string | undefined>) => Record<string, string | undefined>) {}

  async sync(specs: readonly Spec[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
    const resources = Object.fromEntries(specs.map((s, i) => [`r${i}_Resource`, { input: { spec: s } }]));
    writeFileSync(join(this.dir, "cdk.tf.json"), JSON.stringify({ resource: { terraform_data: resources } }));
    const desired = journalOf(this.tenant, specs);
    const r = await runCli(
      ["sync"],
      this.env({ [PROVISIONER_ENV.desired]: canonicalJson(desired), [PROVISIONER_ENV.previous]: this.applied && canonicalJson(this.applied), ...env }),
      this.dir,
    );
    if (r.status === 0) this.applied = desired;
    return r;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
