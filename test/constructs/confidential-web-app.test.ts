import "cdktf/lib/testing/adapters/jest";
import { DataResource, Testing } from "cdktf";
import { ConfidentialWebApp, OAuth2ProviderGrants, Secret, type ConfidentialWebAppProps } from "../../constructs";
import { PROVISIONER_ENV, WebAppSpec } from "../../src/contract";
import { captureError, resourceOf, specOf, synthTenantScope, synthValidated, tenantStack, webAppProps } from "./helpers";

Testing.setupJest();

describe(ConfidentialWebApp, () => {
  it("synthesizes the seed's web app", () => {
    const synth = synthTenantScope((stack) => new ConfidentialWebApp(stack, "web-app", webAppProps()));
    expect(synth).toMatchSnapshot();
  });

  it("has the construct tree Resource (public API)", () => {
    const { stack } = tenantStack();
    const app = new ConfidentialWebApp(stack, "web-app", webAppProps());
    expect(Testing.renderConstructTree(app)).toMatchSnapshot();
  });

  it("carries its owned fields in the spec, with AM's grant strings", () => {
    const { stack } = tenantStack();
    const webApp = new ConfidentialWebApp(stack, "web-app", webAppProps());
    const synth = Testing.synth(stack);
    const spec = WebAppSpec.parse(specOf(synth, webApp));
    expect(spec.owned).toEqual({
      name: "Digital Assistant Web App",
      owners: ["barbara.jensen"],
      scopes: ["openid", "read-data", "write-data", "admin-action"],
      grantTypes: ["password"],
      tokenEndpointAuthMethod: "client_secret_post",
      redirectUris: [],
    });
    // The version is in the spec (and the journal): a bump makes the sync write the new value.
    expect(spec.secret).toEqual({ env: "WEB_APP_CLIENT_SECRET", version: 1 });
  });

  it("defaults to the authorization code grant and client_secret_basic", () => {
    const { stack } = tenantStack();
    const webApp = new ConfidentialWebApp(stack, "web-app", {
      name: "App",
      clientId: "app",
      clientSecret: Secret.fromEnv("APP_SECRET"),
      scopes: ["openid"],
    });
    const spec = WebAppSpec.parse(specOf(Testing.synth(stack), webApp));
    expect(spec.owned.grantTypes).toEqual(["authorization_code"]);
    expect(spec.owned.tokenEndpointAuthMethod).toBe("client_secret_basic");
    expect(spec.owned.owners).toEqual([]);
  });

  it("changes the secret version in the spec, never the identity that replaces the Resource, when the version is bumped", () => {
    const synthWith = (version: number) => {
      const { stack } = tenantStack();
      const clientSecret = Secret.fromEnv("WEB_APP_CLIENT_SECRET", { version });
      const webApp = new ConfidentialWebApp(stack, "web-app", webAppProps({ clientSecret }));
      const synth = Testing.synth(stack);
      return { spec: WebAppSpec.parse(specOf(synth, webApp)), resource: resourceOf(synth, webApp, "Resource") };
    };
    const [v1, v2] = [synthWith(1), synthWith(2)];
    expect(v1.spec.secret).toEqual({ env: "WEB_APP_CLIENT_SECRET", version: 1 });
    expect(v2.spec).toEqual({ ...v1.spec, secret: { env: "WEB_APP_CLIENT_SECRET", version: 2 } });
    expect(v2.resource.triggers_replace).toEqual(v1.resource.triggers_replace);
  });

  it("imports an existing application without creating resources", () => {
    const { stack } = tenantStack();
    const imported = ConfidentialWebApp.fromClientId(stack, "existing", "legacy-app");
    expect(imported.clientId).toBe("legacy-app");
    expect(imported.scopes).toBeUndefined();
    expect(imported.node.children).toHaveLength(0);
  });

  it("fails when the client id has characters the console rejects", () => {
    const { stack } = tenantStack();
    expect(() => new ConfidentialWebApp(stack, "web-app", webAppProps({ clientId: "digital assistant" }))).toThrow(
      expect.objectContaining({ code: "AIC_INVALID_CLIENT_ID", constructPath: "stack/web-app" }),
    );
  });

  it("fails when an imported client id is invalid", () => {
    const { stack } = tenantStack();
    expect(() => ConfidentialWebApp.fromClientId(stack, "existing", "bad/id")).toThrow(/AIC_INVALID_CLIENT_ID/);
  });

  it("fails when the name is blank", () => {
    const { stack } = tenantStack();
    expect(() => new ConfidentialWebApp(stack, "web-app", webAppProps({ name: "  " }))).toThrow(/AIC_INVALID_NAME/);
  });

  it("fails when it has no scopes", () => {
    const { stack } = tenantStack();
    expect(() => new ConfidentialWebApp(stack, "web-app", webAppProps({ scopes: [] }))).toThrow(/AIC_NO_SCOPES/);
  });

  it("fails when a scope is empty", () => {
    const { stack } = tenantStack();
    expect(() => new ConfidentialWebApp(stack, "web-app", webAppProps({ scopes: ["openid", ""] }))).toThrow(/AIC_INVALID_SCOPE/);
  });

  it("fails when a scope is listed twice", () => {
    const { stack } = tenantStack();
    const error = captureError(() => new ConfidentialWebApp(stack, "web-app", webAppProps({ scopes: ["openid", "read-data", "openid"] })));
    expect(error.code).toBe("AIC_DUPLICATE_SCOPES");
    expect(error.message).toContain("stack/web-app");
    expect(error.message).toContain(`["openid","read-data","openid"]`);
    expect(error.message).toMatch(/Fix: remove the repeated \["openid"\]/);
  });

  it("fails when a grant type is listed twice under two names", () => {
    const { stack } = tenantStack();
    expect(
      () => new ConfidentialWebApp(stack, "web-app", webAppProps({ grantTypes: ["authorization-code", "authorization_code"] })),
    ).toThrow(/AIC_DUPLICATE_GRANT_TYPES/);
  });

  it("fails when the secret's env var name is invalid", () => {
    const { stack } = tenantStack();
    expect(() => new ConfidentialWebApp(stack, "web-app", webAppProps({ clientSecret: Secret.fromEnv("WEB-APP SECRET") }))).toThrow(
      /AIC_INVALID_ENV_NAME/,
    );
  });

  it("fails when the token endpoint auth method is unknown", () => {
    const { stack } = tenantStack();
    expect(
      () => new ConfidentialWebApp(stack, "web-app", webAppProps({ tokenEndpointAuthMethod: "client_secret" as never })),
    ).toThrow(/AIC_INVALID_TOKEN_ENDPOINT_AUTH_METHOD/);
  });

  it("fails when the realm's provider grants do not enable a grant type it uses", () => {
    const { stack } = tenantStack();
    new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["token-exchange"] });
    new ConfidentialWebApp(stack, "web-app", webAppProps({ grantTypes: ["password"] }));
    expect(() => synthValidated(stack)).toThrow(/\[stack\/web-app\] \[AIC_PROVIDER_GRANT_TYPE_MISSING\].*add \["password"\]/);
  });

  it("does not check grant types when no provider grants are in the stack", () => {
    const { stack } = tenantStack();
    new ConfidentialWebApp(stack, "web-app", webAppProps({ grantTypes: ["password"] }));
    expect(() => synthValidated(stack)).not.toThrow();
  });

  it("fails when another client in the stack has the same client id", () => {
    const { stack } = tenantStack();
    new ConfidentialWebApp(stack, "one", webAppProps());
    new ConfidentialWebApp(stack, "two", webAppProps());
    expect(() => synthValidated(stack)).toThrow(/\[stack\/two\] \[AIC_DUPLICATE_CLIENT_ID\].*also used by stack\/one/);
  });
  it("carries defaultScopes and accessTokenLifetime only when set, and adopt only when true", () => {
    const specWith = (overrides: Partial<ConfidentialWebAppProps>) => {
      const { stack } = tenantStack();
      const webApp = new ConfidentialWebApp(stack, "web-app", webAppProps(overrides));
      return WebAppSpec.parse(specOf(Testing.synth(stack), webApp));
    };
    const plain = specWith({ adopt: false });
    expect(plain.owned).not.toHaveProperty("defaultScopes");
    expect(plain.owned).not.toHaveProperty("accessTokenLifetime");
    expect(plain).not.toHaveProperty("adopt");
    const set = specWith({ defaultScopes: ["openid"], accessTokenLifetime: 0, adopt: true });
    expect(set.owned).toMatchObject({ defaultScopes: ["openid"], accessTokenLifetime: 0 });
    expect(set.adopt).toBe(true);
  });

  it("fails when a default scope is not one of its scopes", () => {
    const { stack } = tenantStack();
    const e = captureError(() => new ConfidentialWebApp(stack, "web-app", webAppProps({ defaultScopes: ["openid", "profile"] })));
    expect(e.code).toBe("AIC_DEFAULT_SCOPE_OUTSIDE_SCOPES");
    expect(e.message).toMatch(/\["profile"\].*Fix: remove \["profile"\] from defaultScopes/);
  });

  it("fails when the access token lifetime is not whole seconds", () => {
    const { stack } = tenantStack();
    expect(() => new ConfidentialWebApp(stack, "web-app", webAppProps({ accessTokenLifetime: -1 }))).toThrow(/AIC_INVALID_LIFETIME/);
    expect(() => new ConfidentialWebApp(stack, "other", webAppProps({ clientId: "other", accessTokenLifetime: 1.5 }))).toThrow(/AIC_INVALID_LIFETIME/);
  });
});

