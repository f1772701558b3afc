/**
 * The seed's "on behalf of" flow, end to end: real Terraform applies stacks synthesized from the
 * constructs against the embedded tenant; the bundled CLI's `verify` runs Task 4.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { AiAgent, ConfidentialWebApp, OAuth2ProviderGrants, Secret } from "../../constructs";
import { seed } from "../support/seed";
import { isWrite, Workspace } from "./harness";

const PRIVILEGES = "/openidm/managed/alpha_aiagentprivilege";
const AI_AGENTS = "/realm-config/agents/AIAgent/";

describe("the seed's on-behalf-of flow through real Terraform", () => {
  const ws = new Workspace();
  beforeAll(() => ws.start(), 60_000);
  afterAll(() => ws.stop());

  it("applies main.ts's configuration and verify passes", async () => {
    ws.synth((s) => seed(s));
    await ws.apply();
    const verify = await ws.cli(["verify", "--stack", "alpha"]);
    expect(verify.output).toMatch(/PASS/);
    expect(verify.output).toContain("digital-assistant-ai-agent");
    expect(verify.status).toBe(0);
  }, 300_000);

  it("re-applying unchanged configuration makes no write call", async () => {
    await ws.clearAudit();
    const result = await ws.terraform(["apply", "-auto-approve", "-input=false", "-no-color"]);
    expect(result.status).toBe(0);
    expect(result.output).toMatch(/0 added, 0 changed, 0 destroyed/);
    expect((await ws.audit()).filter(isWrite)).toEqual([]);
  }, 120_000);

  it("shows a scope change in the plan and updates the privilege in place", async () => {
    ws.synth((s) => seed(s, { grantScopes: ["read-data", "write-data"] }));
    const plan = await ws.terraform(["plan", "-input=false", "-no-color"]);
    expect(plan.status).toBe(0);
    expect(plan.output).toMatch(/scopes/);
    expect(plan.output).toMatch(/write-data/);

    await ws.clearAudit();
    await ws.apply();
    const writes = (await ws.audit()).filter(isWrite);
    expect(writes.some((e) => e.path.startsWith(PRIVILEGES) && e.method === "PATCH")).toBe(true);
    expect(writes.filter((e) => e.method === "DELETE")).toEqual([]);

    const verify = await ws.cli(["verify", "--stack", "alpha"]);
    expect(verify.status).toBe(0);
    expect(verify.output).toMatch(/write-data/);
  }, 300_000);

  it("replaces the agent when its client id changes", async () => {
    ws.synth((s) => seed(s, { agentClientId: "digital-assistant-ai-agent-2" }));
    await ws.clearAudit();
    await ws.apply();
    const writes = (await ws.audit()).filter(isWrite);
    expect(writes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ method: "DELETE", path: expect.stringContaining(`${AI_AGENTS}digital-assistant-ai-agent`) }),
        expect.objectContaining({ method: "PUT", path: expect.stringContaining(`${AI_AGENTS}digital-assistant-ai-agent-2`) }),
      ]),
    );
    const verify = await ws.cli(["verify", "--stack", "alpha"]);
    expect(verify.status).toBe(0);
    expect(verify.output).toContain("digital-assistant-ai-agent-2");
  }, 300_000);

  it("deletes the privilege when the grant construct is removed, and the exchange is refused", async () => {
    ws.synth((s) => seed(s, { agentClientId: "digital-assistant-ai-agent-2", withGrant: false }));
    await ws.clearAudit();
    await ws.apply();
    const writes = (await ws.audit()).filter(isWrite);
    expect(writes.some((e) => e.method === "DELETE" && e.path.startsWith(PRIVILEGES))).toBe(true);

    const verify = await ws.cli([
      "verify",
      "--app", "digital-assistant-web-app", "--app-secret-env", "WEB_APP_CLIENT_SECRET",
      "--agent", "digital-assistant-ai-agent-2", "--agent-secret-env", "AI_AGENT_CLIENT_SECRET",
      "--scope", "read-data",
    ]);
    expect(verify.status).not.toBe(0);
    expect(verify.output).toMatch(/FAIL/);
  }, 300_000);

  it("terraform destroy returns the tenant to its seed state, keeping the retained grant types", async () => {
    const destroy = await ws.terraform(["destroy", "-auto-approve", "-input=false", "-no-color"]);
    expect(destroy.status).toBe(0);
    const api = ws.adminClient();
    try {
      expect(await api.getOAuth2Client("digital-assistant-web-app")).toBeUndefined();
      expect(await api.getAiAgent("digital-assistant-ai-agent-2")).toBeUndefined();
      for (const object of ["application", "aiagent", "aiagentprivilege"] as const) {
        expect(await api.queryManaged(object)).toEqual([]);
      }
      expect((await api.getProvider())!.advancedOAuth2Config!.grantTypes).toEqual(
        expect.arrayContaining(["password", "urn:ietf:params:oauth:grant-type:token-exchange"]),
      );
    } finally {
      await api.close();
    }
  }, 300_000);

  it("never lets a secret reach synth output, state, plan or apply output, or logs", () => {
    const planted = [...Object.values(ws.secrets), JSON.stringify(ws.tenant.connection.serviceAccount.jwk)];
    const d = (ws.tenant.connection.serviceAccount.jwk as Record<string, string>).d;
    planted.push(d, ws.tenant.connection.amAdmin.password);
    const files = listFiles(ws.dir).filter((f) => !f.includes(`${join(".terraform", "providers")}`) && !f.includes("token-cache"));
    expect(files.some((f) => f.endsWith(".tfstate"))).toBe(true);
    for (const file of files) {
      const text = readFileSync(file, "latin1");
      for (const secret of planted) expect({ file, leaked: text.includes(secret) }).toEqual({ file, leaked: false });
    }
    const transcript = ws.transcript.join("\n");
    for (const secret of planted) expect(transcript.includes(secret)).toBe(false);
  });
});

describe("sessions under Terraform's parallelism", () => {
  const ws = new Workspace();
  beforeAll(() => ws.start(), 60_000);
  afterAll(() => ws.stop());

  it("applies 20 objects with -parallelism=10 holding at most 5 admin sessions", async () => {
    ws.synth((stack) => {
      new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["password", "token-exchange"], enableAiAgents: true });
      for (let i = 0; i < 10; i++) {
        const app = new ConfidentialWebApp(stack, `app-${i}`, {
          name: `App ${i}`, clientId: `app-${i}`, clientSecret: Secret.fromEnv("WEB_APP_CLIENT_SECRET"),
          owners: [], scopes: ["openid", "read-data"], grantTypes: ["password"], tokenEndpointAuthMethod: "client_secret_post",
        });
        const agent = new AiAgent(stack, `agent-${i}`, {
          name: `Agent ${i}`, clientId: `agent-${i}`, clientSecret: Secret.fromEnv("AI_AGENT_CLIENT_SECRET"),
        });
        if (i < 5) agent.grantAccessTo(app, { subjects: ["barbara.jensen"], scopes: ["read-data"] });
      }
    });
    await ws.apply(["-parallelism=10"]);
    const sessions = Object.values(await ws.sessions());
    expect(sessions.length).toBeGreaterThan(0);
    for (const s of sessions) expect(s.peak).toBeLessThanOrEqual(5);
    // The provisioner processes share one cached token: one token request for the whole apply.
    const tokenRequests = (await ws.audit("oauth2")).filter((e) => e.method === "POST" && e.path.startsWith("/am/oauth2/access_token"));
    expect(tokenRequests).toHaveLength(1);
  }, 300_000);
});

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}
