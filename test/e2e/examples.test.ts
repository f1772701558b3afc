/**
 * Every example, as its README tells a user to run it: `npx tsx examples/<name>/main.ts` synthesizes
 * into `examples/<name>/cdktf.out` against `AIC_BASE_URL` (here a fresh embedded tenant), Terraform
 * applies each stack, `cdktf-aic verify --out examples/<name>/cdktf.out` passes, and a second plan
 * is empty. Every variable ending in `_SECRET` that the example names gets a fresh value, which must
 * appear nowhere: not in the synthesized files, the state, nor anything Terraform or the CLI printed.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from "node:fs";
import { join, relative } from "node:path";
import { LOCAL_DIR } from "../../src/contract";
import { REPO, terraformBinary, workspace } from "./harness";

const EXAMPLES = join(REPO, "examples");

/** The examples: folders of examples/ with a main.ts. */
function examples(): string[] {
  if (!existsSync(EXAMPLES)) return [];
  return readdirSync(EXAMPLES)
    .filter((name) => existsSync(join(EXAMPLES, name, "main.ts")))
    .sort();
}

/** Every file under a folder (none if it does not exist), leaving out Terraform's provider cache. */
function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((f) => !f.split("/").includes(".terraform"))
    .map((f) => join(root, f))
    .filter((f) => statSync(f).isFile());
}

/** The `_SECRET` variables an example reads, each with a fresh value. */
function secretsOf(source: string): Record<string, string> {
  const names = [...new Set(source.match(/\b[A-Z][A-Z0-9_]*_SECRET\b/g) ?? [])];
  return Object.fromEntries(names.map((n) => [n, `${n.toLowerCase()}-${Math.random().toString(36).slice(2)}-planted`]));
}

/**
 * What `verify` must report for the examples of who may act for whom: each flow and each refusal,
 * on a line of its own that says `ok` (verify checks the claims: `act`, nested `act`, `aud`, scope).
 */
const AGENT_CHECKS: Record<string, RegExp[]> = {
  delegation: [
    /ok impersonation: hr-assistant for a user at hr-portal .* act=\{"sub":"hr-assistant"\}/,
    /ok delegation: hr-agent for a user of hr-portal \(its own token as actor token, audience hr-portal\) .*act=\{"sub":"hr-agent"\} scope=read-data client_id=hr-agent aud=\["hr-agent","hr-portal"\]/,
    /ok refusal: hr-assistant, not named by hr-portal's may_act, .* error=invalid_request error_description=Invalid token exchange\./,
    /ok refusal: hr-assistant asks for scope write-data, outside its grant error=invalid_scope/,
    /ok refusal: hr-agent asks for scope write-data, outside its scope limit error=invalid_scope error_description=Scope\(s\) outside the limit: write-data/,
    /ok refusal: hr-agent asks for audience .*, outside its allow-list error=invalid_request error_description=Invalid audience requested\./,
  ],
  "agent-to-agent": [
    /ok delegation: research-agent for a user of research-portal .*act=\{"sub":"research-agent"\}/,
    /ok agent-to-agent: summary-agent for research-agent acting for the user .*act=\{"sub":"summary-agent","act":\{"sub":"research-agent"\}\}/,
    /ok refusal: summary-agent, not named by research-portal's may_act, .* error=invalid_request/,
  ],
  "autonomous-agent": [
    /ok autonomous: ops-agent for itself at ops-console .*sub=ops-agent act=\{"sub":"ops-agent"\} scope=logs-read logs-search client_id=ops-agent aud=\["ops-agent","ops-console"\]/,
    /ok refusal: ops-agent asks for scope logs-delete, outside its grant error=invalid_scope/,
  ],
};

it("examples/ holds at least one example", () => {
  expect(examples().length).toBeGreaterThan(0);
});

describe.each(examples())("examples/%s", (name) => {
  const ws = workspace();
  // The example runs from a copy laid out as the repository is (examples/<name>/main.ts beside the
  // constructs and node_modules), so its output, state and keys stay in the workspace and a
  // developer's own runs of the example in the repository are left alone.
  const project = () => ws.dir;
  const dir = () => join(project(), "examples", name);
  const outdir = () => join(dir(), "cdktf.out");

  it("synthesizes with npx tsx, applies with Terraform, passes verify, and plans empty afterwards", async () => {
    mkdirSync(dir(), { recursive: true });
    copyFileSync(join(EXAMPLES, name, "main.ts"), join(dir(), "main.ts"));
    for (const linked of ["constructs", "src", "node_modules"]) symlinkSync(join(REPO, linked), join(project(), linked), "dir");
    mkdirSync(join(ws.dir, "tmp"));
    const secrets = secretsOf(readFileSync(join(dir(), "main.ts"), "utf8"));
    const env = { ...secrets, AIC_BASE_URL: ws.tenant.baseUrl };

    // tsx keeps a cache in the temp dir and never removes it: give it one inside the workspace.
    const synth = await ws.run(process.execPath, [require.resolve("tsx/cli"), `examples/${name}/main.ts`], project(), { ...env, TMPDIR: join(ws.dir, "tmp") });
    if (synth.status !== 0) throw new Error(`npx tsx examples/${name}/main.ts failed:\n${synth.output}`);
    const stacks = readdirSync(join(outdir(), "stacks")).sort();
    expect(stacks.length).toBeGreaterThan(0);

    for (const stack of stacks) {
      const stackDir = join(outdir(), "stacks", stack);
      const init = await ws.run(terraformBinary(), ["init", "-input=false", "-no-color"], stackDir, env);
      if (init.status !== 0) throw new Error(`terraform init (${stack}) failed:\n${init.output}`);
      const apply = await ws.run(terraformBinary(), ["apply", "-auto-approve", "-input=false", "-no-color"], stackDir, env);
      if (apply.status !== 0) throw new Error(`terraform apply (${stack}) failed:\n${apply.output}`);
    }

    const verify = await ws.run(process.execPath, [join(REPO, "dist", "cli", "cdktf-aic.mjs"), "verify", "--out", `examples/${name}/cdktf.out`], project(), env);
    if (verify.status !== 0) throw new Error(`cdktf-aic verify --out examples/${name}/cdktf.out failed:\n${verify.output}`);
    expect(verify.stdout).toMatch(/^PASS/m);
    for (const check of AGENT_CHECKS[name] ?? []) expect(verify.stdout).toMatch(check);

    for (const stack of stacks) {
      const plan = await ws.run(terraformBinary(), ["plan", "-detailed-exitcode", "-input=false", "-no-color"], join(outdir(), "stacks", stack), env);
      expect({ stack, status: plan.status, output: plan.status === 0 ? "" : plan.output }).toEqual({ stack, status: 0, output: "" });
    }

    // A private key an example made for itself (all-apps' TEST-ONLY key pair) is a secret too: it
    // stays in its own file, out of the stack, the state and every output.
    const keyFiles = filesUnder(join(dir(), LOCAL_DIR, "keys")).filter((f) => f.endsWith(".private.jwk.json"));
    const privateKeys = keyFiles.map((f) => (JSON.parse(readFileSync(f, "utf8")) as { d: string }).d);
    const written = [...filesUnder(outdir()), ...filesUnder(join(dir(), LOCAL_DIR))].filter((f) => !keyFiles.includes(f));
    expect(written.length).toBeGreaterThan(0);
    for (const value of [...Object.values(secrets), ...privateKeys]) {
      for (const file of written) expect({ file: relative(project(), file), found: readFileSync(file, "utf8").includes(value) }).toEqual({ file: relative(project(), file), found: false });
      expect(ws.transcript.join("\n")).not.toContain(value);
    }
  }, 600_000);
});
