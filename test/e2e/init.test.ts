/**
 * `cdktf-aic init` as a new user runs it: a project outside this repository, scaffolded, then taken
 * through npm install (offline from npm's cache where it can), the type-check, synth, a real
 * Terraform apply to the embedded tenant and `cdktf-aic verify` from the installed package.
 *
 * The package comes from a folder built here (as `npm run build` builds it: dist/cli and dist/lib
 * from source), passed with --from: the repository's own dist/lib may predate the source, and
 * tests never rebuild it (others read it).
 */
import { cpSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CLI, REPO, Workspace } from "./harness";

describe("cdktf-aic init", () => {
  const ws = new Workspace();
  beforeAll(() => ws.start(), 60_000);
  afterAll(() => ws.stop());

  it("scaffolds a project that installs, type-checks, synthesizes, applies and verifies against the embedded tenant", async () => {
    // The package as it ships, built from this source.
    const pkg = join(ws.dir, "cdktf-aic-build");
    mkdirSync(pkg);
    for (const f of ["package.json", "README.md", "main.ts"]) cpSync(join(REPO, f), join(pkg, f));
    cpSync(join(REPO, "dist", "cli"), join(pkg, "dist", "cli"), { recursive: true });
    const tsc = join(REPO, "node_modules", "typescript", "bin", "tsc");
    const build = await ws.run(process.execPath, [tsc, "-p", join(REPO, "tsconfig.build.json"), "--outDir", join(pkg, "dist", "lib")], REPO);
    expect(build.output).toBe("");

    // The project is the workspace's folder, so that the harness applies its cdktf.out.
    const project = ws.dir;
    const init = await ws.run(process.execPath, [CLI, "init", "--from", pkg], project);
    expect(init.stderr).toMatch(/^cdktf-aic init: wrote package\.json, cdktf\.json, tsconfig\.json, main\.ts, \.github\/workflows\/tenant\.yml, \.gitignore, README\.md, vendor\/cdktf-aic-\d+\.\d+\.\d+\.tgz in /);
    expect(init.status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8"));
    expect(manifest.dependencies["cdktf-aic"]).toMatch(/^file:vendor\/cdktf-aic-[\d.]+\.tgz$/);
    const workflow = readFileSync(join(project, ".github", "workflows", "tenant.yml"), "utf8");
    for (const step of ["npm run typecheck", "npm run synth", "--format markdown", "terraform apply", "cdktf-aic verify"]) expect(workflow).toContain(step);

    // tsx and npm keep caches in the temp dir: give them one inside the project.
    const tmp = join(project, "tmp");
    mkdirSync(tmp);
    const started = Date.now();
    const install = await ws.run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], project, { TMPDIR: tmp });
    expect(install.stderr).not.toMatch(/npm error/);
    expect(install.status).toBe(0);
    process.stderr.write(`init: npm install ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

    const typecheck = await ws.run("npm", ["run", "--silent", "typecheck"], project, { TMPDIR: tmp });
    expect(typecheck.output).toBe("");
    expect(typecheck.status).toBe(0);

    const synth = await ws.run("npm", ["run", "--silent", "synth"], project, { AIC_BASE_URL: ws.tenant.baseUrl, TMPDIR: tmp });
    expect(synth.stderr).toBe("");
    expect(synth.status).toBe(0);

    await ws.apply();
    expect(existsSync(join(project, ".cdktf-aic", "state", "alpha.tfstate"))).toBe(true);
    const verify = await ws.run(join(project, "node_modules", ".bin", "cdktf-aic"), ["verify", "--stack", "alpha"], project);
    expect(verify.stdout).toMatch(/\nPASS\n$/);
    expect(verify.status).toBe(0);
  }, 600_000);
});
