/**
 * Client authentication with a secret from the tenant's store: an OAuth2 client (or AI agent) whose
 * `coreOAuth2ClientConfig.secretLabelIdentifier` is set takes its secret from the ESV that the
 * realm's ESV store maps its label to. Any ENABLED version authenticates, a disabled or destroyed one
 * does not, and no restart is needed. Real token requests over HTTP against the embedded tenant.
 */
import { clientSecretLabel, toValueBase64 } from "../../src/contract/esv";
import { AM, API_VERSION, fixtures, useTestTenant, type CallOptions } from "./helpers";

const tenant = useTestTenant();

const CLIENT = "esv-web-app";
const IDENTIFIER = "webapp";
const ESV = "esv-web-app-secret";
const TYPED = "typed-secret-value-0";
const V1 = "esv-secret-version-1";
const V2 = "esv-secret-version-2";
const MAPPING = `${AM}/realm-config/secrets/stores/GoogleSecretManagerSecretStoreProvider/ESV/mappings/${clientSecretLabel(IDENTIFIER)}`;

const env = (method: string, p: string, o: CallOptions = {}) => tenant().call(method, `/environment${p}`, { apiVersion: API_VERSION.environment, ...o });

async function ok(reply: Promise<{ status: number; body: unknown }>): Promise<void> {
  const r = await reply;
  if (r.status >= 300) throw new Error(`setup call answered ${r.status}: ${JSON.stringify(r.body)}`);
}

/** A confidential client_credentials client with a typed secret and, when given, a secret label identifier. */
const client = (identifier?: string) =>
  fixtures(tenant()).client(CLIENT, {
    coreOAuth2ClientConfig: { userpassword: TYPED, scopes: ["read"], ...(identifier ? { secretLabelIdentifier: identifier } : {}) },
    advancedOAuth2ClientConfig: { grantTypes: ["client_credentials"], tokenEndpointAuthMethod: "client_secret_basic" },
  });

const createEsv = () => ok(env("PUT", `/secrets/${ESV}`, { body: { valueBase64: toValueBase64(V1), encoding: "generic", useInPlaceholders: false } }));
const addVersion = (value: string) => ok(env("POST", `/secrets/${ESV}/versions?_action=create`, { body: { valueBase64: toValueBase64(value) } }));
const map = (alias = ESV) =>
  ok(tenant().call("PUT", MAPPING, { apiVersion: API_VERSION.secretStore, body: { secretId: clientSecretLabel(IDENTIFIER), aliases: [alias] } }));

/** The token endpoint's status for client_credentials with these client credentials (Basic). */
async function tokenStatus(secret: string): Promise<number> {
  const res = await fetch(`${tenant().baseUrl}/am/oauth2/realms/root/realms/alpha/access_token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(CLIENT)}:${encodeURIComponent(secret)}`).toString("base64")}`,
    },
    body: new URLSearchParams({ grant_type: "client_credentials", scope: "read" }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe("Client authentication through a secret label mapped to an ESV", () => {
  it("authenticates with the ESV's value and no longer with the typed secret, without a restart", async () => {
    await client(IDENTIFIER);
    await createEsv();
    expect(await tokenStatus(TYPED)).toBe(200); // no mapping yet: the typed secret
    await map();
    expect([await tokenStatus(V1), await tokenStatus(TYPED)]).toEqual([200, 401]);
  });

  it("authenticates with any ENABLED version, so a rotation keeps the old secret working until it is disabled", async () => {
    await client(IDENTIFIER);
    await createEsv();
    await map();
    await addVersion(V2);
    expect([await tokenStatus(V1), await tokenStatus(V2)]).toEqual([200, 200]);
    await ok(env("POST", `/secrets/${ESV}/versions/1?_action=changestatus`, { body: { status: "DISABLED" } }));
    expect([await tokenStatus(V1), await tokenStatus(V2)]).toEqual([401, 200]);
    await ok(env("POST", `/secrets/${ESV}/versions/1?_action=changestatus`, { body: { status: "ENABLED" } }));
    expect(await tokenStatus(V1)).toBe(200);
  });

  it("refuses a destroyed version", async () => {
    await client(IDENTIFIER);
    await createEsv();
    await map();
    await addVersion(V2);
    await ok(env("DELETE", `/secrets/${ESV}/versions/1`));
    expect([await tokenStatus(V1), await tokenStatus(V2)]).toEqual([401, 200]);
  });

  it("refuses every secret when the mapping names an ESV that does not exist", async () => {
    await client(IDENTIFIER);
    await map("esv-not-there");
    expect([await tokenStatus(TYPED), await tokenStatus(V1)]).toEqual([401, 401]);
  });

  it("ignores a mapping when the client has no secret label identifier", async () => {
    await client(IDENTIFIER);
    await createEsv();
    await map();
    await client(); // the identifier taken off: the typed secret again
    expect([await tokenStatus(TYPED), await tokenStatus(V1)]).toEqual([200, 401]);
  });
});
