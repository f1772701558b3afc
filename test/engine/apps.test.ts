/**
 * The sync of the applications other than web apps (SPA, native app, service app) against the
 * embedded tenant over HTTP: each is made as its console template makes it (the AM client and
 * the IDM application record of its template), updated in place, adopted, and deleted.
 */
import { generateKeyPairSync } from "node:crypto";
import type { Spec, SpecOf } from "../../src/contract/spec";
import { findApplication } from "../../src/engine/live";
import { Journaled, TestTenant, useTenant } from "./support";

const t = new TestTenant();
let j: Journaled;
useTenant(t, (fresh) => (j = fresh));

const SERVICE_SECRET = { SERVICE_APP_SECRET: `service-${Math.random().toString(36).slice(2)}-planted` };
const jwks = () => {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { keys: [{ ...publicKey.export({ format: "jwk" }), kid: "reports-1", alg: "RS256", use: "sig" }] };
};
const KEYS = jwks();

const spa = (owned: Record<string, unknown> = {}) =>
  t.spec<"spa">({
    kind: "spa",
    id: "shop-spa",
    owned: { name: "Shop", owners: ["alice.walker"], scopes: ["openid", "profile"], grantTypes: ["authorization_code"], tokenEndpointAuthMethod: "none", redirectUris: ["https://shop.example.com/cb"], corsOrigins: ["https://shop.example.com"], impliedConsent: true, ...owned },
  });
const nativeApp = () =>
  t.spec<"native-app">({
    kind: "native-app",
    id: "mobile",
    owned: { name: "Mobile", owners: [], scopes: ["openid"], grantTypes: ["authorization_code"], tokenEndpointAuthMethod: "none", redirectUris: ["com.example.mobile:/cb", "http://127.0.0.1/cb"], impliedConsent: true },
  });
const serviceApp = (withKeys: boolean) =>
  t.spec<"service-app">({
    kind: "service-app",
    id: "reports",
    owned: { name: "Reports", owners: [], scopes: ["read-data"], grantTypes: ["client_credentials"], ...(withKeys ? { tokenEndpointAuthMethod: "private_key_jwt", jwks: KEYS } : { tokenEndpointAuthMethod: "client_secret_basic" }) },
    ...(withKeys ? {} : { secret: { env: "SERVICE_APP_SECRET", version: 1 } }),
  });
const provider = () => t.providerGrants({ grantTypes: ["authorization_code", "client_credentials"], codeVerifierEnforced: "public" });
const all = (): Spec[] => [provider(), spa(), nativeApp(), serviceApp(true)];
const actions = (o: { results: readonly { kind: string; id: string; action: string }[] }) => o.results.map((r) => `${r.action} ${r.kind} ${r.id}`).sort();
const wrapped = (client: unknown, group: string, key: string) => ((client as Record<string, Record<string, { value?: unknown }>>)[group]?.[key] ?? {}).value;

describe("syncTenant: SPAs, native apps and service apps", () => {
  it("creates each as its template does: the AM client (public ones without a secret) and the application record", async () => {
    const o = await j.apply(all());
    expect(o.failed).toBe(0);
    expect(actions(o)).toEqual(["created native-app mobile", "created service-app reports", "created spa shop-spa", "updated oauth2-provider-grants oauth2-provider"]);
    // PKCE is required of public clients, realm-wide (AM has no per-client switch).
    expect((await t.api.getProvider())!.advancedOAuth2Config).toMatchObject({ codeVerifierEnforced: "public" });
    // No secret is written for a public client or a private_key_jwt service.
    for (const r of o.results) expect(r.changes.filter((c) => c.sensitive)).toEqual([]);

    const shop = await t.api.getOAuth2Client("shop-spa");
    expect(wrapped(shop, "coreOAuth2ClientConfig", "clientType")).toBe("Public");
    expect(wrapped(shop, "advancedOAuth2ClientConfig", "tokenEndpointAuthMethod")).toBe("none");
    expect(wrapped(shop, "advancedOAuth2ClientConfig", "javascriptOrigins")).toEqual(["https://shop.example.com"]);
    expect(wrapped(shop, "advancedOAuth2ClientConfig", "isConsentImplied")).toBe(true);
    expect(wrapped(await t.api.getOAuth2Client("mobile"), "coreOAuth2ClientConfig", "loopbackInterfaceRedirection")).toBe(true);
    const reports = await t.api.getOAuth2Client("reports");
    expect(wrapped(reports, "signEncOAuth2ClientConfig", "publicKeyLocation")).toBe("jwks");
    expect(JSON.parse(wrapped(reports, "signEncOAuth2ClientConfig", "jwkSet") as string)).toEqual(KEYS);
    expect(wrapped(reports, "coreOAuth2ClientConfig", "clientType")).toBe("Confidential");

    const templates = await Promise.all(["shop-spa", "mobile", "reports"].map(async (id) => (await t.api.queryManaged<{ templateName?: string }>("application", { filter: `ssoEntities/oidcId eq "${id}"`, fields: ["templateName"] }))[0]?.templateName));
    expect(templates).toEqual(["spa", "native", "service"]);
  });

  it("never relaxes a realm that requires PKCE of every client", async () => {
    await j.apply([t.providerGrants({ grantTypes: ["authorization_code"], codeVerifierEnforced: "true" })]);
    const o = await new Journaled(t).apply([provider()]);
    // "true" already requires it of public clients: nothing to write.
    expect(actions(o)).toEqual(["unchanged oauth2-provider-grants oauth2-provider"]);
    expect((await t.api.getProvider())!.advancedOAuth2Config).toMatchObject({ codeVerifierEnforced: "true" });
  });

  it("writes nothing when the code did not change, and only the changed object when it did", async () => {
    await j.apply(all());
    await t.clearAudit();
    expect((await j.apply(all())).nothingToDo).toBe(true);
    expect(await t.adminCalls()).toEqual([]);
    const o = await j.apply([provider(), spa({ corsOrigins: ["https://shop.example.com", "http://127.0.0.1:3000"] }), nativeApp(), serviceApp(true)]);
    expect(actions(o)).toEqual(["updated spa shop-spa"]);
    expect(o.results[0].changes).toEqual([{ field: "advancedOAuth2ClientConfig.javascriptOrigins", from: ["https://shop.example.com"], to: ["https://shop.example.com", "http://127.0.0.1:3000"] }]);
    expect((await t.writes()).map((e) => `${e.method} ${e.path.split("?")[0]}`)).toEqual(["PUT /am/json/realms/root/realms/alpha/realm-config/agents/OAuth2Client/shop-spa"]);
  });

  it("writes the secret when a service app moves from private_key_jwt to a client secret, and needs its variable", async () => {
    await j.apply([provider(), serviceApp(true)]);
    const refused = await j.apply([provider(), serviceApp(false)], { SERVICE_APP_SECRET: undefined });
    expect(refused.results.map((r) => r.notes.join())).toEqual([expect.stringMatching(/^SERVICE_APP_SECRET is not set: service-app reports rotates its secret/)]);
    const o = await j.apply([provider(), serviceApp(false)], SERVICE_SECRET);
    expect(o.failed).toBe(0);
    expect(o.results[0].changes).toEqual(expect.arrayContaining([expect.objectContaining({ field: "advancedOAuth2ClientConfig.tokenEndpointAuthMethod", to: "client_secret_basic" })]));
    // The secret authenticates the client now.
    const token = await fetch(`${t.tenant.baseUrl}/am/oauth2/realms/root/realms/alpha/access_token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`reports:${SERVICE_SECRET.SERVICE_APP_SECRET}`).toString("base64")}` },
      body: "grant_type=client_credentials&scope=read-data",
    });
    expect(token.status).toBe(200);
  });

  describe("one made elsewhere (the console, as it were)", () => {
    beforeEach(async () => {
      await new Journaled(t).apply([provider(), spa({ name: "Console Shop", corsOrigins: [] })]);
      await t.clearAudit();
    });

    it("is refused without adopt, before any write", async () => {
      const o = await j.apply([provider(), spa()]);
      expect(o.results.find((r) => r.kind === "spa")!.notes[0]).toMatch(/^spa shop-spa already exists .* set adopt: true/);
      expect(await t.writes()).toEqual([]);
    });

    it("is adopted with adopt: true, its owned fields reconciled, and deleted once it leaves the code", async () => {
      const adopted = await j.apply([provider(), { ...spa(), adopt: true } as SpecOf<"spa">]);
      expect(actions(adopted)).toContain("adopted spa shop-spa");
      expect(wrapped(await t.api.getOAuth2Client("shop-spa"), "coreOAuth2ClientConfig", "clientName")).toEqual(["Shop"]);
      const removed = await j.apply([provider()]);
      expect(actions(removed)).toEqual(["deleted spa shop-spa"]);
      expect(await t.api.getOAuth2Client("shop-spa")).toBeUndefined();
      expect(await findApplication(t.api, "shop-spa")).toBeUndefined();
    });
  });
});
