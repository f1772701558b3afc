/**
 * A relying party built with `openid-client` 6 and `jose`, unchanged, against the embedded tenant:
 * discovery per realm, the password grant, introspection, token exchange (RFC 8693 through
 * `genericGrantRequest`), the access token verified with `jwtVerify` against the remote JWKS,
 * userinfo, revocation (RFC 7009) seen by introspection, and the end-session URL. Two things a
 * user of openid-client needs against AIC, shown here as in the README:
 *  - `execute: [allowInsecureRequests]`, only because the embedded tenant is plain http on 127.0.0.1;
 *  - a `customFetch` that drops `"refresh_token": null` from a token-exchange answer: AIC sends it
 *    (the seed shows it), openid-client refuses a null refresh token, and the tenant stays faithful.
 */
import { randomUUID } from "node:crypto";
import { createRemoteJWKSet, jwtVerify } from "jose";
import * as client from "openid-client";
import { TOKEN_EXCHANGE_GRANT } from "../../../src/contract/constants";
import { API_VERSION, fixtures, PROVIDER, startTestTenant, type TestTenant } from "../helpers";

const APP = "rp-web-app";
const AGENT = "rp-ai-agent";
const APP_SECRET = `app-${randomUUID()}`;
const AGENT_SECRET = `agent-${randomUUID()}`;
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

let t: TestTenant;
const issuerUrl = () => new URL(`${t.baseUrl}/am/oauth2/realms/root/realms/alpha`);
const barbara = () => t.connection.users.find((u) => u.userName === "barbara.jensen")!;

/** The one line a user needs for AIC's token exchange: drop the `"refresh_token": null` openid-client refuses. */
const dropNullRefreshToken: client.CustomFetch = async (url, options) => {
  const res = await fetch(url, options as RequestInit);
  return new Response((await res.text()).replace(/"refresh_token":\s*null,?/, ""), res);
};

beforeAll(async () => {
  t = await startTestTenant();
  const provider = (await t.call("GET", PROVIDER, { apiVersion: API_VERSION.oauth2Provider })).body;
  const { _rev, _type, ...body } = provider;
  body.advancedOAuth2Config.grantTypes = [...body.advancedOAuth2Config.grantTypes, "password", TOKEN_EXCHANGE_GRANT];
  expect((await t.call("PUT", PROVIDER, { apiVersion: API_VERSION.oauth2Provider, body })).status).toBe(200);
  const f = fixtures(t);
  await f.client(APP, {
    coreOAuth2ClientConfig: { userpassword: APP_SECRET, scopes: ["openid", "profile", "email", "read-data"] },
    advancedOAuth2ClientConfig: { grantTypes: ["password", "refresh_token"], tokenEndpointAuthMethod: "client_secret_post" },
  });
  await f.application(randomUUID(), APP);
  const agent = await f.agent(AGENT, {}, {
    coreOAuth2ClientConfig: { userpassword: AGENT_SECRET },
    advancedOAuth2ClientConfig: { grantTypes: [TOKEN_EXCHANGE_GRANT], tokenEndpointAuthMethod: "client_secret_post" },
    overrideOAuth2ClientConfig: { providerOverridesEnabled: true, statelessTokensEnabled: true, acceptAudienceParametersInTokenExchangeRequests: true },
  });
  const apps = await t.call("GET", `/openidm/managed/alpha_application?_queryFilter=${encodeURIComponent(`name eq "${APP}"`)}`);
  await f.privilege(agent.aiAgentIdentityUid.value, {
    resource: f.ref("alpha_application", apps.body.result[0]._id),
    subjects: [f.ref("alpha_user", barbara()._id)],
    permissions: [{ type: "scopes", values: ["read-data"] }],
  });
});

afterAll(async () => {
  await t?.close();
});

const discover = (clientId: string, secret: string) =>
  client.discovery(issuerUrl(), clientId, undefined, client.ClientSecretPost(secret), { execute: [client.allowInsecureRequests] });

describe("openid-client against realm alpha", () => {
  it("discovers the realm: issuer, endpoints, JWKS, grant types incl. token exchange, auth methods, scopes", async () => {
    const config = await discover(APP, APP_SECRET);
    const m = config.serverMetadata();
    const base = issuerUrl().href;
    expect(m.issuer).toBe(base);
    expect(m).toMatchObject({
      token_endpoint: `${base}/access_token`,
      introspection_endpoint: `${base}/introspect`,
      revocation_endpoint: `${base}/token/revoke`,
      userinfo_endpoint: `${base}/userinfo`,
      end_session_endpoint: `${base}/connect/endSession`,
      jwks_uri: `${base}/connect/jwk_uri`,
    });
    expect(m.grant_types_supported).toEqual(expect.arrayContaining(["password", TOKEN_EXCHANGE_GRANT]));
    expect(m.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(["client_secret_post", "client_secret_basic"]));
    expect(m.scopes_supported).toEqual(expect.arrayContaining(["openid", "profile", "email"]));
    // AM's realm-less spelling answers the same document.
    const rootSpelling = await fetch(`${t.baseUrl}/am/.well-known/openid-configuration?realm=/alpha`);
    expect(rootSpelling.status).toBe(200);
    expect(await rootSpelling.json()).toEqual(JSON.parse(JSON.stringify(m)));
  });

  it("runs password grant → introspection → token exchange → jwtVerify against the remote JWKS", async () => {
    const app = await discover(APP, APP_SECRET);
    const user = await client.genericGrantRequest(app, "password", { username: "barbara.jensen", password: barbara().password, scope: "openid profile" });
    expect(user.scope).toBe("openid profile");
    expect(user.refresh_token).toEqual(expect.any(String));
    const introspected = await client.tokenIntrospection(app, user.access_token);
    expect(introspected).toMatchObject({ active: true, sub: barbara()._id, client_id: APP, scope: "openid profile" });

    const agent = await discover(AGENT, AGENT_SECRET);
    const exchange = () =>
      client.genericGrantRequest(agent, "urn:ietf:params:oauth:grant-type:token-exchange", {
        subject_token: user.access_token,
        subject_token_type: ACCESS_TOKEN_TYPE,
        audience: APP,
        scope: "read-data",
      });
    // AIC's faithful answer carries "refresh_token": null, which openid-client refuses...
    await expect(exchange()).rejects.toMatchObject({
      message: "invalid response encountered",
      cause: { message: '"response" body "refresh_token" property must be a string' },
    });
    // ...and with the one-line customFetch it goes through.
    agent[client.customFetch] = dropNullRefreshToken;
    const exchanged = await exchange();
    expect(exchanged).toMatchObject({ scope: "read-data", issued_token_type: ACCESS_TOKEN_TYPE, token_type: "bearer" });

    const jwks = createRemoteJWKSet(new URL(app.serverMetadata().jwks_uri!));
    const { payload, protectedHeader } = await jwtVerify(exchanged.access_token, jwks, { issuer: issuerUrl().href, audience: APP });
    expect(protectedHeader.alg).toBe("RS256");
    expect(payload).toMatchObject({ sub: barbara()._id, act: { sub: AGENT }, client_id: AGENT, scope: ["read-data"] });
  });

  it("answers userinfo for the user's token with the granted claims", async () => {
    const app = await discover(APP, APP_SECRET);
    const user = await client.genericGrantRequest(app, "password", { username: "barbara.jensen", password: barbara().password, scope: "openid profile email" });
    const info = await client.fetchUserInfo(app, user.access_token, barbara()._id);
    expect(info).toEqual({
      sub: barbara()._id,
      subname: barbara()._id,
      name: "Barbara Jensen",
      given_name: "Barbara",
      family_name: "Jensen",
      email: "barbara.jensen@example.com",
    });
    const noOpenid = await client.genericGrantRequest(app, "password", { username: "barbara.jensen", password: barbara().password, scope: "read-data" });
    const refused = await fetch(app.serverMetadata().userinfo_endpoint!, { headers: { authorization: `Bearer ${noOpenid.access_token}` } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: "insufficient_scope" });
  });

  it("revokes a token (RFC 7009): introspection says inactive, userinfo and refresh refuse the grant", async () => {
    const app = await discover(APP, APP_SECRET);
    const user = await client.genericGrantRequest(app, "password", { username: "barbara.jensen", password: barbara().password, scope: "openid" });
    expect((await client.tokenIntrospection(app, user.access_token)).active).toBe(true);
    // Another client may not revoke it (RFC 7009 §2.1).
    const agent = await discover(AGENT, AGENT_SECRET);
    await expect(client.tokenRevocation(agent, user.access_token)).rejects.toMatchObject({ error: "unauthorized_client" });
    expect((await client.tokenIntrospection(app, user.access_token)).active).toBe(true);
    await client.tokenRevocation(app, user.access_token);
    expect(await client.tokenIntrospection(app, user.access_token)).toEqual({ active: false });
    await expect(client.fetchUserInfo(app, user.access_token, client.skipSubjectCheck)).rejects.toThrow();
    // The grant went with it: its refresh token is dead too.
    await expect(client.refreshTokenGrant(app, user.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
    // Revoking an unknown token is not an error (RFC 7009 §2.2).
    await expect(client.tokenRevocation(app, "not-a-token")).resolves.toBeUndefined();
  });

  it("builds the end-session URL; the tenant refuses a hint that is not its ID token, as AM does", async () => {
    const app = await discover(APP, APP_SECRET);
    const user = await client.genericGrantRequest(app, "password", { username: "barbara.jensen", password: barbara().password, scope: "openid" });
    const url = client.buildEndSessionUrl(app, { id_token_hint: user.access_token });
    expect(url.href.startsWith(`${issuerUrl().href}/connect/endSession?`)).toBe(true);
    const res = await fetch(url);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "invalid_request", error_description: "Invalid ID token hint" });
    const none = await fetch(`${issuerUrl().href}/connect/endSession`);
    expect(await none.json()).toEqual({ error: "invalid_request", error_description: "Missing parameter, 'id_token_hint'" });
    // The hint is a token: the audit log keeps the call, not the token.
    const audit = JSON.stringify(await (await fetch(`${t.baseUrl}/__emulator/audit`)).json());
    expect(audit).toContain("connect/endSession?id_token_hint=%28redacted%29");
    expect(audit).not.toContain(user.access_token);
  });

  it("answers WebFinger with the realm's issuer", async () => {
    const q = new URLSearchParams({ resource: "acct:barbara.jensen@example.com", rel: "http://openid.net/specs/connect/1.0/issuer", realm: "/alpha" });
    const res = await fetch(`${t.baseUrl}/am/.well-known/webfinger?${q}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      subject: "acct:barbara.jensen@example.com",
      links: [{ rel: "http://openid.net/specs/connect/1.0/issuer", href: issuerUrl().href }],
    });
    // `rel` is required and only the issuer relation is served; the realm goes in the query, not the path.
    q.delete("rel");
    expect((await fetch(`${t.baseUrl}/am/.well-known/webfinger?${q}`)).status).toBe(400);
    expect((await fetch(`${issuerUrl().href}/.well-known/webfinger?${q}`)).status).toBe(404);
  });
});
