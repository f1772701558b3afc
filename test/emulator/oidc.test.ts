/**
 * The OpenID Connect and RFC 7009 endpoints over HTTP, their error answers exactly:
 * test/emulator/clients/openid-client.test.ts drives them with a real relying party.
 */
import { randomUUID } from "node:crypto";
import { API_VERSION, fixtures, PROVIDER, startTestTenant, type TestTenant } from "./helpers";

const OAUTH2 = "/am/oauth2/realms/root/realms/alpha";
const APP = "oidc-app";
const SECRET = `s-${randomUUID()}`;
let t: TestTenant;

async function setGrants(change: (grants: string[]) => string[]): Promise<void> {
  const { _rev, _type, ...body } = (await t.call("GET", PROVIDER, { apiVersion: API_VERSION.oauth2Provider })).body;
  body.advancedOAuth2Config.grantTypes = change(body.advancedOAuth2Config.grantTypes);
  expect((await t.call("PUT", PROVIDER, { apiVersion: API_VERSION.oauth2Provider, body })).status).toBe(200);
}

const form = (path: string, params: Record<string, string>) =>
  fetch(`${t.baseUrl}${path}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(params) });

async function userToken(scope: string): Promise<{ access_token: string; refresh_token: string }> {
  const barbara = t.connection.users.find((u) => u.userName === "barbara.jensen")!;
  const res = await form(`${OAUTH2}/access_token`, { grant_type: "password", username: barbara.userName, password: barbara.password, client_id: APP, client_secret: SECRET, scope });
  expect(res.status).toBe(200);
  return (await res.json()) as { access_token: string; refresh_token: string };
}

beforeAll(async () => {
  t = await startTestTenant();
  await setGrants((g) => [...g, "password"]);
  await fixtures(t).client(APP, {
    coreOAuth2ClientConfig: { userpassword: SECRET, scopes: ["openid", "read-data"] },
    advancedOAuth2ClientConfig: { grantTypes: ["password"], tokenEndpointAuthMethod: "client_secret_post" },
  });
});
afterAll(async () => {
  await t?.close();
});

describe("discovery", () => {
  it("follows the provider: a grant type taken off disappears from grant_types_supported", async () => {
    const read = async () => (await (await fetch(`${t.baseUrl}${OAUTH2}/.well-known/openid-configuration`)).json()) as { grant_types_supported: string[] };
    expect((await read()).grant_types_supported).toContain("password");
    await setGrants((g) => g.filter((x) => x !== "password"));
    expect((await read()).grant_types_supported).not.toContain("password");
    await setGrants((g) => [...g, "password"]);
  });

  it("answers 404 for a realm the tenant does not have, in either spelling, and 405 to a POST", async () => {
    const notFound = { code: 404, reason: "Not Found", message: "Not Found" };
    const path = await fetch(`${t.baseUrl}/am/oauth2/realms/root/realms/nowhere/.well-known/openid-configuration`);
    expect([path.status, await path.json()]).toEqual([404, notFound]);
    const query = await fetch(`${t.baseUrl}/am/.well-known/openid-configuration?realm=/nowhere`);
    expect([query.status, await query.json()]).toEqual([404, notFound]);
    const post = await fetch(`${t.baseUrl}${OAUTH2}/.well-known/openid-configuration`, { method: "POST" });
    expect([post.status, await post.json()]).toEqual([405, { code: 405, reason: "Method Not Allowed", message: "Method Not Allowed" }]);
  });
});

describe("userinfo", () => {
  it("refuses a missing, unknown or revoked token with 401 invalid_token and a WWW-Authenticate challenge", async () => {
    const none = await fetch(`${t.baseUrl}${OAUTH2}/userinfo`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: "invalid_token", error_description: "No access token supplied" });
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="userinfo"');

    const description = "The access token provided is expired, revoked, malformed, or invalid for other reasons.";
    const bogus = await fetch(`${t.baseUrl}${OAUTH2}/userinfo`, { headers: { authorization: "Bearer bogus" } });
    expect([bogus.status, await bogus.json()]).toEqual([401, { error: "invalid_token", error_description: description }]);
    expect(bogus.headers.get("www-authenticate")).toBe(`Bearer error="invalid_token", error_description="${description}"`);

    const { access_token } = await userToken("openid");
    expect((await fetch(`${t.baseUrl}${OAUTH2}/userinfo`, { headers: { authorization: `Bearer ${access_token}` } })).status).toBe(200);
    expect((await form(`${OAUTH2}/token/revoke`, { token: access_token, client_id: APP, client_secret: SECRET })).status).toBe(200);
    const revoked = await fetch(`${t.baseUrl}${OAUTH2}/userinfo`, { headers: { authorization: `Bearer ${access_token}` } });
    expect([revoked.status, await revoked.json()]).toEqual([401, { error: "invalid_token", error_description: description }]);
  });
});

describe("token/revoke", () => {
  it("authenticates the client, needs the token and a form body", async () => {
    const { access_token } = await userToken("read-data");
    const wrongSecret = await form(`${OAUTH2}/token/revoke`, { token: access_token, client_id: APP, client_secret: "wrong" });
    expect([wrongSecret.status, await wrongSecret.json()]).toEqual([401, { error: "invalid_client", error_description: "Client authentication failed" }]);
    const noToken = await form(`${OAUTH2}/token/revoke`, { client_id: APP, client_secret: SECRET });
    expect([noToken.status, await noToken.json()]).toEqual([400, { error: "invalid_request", error_description: "Missing parameter, 'token'" }]);
    const json = await fetch(`${t.baseUrl}${OAUTH2}/token/revoke`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe("invalid_request");
    // None of these revoked it.
    const introspected = await form(`${OAUTH2}/introspect`, { token: access_token, client_id: APP, client_secret: SECRET });
    expect(((await introspected.json()) as { active: boolean }).active).toBe(true);
  });

  it("revokes the whole grant when given the refresh token: the access token is inactive too", async () => {
    const { access_token, refresh_token } = await userToken("openid");
    const res = await form(`${OAUTH2}/token/revoke`, { token: refresh_token, client_id: APP, client_secret: SECRET });
    expect([res.status, await res.json()]).toEqual([200, {}]);
    const introspected = await form(`${OAUTH2}/introspect`, { token: access_token, client_id: APP, client_secret: SECRET });
    expect(await introspected.json()).toEqual({ active: false });
  });
});
