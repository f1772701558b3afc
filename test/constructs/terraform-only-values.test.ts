import "cdktf/lib/testing/adapters/jest";
import { Fn, TerraformResource, TerraformStack, TerraformVariable, Token } from "cdktf";
import { AgentApplicationGrant, AicTenant, AiAgent, ConfidentialWebApp, OAuth2ProviderGrants } from "../../constructs";
import { agentProps, synthValidated, tenantStack, testApp, webAppProps } from "./helpers";

/** The messages of a failed synth, one per line as cdktf lists them. */
function synthErrors(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    return (e as Error).message.split("\n").filter((l) => l.includes("[AIC_"));
  }
  throw new Error("expected the synth to fail");
}

describe("a prop whose value only Terraform knows", () => {
  it("fails the synth naming the construct and the prop, and why: a TerraformVariable as clientId", () => {
    const { stack } = tenantStack();
    const clientId = new TerraformVariable(stack, "client_id", { type: "string" });
    new ConfidentialWebApp(stack, "web-app", webAppProps({ clientId: clientId.stringValue }));
    const errors = synthErrors(() => synthValidated(stack));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/stack\/web-app.*\[AIC_TERRAFORM_ONLY_VALUE\] clientId is known only when Terraform runs/);
    expect(errors[0]).toMatch(/the sync reads the specs from cdk\.tf\.json, so every value must be known when the code runs/);
  });

  it("names every such prop, one error each: description from a variable, name from Fn, scopes from a variable list", () => {
    const { stack } = tenantStack();
    const text = new TerraformVariable(stack, "text", { type: "string" });
    const scopes = new TerraformVariable(stack, "scopes", { type: "list(string)" });
    new AiAgent(stack, "agent", agentProps({ description: text.stringValue, name: Fn.upper(text.stringValue), scopes: Token.asList(scopes.value) }));
    const errors = synthErrors(() => synthValidated(stack));
    expect(errors.map((e) => e.match(/\] (\S+) is known only when Terraform runs/)?.[1]).sort()).toEqual(["description", "name", "scopes"]);
    for (const e of errors) expect(e).toMatch(/stack\/agent/);
  });

  it("catches a number (accessTokenLifetime from a variable) and a grant's description from another resource's attribute", () => {
    const { stack } = tenantStack();
    const lifetime = new TerraformVariable(stack, "lifetime", { type: "number" });
    new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["authorization-code", "token-exchange"], enableAiAgents: true });
    const app = new ConfidentialWebApp(stack, "web-app", webAppProps({ grantTypes: ["authorization-code"], accessTokenLifetime: lifetime.numberValue }));
    const agent = new AiAgent(stack, "agent", agentProps());
    new AgentApplicationGrant(stack, "grant", { agent, application: app, subjects: ["barbara.jensen"], description: (app.node.findChild("Resource") as TerraformResource).getStringAttribute("id") });
    const errors = synthErrors(() => synthValidated(stack));
    expect(errors.some((e) => /stack\/web-app.*\] accessTokenLifetime is known only when Terraform runs/.test(e))).toBe(true);
    expect(errors.some((e) => /stack\/grant.*\] description is known only when Terraform runs/.test(e))).toBe(true);
    expect(errors).toHaveLength(2);
  });

  it("says only that, once per prop: the cross-construct checks (provider grant types, grant scopes) skip such values", () => {
    const { stack } = tenantStack();
    const variable = (name: string) => new TerraformVariable(stack, name, { type: "string" }).stringValue;
    new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["token-exchange", variable("providerGrant")], enableAiAgents: true });
    const app = new ConfidentialWebApp(
      stack,
      "web-app",
      webAppProps({ scopes: ["openid", variable("appScope")], grantTypes: [variable("appGrant")], tokenEndpointAuthMethod: variable("authMethod") as "client_secret_post" }),
    );
    const agent = new AiAgent(stack, "agent", agentProps());
    new AgentApplicationGrant(stack, "grant", { agent, application: app, subjects: ["barbara.jensen"], scopes: [variable("grantScope")] });
    const errors = synthErrors(() => synthValidated(stack));
    expect(errors.every((e) => e.includes("[AIC_TERRAFORM_ONLY_VALUE]"))).toBe(true);
    expect(errors.map((e) => e.match(/(stack\/[^\]\s]+).*\] (\S+) is known only/)!.slice(1).join(" ")).sort()).toEqual([
      "stack/grant scopes",
      "stack/provider grantTypes",
      "stack/web-app grantTypes",
      "stack/web-app scopes",
      "stack/web-app tokenEndpointAuthMethod",
    ]);
  });

  it("catches the tenant's own: a baseUrl from a variable is one error on the AicTenant", () => {
    const stack = new TerraformStack(testApp(), "stack");
    const url = new TerraformVariable(stack, "tenant_url", { type: "string" });
    new AicTenant(stack, "Tenant", { baseUrl: url.stringValue });
    new ConfidentialWebApp(stack, "web-app", webAppProps());
    const errors = synthErrors(() => synthValidated(stack));
    expect(errors).toEqual([expect.stringMatching(/stack\/Tenant.*\] baseUrl is known only when Terraform runs/)]);
  });

  it("leaves plain values alone", () => {
    const { stack } = tenantStack();
    new ConfidentialWebApp(stack, "web-app", webAppProps({ description: "CRM" }));
    expect(() => synthValidated(stack)).not.toThrow();
  });
});
