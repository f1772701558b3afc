import { randomBytes } from "node:crypto";
import { TerraformStack, Testing } from "cdktf";
import { AicTenant, EnvironmentSecret, EnvironmentVariable, Secret, TenantCredentials, TenantStack, VALIDATION_CODES as C } from "../../constructs";
import { EsvSecretSpec, EsvVariableSpec } from "../../src/contract";
import { captureError, specOf, synthValidated, tenantStack, testApp, TENANT_URL } from "./helpers";

const secretProps = (extra: Record<string, unknown> = {}) => ({ esvId: "esv-api-key", value: Secret.fromEnv("ESV_API_KEY"), ...extra });

describe(EnvironmentSecret, () => {
  it("carries its env var and version in the spec, never a value; encoding generic and description empty by default", () => {
    const { stack } = tenantStack();
    const secret = new EnvironmentSecret(stack, "ApiKey", secretProps());
    const spec = EsvSecretSpec.parse(specOf(Testing.synth(stack), secret));
    expect(spec).toMatchObject({ kind: "esv-secret", id: "esv-api-key", owned: { description: "", encoding: "generic", useInPlaceholders: true }, secret: { env: "ESV_API_KEY", version: 1 } });
    expect(secret.placeholder).toBe("&{esv.api.key}");
  });

  it("takes a description, an encoding, a version and removalPolicy retain", () => {
    const { stack } = tenantStack();
    const secret = new EnvironmentSecret(stack, "ApiKey", secretProps({ description: "Key", encoding: "pem", value: Secret.fromEnv("K", { version: 3 }), removalPolicy: "retain" }));
    const spec = EsvSecretSpec.parse(specOf(Testing.synth(stack), secret));
    expect(spec).toMatchObject({ owned: { description: "Key", encoding: "pem" }, secret: { env: "K", version: 3 }, removalPolicy: "retain" });
  });

  it("never writes the value of its env var into the synthesized stack", () => {
    const planted = `planted-${randomBytes(12).toString("hex")}`;
    process.env.ESV_API_KEY = planted;
    try {
      const { stack } = tenantStack();
      new EnvironmentSecret(stack, "ApiKey", secretProps());
      const synth = synthValidated(stack);
      expect(synth).toContain("ESV_API_KEY");
      expect(synth).not.toContain(planted);
      expect(synth).not.toContain(Buffer.from(planted).toString("base64"));
    } finally {
      delete process.env.ESV_API_KEY;
    }
  });

  it.each([
    ["an id without esv-", { esvId: "api-key" }, C.invalidEsvId, /use e\.g\. "esv-api-key"/],
    ["an id with capitals", { esvId: "esv-ApiKey" }, C.invalidEsvId, /esv-apikey/],
    ["a description over 1000 characters", { description: "x".repeat(1001) }, C.esvDescriptionTooLong, /at most 1000 characters/],
    ["an unknown encoding", { encoding: "hex" }, C.invalidEsvOption, /"generic", "pem"/],
    ["a bad env var name", { value: Secret.fromEnv("1BAD") }, C.invalidEnvName, /value \(Secret\.fromEnv\)/],
  ])("refuses %s", (_what, extra, code, message) => {
    const { stack } = tenantStack();
    const e = captureError(() => new EnvironmentSecret(stack, "ApiKey", secretProps(extra) as never));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it("takes previousVersions (keep, the default, is no field of the spec) and useInPlaceholders; a secret kept out of placeholders has no placeholder", () => {
    const { stack } = tenantStack();
    const kept = new EnvironmentSecret(stack, "Kept", secretProps({ esvId: "esv-kept" }));
    const disabling = new EnvironmentSecret(stack, "Disabling", secretProps({ esvId: "esv-disabling", previousVersions: "disable" }));
    const mapped = new EnvironmentSecret(stack, "Mapped", secretProps({ esvId: "esv-mapped", previousVersions: "destroy", useInPlaceholders: false }));
    const synth = Testing.synth(stack);
    expect(EsvSecretSpec.parse(specOf(synth, kept))).not.toHaveProperty("previousVersions");
    expect(EsvSecretSpec.parse(specOf(synth, disabling))).toMatchObject({ previousVersions: "disable", owned: { useInPlaceholders: true } });
    expect(EsvSecretSpec.parse(specOf(synth, mapped))).toMatchObject({ previousVersions: "destroy", owned: { useInPlaceholders: false } });
    expect(disabling.placeholder).toBe("&{esv.disabling}");
    expect(mapped.useInPlaceholders).toBe(false);
    const e = captureError(() => mapped.placeholder);
    expect(e.code).toBe(C.invalidEsvOption);
    expect(e.message).toMatch(/esv-mapped has useInPlaceholders: false, so no placeholder names it/);
    expect(captureError(() => new EnvironmentSecret(stack, "Bad", secretProps({ esvId: "esv-bad", previousVersions: "delete" }) as never)).message).toMatch(/"keep", "disable", "destroy"/);
  });

  it("refuses an unknown prop at synth", () => {
    const { stack } = tenantStack();
    new EnvironmentSecret(stack, "ApiKey", secretProps({ versions: 2 }) as never);
    expect(() => synthValidated(stack)).toThrow(/AIC_UNKNOWN_PROP.*versions/);
  });
});

describe(EnvironmentVariable, () => {
  it("carries its value in the spec; expressionType string by default", () => {
    const { stack } = tenantStack();
    const variable = new EnvironmentVariable(stack, "Port", { esvId: "esv-ldap-port", value: "1389" });
    const spec = EsvVariableSpec.parse(specOf(Testing.synth(stack), variable));
    expect(spec).toMatchObject({ kind: "esv-variable", id: "esv-ldap-port", owned: { value: "1389", expressionType: "string", description: "" } });
  });

  it.each([
    ["an invalid id", { esvId: "esv.port" }, C.invalidEsvId],
    ["a value over 65,535 bytes", { value: "é".repeat(32_768) }, C.esvValueTooLarge],
    ["an unknown expressionType", { expressionType: "integer" }, C.invalidEsvOption],
    ["a description over 1000 characters", { description: "y".repeat(1001) }, C.esvDescriptionTooLong],
  ])("refuses %s", (_what, extra, code) => {
    const { stack } = tenantStack();
    const e = captureError(() => new EnvironmentVariable(stack, "Port", { esvId: "esv-ldap-port", value: "1389", ...extra } as never));
    expect(e.code).toBe(code);
  });

  it("refuses the same ESV declared twice in one stack", () => {
    const { stack } = tenantStack();
    new EnvironmentVariable(stack, "A", { esvId: "esv-x", value: "1" });
    new EnvironmentVariable(stack, "B", { esvId: "esv-x", value: "2" });
    expect(() => synthValidated(stack)).toThrow(/AIC_DUPLICATE_OBJECT/);
  });

  it("refuses the same ESV declared in two realms of one tenant (ESVs are tenant-wide), in two stacks of one app", () => {
    const { app, stack } = tenantStack({ realm: "alpha" });
    const other = new TerraformStack(app, "bravo-stack");
    new AicTenant(other, "Tenant", { baseUrl: TENANT_URL, realm: "bravo" });
    new EnvironmentVariable(stack, "A", { esvId: "esv-x", value: "1" });
    new EnvironmentVariable(other, "B", { esvId: "esv-x", value: "2" });
    expect(() => synthValidated(stack)).toThrow(/AIC_DUPLICATE_OBJECT\] stack\/A and bravo-stack\/B configure the same esv-variable object/);
  });
});

describe("the tenant's esvRestart policy", () => {
  it("is absent from the specs by default (never restart); after-apply puts its timeout (600 s by default) in every ESV's spec", () => {
    const never = tenantStack();
    const plain = new EnvironmentVariable(never.stack, "Port", { esvId: "esv-ldap-port", value: "1389" });
    expect(EsvVariableSpec.parse(specOf(Testing.synth(never.stack), plain))).not.toHaveProperty("restart");

    const { stack } = tenantStack({ esvRestart: { policy: "after-apply" } });
    const variable = new EnvironmentVariable(stack, "Port", { esvId: "esv-ldap-port", value: "1389" });
    const secret = new EnvironmentSecret(stack, "ApiKey", secretProps());
    const synth = Testing.synth(stack);
    expect(EsvVariableSpec.parse(specOf(synth, variable))).toMatchObject({ restart: { timeoutSeconds: 600 } });
    expect(EsvSecretSpec.parse(specOf(synth, secret))).toMatchObject({ restart: { timeoutSeconds: 600 } });
    const timed = tenantStack({ esvRestart: { policy: "after-apply", timeoutSeconds: 120 } });
    const port = new EnvironmentVariable(timed.stack, "Port", { esvId: "esv-ldap-port", value: "1" });
    expect(EsvVariableSpec.parse(specOf(Testing.synth(timed.stack), port))).toMatchObject({ restart: { timeoutSeconds: 120 } });
  });

  it.each([
    ["an unknown policy", { policy: "always" }, /"never", "after-apply"/],
    ["a timeout of 0", { policy: "after-apply", timeoutSeconds: 0 }, /an integer from 1 to 3600/],
    ["a fractional timeout", { policy: "after-apply", timeoutSeconds: 1.5 }, /an integer from 1 to 3600/],
  ])("refuses %s", (_what, esvRestart, message) => {
    const e = captureError(() => tenantStack({ esvRestart } as never));
    expect(e.code).toBe(C.invalidEsvOption);
    expect(e.message).toMatch(message);
  });
});

describe("ESVs on a self-managed PingAM", () => {
  it("are a synth error naming the constructs (ESVs are Advanced Identity Cloud's), in a TenantStack with every other error", () => {
    const app = testApp();
    const stack = new TenantStack(app, "am", { tenant: { baseUrl: TENANT_URL, credentials: TenantCredentials.amAdmin() } });
    new EnvironmentSecret(stack, "ApiKey", secretProps());
    new EnvironmentVariable(stack, "Port", { esvId: "esv-ldap-port", value: "1389" });
    let message = "";
    try {
      synthValidated(stack);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/am\/ApiKey[\s\S]*AIC_ESV_NOT_ON_PINGAM[\s\S]*exist in Advanced Identity Cloud only, and this tenant is a self-managed PingAM/);
    expect(message).toMatch(/am\/Port[\s\S]*AIC_ESV_NOT_ON_PINGAM/);
  });

  it("is no error with service-account credentials", () => {
    const { stack } = tenantStack({ credentials: TenantCredentials.serviceAccount() });
    new EnvironmentVariable(stack, "Port", { esvId: "esv-ldap-port", value: "1389" });
    expect(() => synthValidated(stack)).not.toThrow();
  });
});
