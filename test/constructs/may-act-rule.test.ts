/**
 * Who may act for whom, at synth: a MayActRule's script and its wiring on the clients whose tokens
 * it stamps, an agent's delegation, autonomy, scope limit and audience allow-list, and the synth
 * errors for the contradictions between them.
 */
import { Testing } from "cdktf";
import {
  AgentApplicationGrant,
  AiAgent,
  ConfidentialWebApp,
  MayActRule,
  OAuth2ProviderGrants,
  Secret,
  StackValidationError,
  TenantStack,
  type AiAgentProps,
} from "../../constructs";
import { AiAgentSpec, mayActScriptSource, SCRIPT_CONTEXTS, ScriptSpec, scopeLimitScriptSource, scriptId, WebAppSpec } from "../../src/contract";
import { agentProps, specOf, TENANT_URL, testApp, webAppProps } from "./helpers";

const agent = (stack: TenantStack, id: string, props: Partial<AiAgentProps> = {}) =>
  new AiAgent(stack, id, agentProps({ name: id, clientId: id, clientSecret: Secret.fromEnv(`${id.toUpperCase().replace(/-/g, "_")}_SECRET`), ...props }));

function stack(): { app: ReturnType<typeof testApp>; stack: TenantStack; portal: ConfidentialWebApp } {
  const app = testApp();
  const s = new TenantStack(app, "alpha", { tenant: { baseUrl: TENANT_URL } });
  new OAuth2ProviderGrants(s, "provider", { grantTypes: ["password", "token-exchange", "client-credentials"], enableAiAgents: true });
  const portal = new ConfidentialWebApp(s, "portal", webAppProps({ grantTypes: ["password"] }));
  return { app, stack: s, portal };
}

/** The codes of the stack's synth errors, as `[path] CODE`. */
function errorCodes(app: ReturnType<typeof testApp>): string[] {
  try {
    app.synth();
  } catch (e) {
    if (e instanceof StackValidationError) return e.problems.map((p) => /^\[([^\]]+)\] \[([A-Z_]+)\]/.exec(p)!.slice(1).join(" "));
    throw e;
  }
  return [];
}

describe(MayActRule, () => {
  it("stores a May Act script naming the delegating agent as actor, and wires it on the app whose tokens it stamps", () => {
    const { stack: s, portal } = stack();
    const hr = agent(s, "hr-agent", { actsBy: "delegation" });
    const rule = new MayActRule(s, "portal-may-act", { agent: hr, subjectTokensOf: [portal] });
    const synth = Testing.synth(s);
    const script = ScriptSpec.parse({ tenant: { baseUrl: TENANT_URL, realm: "alpha", auth: { method: "bearer", tokenEnv: "X" } }, ...(specOf(synth, rule) as object) });
    expect(script.id).toBe(scriptId("alpha", "May act: hr-agent for digital-assistant-web-app"));
    expect(script.owned).toEqual({
      name: "May act: hr-agent for digital-assistant-web-app",
      language: "JAVASCRIPT",
      context: SCRIPT_CONTEXTS.mayAct,
      source: mayActScriptSource({ client_id: "hr-agent", sub: "(age!hr-agent)" }),
    });
    expect(WebAppSpec.shape.owned.parse((specOf(synth, portal) as { owned: unknown }).owned).mayActScript).toBe(rule.scriptId);
    expect(hr.grantTypes).toEqual(["urn:ietf:params:oauth:grant-type:token-exchange", "client_credentials"]);
  });

  it("names only the client for an impersonating agent", () => {
    const { stack: s, portal } = stack();
    const rule = new MayActRule(s, "portal-may-act", { agent: agent(s, "hr-agent"), subjectTokensOf: [portal] });
    expect(rule.mayAct).toEqual({ client_id: "hr-agent" });
  });

  it("wires agent-to-agent: the first agent's tokens may be exchanged by the second", () => {
    const { app, stack: s, portal } = stack();
    const research = agent(s, "research-agent", { actsBy: "delegation" });
    const summary = agent(s, "summary-agent", { actsBy: "delegation" });
    new MayActRule(s, "portal-may-act", { agent: research, subjectTokensOf: [portal] });
    const rule = new MayActRule(s, "research-may-act", { agent: summary, subjectTokensOf: [research] });
    expect(errorCodes(app)).toEqual([]);
    expect(AiAgentSpec.shape.owned.parse((specOf(Testing.synth(s), research) as { owned: unknown }).owned).mayActScript).toBe(rule.scriptId);
  });

  it("fails when a delegating agent is named by no rule", () => {
    const { app, stack: s } = stack();
    agent(s, "hr-agent", { actsBy: "delegation" });
    expect(errorCodes(app)).toEqual(["alpha/hr-agent AIC_DELEGATION_WITHOUT_MAY_ACT"]);
  });

  it("fails when a client is given two rules, or is not managed by the stack, or is the agent itself", () => {
    const { app, stack: s, portal } = stack();
    const hr = agent(s, "hr-agent", { actsBy: "delegation" });
    new MayActRule(s, "one", { agent: hr, subjectTokensOf: [portal] });
    new MayActRule(s, "two", { agent: agent(s, "other-agent"), subjectTokensOf: [portal] });
    new MayActRule(s, "three", { agent: hr, subjectTokensOf: [AiAgent.fromClientId(s, "legacy", "legacy-agent")], scriptName: "three" });
    new MayActRule(s, "four", { agent: hr, subjectTokensOf: [hr], scriptName: "four" });
    expect(errorCodes(app)).toEqual(["alpha/two AIC_MAY_ACT_CONFLICT", "alpha/three AIC_MAY_ACT_UNMANAGED_CLIENT", "alpha/four AIC_MAY_ACT_CONFLICT"]);
  });

  it("fails when your own source never names the agent", () => {
    const { app, stack: s, portal } = stack();
    new MayActRule(s, "rule", { agent: agent(s, "hr-agent"), subjectTokensOf: [portal], source: "(function () { token.setMayAct({client_id: 'someone'}); }());" });
    expect(errorCodes(app)).toEqual(["alpha/rule AIC_MAY_ACT_SOURCE_WITHOUT_AGENT"]);
  });
});

describe("an AiAgent's limits", () => {
  it("generates a scope-limit script (child ScopeLimit) and wires it with the audience allow-list", () => {
    const { stack: s } = stack();
    const hr = agent(s, "hr-agent", { scopeLimit: ["read-data"], allowedAudiences: ["payroll-api"] });
    const synth = Testing.synth(s);
    const limit = specOf(synth, hr.node.findChild("ScopeLimit")) as { id: string; owned: object };
    expect(limit.owned).toEqual({ name: "Scope limit: hr-agent", language: "JAVASCRIPT", context: SCRIPT_CONTEXTS.validateScope, source: scopeLimitScriptSource(["read-data"]) });
    expect((specOf(synth, hr) as { owned: object }).owned).toMatchObject({ scopeLimitScript: limit.id, audiences: ["payroll-api"] });
  });

  it("fails when a grant names a scope outside the agent's limit, or an application outside its allow-list", () => {
    const { app, stack: s, portal } = stack();
    const hr = agent(s, "hr-agent", { scopeLimit: ["read-data"], allowedAudiences: ["payroll-api"] });
    new AgentApplicationGrant(s, "grant", { agent: hr, application: portal, subjects: ["barbara.jensen"], scopes: ["read-data", "write-data"] });
    expect(errorCodes(app)).toEqual(["alpha/grant AIC_AUDIENCE_OUTSIDE_ALLOW_LIST", "alpha/grant AIC_GRANT_SCOPE_OUTSIDE_LIMIT"]);
  });

  it("fails when the allow-list is set but audience parameters are not accepted, or the overrides are off", () => {
    const { app, stack: s } = stack();
    agent(s, "a-agent", { allowedAudiences: ["x"], providerOverrides: { acceptAudienceInTokenExchange: false } });
    agent(s, "b-agent", { scopeLimit: ["x"], providerOverrides: { enabled: false } });
    expect(errorCodes(app)).toEqual(["alpha/a-agent AIC_AUDIENCE_OUTSIDE_ALLOW_LIST", "alpha/b-agent AIC_PROVIDER_OVERRIDES_OFF"]);
  });

  it("lets an autonomous agent's grant name no subjects, and gives it client credentials", () => {
    const { app, stack: s, portal } = stack();
    const ops = agent(s, "ops-agent", { autonomous: true });
    new AgentApplicationGrant(s, "grant", { agent: ops, application: portal, scopes: ["read-data"] });
    expect(errorCodes(app)).toEqual([]);
    expect(ops.grantTypes).toContain("client_credentials");
  });

  it("fails when a delegating or autonomous agent cannot get a token of its own", () => {
    const { app, stack: s, portal } = stack();
    const hr = agent(s, "hr-agent", { actsBy: "delegation", grantTypes: ["token-exchange"] });
    new MayActRule(s, "rule", { agent: hr, subjectTokensOf: [portal] });
    expect(errorCodes(app)).toEqual(["alpha/hr-agent AIC_AGENT_GRANT_TYPE_MISSING"]);
  });
});

describe("the AI agents feature", () => {
  it("fails when a stack declares an agent in a realm whose provider grants do not turn the feature on", () => {
    const app = testApp();
    const s = new TenantStack(app, "alpha", { tenant: { baseUrl: TENANT_URL } });
    new OAuth2ProviderGrants(s, "provider", { grantTypes: ["token-exchange"] });
    agent(s, "hr-agent");
    expect(errorCodes(app)).toEqual(["alpha/hr-agent AIC_AI_AGENTS_NOT_ENABLED"]);
  });

  it("leaves the feature to whoever manages the provider when the stack has no provider grants", () => {
    const app = testApp();
    agent(new TenantStack(app, "alpha", { tenant: { baseUrl: TENANT_URL } }), "hr-agent");
    expect(errorCodes(app)).toEqual([]);
  });
});
