import "cdktf/lib/testing/adapters/jest";
import { DataResource, TerraformResource, Testing } from "cdktf";
import { AgentApplicationGrant, AiAgent, ConfidentialWebApp, OAuth2ProviderGrants, Secret } from "../../constructs";
import { AiAgentSpec, TOKEN_EXCHANGE_GRANT } from "../../src/contract";
import { agentProps, specOf, synthTenantScope, synthValidated, tenantStack, webAppProps } from "./helpers";

Testing.setupJest();

describe(AiAgent, () => {
  it("synthesizes the seed's agent", () => {
    expect(synthTenantScope((stack) => new AiAgent(stack, "agent", agentProps()))).toMatchSnapshot();
  });

  it("has the construct tree Resource (public API)", () => {
    const { stack } = tenantStack();
    expect(Testing.renderConstructTree(new AiAgent(stack, "agent", agentProps()))).toMatchSnapshot();
  });

  it("defaults to the on-behalf-of setup: token exchange, client_secret_post, all overrides on", () => {
    const { stack } = tenantStack();
    const agent = new AiAgent(stack, "agent", agentProps());
    const spec = AiAgentSpec.parse(specOf(Testing.synth(stack), agent));
    expect(spec.owned).toEqual({
      name: "Digital Assistant AI Agent",
      owners: [],
      scopes: [],
      grantTypes: [TOKEN_EXCHANGE_GRANT],
      tokenEndpointAuthMethod: "client_secret_post",
      providerOverrides: { enabled: true, statelessTokens: true, acceptAudienceInTokenExchange: true },
    });
  });

  it("lets each provider override be switched off", () => {
    const { stack } = tenantStack();
    const agent = new AiAgent(stack, "agent", agentProps({ providerOverrides: { clientSideTokens: false } }));
    const spec = AiAgentSpec.parse(specOf(Testing.synth(stack), agent));
    expect(spec.owned.providerOverrides).toEqual({ enabled: true, statelessTokens: false, acceptAudienceInTokenExchange: true });
  });

  it("grants access to an application with grantAccessTo", () => {
    const { stack } = tenantStack();
    const app = new ConfidentialWebApp(stack, "web-app", webAppProps());
    const agent = new AiAgent(stack, "agent", agentProps());
    const grant = agent.grantAccessTo(app, { subjects: ["barbara.jensen"], scopes: ["read-data"] });
    expect(grant).toBeInstanceOf(AgentApplicationGrant);
    expect(grant.node.path).toBe("stack/agent/Grant-digital-assistant-web-app");
    expect(Testing.synth(stack)).toHaveResourceWithProperties(DataResource, {
      input: { spec: expect.stringContaining('"id":"digital-assistant-ai-agent/digital-assistant-web-app"') },
    });
  });

  it("imports an existing agent that can still grant access", () => {
    const { stack } = tenantStack();
    const app = new ConfidentialWebApp(stack, "web-app", webAppProps());
    const agent = AiAgent.fromClientId(stack, "existing-agent", "legacy-agent");
    expect(agent.grantTypes).toBeUndefined();
    agent.grantAccessTo(app, { subjectGroups: ["assistant-users"] });
    expect(() => synthValidated(stack)).not.toThrow();
    expect(agent.node.findAll().filter((c) => c instanceof TerraformResource && c.terraformResourceType === "terraform_data").map((c) => c.node.path)).toEqual([
      "stack/existing-agent/Grant-digital-assistant-web-app/Resource",
    ]);
  });

  it("fails when its client id is used by a web app in the same stack", () => {
    const { stack } = tenantStack();
    new ConfidentialWebApp(stack, "web-app", webAppProps({ clientId: "shared-id" }));
    new AiAgent(stack, "agent", agentProps({ clientId: "shared-id" }));
    expect(() => synthValidated(stack)).toThrow(/\[stack\/agent\] \[AIC_DUPLICATE_CLIENT_ID\]/);
  });

  it("fails when the realm's provider grants lack token exchange", () => {
    const { stack } = tenantStack();
    new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["password"] });
    new AiAgent(stack, "agent", agentProps());
    expect(() => synthValidated(stack)).toThrow(/\[stack\/agent\] \[AIC_PROVIDER_GRANT_TYPE_MISSING\].*add \["token-exchange"\]/);
  });

  it("fails when the client id is invalid", () => {
    const { stack } = tenantStack();
    expect(() => new AiAgent(stack, "agent", agentProps({ clientId: "agent.1" }))).toThrow(/AIC_INVALID_CLIENT_ID/);
  });

  it("fails when an owner name is empty", () => {
    const { stack } = tenantStack();
    expect(() => new AiAgent(stack, "agent", agentProps({ owners: [" "] }))).toThrow(/AIC_INVALID_USERNAME/);
  });

  it("fails when the grant types are empty", () => {
    const { stack } = tenantStack();
    expect(() => new AiAgent(stack, "agent", agentProps({ grantTypes: [] }))).toThrow(/AIC_NO_GRANT_TYPES/);
  });

  it("fails when its secret version is empty", () => {
    const { stack } = tenantStack();
    const clientSecret = Secret.fromEnv("AI_AGENT_CLIENT_SECRET", { version: "" });
    expect(() => new AiAgent(stack, "agent", agentProps({ clientSecret }))).toThrow(/AIC_INVALID_SECRET_VERSION/);
  });
});
