import { randomBytes } from "node:crypto";
import { Testing } from "cdktf";
import { Secret, TenantStack } from "../../constructs";
import { buildApp } from "../../main";
import { scratchDir } from "../support/scratch";
import { filesBelow } from "./helpers";

describe(Secret, () => {
  it("is a reference: env name and version, version 1 by default", () => {
    expect(Secret.fromEnv("WEB_APP_CLIENT_SECRET").toSecretRef()).toEqual({ env: "WEB_APP_CLIENT_SECRET", version: 1 });
    expect(Secret.fromEnv("X", { version: "2024-06" }).toSecretRef()).toEqual({ env: "X", version: "2024-06" });
  });

  it("never writes the secret's value into the synthesized output", () => {
    const planted = { WEB_APP_CLIENT_SECRET: `planted-${randomBytes(12).toString("hex")}`, AI_AGENT_CLIENT_SECRET: `planted-${randomBytes(12).toString("hex")}` };
    const saved = Object.fromEntries(Object.keys(planted).map((k) => [k, process.env[k]]));
    Object.assign(process.env, planted);
    try {
      const outdir = scratchDir("cdktf-aic-secret-");
      const app = buildApp(outdir);
      app.synth();
      const stack = app.node.findChild("alpha") as TenantStack;
      const outputs = [...filesBelow(outdir).map((f) => f.text), Testing.synth(stack)];
      for (const value of Object.values(planted)) {
        expect(outputs.filter((text) => text.includes(value))).toEqual([]);
      }
      expect(outputs.join("\n")).toContain("WEB_APP_CLIENT_SECRET");
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
