/**
 * The construct library in a cdktn app. A project whose package.json is the README's "Using cdktn"
 * snippet (so `cdktf` resolves to cdktn) type-checks and synthesizes main.ts; real Terraform applies
 * the stack to the embedded tenant and the seed's check passes.
 *
 * Offline: instead of `npm install`, the project's node_modules is laid out the way npm lays out
 * that package.json, from this repository's own node_modules (cdktn is a dev dependency): `cdktf`
 * is cdktn, cdktf-aic is compiled from source as the package ships it (dist/lib, dist/cli), and
 * @cdktf/provider-null is a copy, so that its `require("cdktf")` also finds cdktn.
 */
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildApp } from "../../main";
import { REPO, Workspace } from "./harness";

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"));
const repoPkg = readJson(join(REPO, "package.json"));
const cdktnVersion: string = readJson(join(REPO, "node_modules", "cdktn", "package.json")).version;

/** The first ```json block of the README's "Using cdktn" section. */
function readmeSnippet(): { dependencies: Record<string, string>; overrides: Record<string, string> } {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const section = readme.split(/^## /m).find((s) => s.startsWith("Using cdktn"));
  if (!section) throw new Error('README.md has no "## Using cdktn" section');
  const block = /```json\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README.md\'s "Using cdktn" section has no ```json block');
  return JSON.parse(block[1]);
}

function terraformData(stackFile: string): { ids: string[]; version: string } {
  const json = readJson(stackFile);
  return { ids: Object.keys(json.resource.terraform_data).sort(), version: json["//"].metadata.version };
}

describe("a cdktn app (the README's package.json: cdktf resolves to cdktn)", () => {
  const ws = new Workspace();
  beforeAll(() => ws.start(), 60_000);
  afterAll(() => ws.stop());

  it("the README's snippet maps cdktf to the cdktn this repository tests with", () => {
    const snippet = readmeSnippet();
    expect(snippet.dependencies.cdktf).toBe(`npm:cdktn@${cdktnVersion}`);
    expect(snippet.dependencies["cdktf-aic"]).toBeDefined();
    expect(snippet.overrides).toEqual({ cdktf: "$cdktf" });
  });

  it("type-checks, synthesizes main.ts with cdktn, and Terraform applies it", async () => {
    const snippet = readmeSnippet();
    const dir = ws.dir;
    const nm = join(dir, "node_modules");
    const link = (name: string, target: string) => {
      mkdirSync(join(nm, name, ".."), { recursive: true });
      symlinkSync(target, join(nm, name));
    };

    // The project: the snippet, cdktf.json, and main.ts importing the package instead of ./constructs.
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "cdktn-app", private: true, ...snippet }, null, 2));
    cpSync(join(REPO, "cdktf.json"), join(dir, "cdktf.json"));
    const main = readFileSync(join(REPO, "main.ts"), "utf8").replace('from "./constructs"', 'from "cdktf-aic"');
    expect(main).toContain('from "cdktf-aic"');
    writeFileSync(join(dir, "main.ts"), main);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, module: "commonjs", target: "ES2022", types: ["node"], skipLibCheck: true, noEmit: true }, files: ["main.ts"] }),
    );

    // node_modules as npm lays it out for that package.json.
    const [aliasName] = snippet.dependencies.cdktf.replace(/^npm:/, "").split(/@(?=[^@]*$)/);
    link("cdktf", join(REPO, "node_modules", aliasName));
    link("constructs", join(REPO, "node_modules", "constructs"));
    link("@types/node", join(REPO, "node_modules", "@types", "node"));
    for (const dep of Object.keys(repoPkg.dependencies)) link(dep, join(REPO, "node_modules", dep));
    cpSync(join(REPO, "node_modules", "@cdktf", "provider-null"), join(nm, "@cdktf", "provider-null"), { recursive: true });
    const pkgDir = join(nm, "cdktf-aic");
    mkdirSync(pkgDir, { recursive: true });
    cpSync(join(REPO, "package.json"), join(pkgDir, "package.json"));
    cpSync(join(REPO, "dist", "cli"), join(pkgDir, "dist", "cli"), { recursive: true });
    const tsc = join(REPO, "node_modules", "typescript", "bin", "tsc");
    const build = await ws.run(process.execPath, [tsc, "-p", join(REPO, "tsconfig.build.json"), "--outDir", join(pkgDir, "dist", "lib")], REPO);
    expect(build.output).toBe("");
    expect(build.status).toBe(0);

    // The user's code against cdktn's types: App from cdktn goes into TenantStack.
    const typecheck = await ws.run(process.execPath, [tsc, "-p", join(dir, "tsconfig.json")], dir);
    expect(typecheck.output).toBe("");
    expect(typecheck.status).toBe(0);

    // cdktf.json's app, as `cdktn synth` runs it (cdktn-cli itself needs Node.js 22.19+).
    // tsx keeps a cache in the temp dir and never removes it: give it one inside the project.
    const tmp = join(dir, "tmp");
    mkdirSync(tmp, { recursive: true });
    const synth = await ws.run(process.execPath, [join(REPO, "node_modules", "tsx", "dist", "cli.mjs"), "main.ts"], dir, {
      AIC_BASE_URL: ws.tenant.baseUrl,
      TMPDIR: tmp,
    });
    expect(synth.stderr).toBe("");
    expect(synth.status).toBe(0);

    // cdktn wrote it (its version in the metadata), with the logical ids cdktf gives the same code.
    const withCdktn = terraformData(join(ws.stackDir, "cdk.tf.json"));
    expect(withCdktn.version).toBe(cdktnVersion);
    const cdktfOut = join(dir, "cdktf-reference.out");
    buildApp(cdktfOut).synth();
    const withCdktf = terraformData(join(cdktfOut, "stacks", "alpha", "cdk.tf.json"));
    expect(withCdktf.version).not.toBe(cdktnVersion);
    expect(withCdktn.ids).toEqual(withCdktf.ids);
    expect(withCdktn.ids).toHaveLength(7); // 4 objects + the tenant's Gate, Journal and Origin

    await ws.apply();
    const verify = await ws.cli(["verify", "--stack", "alpha"]);
    expect(verify.output).toMatch(/PASS/);
    expect(verify.status).toBe(0);
  }, 300_000);
});
