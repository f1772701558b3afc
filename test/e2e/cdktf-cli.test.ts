/** The project as a cdktf project: `npx cdktf synth` runs main.ts through cdktf.json. */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { scratchDir } from "../support/scratch";
import { REPO } from "./harness";

describe("npx cdktf synth", () => {
  const dir = scratchDir("cdktf-aic-synth-");
  const out = join(dir, "out");
  // tsx (cdktf.json's app) keeps a cache in the temp dir and never removes it: give it this one.
  const childTmp = join(dir, "tmp");
  mkdirSync(childTmp);

  it("synthesizes main.ts with cdktf.json into a self-contained stack", async () => {
    const status = await new Promise<number>((resolve) => {
      const child = spawn("npx", ["cdktf", "synth", "--output", out], {
        cwd: REPO,
        env: { ...process.env, CHECKPOINT_DISABLE: "1", CI: "1", TMPDIR: childTmp },
        stdio: "ignore",
      });
      child.on("close", (code) => resolve(code ?? 1));
    });
    expect(status).toBe(0);
    const stack = join(out, "stacks", "alpha", "cdk.tf.json");
    expect(existsSync(stack)).toBe(true);
    const text = readFileSync(stack, "utf8");
    const json = JSON.parse(text);
    expect(Object.keys(json.resource.terraform_data).length).toBe(7); // 4 objects × Resource + the tenant's Origin, Gate and Journal
    expect(json.terraform.backend.local.path).toBe("../../../.cdktf-aic/state/alpha.tfstate");
    expect(text).not.toContain(REPO);
    expect(existsSync(join(out, "stacks", "alpha", "assets", "CdktfAicCli"))).toBe(true);
  }, 120_000);
});
