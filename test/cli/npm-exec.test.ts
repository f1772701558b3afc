/**
 * The README's `npx cdktf-aic …` / `npm exec cdktf-aic …` in a clone of this repository. npm runs a
 * package's own bin by linking the folder into its npx cache, and the link runs `prepare`;
 * scripts/prepare.mjs then leaves the built dist/ as it is. So the first run in a fresh npm cache
 * works offline, rebuilds nothing and runs this repository's dist/cli through a link, not a copy.
 */
import { spawn } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, REPO, requireCli } from "./run";

const LIB = join(REPO, "dist", "lib", "constructs", "index.js");

describe("npm exec cdktf-aic in this repository", () => {
  const cache = mkdtempSync(join(tmpdir(), "cdktf-aic-npm-cache-"));
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  it("runs the local build on the first call in a fresh npm cache, offline, without rebuilding", async () => {
    requireCli();
    if (!existsSync(LIB)) throw new Error(`${LIB} is missing: npm install (or npm run build) builds it`);
    const before = [CLI, LIB].map((f) => statSync(f).mtimeMs);
    const started = Date.now();
    const result = await new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn("npm", ["exec", "--offline", "--cache", cache, "cdktf-aic", "--", "--help"], { cwd: REPO, env: process.env });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
      child.on("close", (code) => resolve({ status: code ?? 1, stdout, stderr }));
    });
    const seconds = (Date.now() - started) / 1000;
    expect(result.stderr).not.toMatch(/npm error/);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/verify +run the on-behalf-of token exchange/);
    // Nothing rebuilt: the bundle and the library are the files npm install built.
    expect([CLI, LIB].map((f) => statSync(f).mtimeMs)).toEqual(before);
    // npm's npx cache holds a link to this folder, not a copy.
    const npx = join(cache, "_npx");
    const entries = readdirSync(npx).map((d) => join(npx, d, "node_modules", "cdktf-aic")).filter((p) => existsSync(p));
    expect(entries).toHaveLength(1);
    expect(lstatSync(entries[0]).isSymbolicLink()).toBe(true);
    expect(realpathSync(entries[0])).toBe(realpathSync(REPO));
    process.stderr.write(`npm exec cdktf-aic -- --help, first run in a fresh npm cache: ${seconds.toFixed(1)} s\n`);
  }, 60_000);
});
