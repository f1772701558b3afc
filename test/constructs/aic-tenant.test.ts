import "cdktf/lib/testing/adapters/jest";
import { Construct } from "constructs";
import { TerraformStack, Testing } from "cdktf";
import { NullProvider } from "@cdktf/provider-null/lib/provider";
import { AicTenant, ConfidentialWebApp, OAuth2ProviderGrants, TenantCredentials } from "../../constructs";
import { DEFAULT_CREDENTIAL_ENV, WebAppSpec } from "../../src/contract";
import { TENANT_URL, resourceOf, testApp, specOf, synthValidated, webAppProps } from "./helpers";

Testing.setupJest();

function stack(): TerraformStack {
  return new TerraformStack(testApp(), "stack");
}

describe(AicTenant, () => {
  it("has the construct tree Origin, Journal (public API) and adds the CLI asset, and no provider, to the stack", () => {
    const s = stack();
    new AicTenant(s, "Tenant", { baseUrl: TENANT_URL });
    expect(Testing.renderConstructTree(s)).toMatchSnapshot();
  });

  it("defaults to realm alpha and the service account credentials", () => {
    const tenant = new AicTenant(stack(), "Tenant", { baseUrl: `${TENANT_URL}/` });
    expect(tenant.tenantRef).toEqual({
      baseUrl: TENANT_URL,
      realm: "alpha",
      auth: {
        method: "service-account",
        idEnv: DEFAULT_CREDENTIAL_ENV.serviceAccountId,
        jwkEnv: DEFAULT_CREDENTIAL_ENV.serviceAccountJwk,
        scopeEnv: DEFAULT_CREDENTIAL_ENV.serviceAccountScope,
      },
    });
  });

  it("carries the chosen credential env names into every spec", () => {
    const s = stack();
    new AicTenant(s, "Tenant", {
      baseUrl: TENANT_URL,
      realm: "root",
      credentials: TenantCredentials.amAdmin({ usernameEnv: "AM_USER" }),
    });
    const app = new ConfidentialWebApp(s, "web-app", webAppProps());
    const spec = WebAppSpec.parse(specOf(Testing.synth(s), app));
    expect(spec.tenant).toEqual({
      baseUrl: TENANT_URL,
      realm: "root",
      auth: { method: "am-session", usernameEnv: "AM_USER", passwordEnv: DEFAULT_CREDENTIAL_ENV.amAdminPassword },
    });
  });

  it("offers bearer token credentials", () => {
    expect(TenantCredentials.bearerToken().authConfig).toEqual({ method: "bearer", tokenEnv: DEFAULT_CREDENTIAL_ENV.bearerToken });
  });

  it("is found from an ancestor or from the stack", () => {
    const s = stack();
    const tenant = new AicTenant(s, "Tenant", { baseUrl: TENANT_URL });
    const nested = new Construct(new Construct(s, "team"), "apps");
    expect(AicTenant.of(nested)).toBe(tenant);
    expect(AicTenant.of(new Construct(tenant, "inside"))).toBe(tenant);
  });

  it("lets a stack configure two realms when constructs live inside their tenant", () => {
    const s = stack();
    const alpha = new AicTenant(s, "Alpha", { baseUrl: TENANT_URL, realm: "alpha" });
    const bravo = new AicTenant(s, "Bravo", { baseUrl: TENANT_URL, realm: "bravo" });
    new ConfidentialWebApp(alpha, "web-app", webAppProps());
    new ConfidentialWebApp(bravo, "web-app", webAppProps());
    const synth = JSON.parse(Testing.synth(s, true));
    // terraform_data is built into Terraform: no provider to install.
    expect(synth.provider).toBeUndefined();
    expect(s.node.findAll().filter((c) => c instanceof NullProvider)).toHaveLength(0);
    expect(Object.keys(synth.resource)).toEqual(["terraform_data"]);
  });

  it("adds the null provider once per stack, however many tenants, for null_resource custom resources", () => {
    const s = stack();
    for (const realm of ["alpha", "bravo"]) {
      const tenant = new AicTenant(s, realm, { baseUrl: TENANT_URL, realm, customResourceType: "null_resource" });
      new ConfidentialWebApp(tenant, "web-app", webAppProps());
    }
    expect(s.node.findAll().filter((c) => c instanceof NullProvider)).toHaveLength(1);
    expect(JSON.parse(Testing.synth(s, true)).provider).toEqual({ null: [{}] });
  });

  it("leaves a null provider the stack already has alone", () => {
    const s = stack();
    const own = new NullProvider(s, "own");
    new AicTenant(s, "Tenant", { baseUrl: TENANT_URL, customResourceType: "null_resource" });
    expect(s.node.findAll().filter((c) => c instanceof NullProvider)).toEqual([own]);
  });

  it("restores drift on every apply when asked: a Reconcile replaced at every plan, after the sync", () => {
    const s = stack();
    const tenant = new AicTenant(s, "Tenant", { baseUrl: TENANT_URL, restoreDrift: true });
    new ConfidentialWebApp(s, "web-app", webAppProps());
    const synth = JSON.parse(Testing.synth(s)) as { resource: { terraform_data: Record<string, Record<string, any>> } };
    const reconcile = Object.entries(synth.resource.terraform_data).find(([name]) => name.startsWith("Tenant_Reconcile"))![1];
    expect(reconcile.triggers_replace).toEqual({ at: "${plantimestamp()}" });
    expect(reconcile.input).toEqual({ reconcile: JSON.stringify({ baseUrl: TENANT_URL, realm: "alpha" }) });
    const exec = reconcile.provisioner[0]["local-exec"];
    expect(exec.command).toMatch(/ reconcile$/);
    expect(JSON.parse(exec.environment.CDKTF_AIC_TENANT)).toEqual(tenant.tenantRef);
    expect(reconcile.depends_on).toEqual([`terraform_data.${Object.keys(synth.resource.terraform_data).find((n) => n.startsWith("Tenant_Journal"))}`]);
  });

  it("has no Reconcile unless asked", () => {
    const s = stack();
    new AicTenant(s, "Tenant", { baseUrl: TENANT_URL });
    new ConfidentialWebApp(s, "web-app", webAppProps());
    expect(Testing.synth(s)).not.toContain("reconcile");
  });

  it("fails when no tenant is in scope", () => {
    expect(() => new OAuth2ProviderGrants(stack(), "provider", { grantTypes: ["password"] })).toThrow(
      expect.objectContaining({ code: "AIC_NO_TENANT", constructPath: "stack/provider" }),
    );
  });

  it("fails when two tenants are in scope", () => {
    const s = stack();
    new AicTenant(s, "Alpha", { baseUrl: TENANT_URL, realm: "alpha" });
    new AicTenant(s, "Bravo", { baseUrl: TENANT_URL, realm: "bravo" });
    expect(() => new OAuth2ProviderGrants(s, "provider", { grantTypes: ["password"] })).toThrow(/AIC_AMBIGUOUS_TENANT.*stack\/Alpha/);
  });

  it("fails when the base URL is not an http(s) URL", () => {
    expect(() => new AicTenant(stack(), "Tenant", { baseUrl: "tenant.example.com" })).toThrow(
      /stack\/Tenant: \[AIC_INVALID_TENANT_URL\] .*Received: "tenant.example.com"/,
    );
  });

  it("fails when the realm is not a realm name", () => {
    expect(() => new AicTenant(stack(), "Tenant", { baseUrl: TENANT_URL, realm: "al pha" })).toThrow(/AIC_INVALID_REALM/);
  });

  it.each([
    ["http:// to a host that is not this machine", "http://tenant.example.com", "AIC_INSECURE_TENANT_URL", /https:\/\/tenant\.example\.com/],
    ["credentials in the URL", "https://admin:hunter2@tenant.example.com", "AIC_TENANT_URL_CREDENTIALS", /credential env vars/],
    ["a query", "https://tenant.example.com?realm=alpha", "AIC_INVALID_TENANT_URL", /without \?query or #fragment/],
    ["a fragment", "https://tenant.example.com/#x", "AIC_INVALID_TENANT_URL", /without \?query or #fragment/],
    ["a space", "https://tenant.example.com /", "AIC_INVALID_TENANT_URL", /no spaces/],
    ["a trailing /am", "https://tenant.example.com/am/", "AIC_INVALID_TENANT_URL", /drop \/am/],
  ])("fails at synth on a base URL with %s, naming the value, what is allowed and the fix", (_what, baseUrl, code, fix) => {
    let error: unknown;
    try {
      new AicTenant(stack(), "Tenant", { baseUrl });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: "ValidationError", code });
    const message = (error as Error).message;
    expect(message).toMatch(/^stack\/Tenant: \[AIC_[A-Z_]+\] baseUrl .*Received: .*Allowed: .*Fix: /);
    expect(message).toMatch(fix);
    expect(message).not.toContain("hunter2");
  });

  it("allows http:// for this machine only: 127.0.0.1, localhost and [::1]", () => {
    for (const baseUrl of ["http://127.0.0.1:18443", "http://localhost:18443", "http://[::1]:18443"]) {
      expect(() => new AicTenant(stack(), "Tenant", { baseUrl })).not.toThrow();
    }
  });

  it("carries the normalised base URL and realm in its tenant ref, so a respelling is the same identity", () => {
    const spelled = new AicTenant(stack(), "Tenant", { baseUrl: "http://LOCALHOST:18443/", realm: "root/alpha" });
    const plain = new AicTenant(stack(), "Tenant", { baseUrl: "http://127.0.0.1:18443", realm: "alpha" });
    expect(spelled.tenantRef).toEqual(plain.tenantRef);
    expect(spelled.tenantRef).toMatchObject({ baseUrl: "http://127.0.0.1:18443", realm: "alpha" });
    expect(spelled.tenantKey).toBe(plain.tenantKey);
    const https = new AicTenant(stack(), "Tenant", { baseUrl: "https://Tenant.Example.com:443/", realm: "/bravo/sub" });
    expect(https.tenantRef).toMatchObject({ baseUrl: "https://tenant.example.com", realm: "bravo/sub" });
  });

  it("accepts a stack of 5,000 objects: its journal travels in parts of under 100 KB", () => {
    const s = stack();
    const tenant = new AicTenant(s, "Tenant", { baseUrl: TENANT_URL });
    for (let i = 0; i < 5000; i++) new ConfidentialWebApp(tenant, `app-${i}`, webAppProps({ clientId: `a-long-enough-client-id-${i}`, owners: [] }));
    const journal = resourceOf(synthValidated(s), tenant, "Journal");
    const parts = Object.values(journal.triggers_replace as Record<string, { objects: object }>);
    expect(parts.length).toBeGreaterThan(4);
    for (const part of parts) expect(Buffer.byteLength(JSON.stringify(part))).toBeLessThan(100 * 1024);
    expect(parts.reduce((n, p) => n + Object.keys(p.objects).length, 0)).toBe(5000);
  }, 120_000);

  it("fails when the journal would not fit in a provisioner's environment even in parts", () => {
    const s = stack();
    const tenant = new AicTenant(s, "Tenant", { baseUrl: TENANT_URL });
    // About 3 KB of journal per object (long client ids): 400 objects need more than 8 parts.
    for (let i = 0; i < 400; i++) {
      new ConfidentialWebApp(tenant, `app-${i}`, webAppProps({ clientId: `client-${i}-${"x".repeat(1500)}`, owners: [] }));
    }
    expect(() => synthValidated(s)).toThrow(/AIC_JOURNAL_TOO_LARGE.*split the objects over two stacks/s);
  }, 60_000);

  it("fails when a credential env var name is invalid", () => {
    expect(
      () => new AicTenant(stack(), "Tenant", { baseUrl: TENANT_URL, credentials: TenantCredentials.serviceAccount({ jwkEnv: "1JWK" }) }),
    ).toThrow(/\[AIC_INVALID_ENV_NAME\] credentials.jwkEnv/);
  });

  it("fails when one client id is managed by two stacks of one app, naming both constructs", () => {
    const app = testApp();
    for (const name of ["alpha", "beta"]) {
      const s = new TerraformStack(app, name);
      new AicTenant(s, "Tenant", { baseUrl: TENANT_URL });
      new ConfidentialWebApp(s, "web-app", webAppProps());
    }
    expect(() => app.synth()).toThrow(/\[AIC_DUPLICATE_CLIENT_ID\] client id "digital-assistant-web-app" of alpha\/web-app is also used by beta\/web-app/);
  });

  it("allows provider grants of one realm in two stacks (they only ensure grant types are on)", () => {
    const app = testApp();
    for (const name of ["alpha", "beta"]) {
      const s = new TerraformStack(app, name);
      new AicTenant(s, "Tenant", { baseUrl: TENANT_URL });
      new OAuth2ProviderGrants(s, "provider", { grantTypes: ["password"] });
    }
    expect(() => app.synth()).not.toThrow();
  });
});
