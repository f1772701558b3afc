/**
 * Temporary folders for tests, removed when the test file ends: a test asks for one with
 * `scratchDir(prefix)` and never cleans up by hand. jest's global teardown
 * (test/support/temp-check.ts) fails the run if anything is left in the temp dir.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dirs: string[] = [];

export function scratchDir(prefix = "cdktf-aic-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export function removeScratchDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

// Registered once per test file that imports this module.
if (typeof afterAll === "function") afterAll(removeScratchDirs);
