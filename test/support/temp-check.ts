/**
 * jest global setup and teardown: the run gets a temp dir of its own (TMPDIR for every worker and
 * every process a test starts: Terraform, the CLI, frodo), and at the end that dir must be empty.
 * A test that leaves a folder or file behind fails the run, naming what it left.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const KEY = "CDKTF_AIC_TEST_TMPDIR";

export async function setup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "cdktf-aic-jest-"));
  process.env[KEY] = dir;
  process.env.TMPDIR = dir;
}

export async function teardown(): Promise<void> {
  const dir = process.env[KEY];
  if (!dir) return;
  const left = readdirSync(dir);
  rmSync(dir, { recursive: true, force: true });
  if (left.length > 0) {
    throw new Error(`the tests left ${left.length} entries in the temp dir: ${left.sort().join(", ")}`);
  }
}
