/**
 * `cdktf-aic init` run from this clone: the project depends on a tarball packed from the clone (in
 * vendor/, so CI installs the same copy), and an existing project is never overwritten. The whole
 * way from init to verify is test/e2e/init.test.ts.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { scratchDir } from "../support/scratch";
import { REPO, requireCli, runCli } from "./run";

beforeAll(() => requireCli());

const version: string = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version;

describe("cdktf-aic init", () => {
  it("points the dependency at a tarball of the clone it runs from, with cdktn under the name cdktf when asked", async () => {
    const dir = join(scratchDir(), "my-tenant");
    const r = await runCli(["init", dir, "--cdktn"], {}, scratchDir());
    expect(r.status).toBe(0);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    expect(pkg.name).toBe("my-tenant");
    expect(pkg.dependencies).toEqual({ cdktf: expect.stringMatching(/^npm:cdktn@/), "cdktf-aic": `file:vendor/cdktf-aic-${version}.tgz`, constructs: expect.any(String) });
    expect(pkg.overrides).toEqual({ cdktf: "$cdktf" });
    const listing = execFileSync("tar", ["-tzf", join(dir, "vendor", `cdktf-aic-${version}.tgz`)], { encoding: "utf8" }).split("\n");
    for (const f of ["package/dist/cli/cdktf-aic.mjs", "package/dist/lib/constructs/index.js", "package/main.ts"]) expect(listing).toContain(f);
    expect(readFileSync(join(dir, "main.ts"), "utf8")).toContain('from "cdktf-aic";');
    expect(readFileSync(join(dir, ".gitignore"), "utf8").split("\n")).toEqual(expect.arrayContaining(["cdktf.out/", ".cdktf-aic/", "node_modules/"]));
  });

  it("refuses a folder that holds a project, writing nothing", async () => {
    const dir = scratchDir();
    writeFileSync(join(dir, "package.json"), "{}");
    const r = await runCli(["init", dir], {});
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`cdktf-aic init: ${dir} holds a project already (package.json): pass an empty or new folder\n`);
    expect(existsSync(join(dir, "main.ts"))).toBe(false);
  });
});
