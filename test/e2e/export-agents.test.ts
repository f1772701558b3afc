/**
 * `cdktf-aic export` of AI agents' delegation and limits, end to end: a realm configured by raw
 * admin calls (scripts saved as the script editor saves them, clients wired to them, the recorded
 * AIAgent body of a real tenant) exports May Act scripts as `MayActRule`s (generated, with the
 * user's own source, or under the console's random id), and agents with `actsBy`, `autonomous`, `scopeLimit` and `allowedAudiences`.
 * The file compiles and synthesizes, `cdktf-aic plan` shows adoption only without a change, and
 * real Terraform adopts it all with zero writes; what no construct says is skipped with its reason.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { scriptId } from "../../src/contract/ids";
import { mayActScriptSource, SCRIPT_CONTEXTS, scopeLimitScriptSource } from "../../src/contract/scripts";
import { requireCli } from "../cli/run";
import { configureAsConsole, type ConsoleConfig } from "../support/console";
import { compileProject, planJson, prepareProject, synthFile } from "./exported-project";
import { isWrite, REPO, Workspace } from "./harness";

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const OWN_TOKEN = [TOKEN_EXCHANGE, "client_credentials"];
const OVERRIDES_ON = { providerOverridesEnabled: true, statelessTokensEnabled: true, acceptAudienceParametersInTokenExchangeRequests: true };
const RECORDED_AGENT = join(REPO, "test/fixtures/aic-recordings/aiagent-read.json");

const id = (name: string) => scriptId("alpha", name);
const PORTAL_MAY_ACT = "May act: hr-agent for hr-portal";
const CHAIN_MAY_ACT = "May act: summary-agent for hr-agent";
const SCOPE_LIMIT = "Scope limit: hr-agent";
const PARTNER_MAY_ACT = "Partner may act";
const PARTNER_SOURCE = ['// The partner portal\'s tokens: the HR assistant may exchange them.', "(function () {", '  token.setMayAct({ "client_id": "hr-assistant" });', "}());", ""].join("\n");
const CONSOLE_MAY_ACT = "Console may act";
const CONSOLE_SCRIPT_ID = randomUUID();
const wired = (script: string) => ({ ...OVERRIDES_ON, accessTokenMayActScript: script, oidcMayActScript: script });
const portal = (clientId: string, name: string, overrides?: Record<string, unknown>) => ({
  clientId,
  name,
  scopes: ["openid", "read-data", "write-data"],
  grantTypes: ["password"],
  tokenEndpointAuthMethod: "client_secret_post",
  ...(overrides ? { overrides } : {}),
});

const CONFIG: ConsoleConfig = {
  providerGrantTypes: ["password", TOKEN_EXCHANGE, "client_credentials", "authorization_code"],
  scripts: [
    { id: id(PORTAL_MAY_ACT), name: PORTAL_MAY_ACT, context: SCRIPT_CONTEXTS.mayAct, source: mayActScriptSource({ client_id: "hr-agent", sub: "(age!hr-agent)" }) },
    { id: id(CHAIN_MAY_ACT), name: CHAIN_MAY_ACT, context: SCRIPT_CONTEXTS.mayAct, source: mayActScriptSource({ client_id: "summary-agent", sub: "(age!summary-agent)" }) },
    { id: id(SCOPE_LIMIT), name: SCOPE_LIMIT, context: SCRIPT_CONTEXTS.validateScope, source: scopeLimitScriptSource(["read-data"]) },
    { id: id(PARTNER_MAY_ACT), name: PARTNER_MAY_ACT, description: "Written by hand", context: SCRIPT_CONTEXTS.mayAct, source: PARTNER_SOURCE },
    // Saved under a random id, as the console's script editor does: the rule keeps it (scriptId).
    { id: CONSOLE_SCRIPT_ID, name: CONSOLE_MAY_ACT, context: SCRIPT_CONTEXTS.mayAct, source: mayActScriptSource({ client_id: "hr-assistant" }) },
    { name: "Login decision", context: SCRIPT_CONTEXTS.decisionNode, source: "outcome = 'true';\n" },
  ],
  webApps: [
    portal("hr-portal", "HR Portal", wired(id(PORTAL_MAY_ACT))),
    portal("partner-portal", "Partner Portal", wired(id(PARTNER_MAY_ACT))),
    portal("console-portal", "Console Portal", wired(CONSOLE_SCRIPT_ID)),
    { clientId: "ops-console", name: "Operations Console", scopes: ["logs-read", "logs-search"], grantTypes: ["client_credentials"], tokenEndpointAuthMethod: "client_secret_post" },
  ],
  agents: [
    {
      clientId: "hr-agent",
      name: "HR Agent",
      scopes: ["read-data", "write-data"],
      grantTypes: OWN_TOKEN,
      tokenEndpointAuthMethod: "client_secret_post",
      overrides: { ...wired(id(CHAIN_MAY_ACT)), validateScopePluginType: "SCRIPTED", validateScopeScript: id(SCOPE_LIMIT) },
      advanced: { allowedResourceServerAudienceValues: ["hr-portal"] },
    },
    { clientId: "summary-agent", name: "Summary Agent", scopes: ["read-data"], grantTypes: OWN_TOKEN, tokenEndpointAuthMethod: "client_secret_post", overrides: OVERRIDES_ON },
    { clientId: "hr-assistant", name: "HR Assistant", scopes: ["read-data"], grantTypes: OWN_TOKEN, tokenEndpointAuthMethod: "client_secret_post", overrides: OVERRIDES_ON },
    { clientId: "ops-agent", name: "Operations Agent", scopes: ["monitor-system"], grantTypes: OWN_TOKEN, tokenEndpointAuthMethod: "client_secret_post", overrides: OVERRIDES_ON },
  ],
  privileges: [
    { agent: "hr-agent", application: "hr-portal", subjects: ["barbara.jensen"], scopes: ["read-data"] },
    { agent: "hr-assistant", application: "hr-portal", subjects: ["barbara.jensen"], scopes: ["read-data"] },
    // No one: the agent acts for itself.
    { agent: "ops-agent", application: "ops-console", scopes: ["logs-read"] },
  ],
};

/** The AIAgent exactly as a real tenant returned it (recorded), written back as another tool would. */
function recordedAgent(): Record<string, unknown> {
  const scenario = JSON.parse(readFileSync(RECORDED_AGENT, "utf8"));
  return scenario.exchanges.find((e: { request: { method: string; path: string } }) => e.request.method === "GET" && e.request.path.includes("/AIAgent/")).response.body;
}

describe("cdktf-aic export of AI agents' delegation, scripts and limits", () => {
  const ws = new Workspace();
  const file = () => join(ws.dir, "tenant.ts");
  let text = "";
  let stderr = "";

  beforeAll(async () => {
    requireCli();
    await ws.start();
    const api = ws.adminClient();
    await configureAsConsole(api, CONFIG);
    const recorded = recordedAgent();
    await api.putAiAgent(recorded._id as string, recorded);
    await api.close();
    prepareProject(ws);
  }, 120_000);
  afterAll(() => ws.stop());

  it("writes MayActRules for the May Act scripts and the agents' actsBy, autonomous, scopeLimit and allowedAudiences", async () => {
    const r = await ws.cli(["export", "--file", file(), "--import-from", relative(ws.dir, join(REPO, "constructs"))], { AIC_BASE_URL: ws.tenant.baseUrl });
    expect({ status: r.status, output: r.status === 0 ? "" : r.output }).toEqual({ status: 0, output: "" });
    text = readFileSync(file(), "utf8");
    stderr = r.stderr;
    expect(text).toMatch(/new AiAgent\(stack, "hr-agent", \{[^}]*actsBy: "delegation",\n {2}scopeLimit: \["read-data"\],\n {2}allowedAudiences: \["hr-portal"\],/);
    expect(text).toMatch(/new AiAgent\(stack, "summary-agent", \{[^}]*actsBy: "delegation",/);
    expect(text).toMatch(/new AiAgent\(stack, "ops-agent", \{[^}]*autonomous: true,/);
    // Client credentials without a rule naming it as the actor: impersonation, its grant types said.
    expect(text).toMatch(/new AiAgent\(stack, "hr-assistant", \{[^}]*grantTypes: \["token-exchange", "client-credentials"\],/);
    expect(text).not.toMatch(/new AiAgent\(stack, "hr-assistant", \{[^}]*actsBy/);
    // Generated scripts come back as the rule's typed props; the user's own source as `source`.
    expect(text).toContain(`new MayActRule(stack, "may-act-hr-agent", {\n  agent: hrAgent,\n  subjectTokensOf: [hrPortal],\n  adopt: true,\n});`);
    expect(text).toContain(`new MayActRule(stack, "may-act-summary-agent", {\n  agent: summaryAgent,\n  subjectTokensOf: [hrAgent],\n  adopt: true,\n});`);
    expect(text).toContain(
      `new MayActRule(stack, "may-act-hr-assistant2", {\n  agent: hrAssistant,\n  subjectTokensOf: [partnerPortal],\n  scriptName: "Partner may act",\n  description: "Written by hand",\n  source: ${JSON.stringify(PARTNER_SOURCE)},\n  adopt: true,\n});`,
    );
    expect(text).toMatch(/new AgentApplicationGrant\(stack, "grant-opsAgent-opsConsole", \{\n {2}agent: opsAgent,\n {2}application: opsConsole,\n {2}scopes: \["logs-read"\],/);
    expect(text).toContain(`new MayActRule(stack, "may-act-hr-assistant", {\n  agent: hrAssistant,\n  subjectTokensOf: [consolePortal],\n  scriptName: "${CONSOLE_MAY_ACT}",\n  scriptId: "${CONSOLE_SCRIPT_ID}",\n  adopt: true,\n});`);
    expect(stderr).toMatch(/4 May Act rule\(s\)/);
    expect(stderr).toMatch(/skipped script Login decision: a SCRIPTED_DECISION_NODE script: the constructs write May Act scripts \(MayActRule\) and AI agents' scope limits \(scopeLimit\) only/);
    expect(stderr).not.toMatch(/skipped (script (May act|Scope limit|Partner|Console)|ai-agent|oauth2-client (hr|partner|console|ops)|privilege)/);
  }, 120_000);

  it("compiles, synthesizes, plans adoption only without a change and applies with zero writes", async () => {
    const tsc = await compileProject(ws);
    expect(tsc.output).toBe("");
    await synthFile(ws, ws.tenant.baseUrl);

    await ws.clearAudit();
    const report = await planJson(ws);
    expect(report.summary).toMatchObject({ create: 0, update: 0, delete: 0, problems: 0 });
    const objects = report.stacks[0].objects;
    expect(objects.filter((o) => o.changes.length > 0).map((o) => ({ id: `${o.kind} ${o.id}`, changes: o.changes }))).toEqual([]);
    expect(objects.filter((o) => o.action === "adopt").map((o) => `${o.kind} ${o.id}`).sort()).toEqual(
      [
        "agent-grant hr-agent/hr-portal",
        "agent-grant hr-assistant/hr-portal",
        "agent-grant ops-agent/ops-console",
        "ai-agent FrodoOpsTestAIAgent1",
        "ai-agent hr-agent",
        "ai-agent hr-assistant",
        "ai-agent ops-agent",
        "ai-agent summary-agent",
        `script ${id(CHAIN_MAY_ACT)}`,
        `script ${id(PARTNER_MAY_ACT)}`,
        `script ${id(PORTAL_MAY_ACT)}`,
        `script ${id(SCOPE_LIMIT)}`,
        `script ${CONSOLE_SCRIPT_ID}`,
        "web-app console-portal",
        "web-app hr-portal",
        "web-app ops-console",
        "web-app partner-portal",
      ].sort(),
    );

    const result = await ws.apply();
    expect(result.output).toMatch(/Apply complete!/);
    expect((await ws.audit()).filter(isWrite)).toEqual([]);
  }, 300_000);
});
