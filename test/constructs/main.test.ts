import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing } from "cdktf";
import { buildApp } from "../../main";
import { EMBEDDED_TENANT_URL, Spec } from "../../src/contract";
import { scratchDir } from "../support/scratch";
import { TerraformDataJson, filesBelow, valueOf } from "./helpers";

/** Absolute paths of this machine that must never reach the synthesized output (the package, the temp dir). */
const machinePaths = () => [process.cwd(), `${tmpdir()}/`];

describe("main.ts", () => {
  const outdir = scratchDir("cdktf-aic-main-");
  const previousUrl = process.env.AIC_BASE_URL;
  beforeAll(() => {
    delete process.env.AIC_BASE_URL;
    buildApp(outdir).synth();
  });
  afterAll(() => {
    if (previousUrl !== undefined) process.env.AIC_BASE_URL = previousUrl;
  });

  it("synthesizes the seed's configuration against the embedded tenant, with valid specs", () => {
    const stack = JSON.parse(filesBelow(outdir).find((f) => f.path.endsWith("cdk.tf.json"))!.text);
    const resources = Object.values(stack.resource.terraform_data as Record<string, TerraformDataJson>);
    // Each object's resource records its spec without the tenant, which the journal holds once.
    const { tenant } = valueOf(resources.find((r) => r.triggers_replace.journal)!, "journal") as { tenant: unknown };
    const specs = resources.filter((r) => r.input?.spec !== undefined).map((r) => Spec.parse({ ...(valueOf(r, "spec") as object), tenant }));
    expect(specs.map((s) => `${s.kind}:${s.id}`).sort()).toEqual([
      "agent-grant:digital-assistant-ai-agent/digital-assistant-web-app",
      "ai-agent:digital-assistant-ai-agent",
      "oauth2-provider-grants:oauth2-provider",
      "web-app:digital-assistant-web-app",
    ]);
    expect(new Set(specs.map((s) => s.tenant.baseUrl))).toEqual(new Set([EMBEDDED_TENANT_URL]));
  });

  it("ships the bundled CLI inside the stack", () => {
    expect(filesBelow(outdir).map((f) => f.path.slice(outdir.length))).toContainEqual(
      expect.stringMatching(/^\/stacks\/alpha\/assets\/CdktfAicCli\/[^/]+\/cdktf-aic\.mjs$/),
    );
  });

  it("writes no absolute path of this machine anywhere in the output", () => {
    const offending = filesBelow(outdir).filter((f) => machinePaths().some((p) => f.text.includes(p)));
    expect(offending.map((f) => f.path)).toEqual([]);
  });

  it("writes no absolute path in a Testing.fullSynth of the seed stack", () => {
    const app = buildApp(scratchDir("cdktf-aic-full-"));
    const stack = app.node.findChild("alpha") as Parameters<typeof Testing.fullSynth>[0];
    const dir = Testing.fullSynth(stack);
    const texts = filesBelow(dir);
    rmSync(dir, { recursive: true, force: true }); // fullSynth writes to a temp dir of its own
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.filter((f) => machinePaths().some((p) => f.text.includes(p))).map((f) => f.path)).toEqual([]);
  });
});
