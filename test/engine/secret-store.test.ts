/**
 * Client secrets kept in the tenant's secret store (`Secret.fromEsv`) through the sync, against the
 * embedded tenant over HTTP: the client gets a secret label identifier, the realm maps its label to
 * the ESV secret, and the client then authenticates with the ESV's value, which no client write
 * carries. Rotation is a new ESV version; removal deletes the mapping before the client.
 */
import { createOAuth2Api } from "../../src/client/oauth2-api";
import { clientSecretLabel } from "../../src/contract/esv";
import type { Spec } from "../../src/contract/spec";
import { secretProof } from "../../src/engine/ownership";
import { Journaled, TestTenant, useTenant } from "./support";

const t = new TestTenant();
let j: Journaled;
useTenant(t, (fresh) => (j = fresh));

const IDENTIFIER = "digital.assistant.web.app";
const LABEL = clientSecretLabel(IDENTIFIER);
const VALUES = { WEB_APP_CLIENT_SECRET: "first-value-in-the-store", WEB_APP_CLIENT_SECRET_2: "second-value-in-the-store" };

const esv = (version = 1): Spec =>
  t.spec<"esv-secret">({
    kind: "esv-secret",
    id: "esv-web-app-secret",
    owned: { description: "", encoding: "generic", useInPlaceholders: false },
    secret: { env: version === 1 ? "WEB_APP_CLIENT_SECRET" : "WEB_APP_CLIENT_SECRET_2", version },
  });
const mapping = (esvId = "esv-web-app-secret"): Spec => t.spec<"secret-mapping">({ kind: "secret-mapping", id: LABEL, owned: { esv: esvId } });
/** The web app with its secret in the store: a label identifier, no `secret`. */
const storeApp = (): Spec => {
  const { secret: _secret, ...app } = t.webApp({ secretLabelIdentifier: IDENTIFIER });
  return app as Spec;
};

/** Whether `secret` authenticates the web app (client_secret_post), as the sync's ownership proof asks. */
async function authenticates(secret: string): Promise<boolean> {
  const oauth2 = createOAuth2Api({ baseUrl: t.tenant.baseUrl, realm: "alpha" });
  try {
    return await secretProof(oauth2)("digital-assistant-web-app", "client_secret_post", secret);
  } finally {
    await oauth2.close();
  }
}

describe("a client secret in the tenant's store", () => {
  it("creates the ESV, the client with its label and the mapping, in that order; the client write carries no secret", async () => {
    const o = await j.apply([t.providerGrants(), esv(), storeApp(), mapping()], { ...VALUES, WEB_APP_CLIENT_SECRET_2: undefined });
    expect(o.failed).toBe(0);
    const writes = (await t.writes()).map((e) => `${e.method} ${e.path.split("?")[0]}`);
    const at = (pattern: RegExp) => writes.findIndex((w) => pattern.test(w));
    expect(at(/^PUT \/environment\/secrets\/esv-web-app-secret$/)).toBeGreaterThanOrEqual(0);
    expect(at(/^PUT .*\/OAuth2Client\/digital-assistant-web-app$/)).toBeGreaterThan(at(/^PUT \/environment\/secrets\//));
    expect(at(/^PUT .*\/ESV\/mappings\//)).toBeGreaterThan(at(/^PUT .*\/OAuth2Client\//));
    expect(o.results.find((r) => r.kind === "web-app")?.changes.map((c) => c.field)).not.toContain("coreOAuth2ClientConfig.userpassword");

    const client = await t.api.getOAuth2Client("digital-assistant-web-app");
    expect(client?.coreOAuth2ClientConfig?.secretLabelIdentifier).toEqual({ inherited: false, value: IDENTIFIER });
    expect((await t.api.getSecretMapping(LABEL))?.aliases).toEqual(["esv-web-app-secret"]);
    expect(await authenticates(VALUES.WEB_APP_CLIENT_SECRET)).toBe(true);
    expect(await authenticates("not-the-value-of-the-esv")).toBe(false);
  });

  it("needs no client secret in the environment, and re-applying writes nothing", async () => {
    await j.apply([t.providerGrants(), esv(), storeApp(), mapping()], { ...VALUES, WEB_APP_CLIENT_SECRET_2: undefined });
    await t.clearAudit();
    const again = await j.apply([t.providerGrants(), esv(), storeApp(), mapping()], { WEB_APP_CLIENT_SECRET: undefined, WEB_APP_CLIENT_SECRET_2: undefined });
    expect(again.failed).toBe(0);
    expect(await t.writes()).toEqual([]);
  });

  it("rotates through a new ESV version: the client takes the new value (and the older version, still enabled)", async () => {
    await j.apply([t.providerGrants(), esv(), storeApp(), mapping()], VALUES);
    await t.clearAudit();
    const rotated = await j.apply([t.providerGrants(), esv(2), storeApp(), mapping()], VALUES);
    expect(rotated.failed).toBe(0);
    expect((await t.writes()).map((e) => `${e.method} ${e.path.split("?")[0]}`)).toEqual(["POST /environment/secrets/esv-web-app-secret/versions"]);
    expect(await authenticates(VALUES.WEB_APP_CLIENT_SECRET_2)).toBe(true);
    expect(await authenticates(VALUES.WEB_APP_CLIENT_SECRET)).toBe(true);
  });

  it("refuses a mapping to an ESV that neither exists nor is created by the apply, before any write", async () => {
    const o = await j.apply([t.providerGrants(), storeApp(), mapping("esv-not-there")], VALUES);
    expect(o.failed).toBe(1);
    expect(o.results.find((r) => r.kind === "secret-mapping")?.notes.join()).toMatch(/ESV secret "esv-not-there" not found in .*declare it with an EnvironmentSecret/);
    expect(await t.writes()).toEqual([]);
  });

  it("deletes the mapping before the client when both leave the code, and the ESV after", async () => {
    await j.apply([t.providerGrants(), esv(), storeApp(), mapping()], VALUES);
    await t.clearAudit();
    const o = await j.apply([t.providerGrants()], VALUES);
    expect(o.failed).toBe(0);
    const deletes = (await t.writes()).filter((e) => e.method === "DELETE").map((e) => e.path.split("?")[0]);
    const at = (pattern: RegExp) => deletes.findIndex((p) => pattern.test(p));
    expect(at(/\/ESV\/mappings\//)).toBe(0);
    expect(at(/\/OAuth2Client\/digital-assistant-web-app$/)).toBeGreaterThan(0);
    expect(at(/^\/environment\/secrets\/esv-web-app-secret$/)).toBeGreaterThan(at(/\/OAuth2Client\//));
    expect(await t.api.getSecretMapping(LABEL)).toBeUndefined();
  });

  it("moving the secret back to the environment writes it from there (a rotation from the store)", async () => {
    await j.apply([t.providerGrants(), esv(), storeApp(), mapping()], VALUES);
    const o = await j.apply([t.providerGrants(), esv(), t.webApp({ secretLabelIdentifier: IDENTIFIER })], { WEB_APP_CLIENT_SECRET: "value-now-from-the-pipeline" });
    expect(o.failed).toBe(0);
    expect(o.results.find((r) => r.kind === "web-app")?.notes).toEqual(["secret rotated (the tenant's secret store → version 1)"]);
    expect(await t.api.getSecretMapping(LABEL)).toBeUndefined();
    expect(await authenticates("value-now-from-the-pipeline")).toBe(true);
  });
});
