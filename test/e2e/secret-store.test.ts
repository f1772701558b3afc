/**
 * The seed's flow with both client secrets in the tenant's store (`Secret.fromEsv`), through real
 * Terraform: created, verified, a client's secret rotated through a new ESV version (plan says
 * rotate for the ESV and nothing for the client; no client write), verified with the new value,
 * then destroyed. Terraform and the CLI run with their debug logs on, and no value appears in the
 * synthesized stack, the state, a plan, the apply output or those logs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AgentApplicationGrant, AiAgent, ConfidentialWebApp, EnvironmentSecret, OAuth2ProviderGrants, Secret } from "../../constructs";
import { CLI_ENV } from "../../src/contract/constants";
import { agentProps, webAppProps } from "../support/seed";
import { isWrite, workspace, type Workspace } from "./harness";

const planted = (what: string) => `${what}-${Math.random().toString(36).slice(2)}-planted`;
const VALUES = { WEB_V1: planted("web-one"), WEB_V2: planted("web-two"), AGENT: planted("agent") };
/** Debug logs of Terraform and of the CLI (each admin call), as a person chasing a problem turns them on. */
const DEBUG = { TF_LOG: "DEBUG", [CLI_ENV.debug]: "1" };

function synth(ws: Workspace, webVersion: number): string {
  ws.synth((stack) => {
    new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["password", "token-exchange"], enableAiAgents: true });
    const webSecret = new EnvironmentSecret(stack, "web-secret", { esvId: "esv-web-app-secret", value: Secret.fromEnv(webVersion === 1 ? "WEB_V1" : "WEB_V2", { version: webVersion }) });
    const agentSecret = new EnvironmentSecret(stack, "agent-secret", { esvId: "esv-agent-secret", value: Secret.fromEnv("AGENT") });
    const app = new ConfidentialWebApp(stack, "web-app", webAppProps({ clientSecret: Secret.fromEsv(webSecret) }));
    const agent = new AiAgent(stack, "agent", agentProps({ clientSecret: Secret.fromEsv(agentSecret) }));
    new AgentApplicationGrant(stack, "grant", { agent, application: app, subjects: ["barbara.jensen"], scopes: ["read-data"] });
  });
  return readFileSync(join(ws.stackDir, "cdk.tf.json"), "utf8");
}

const stateOf = (ws: Workspace) => readFileSync(join(ws.dir, ".cdktf-aic", "state", "alpha.tfstate"), "utf8");

describe("client secrets in the tenant's store, through real Terraform", () => {
  const ws = workspace();

  it("apply, verify, rotate through a new ESV version, verify again, destroy; no value anywhere", async () => {
    const env = { ...VALUES, ...DEBUG };
    const places: string[] = [synth(ws, 1)];
    // No client secret variable of the seed: the pipeline holds only the ESV values.
    const seedless = { WEB_APP_CLIENT_SECRET: "", AI_AGENT_CLIENT_SECRET: "" };

    const plan1 = await ws.cli(["plan", "--format", "json"], { ...env, ...seedless });
    expect(plan1.status).toBe(0);
    places.push(plan1.stdout);
    const created = JSON.parse(plan1.stdout).stacks[0].objects as { kind: string; action: string }[];
    expect(created.map((o) => `${o.action} ${o.kind}`).sort()).toEqual([
      "create agent-grant", "create ai-agent", "create esv-secret", "create esv-secret", "update oauth2-provider-grants", "create secret-mapping", "create secret-mapping", "create web-app",
    ].sort());
    expect((await ws.terraform(["init", "-input=false", "-no-color"])).status).toBe(0);
    const first = await ws.terraform(["apply", "-auto-approve", "-input=false", "-no-color"], { ...env, ...seedless });
    expect({ status: first.status, output: first.status === 0 ? "" : first.output }).toEqual({ status: 0, output: "" });
    places.push(stateOf(ws));
    const verify1 = await ws.cli(["verify", "--stack", "alpha"], { ...env, ...seedless });
    expect(verify1.output).toMatch(/PASS/);
    expect(verify1.status).toBe(0);

    places.push(synth(ws, 2));
    const plan2 = await ws.cli(["plan", "--format", "json"], { ...env, ...seedless });
    expect(plan2.status).toBe(0);
    places.push(plan2.stdout);
    const rotating = JSON.parse(plan2.stdout).stacks[0].objects as { kind: string; id: string; action: string }[];
    expect(rotating.filter((o) => o.action !== "no-change").map((o) => `${o.action} ${o.kind} ${o.id}`)).toEqual(["rotate esv-secret esv-web-app-secret"]);
    await ws.clearAudit();
    const rotated = await ws.terraform(["apply", "-auto-approve", "-input=false", "-no-color"], { ...env, ...seedless });
    expect(rotated.status).toBe(0);
    places.push(stateOf(ws));
    expect((await ws.audit()).filter(isWrite).map((e) => `${e.method} ${e.path.split("?")[0]}`)).toEqual(["POST /environment/secrets/esv-web-app-secret/versions"]);
    const verify2 = await ws.cli(["verify", "--stack", "alpha"], { ...env, ...seedless });
    expect(verify2.output).toMatch(/PASS/);
    expect(verify2.status).toBe(0);

    const destroyed = await ws.terraform(["destroy", "-auto-approve", "-input=false", "-no-color"], { ...env, ...seedless });
    expect(destroyed.status).toBe(0);
    const admin = ws.adminClient();
    expect(await admin.getEsvSecret("esv-web-app-secret")).toBeUndefined();
    expect(await admin.getSecretMapping("am.applications.oauth2.client.digital.assistant.web.app.secret")).toBeUndefined();
    await admin.close();

    // The places are the real ones: debug logs were written, the env var names are in the files.
    const transcript = ws.transcript.join("\n");
    expect(transcript).toMatch(/\[DEBUG\]/);
    // And the CLI's: one JSON line per admin call, the ESV writes among them.
    expect(transcript).toMatch(/"method":"POST","path":"\/environment\/secrets\/esv-web-app-secret\/versions/);
    expect(places.join("\n")).toContain("WEB_V2");
    const b64 = (v: string) => Buffer.from(v).toString("base64");
    for (const value of Object.values(VALUES)) {
      for (const text of [...places, transcript]) {
        expect(text.includes(value) || text.includes(b64(value))).toBe(false);
      }
    }
  }, 600_000);
});
