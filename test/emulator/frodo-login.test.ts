/**
 * What frodo asks of a tenant besides the OAuth2 client endpoints, over HTTP: the service-account
 * login (a refused scope names the scopes in AIC's wording and does not use the assertion up), the
 * account's own record, the AM session info after a username/password login, the server version,
 * the other agent types and the realm list. test/emulator/clients/frodo.test.ts runs frodo itself.
 */
import { createHash, randomUUID } from "node:crypto";
import { importJWK, SignJWT } from "jose";
import { JWT_BEARER_GRANT } from "../../src/contract/constants";
import { AM, API_VERSION, startTestTenant, type TestTenant } from "./helpers";

let t: TestTenant;
beforeAll(async () => {
  t = await startTestTenant();
});
afterAll(async () => {
  await t?.close();
});

async function assertion(): Promise<string> {
  const { id, jwk } = t.connection.serviceAccount;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "RS256" })
    .setIssuer(id)
    .setSubject(id)
    .setAudience(`${t.baseUrl}/am/oauth2/access_token`)
    .setExpirationTime(now + 180)
    .setJti(randomUUID())
    .sign(await importJWK(jwk, "RS256"));
}

async function tokenRequest(scope: string, jwt: string) {
  const res = await fetch(`${t.baseUrl}/am/oauth2/access_token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: "service-account", grant_type: JWT_BEARER_GRANT, scope, assertion: jwt }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function amLogin(): Promise<string> {
  const res = await t.call("POST", "/am/json/realms/root/authenticate", {
    anonymous: true,
    apiVersion: API_VERSION.authenticate,
    headers: { "x-openam-username": t.connection.amAdmin.username, "x-openam-password": t.connection.amAdmin.password },
  });
  expect(res.status).toBe(200);
  return res.body.tokenId as string;
}

describe("service-account login as frodo does it", () => {
  it("refuses frodo's default scopes naming those the account lacks, then grants the rest on the same assertion", async () => {
    const jwt = await assertion();
    const asked = "fr:am:* fr:autoaccess:* fr:idc:esv:* fr:idm:*";
    const refused = await tokenRequest(asked, jwt);
    expect(refused).toEqual({
      status: 400,
      body: { error: "invalid_scope", error_description: "Unsupported scope for service account: fr:autoaccess:*,fr:idc:esv:*" },
    });
    // frodo cuts the description after its 39-character prefix and splits it on commas.
    const lacking = String(refused.body.error_description).substring(39).split(",");
    const retried = await tokenRequest(asked.split(" ").filter((s) => !lacking.includes(s)).join(" "), jwt);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ scope: "fr:am:* fr:idm:*", token_type: "Bearer", expires_in: 899 });
    // Now it is used.
    expect((await tokenRequest("fr:am:*", jwt)).body).toEqual({ error: "invalid_grant", error_description: "Assertion has already been used" });
  });

  it("reads the service account's own record from managed/svcacct", async () => {
    const { id, jwk } = t.connection.serviceAccount;
    const res = await t.call("GET", `/openidm/managed/svcacct/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      _id: id,
      _rev: "1",
      name: "cdktf-aic",
      description: "The embedded tenant's service account",
      accountStatus: "Active",
      scopes: ["fr:am:*", "fr:idm:*"],
      jwks: expect.any(String),
    });
    const keys = (JSON.parse(res.body.jwks) as { keys: Record<string, unknown>[] }).keys;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: "RSA", n: jwk.n, e: jwk.e });
    expect(keys[0]).not.toHaveProperty("d");
    const missing = await t.call("GET", "/openidm/managed/svcacct/no-such-account");
    expect(missing).toMatchObject({ status: 404, body: { code: 404, reason: "Not Found", message: "Object no-such-account not found in managed/svcacct" } });
    const listed = await t.call("GET", "/openidm/managed/svcacct?_queryFilter=true&_fields=name");
    expect(listed.body.result).toEqual([{ _id: id, _rev: "1", name: "cdktf-aic" }]);
  });
});

describe("AM session info", () => {
  it("answers for the token in the body, without a session cookie, with the session's times", async () => {
    const tokenId = await amLogin();
    const before = Date.now();
    const res = await t.call("POST", `${AM}/sessions/?_action=getSessionInfo`, {
      anonymous: true,
      apiVersion: "resource=4.0",
      body: { tokenId },
    });
    const after = Date.now();
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual([
      "username", "universalId", "realm", "latestAccessTime", "maxIdleExpirationTime", "maxSessionExpirationTime", "properties",
    ]);
    expect(res.body).toMatchObject({ username: "amadmin", universalId: "id=amadmin,ou=user,ou=am-config", realm: "/" });
    const idle = Date.parse(res.body.maxIdleExpirationTime) - before;
    expect(idle).toBeGreaterThan(29 * 60_000);
    // The call itself is a session access: idle time counts from some moment between before and after.
    expect(idle).toBeLessThanOrEqual(30 * 60_000 + (after - before));
    expect(Date.parse(res.body.maxSessionExpirationTime)).toBeGreaterThan(Date.parse(res.body.maxIdleExpirationTime));
    expect(JSON.stringify(res.body)).not.toContain(tokenId);
  });

  it("answers for the cookie's session when the body names none, and 401 for an unknown token", async () => {
    const tokenId = await amLogin();
    const byCookie = await t.call("POST", "/am/json/realms/root/sessions?_action=getSessionInfo", {
      anonymous: true,
      headers: { cookie: `iPlanetDirectoryPro=${tokenId}` },
      body: {},
    });
    expect(byCookie).toMatchObject({ status: 200, body: { username: "amadmin" } });
    const unknown = await t.call("POST", `${AM}/sessions/?_action=getSessionInfo`, { anonymous: true, body: { tokenId: "nope" } });
    expect(unknown).toMatchObject({ status: 401, body: { code: 401, reason: "Unauthorized", message: "Access Denied" } });
    // A service-account token is an OAuth2 token, not an AM session.
    const sa = await t.call("POST", `${AM}/sessions/?_action=getSessionInfo`, { anonymous: true, body: { tokenId: t.token } });
    expect(sa.status).toBe(401);
  });
});

describe("server version, other agent types, realms", () => {
  it("answers serverinfo/version with the version object, not the generic server info", async () => {
    const res = await t.call("GET", "/am/json/serverinfo/version", { anonymous: true, apiVersion: "resource=1.0" });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(["_id", "version", "fullVersion", "revision", "date"]);
    expect(res.body._id).toBe("version");
    expect(res.body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(res.body.fullVersion).toContain(res.body.version);
    const star = await t.call("GET", "/am/json/serverinfo/*", { anonymous: true, apiVersion: API_VERSION.serverInfo });
    expect(star.body).toMatchObject({ _id: "*", cookieName: "iPlanetDirectoryPro" });
  });

  it.each(["WebAgent", "J2EEAgent", "IdentityGatewayAgent", "RemoteConsentAgent", "SoftwarePublisher", "SharedAgent", "OAuth2Thing", "2.2_Agent", "SoapSTSAgent"])(
    "lists no %s, and 404s one",
    async (type) => {
      const list = await t.call("GET", `${AM}/realm-config/agents/${type}?_queryFilter=true`, { apiVersion: API_VERSION.oauth2Client });
      expect(list).toMatchObject({
        status: 200,
        body: { result: [], resultCount: 0, pagedResultsCookie: null, totalPagedResultsPolicy: "EXACT", totalPagedResults: 0, remainingPagedResults: -1 },
      });
      const one = await t.call("GET", `${AM}/realm-config/agents/${type}/x`, { apiVersion: API_VERSION.oauth2Client });
      expect(one).toMatchObject({ status: 404, body: { code: 404, reason: "Not Found", message: "Not Found" } });
    },
  );

  it("lists the root realm and alpha, ids being the base64url realm paths", async () => {
    const res = await t.call("GET", "/am/json/global-config/realms/?_queryFilter=true", { apiVersion: "protocol=2.0,resource=1.0" });
    expect(res.status).toBe(200);
    expect(res.body.result.map((r: Record<string, unknown>) => [r._id, r.name, r.parentPath, r.active])).toEqual([
      ["Lw", "/", null, true],
      ["L2FscGhh", "alpha", "/", true],
    ]);
    expect(res.body.resultCount).toBe(2);
    const alpha = await t.call("GET", "/am/json/global-config/realms/L2FscGhh", { apiVersion: "protocol=2.0,resource=1.0" });
    expect(alpha.body).toMatchObject({ _id: "L2FscGhh", name: "alpha", aliases: [] });
    expect((await t.call("GET", "/am/json/global-config/realms/bm9uZQ", { apiVersion: "protocol=2.0,resource=1.0" })).status).toBe(404);
    // Admin paths still need an admin.
    expect((await t.call("GET", "/am/json/global-config/realms/?_queryFilter=true", { anonymous: true, apiVersion: "protocol=2.0,resource=1.0" })).status).toBe(401);
  });
});

describe("what tells frodo the tenant is AIC", () => {
  const redirectUri = () => `${t.baseUrl}/platform/appAuthHelperRedirect.html`;
  const verifier = "frodo-probe-verifier-0123456789-abcdefghijklmnopq";
  const challenge = createHash("sha256").update(verifier).digest("base64url");

  /** frodo's probe: a form POST to the root realm's authorize with the session as csrf and as a header. */
  async function probe(tokenId: string, scope = "openid") {
    const form = `redirect_uri=${redirectUri()}&scope=${scope}&response_type=code&client_id=idmAdminClient&csrf=${tokenId}&decision=allow&code_challenge=${challenge}&code_challenge_method=S256`;
    return fetch(`${t.baseUrl}/am/oauth2/authorize`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", iPlanetDirectoryPro: tokenId },
      body: form,
    });
  }

  it("answers the authorize probe of idmAdminClient with a code for an admin session, and the login UI without one", async () => {
    const res = await probe(await amLogin());
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    expect(location.origin + location.pathname).toBe(redirectUri());
    expect(location.searchParams.get("code")).toEqual(expect.any(String));
    const anonymous = await probe("not-a-session");
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toContain("/am/XUI/?realm=%2F&goto=");
  });

  it("lists the service-account scopes with their child scopes", async () => {
    const res = await t.call("GET", "/environment/scopes/service-accounts", {
      anonymous: true,
      headers: { cookie: `iPlanetDirectoryPro=${await amLogin()}` },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expect.arrayContaining([
      { scope: "fr:am:*", description: expect.any(String) },
      { scope: "fr:idm:*", description: expect.any(String) },
      expect.objectContaining({ scope: "fr:idc:esv:*", childScopes: expect.arrayContaining([expect.objectContaining({ scope: "fr:idc:esv:read" })]) }),
    ]));
    expect((await t.call("GET", "/environment/scopes/service-accounts", { anonymous: true })).status).toBe(401);
  });

  it("gives the admin a bearer token for IDM through idmAdminClient, which a realm user's token is not", async () => {
    const location = new URL((await probe(await amLogin(), "openid fr:idm:*")).headers.get("location")!);
    const basic = Buffer.from("idmAdminClient:doesnotmatter").toString("base64");
    const res = await fetch(`${t.baseUrl}/am/oauth2/access_token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${basic}` },
      body: `redirect_uri=${redirectUri()}&grant_type=authorization_code&code=${location.searchParams.get("code")}&code_verifier=${verifier}`,
    });
    expect(res.status).toBe(200);
    const { access_token: bearer, scope } = (await res.json()) as { access_token: string; scope: string };
    expect(scope).toBe("openid fr:idm:*");
    const users = await t.call("GET", "/openidm/managed/alpha_user?_queryFilter=true&_fields=userName", { anonymous: true, headers: { authorization: `Bearer ${bearer}` } });
    expect(users.status).toBe(200);
    // Its scopes do not open AM's admin API.
    const am = await t.call("GET", `${AM}/realm-config/agents/OAuth2Client?_queryFilter=true`, {
      anonymous: true,
      apiVersion: API_VERSION.oauth2Client,
      headers: { authorization: `Bearer ${bearer}` },
    });
    expect(am.status).toBe(401);
  });

  it("lists the Login journey, no scripts, and the OAuth2 provider among the services", async () => {
    const trees = await t.call("GET", `${AM}/realm-config/authentication/authenticationtrees/trees?_queryFilter=true`, { apiVersion: "protocol=2.1,resource=1.0" });
    expect(trees.status).toBe(200);
    expect(trees.body.result.map((tree: { _id: string }) => tree._id)).toEqual(["Login"]);
    expect(trees.body.result[0]).toMatchObject({ identityResource: "managed/alpha_user", enabled: true });
    const scripts = await t.call("GET", `${AM}/scripts?_queryFilter=true`, { apiVersion: "protocol=2.0,resource=1.0" });
    expect(scripts).toMatchObject({ status: 200, body: { result: [], resultCount: 0, pagedResultsCookie: null } });
    const services = await t.call("POST", `${AM}/realm-config/services?_action=nextdescendents`, { apiVersion: "protocol=2.0,resource=1.0" });
    expect(services.status).toBe(200);
    expect(services.body.result.map((s: { _id: string; _type: { _id: string } }) => [s._id, s._type._id])).toEqual([["oauth-oidc", "oauth-oidc"]]);
  });
});
