/**
 * SinglePageApp, NativeApp and ServiceApp: what each synthesizes (the spec of its kind) and the
 * synth checks that keep a public client public, redirect URIs to what AM and the app accept,
 * and private keys out of the stack.
 */
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { ConfidentialWebApp, NativeApp, OAuth2ProviderGrants, PublicKeys, Secret, ServiceApp, SinglePageApp, type ServiceAppProps, type SinglePageAppProps } from "../../constructs";
import { NativeAppSpec, SecretMappingSpec, ServiceAppSpec, SpaSpec } from "../../src/contract";
import { scratchDir } from "../support/scratch";
import { captureError, specOf, synthValidated, tenantStack } from "./helpers";

const spaProps = (p: Partial<SinglePageAppProps> = {}): SinglePageAppProps => ({
  name: "Shop", clientId: "shop-spa", scopes: ["openid", "profile"], redirectUris: ["https://shop.example.com/callback"], ...p,
});

/** A fresh RSA key pair as JWKs: the public one with kid, alg and use, and the private one. */
function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pub = { ...publicKey.export({ format: "jwk" }), kid: "svc-1", alg: "RS256", use: "sig" };
  return { pub, priv: { ...privateKey.export({ format: "jwk" }), kid: "svc-1" } };
}

describe(SinglePageApp, () => {
  it("synthesizes a public client: no secret, auth method none, its redirect URIs and CORS origins, consent implied", () => {
    const { stack } = tenantStack();
    const spa = new SinglePageApp(stack, "spa", spaProps({ corsOrigins: ["https://shop.example.com"], defaultScopes: ["openid"] }));
    const spec = SpaSpec.parse(specOf(Testing.synth(stack), spa));
    expect(spec).not.toHaveProperty("secret");
    expect(spec.owned).toEqual({
      name: "Shop",
      owners: [],
      scopes: ["openid", "profile"],
      grantTypes: ["authorization_code"],
      tokenEndpointAuthMethod: "none",
      redirectUris: ["https://shop.example.com/callback"],
      corsOrigins: ["https://shop.example.com"],
      impliedConsent: true,
      defaultScopes: ["openid"],
    });
  });

  it("refuses a client secret given where TypeScript does not check, naming the construct that keeps one", () => {
    const { stack } = tenantStack();
    const props = { ...spaProps(), clientSecret: Secret.fromEnv("SPA_SECRET") } as SinglePageAppProps;
    const e = captureError(() => new SinglePageApp(stack, "spa", props));
    expect(e.code).toBe("AIC_PUBLIC_CLIENT_SECRET");
    expect(e.message).toContain("ConfidentialWebApp");
  });

  it.each([
    ["https://shop.example.com/callback#done", "fragment"],
    ["https://*.example.com/callback", "wildcard"],
    ["http://shop.example.com/callback", "in clear"],
    ["com.example.shop:/callback", "a browser app cannot receive"],
    ["/callback", "not an absolute URI"],
  ])("refuses the redirect URI %s (%s)", (uri, why) => {
    const { stack } = tenantStack();
    const e = captureError(() => new SinglePageApp(stack, "spa", spaProps({ redirectUris: [uri] })));
    expect(e.code).toBe("AIC_INVALID_REDIRECT_URI");
    expect(e.message).toContain(why);
  });

  it("takes loopback http redirect URIs for development, and refuses none at all", () => {
    const { stack } = tenantStack();
    new SinglePageApp(stack, "dev", spaProps({ clientId: "dev", redirectUris: ["http://127.0.0.1:3000/cb", "http://localhost:3000/cb"] }));
    expect(() => synthValidated(stack)).not.toThrow();
    expect(captureError(() => new SinglePageApp(tenantStack().stack, "spa", spaProps({ redirectUris: [] }))).code).toBe("AIC_NO_REDIRECT_URIS");
  });

  it("refuses a CORS origin with a path and the grant types a public client must not use", () => {
    expect(captureError(() => new SinglePageApp(tenantStack().stack, "spa", spaProps({ corsOrigins: ["https://shop.example.com/"] }))).code).toBe("AIC_INVALID_CORS_ORIGIN");
    const e = captureError(() => new SinglePageApp(tenantStack().stack, "spa", spaProps({ grantTypes: ["authorization-code", "client-credentials"] })));
    expect(e.code).toBe("AIC_PUBLIC_CLIENT_GRANT_TYPE");
    expect(e.message).toContain("ServiceApp");
  });

  it("needs the realm's OAuth2ProviderGrants, when the stack has one, to require PKCE of public clients", () => {
    const without = tenantStack().stack;
    new OAuth2ProviderGrants(without, "provider", { grantTypes: ["authorization-code"] });
    new SinglePageApp(without, "spa", spaProps());
    expect(() => synthValidated(without)).toThrow(/AIC_PKCE_NOT_REQUIRED.*set requirePkce: "public-clients" on stack\/provider/);
    const required = tenantStack().stack;
    const provider = new OAuth2ProviderGrants(required, "provider", { grantTypes: ["authorization-code"], requirePkce: "public-clients" });
    new SinglePageApp(required, "spa", spaProps());
    expect(() => synthValidated(required)).not.toThrow();
    expect(JSON.parse(Testing.synth(required))).toBeDefined();
    expect(provider.requirePkce).toBe("public-clients");
  });

  it("shares the client id namespace with the other applications", () => {
    const { stack } = tenantStack();
    new SinglePageApp(stack, "spa", spaProps({ clientId: "shared" }));
    new ConfidentialWebApp(stack, "web", { name: "Web", clientId: "shared", clientSecret: Secret.fromEnv("WEB_SECRET"), scopes: ["openid"] });
    expect(() => synthValidated(stack)).toThrow(/AIC_DUPLICATE_CLIENT_ID/);
  });
});

describe(NativeApp, () => {
  it("synthesizes a public client whose redirect URIs may use its own scheme or the loopback address", () => {
    const { stack } = tenantStack();
    const app = new NativeApp(stack, "mobile", { name: "Mobile", clientId: "mobile", scopes: ["openid"], redirectUris: ["com.example.mobile:/oauth2redirect", "http://127.0.0.1/callback"] });
    const spec = NativeAppSpec.parse(specOf(Testing.synth(stack), app));
    expect(spec.owned).toMatchObject({ tokenEndpointAuthMethod: "none", redirectUris: ["com.example.mobile:/oauth2redirect", "http://127.0.0.1/callback"], impliedConsent: true });
    expect(spec).not.toHaveProperty("secret");
  });

  it.each([["javascript:alert(1)"], ["com.example.mobile:/cb#x"], ["http://mobile.example.com/cb"]])("refuses the redirect URI %s", (uri) => {
    const e = captureError(() => new NativeApp(tenantStack().stack, "mobile", { name: "Mobile", clientId: "mobile", scopes: ["openid"], redirectUris: [uri] }));
    expect(e.code).toBe("AIC_INVALID_REDIRECT_URI");
  });
});

describe(ServiceApp, () => {
  const base = { name: "Reports", clientId: "reports", scopes: ["read-data"] };

  it("synthesizes a client-credentials client with a secret reference (client_secret_basic by default)", () => {
    const { stack } = tenantStack();
    const app = new ServiceApp(stack, "svc", { ...base, clientSecret: Secret.fromEnv("REPORTS_SECRET") });
    const spec = ServiceAppSpec.parse(specOf(Testing.synth(stack), app));
    expect(spec.owned).toMatchObject({ grantTypes: ["client_credentials"], tokenEndpointAuthMethod: "client_secret_basic" });
    expect(spec.owned.jwks).toBeUndefined();
    expect(spec.secret).toEqual({ env: "REPORTS_SECRET", version: 1 });
  });

  it("takes its secret from the tenant's store like a web app: a label identifier and the mapping, no secret reference", () => {
    const { stack } = tenantStack();
    const app = new ServiceApp(stack, "svc", { ...base, clientSecret: Secret.fromEsv("esv-reports-secret") });
    const synth = Testing.synth(stack);
    const spec = ServiceAppSpec.parse(specOf(synth, app));
    expect(spec.owned.secretLabelIdentifier).toBe("reports");
    expect(spec).not.toHaveProperty("secret");
    expect(SecretMappingSpec.parse(specOf(synth, app.node.findChild("SecretMapping")))).toMatchObject({ owned: { esv: "esv-reports-secret" } });
  });

  it("reads the public keys of private_key_jwt from a file at synth, and holds no secret", () => {
    const { pub } = keyPair();
    const file = join(scratchDir("cdktf-aic-jwks-"), "reports.jwks.json");
    writeFileSync(file, JSON.stringify({ keys: [pub] }));
    const { stack } = tenantStack();
    const app = new ServiceApp(stack, "svc", { ...base, publicKeys: PublicKeys.fromFile(file) });
    const spec = ServiceAppSpec.parse(specOf(Testing.synth(stack), app));
    expect(spec.owned.tokenEndpointAuthMethod).toBe("private_key_jwt");
    expect(spec.owned.jwks).toEqual({ keys: [pub] });
    expect(spec).not.toHaveProperty("secret");
  });

  it("refuses private key material, from code, a file or a variable, without quoting it", () => {
    const { priv } = keyPair();
    const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    const file = join(scratchDir("cdktf-aic-jwks-"), "key.pem");
    writeFileSync(file, pem);
    process.env.REPORTS_JWKS_TEST = JSON.stringify({ keys: [priv] });
    try {
      for (const publicKeys of [PublicKeys.fromJwks(priv), PublicKeys.fromFile(file), PublicKeys.fromEnv("REPORTS_JWKS_TEST")]) {
        const e = captureError(() => new ServiceApp(tenantStack().stack, "svc", { ...base, publicKeys }));
        expect(e.code).toBe("AIC_PRIVATE_KEY_MATERIAL");
        expect(e.message).not.toContain(priv.d as string);
        expect(e.message).not.toContain(pem.split("\n")[1]);
      }
    } finally {
      delete process.env.REPORTS_JWKS_TEST;
    }
  });

  it.each<[string, Partial<ServiceAppProps>]>([
    ["both a secret and keys", { clientSecret: Secret.fromEnv("S_SECRET"), publicKeys: PublicKeys.fromJwks(keyPair().pub) }],
    ["private_key_jwt without keys", { tokenEndpointAuthMethod: "private_key_jwt", clientSecret: Secret.fromEnv("S_SECRET") }],
    ["a secret method without a secret", { tokenEndpointAuthMethod: "client_secret_post" }],
  ])("refuses %s", (_, props) => {
    expect(captureError(() => new ServiceApp(tenantStack().stack, "svc", { ...base, ...props })).code).toBe("AIC_SERVICE_APP_CREDENTIALS");
  });

  it("refuses keys that are not a JWK set of signing keys", () => {
    expect(captureError(() => new ServiceApp(tenantStack().stack, "svc", { ...base, publicKeys: PublicKeys.fromJwks({ keys: [] }) })).code).toBe("AIC_INVALID_PUBLIC_KEYS");
    expect(captureError(() => new ServiceApp(tenantStack().stack, "svc", { ...base, publicKeys: PublicKeys.fromEnv("NO_SUCH_JWKS_VARIABLE") })).code).toBe("AIC_INVALID_PUBLIC_KEYS");
  });
});
