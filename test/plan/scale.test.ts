/**
 * `plan` over 200 objects: a handful of list calls per tenant, not one GET per object. The objects
 * are applied through the engine (as the provisioners would, without Terraform's minutes), so the
 * plan compares with code only.
 */
import { AgentApplicationGrant, AiAgent, ConfidentialWebApp, OAuth2ProviderGrants, Secret } from "../../constructs";
import { KINDS } from "../../src/contract/constants";
import { applySpec } from "../../src/kinds";
import { PlanReport } from "../../src/plan/schema";
import { specsOfStack } from "../../src/plan/stack";
import { requireCli } from "../cli/run";
import { Workspace } from "../e2e/harness";

const ws = new Workspace();
const PAIRS = 66;
const OBJECTS = 1 + PAIRS * 3 + 1;

beforeAll(async () => {
  requireCli();
  await ws.start();
  ws.synth((stack) => {
    new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["password", "token-exchange"], enableAiAgents: true });
    for (let i = 0; i < PAIRS; i++) {
      const app = new ConfidentialWebApp(stack, `app-${i}`, {
        name: `App ${i}`,
        clientId: `scale-web-app-${i}`,
        clientSecret: Secret.fromEnv("WEB_APP_CLIENT_SECRET"),
        owners: ["barbara.jensen"],
        scopes: ["openid", "read-data"],
        grantTypes: ["password"],
        tokenEndpointAuthMethod: "client_secret_post",
      });
      const agent = new AiAgent(stack, `agent-${i}`, { name: `Agent ${i}`, clientId: `scale-ai-agent-${i}`, clientSecret: Secret.fromEnv("AI_AGENT_CLIENT_SECRET") });
      new AgentApplicationGrant(stack, `grant-${i}`, { agent, application: app, subjects: ["barbara.jensen"], scopes: ["read-data"] });
    }
    new AiAgent(stack, "agent-extra", { name: "Extra", clientId: "scale-ai-agent-extra", clientSecret: Secret.fromEnv("AI_AGENT_CLIENT_SECRET") });
  });
  const specs = specsOfStack(ws.outdir, "alpha").sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind));
  expect(specs).toHaveLength(OBJECTS);
  const api = ws.adminClient();
  for (const spec of specs) await applySpec(api, spec, { env: ws.env() });
  await api.close();
}, 300_000);
afterAll(() => ws.stop());

async function planJson(): Promise<{ report: PlanReport; stderr: string }> {
  const r = await ws.cli(["plan", "--format", "json"]);
  expect(r.status).toBe(0);
  return { report: PlanReport.parse(JSON.parse(r.stdout)), stderr: r.stderr };
}

const adminReads = async () => (await ws.audit()).filter((e) => !e.path.startsWith("/am/oauth2/"));

describe("cdktf-aic plan at scale", () => {
  it(`reads ${OBJECTS} objects with a handful of admin calls`, async () => {
    await ws.clearAudit();
    const { report } = await planJson();
    expect(report.summary).toMatchObject({ noChange: OBJECTS, create: 0, update: 0, delete: 0 });
    const calls = await adminReads();
    // Provider 1; clients 2 chunks; agents 2; applications 2; privileges 2 by id and 2 by agent; users 1;
    // identities 2; then the unmanaged objects: applications, agents, privileges, one page each.
    expect(calls.length).toBeLessThanOrEqual(20);
    expect(calls.every((c) => c.method === "GET")).toBe(true);
  }, 60_000);

  it("reads the realm's whole client list when the server refuses an or-filter", async () => {
    await fetch(`${ws.tenant.baseUrl}/__emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ path: "**/OAuth2Client?_queryFilter=_id**", method: "GET", status: 400, times: 1 }),
    });
    await ws.clearAudit();
    const { report } = await planJson();
    expect(report.summary.noChange).toBe(OBJECTS);
    expect((await adminReads()).some((c) => /OAuth2Client\?_queryFilter=true/.test(c.path))).toBe(true);
  }, 60_000);

  it("shows progress on stderr when reading takes longer than a moment, and keeps stdout clean", async () => {
    const config = (latencyMs: number) =>
      fetch(`${ws.tenant.baseUrl}/__emulator/config`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ latencyMs }) });
    await config(500);
    try {
      const { report, stderr } = await planJson();
      expect(report.summary.noChange).toBe(OBJECTS);
      expect(stderr).toMatch(/^\[plan\] stack alpha: reading /m);
      expect(stderr).toMatch(/^\[plan\] read the tenant in \d+ admin calls/m);
    } finally {
      await config(0);
    }
  }, 60_000);
});
