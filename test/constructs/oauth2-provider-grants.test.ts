import "cdktf/lib/testing/adapters/jest";
import { TerraformStack, Testing } from "cdktf";
import { AicTenant, OAuth2ProviderGrants } from "../../constructs";
import { Journal, ProviderGrantsSpec, TOKEN_EXCHANGE_GRANT } from "../../src/contract";
import { resourceOf, specOf, synthTenantScope, synthValidated, tenantStack, TENANT_URL, testApp, valueOf } from "./helpers";

Testing.setupJest();

describe(OAuth2ProviderGrants, () => {
  it("synthesizes the seed's grant types", () => {
    const synth = synthTenantScope((stack) => new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["password", "token-exchange"] }));
    expect(synth).toMatchSnapshot();
  });

  it("has the construct tree Resource (public API)", () => {
    const { stack } = tenantStack();
    expect(Testing.renderConstructTree(new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["password"] }))).toMatchSnapshot();
  });

  it("resolves friendly names, retains by default and leaves the AI agents feature alone", () => {
    const { stack } = tenantStack();
    const provider = new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["password", "token-exchange", "urn:custom:grant"] });
    const synth = Testing.synth(stack);
    const spec = ProviderGrantsSpec.parse(specOf(synth, provider));
    expect(spec.owned).toEqual({ grantTypes: ["password", TOKEN_EXCHANGE_GRANT, "urn:custom:grant"] });
    expect(spec.removalPolicy).toBe("retain");
    const journal = Journal.parse(valueOf(resourceOf(synth, AicTenant.of(provider), "Journal"), "journal"));
    expect(journal.objects["oauth2-provider-grants/oauth2-provider"].removal).toEqual({ policy: "retain", grantTypes: spec.owned.grantTypes });
  });

  it("warns about a grant string AM does not ship", () => {
    const { stack } = tenantStack();
    const provider = new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["pasword"] });
    const warnings = provider.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringContaining(`["pasword"]`)]);
  });

  it("switches the AI agents feature on and the grant types off on destroy when asked", () => {
    const { stack } = tenantStack();
    const provider = new OAuth2ProviderGrants(stack, "provider", {
      grantTypes: ["token-exchange"],
      enableAiAgents: true,
      removalPolicy: "destroy",
    });
    const spec = ProviderGrantsSpec.parse(specOf(Testing.synth(stack), provider));
    expect(spec.owned.aiAgentsEnabled).toBe(true);
    expect(spec.removalPolicy).toBe("destroy");
  });

  it("fails when it declares no grant types", () => {
    const { stack } = tenantStack();
    expect(() => new OAuth2ProviderGrants(stack, "provider", { grantTypes: [] })).toThrow(/AIC_NO_GRANT_TYPES/);
  });

  it("fails when the removal policy is unknown", () => {
    const { stack } = tenantStack();
    expect(() => new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["password"], removalPolicy: "delete" as never })).toThrow(
      /AIC_INVALID_REMOVAL_POLICY/,
    );
  });

  it("fails when two of them configure the same realm", () => {
    const { stack } = tenantStack();
    new OAuth2ProviderGrants(stack, "one", { grantTypes: ["password"] });
    new OAuth2ProviderGrants(stack, "two", { grantTypes: ["token-exchange"] });
    expect(() => synthValidated(stack)).toThrow(/\[stack\/two\] \[AIC_DUPLICATE_OBJECT\]/);
  });
});

describe("OAuth2ProviderGrants across stacks", () => {
  it("fails when removalPolicy destroy would take off a grant type another stack of the realm declares", () => {
    const app = testApp();
    const stacks = ["alpha", "beta"].map((name) => {
      const s = new TerraformStack(app, name);
      new AicTenant(s, "Tenant", { baseUrl: TENANT_URL });
      return s;
    });
    new OAuth2ProviderGrants(stacks[0], "provider", { grantTypes: ["password", TOKEN_EXCHANGE_GRANT], removalPolicy: "destroy" });
    new OAuth2ProviderGrants(stacks[1], "provider", { grantTypes: ["password"] });
    expect(() => app.synth()).toThrow(/\[AIC_GRANT_TYPES_SHARED\] removalPolicy "destroy" would take grant types off realm .* that another stack declares too: beta\/provider \(password\)/);
  });

  it("lets several stacks declare the same grant types with removalPolicy retain", () => {
    const app = testApp();
    for (const name of ["alpha", "beta"]) {
      const s = new TerraformStack(app, name);
      new AicTenant(s, "Tenant", { baseUrl: TENANT_URL });
      new OAuth2ProviderGrants(s, "provider", { grantTypes: ["password"] });
    }
    expect(() => app.synth()).not.toThrow();
  });
});
