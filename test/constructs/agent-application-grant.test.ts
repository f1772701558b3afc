import "cdktf/lib/testing/adapters/jest";
import { TerraformStack, Testing } from "cdktf";
import { AgentApplicationGrant, AiAgent, AicTenant, ConfidentialWebApp, OAuth2ProviderGrants } from "../../constructs";
import { AgentGrantSpec, AiAgentSpec } from "../../src/contract";
import { TENANT_URL, addressOf, agentProps, resourceOf, specOf, synthTenantScope, synthValidated, tenantStack, webAppProps } from "./helpers";

Testing.setupJest();

function seed() {
  const { app, stack } = tenantStack();
  const webApp = new ConfidentialWebApp(stack, "web-app", webAppProps());
  const agent = new AiAgent(stack, "agent", agentProps());
  return { app, stack, webApp, agent };
}

describe(AgentApplicationGrant, () => {
  it("synthesizes the seed's grant", () => {
    const synth = synthTenantScope((stack) => {
      const application = new ConfidentialWebApp(stack, "web-app", webAppProps());
      const agent = new AiAgent(stack, "agent", agentProps());
      new AgentApplicationGrant(stack, "grant", { agent, application, subjects: ["barbara.jensen"], scopes: ["read-data"] });
    });
    expect(synth).toMatchSnapshot();
  });

  it("has the construct tree Resource (public API)", () => {
    const { stack, webApp, agent } = seed();
    const grant = new AgentApplicationGrant(stack, "grant", { agent, application: webApp, subjects: ["barbara.jensen"] });
    expect(Testing.renderConstructTree(grant)).toMatchSnapshot();
  });

  it("names the agent/application pair and defaults to any scope of the application", () => {
    const { stack, webApp, agent } = seed();
    const grant = new AgentApplicationGrant(stack, "grant", { agent, application: webApp, subjectGroups: ["assistant-users"] });
    const spec = AgentGrantSpec.parse(specOf(Testing.synth(stack), grant));
    expect(spec.id).toBe("digital-assistant-ai-agent/digital-assistant-web-app");
    expect(spec.owned).toEqual({
      agent: "digital-assistant-ai-agent",
      application: "digital-assistant-web-app",
      subjects: [],
      subjectGroups: ["assistant-users"],
      scopes: [],
    });
  });

  it("carries adopt: true into the spec, for the grant and for the agent", () => {
    const { stack, webApp } = seed();
    const agent = new AiAgent(stack, "adopted-agent", agentProps({ clientId: "adopted-agent", adopt: true }));
    const grant = new AgentApplicationGrant(stack, "grant", { agent, application: webApp, subjects: ["barbara.jensen"], adopt: true });
    const synth = Testing.synth(stack);
    expect(AgentGrantSpec.parse(specOf(synth, grant)).adopt).toBe(true);
    expect(AiAgentSpec.parse(specOf(synth, agent)).adopt).toBe(true);
    expect(AiAgentSpec.parse(specOf(synth, stack.node.findChild("agent"))).adopt).toBeUndefined();
  });

  it("links an agent and an application of another stack: that stack goes first, and no depends_on crosses stacks", () => {
    const { app, stack, webApp } = seed();
    const other = new TerraformStack(app, "agents");
    new AicTenant(other, "Tenant", { baseUrl: TENANT_URL });
    const agent = new AiAgent(other, "agent", agentProps({ clientId: "other-agent" }));
    const grant = new AgentApplicationGrant(other, "grant", { agent, application: webApp, subjects: ["barbara.jensen"] });
    const synth = synthValidated(other);
    expect(other.dependencies).toEqual([stack]);
    expect(resourceOf(synth, grant, "Resource").depends_on).toEqual([addressOf(AicTenant.of(grant), "Gate")]);
    expect(synth).not.toContain(addressOf(webApp, "Resource"));
  });

  it("fails when it names neither subjects nor subject groups", () => {
    const { stack, webApp, agent } = seed();
    expect(() => new AgentApplicationGrant(stack, "grant", { agent, application: webApp })).toThrow(
      expect.objectContaining({ code: "AIC_NO_SUBJECTS", constructPath: "stack/grant" }),
    );
  });

  it("fails when a subject is listed twice", () => {
    const { stack, webApp, agent } = seed();
    expect(
      () => new AgentApplicationGrant(stack, "grant", { agent, application: webApp, subjects: ["bjensen", "bjensen"] }),
    ).toThrow(/AIC_DUPLICATE_NAMES/);
  });

  it("fails when a scope is listed twice", () => {
    const { stack, webApp, agent } = seed();
    expect(
      () =>
        new AgentApplicationGrant(stack, "grant", { agent, application: webApp, subjects: ["bjensen"], scopes: ["read-data", "read-data"] }),
    ).toThrow(/AIC_DUPLICATE_SCOPES/);
  });

  it("fails when it grants a scope the application does not have", () => {
    const { stack, webApp, agent } = seed();
    new AgentApplicationGrant(stack, "grant", { agent, application: webApp, subjects: ["bjensen"], scopes: ["read-data", "delete-all"] });
    expect(() => synthValidated(stack)).toThrow(/\[stack\/grant\] \[AIC_GRANT_SCOPE_OUTSIDE_APPLICATION\] scopes \["delete-all"\]/);
  });

  it("does not check scopes against an imported application", () => {
    const { stack } = tenantStack();
    const agent = new AiAgent(stack, "agent", agentProps());
    const application = ConfidentialWebApp.fromClientId(stack, "legacy", "legacy-app");
    new AgentApplicationGrant(stack, "grant", { agent, application, subjects: ["bjensen"], scopes: ["anything"] });
    expect(() => synthValidated(stack)).not.toThrow();
  });

  it("fails when the agent lacks the token-exchange grant type", () => {
    const { stack, webApp } = seed();
    const agent = new AiAgent(stack, "other-agent", agentProps({ clientId: "other-agent", grantTypes: ["client-credentials"] }));
    new AgentApplicationGrant(stack, "grant", { agent, application: webApp, subjects: ["bjensen"] });
    expect(() => synthValidated(stack)).toThrow(/\[stack\/grant\] \[AIC_AGENT_WITHOUT_TOKEN_EXCHANGE\]/);
  });

  it("fails when the agent is imported and the realm's provider grants lack token exchange", () => {
    const { stack } = tenantStack();
    new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["password"] });
    const webApp = new ConfidentialWebApp(stack, "web-app", webAppProps());
    const agent = AiAgent.fromClientId(stack, "existing-agent", "existing-agent");
    new AgentApplicationGrant(stack, "grant", { agent, application: webApp, subjects: ["bjensen"] });
    expect(() => synthValidated(stack)).toThrow(/\[stack\/grant\] \[AIC_PROVIDER_GRANT_TYPE_MISSING\].*add \["token-exchange"\]/);
  });

  it("fails when the same agent and application are granted twice", () => {
    const { stack, webApp, agent } = seed();
    new AgentApplicationGrant(stack, "one", { agent, application: webApp, subjects: ["bjensen"] });
    new AgentApplicationGrant(stack, "two", { agent, application: webApp, subjects: ["ajensen"] });
    expect(() => synthValidated(stack)).toThrow(/\[stack\/two\] \[AIC_DUPLICATE_OBJECT\]/);
  });
});
