/**
 * The seed's Task 4 over real HTTP against the embedded tenant: Tasks 1–3 are configured through
 * the admin API (raw undici calls), then the user token, introspection, the token exchange,
 * introspection of the agent's token and tokeninfo. Each prerequisite is then taken away in turn
 * and the flow fails with the documented error.
 */
import { randomUUID } from "node:crypto";
import { importJWK, jwtVerify, decodeProtectedHeader, type JWK } from "jose";
import { request } from "undici";
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from "../../src/contract/constants";
import { API_VERSION, ENDPOINTS, fillPath } from "../../src/contract/endpoints";
import { startTenant, type RunningTenant } from "../../src/emulator";
import { EXCHANGE_REASON_HEADER } from "../../src/emulator/oauth2";
import { mintAdminToken } from "./helpers";

const REALM = "alpha";
const APP = "digital-assistant-web-app";
const AGENT = "digital-assistant-ai-agent";
const APP_SECRET = `app-${randomUUID()}`;
const AGENT_SECRET = `agent-${randomUUID()}`;
const APP_SCOPES = ["openid", "read-data", "write-data", "admin-action"];
const OAUTH2 = `/am/oauth2/realms/root/realms/${REALM}`;

let tenant: RunningTenant;
let adminToken: string;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, any>;
}

async function call(method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  const res = await request(`${tenant.baseUrl}${path}`, { method, headers, body });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** An admin call with the service-account token; JSON in and out. */
async function admin(method: "GET" | "PUT" | "PATCH" | "DELETE", path: string, apiVersion?: string, body?: unknown): Promise<Reply> {
  const headers: Record<string, string> = { authorization: `Bearer ${adminToken}`, "content-type": "application/json" };
  if (apiVersion) headers["accept-api-version"] = apiVersion;
  const reply = await call(method, path, headers, body === undefined ? undefined : JSON.stringify(body));
  if (reply.status >= 300) throw new Error(`${method} ${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply;
}

const form = (path: string, params: Record<string, string>, headers: Record<string, string> = {}) =>
  call("POST", path, { "content-type": "application/x-www-form-urlencoded", ...headers }, new URLSearchParams(params).toString());

const path = (template: string, id?: string) => fillPath(template, { realm: REALM, id });
const userRef = (id: string) => ({ _ref: `managed/${REALM}_user/${id}` });
const user = (userName: string) => tenant.connection.users.find((u) => u.userName === userName)!;
const barbara = () => user("barbara.jensen");

// ---------- Tasks 1–3 through the admin API ----------

async function setProviderGrants(change: (grants: string[]) => string[]): Promise<void> {
  const { _rev, _type, ...provider } = (await admin("GET", path(ENDPOINTS.providerRead.path), API_VERSION.oauth2Provider)).body;
  provider.advancedOAuth2Config.grantTypes = change(provider.advancedOAuth2Config.grantTypes);
  await admin("PUT", path(ENDPOINTS.providerUpdate.path), API_VERSION.oauth2Provider, provider);
}

interface ClientOptions {
  grantTypes?: string[];
  tokenEndpointAuthMethod?: string;
  status?: string;
}

function putWebApp(o: ClientOptions = {}): Promise<Reply> {
  return admin("PUT", path(ENDPOINTS.oauth2ClientPut.path, APP), API_VERSION.oauth2Client, {
    coreOAuth2ClientConfig: { userpassword: APP_SECRET, clientType: "Confidential", scopes: APP_SCOPES, clientName: ["Digital Assistant Web App"] },
    advancedOAuth2ClientConfig: {
      grantTypes: o.grantTypes ?? ["authorization_code", "refresh_token", "password"],
      tokenEndpointAuthMethod: o.tokenEndpointAuthMethod ?? "client_secret_post",
    },
  });
}

interface AgentOptions extends ClientOptions {
  overrides?: Record<string, boolean>;
}

/** Full replace, as AM requires: every call sends the whole agent (AM keeps its IDM identity). */
function putAgent(o: AgentOptions = {}): Promise<Reply> {
  return admin("PUT", path(ENDPOINTS.aiAgentPut.path, AGENT), API_VERSION.aiAgent, {
    coreOAuth2ClientConfig: { userpassword: AGENT_SECRET, status: o.status ?? "Active" },
    advancedOAuth2ClientConfig: {
      grantTypes: o.grantTypes ?? [TOKEN_EXCHANGE_GRANT],
      tokenEndpointAuthMethod: o.tokenEndpointAuthMethod ?? "client_secret_post",
    },
    overrideOAuth2ClientConfig: {
      providerOverridesEnabled: true,
      statelessTokensEnabled: true,
      acceptAudienceParametersInTokenExchangeRequests: true,
      ...o.overrides,
    },
    aiAgentIdentityAttributes: { name: "Digital Assistant AI Agent", description: "Acts for users of the web app" },
  });
}

let appId: string;
let privilegeId: string;

async function configureTasks1to3(): Promise<void> {
  await setProviderGrants((grants) => [...grants, "password", TOKEN_EXCHANGE_GRANT]);
  await putWebApp();
  appId = randomUUID();
  await admin("PUT", path(ENDPOINTS.application.create.path, appId), undefined, {
    name: "Digital Assistant Web App",
    templateName: "web",
    templateVersion: "1.0",
    ssoEntities: { oidcId: APP },
    owners: [userRef(barbara()._id)],
  });
  // Created by AM with the agent; its uid comes back on the create.
  const agentUid: string = (await putAgent()).body.aiAgentIdentityUid.value;
  privilegeId = randomUUID();
  await admin("PUT", path(ENDPOINTS.privilege.create.path, privilegeId), undefined, {
    description: "Digital assistant acts for Barbara",
    agent: { _ref: `managed/${REALM}_aiagent/${agentUid}` },
    resource: { _ref: `managed/${REALM}_application/${appId}` },
    subjects: [userRef(barbara()._id)],
    permissions: [{ type: "scopes", values: ["read-data"] }],
  });
}

const patchPrivilege = (field: string, value: unknown) =>
  admin("PATCH", path(ENDPOINTS.privilege.patch.path, privilegeId), undefined, [{ operation: "replace", field: `/${field}`, value }]);

// ---------- Task 4 ----------

function userToken(username = barbara().userName, password = barbara().password, scope = "openid read-data"): Promise<Reply> {
  return form(`${OAUTH2}/access_token`, { grant_type: "password", username, password, client_id: APP, client_secret: APP_SECRET, scope });
}

async function userAccessToken(who = barbara()): Promise<string> {
  const reply = await userToken(who.userName, who.password);
  expect(reply.status).toBe(200);
  return reply.body.access_token;
}

function exchange(subjectToken: string, params: Record<string, string> = {}): Promise<Reply> {
  return form(`${OAUTH2}/access_token`, {
    grant_type: TOKEN_EXCHANGE_GRANT,
    subject_token: subjectToken,
    subject_token_type: ACCESS_TOKEN_TYPE,
    client_id: AGENT,
    client_secret: AGENT_SECRET,
    audience: APP,
    scope: "read-data",
    ...params,
  });
}

const introspect = (token: string, clientId: string, clientSecret: string) =>
  form(`${OAUTH2}/introspect`, { token, client_id: clientId, client_secret: clientSecret });

const INVALID_EXCHANGE = { error: "invalid_request", error_description: "Invalid token exchange." };

beforeAll(async () => {
  tenant = await startTenant({ port: 0 });
  adminToken = await mintAdminToken(tenant.connection);
});

afterAll(async () => {
  await tenant?.close();
});

beforeEach(async () => {
  const reset = await call("POST", "/__emulator/reset", {});
  expect(reset.status).toBe(200);
  await configureTasks1to3();
});

describe("the on-behalf-of flow (seed Task 4)", () => {
  it("issues a user token for barbara.jensen with the password grant", async () => {
    const reply = await userToken();
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      scope: "openid read-data",
      token_type: "Bearer",
      expires_in: 3599,
    });
  });

  it("introspects the user token with exactly the seed's keys", async () => {
    const reply = await introspect(await userAccessToken(), APP, APP_SECRET);
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body)).toEqual([
      "active", "scope", "realm", "client_id", "user_id", "username", "token_type", "exp", "sub", "iss",
      "subname", "auth_level", "authGrantId", "auditTrackingId", "expires_in",
    ]);
    expect(reply.body).toMatchObject({
      active: true,
      scope: "openid read-data",
      realm: "/alpha",
      client_id: APP,
      user_id: barbara()._id,
      username: barbara()._id,
      token_type: "Bearer",
      sub: barbara()._id,
      iss: `${tenant.baseUrl}/am/oauth2/realms/root/realms/alpha`,
      subname: barbara()._id,
      auth_level: 0,
    });
    expect(reply.body.expires_in).toBeGreaterThan(3500);
  });

  it("exchanges the user token for an agent token acting for barbara", async () => {
    const reply = await exchange(await userAccessToken());
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      access_token: expect.any(String),
      refresh_token: null,
      issued_token_type: ACCESS_TOKEN_TYPE,
      scope: "read-data",
      token_type: "Bearer",
      expires_in: 3599,
    });
  });

  it("introspects the agent token: the user as sub, the agent as client and actor", async () => {
    const agentToken = (await exchange(await userAccessToken())).body.access_token;
    const reply = await introspect(agentToken, AGENT, AGENT_SECRET);
    expect(Object.keys(reply.body)).toEqual([
      "active", "scope", "realm", "client_id", "user_id", "username", "token_type", "exp", "sub", "iss",
      "subname", "auth_level", "authGrantId", "act", "auditTrackingId", "expires_in",
    ]);
    expect(reply.body).toMatchObject({
      active: true,
      scope: "read-data",
      realm: "/alpha",
      client_id: AGENT,
      sub: barbara()._id,
      act: { sub: AGENT },
    });
  });

  it("signs the agent token with the realm key, naming agent and application as audience", async () => {
    const agentToken = (await exchange(await userAccessToken())).body.access_token;
    const jwks = await call("GET", `${OAUTH2}/connect/jwk_uri`, {});
    const { kid } = decodeProtectedHeader(agentToken);
    const jwk = (jwks.body.keys as JWK[]).find((k) => k.kid === kid)!;
    const { payload } = await jwtVerify(agentToken, await importJWK(jwk, "RS256"), {
      issuer: `${tenant.baseUrl}/am/oauth2/realms/root/realms/alpha`,
    });
    expect(payload).toMatchObject({ sub: barbara()._id, aud: [AGENT, APP], act: { sub: AGENT }, scope: ["read-data"], client_id: AGENT });
  });

  it("answers tokeninfo with the claims and scope as an array", async () => {
    const agentToken = (await exchange(await userAccessToken())).body.access_token;
    const byQuery = await call("GET", `${OAUTH2}/tokeninfo?access_token=${encodeURIComponent(agentToken)}`, {});
    const byHeader = await call("GET", `${OAUTH2}/tokeninfo`, { authorization: `Bearer ${agentToken}` });
    for (const reply of [byQuery, byHeader]) {
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ sub: barbara()._id, client_id: AGENT, scope: ["read-data"], act: { sub: AGENT } });
      expect(reply.body.expires_in).toBeGreaterThan(3500);
    }
  });

  it("lets the agent act for a member of a subject group", async () => {
    await patchPrivilege("subjects", []);
    await patchPrivilege("subjectGroups", [{ _ref: `managed/${REALM}_group/support-agents` }]);
    const reply = await exchange(await userAccessToken(user("alice.walker")));
    expect(reply.status).toBe(200);
    const introspection = await introspect(reply.body.access_token, AGENT, AGENT_SECRET);
    expect(introspection.body.sub).toBe(user("alice.walker")._id);
  });

  it("lets the agent ask for any application scope when the privilege's permissions are empty", async () => {
    await patchPrivilege("permissions", []);
    const reply = await exchange(await userAccessToken(), { scope: "write-data admin-action" });
    expect(reply).toMatchObject({ status: 200, body: { scope: "write-data admin-action" } });
  });
});

describe("when a prerequisite is missing", () => {
  it("fails the user token with unsupported_grant_type when the provider lacks the password grant", async () => {
    await setProviderGrants((grants) => grants.filter((g) => g !== "password"));
    expect(await userToken()).toMatchObject({
      status: 400,
      body: { error: "unsupported_grant_type", error_description: "Grant type is not supported" },
    });
  });

  it("fails the user token with unauthorized_client when the web app lacks the password grant", async () => {
    await putWebApp({ grantTypes: ["authorization_code"] });
    expect(await userToken()).toMatchObject({ status: 400, body: { error: "unauthorized_client" } });
  });

  it("fails the user token with invalid_client when the web app expects client_secret_basic", async () => {
    await putWebApp({ tokenEndpointAuthMethod: "client_secret_basic" });
    expect(await userToken()).toMatchObject({
      status: 401,
      body: { error: "invalid_client", error_description: "Client authentication failed" },
    });
  });

  it("fails the user token with invalid_grant for a wrong password", async () => {
    expect(await userToken(barbara().userName, "not-her-password")).toMatchObject({
      status: 400,
      body: { error: "invalid_grant", error_description: "Authentication failed" },
    });
  });

  it("fails the user token with invalid_scope for a scope the web app does not have", async () => {
    expect(await userToken(barbara().userName, barbara().password, "openid delete-everything")).toMatchObject({
      status: 400,
      body: { error: "invalid_scope" },
    });
  });

  it("fails the exchange with unsupported_grant_type when the provider lacks token exchange", async () => {
    const subject = await userAccessToken();
    await setProviderGrants((grants) => grants.filter((g) => g !== TOKEN_EXCHANGE_GRANT));
    expect(await exchange(subject)).toMatchObject({
      status: 400,
      body: { error: "unsupported_grant_type", error_description: "Grant type is not supported" },
    });
  });

  it("fails the exchange with invalid_client when the agent expects client_secret_basic", async () => {
    await putAgent({ tokenEndpointAuthMethod: "client_secret_basic" });
    expect(await exchange(await userAccessToken())).toMatchObject({ status: 401, body: { error: "invalid_client" } });
  });

  it("fails the exchange with invalid_client for a wrong agent secret or an inactive agent", async () => {
    const subject = await userAccessToken();
    expect(await exchange(subject, { client_secret: "wrong" })).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    await putAgent({ status: "Inactive" });
    expect(await exchange(subject)).toMatchObject({ status: 401, body: { error: "invalid_client" } });
  });

  it("fails the exchange with invalid_scope for a scope outside the privilege", async () => {
    expect(await exchange(await userAccessToken(), { scope: "read-data write-data" })).toMatchObject({
      status: 400,
      body: { error: "invalid_scope" },
    });
  });

  it.each([
    ["the agent lacks the token-exchange grant", "client-grant", () => putAgent({ grantTypes: ["authorization_code"] })],
    ["provider overrides are off on the agent", "audience-parameter", () => putAgent({ overrides: { providerOverridesEnabled: false } })],
    ["the agent does not use client-side tokens", "stateless-tokens", () => putAgent({ overrides: { statelessTokensEnabled: false } })],
    ["the agent does not accept audience parameters", "audience-parameter", () =>
      putAgent({ overrides: { acceptAudienceParametersInTokenExchangeRequests: false } })],
    ["the privilege is deleted", "no-privilege", () => admin("DELETE", path(ENDPOINTS.privilege.delete.path, privilegeId))],
    ["the privilege points at another application", "no-privilege", async () => {
      const otherApp = randomUUID();
      await admin("PUT", path(ENDPOINTS.application.create.path, otherApp), undefined, { name: "Other", ssoEntities: { oidcId: "other-app" } });
      await patchPrivilege("resource", { _ref: `managed/${REALM}_application/${otherApp}` });
    }],
    ["the user is not among the privilege's subjects", "subject-not-allowed", () =>
      patchPrivilege("subjects", [userRef(user("carl.tanaka")._id)])],
  ] as const)("fails the exchange as invalid when %s", async (_, reason, breakIt) => {
    const subject = await userAccessToken();
    await breakIt();
    const reply = await exchange(subject);
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 400, body: INVALID_EXCHANGE });
    expect(reply.headers[EXCHANGE_REASON_HEADER]).toBe(reason);
  });

  it.each([
    ["the subject token is not a token of this tenant", { subject_token: "eyJhbGciOiJub25lIn0.e30." }, "subject-token"],
    ["the subject token type is neither an access nor an ID token", { subject_token_type: "urn:ietf:params:oauth:token-type:saml2" }, "subject-token-type"],
    ["the subject token is an access token sent as an ID token", { subject_token_type: "urn:ietf:params:oauth:token-type:id_token" }, "subject-token"],
    ["the audience is another client", { audience: "another-app" }, "no-privilege"],
  ] as const)("fails the exchange as invalid when %s", async (_, params, reason) => {
    const reply = await exchange(await userAccessToken(), params);
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 400, body: INVALID_EXCHANGE });
    expect(reply.headers[EXCHANGE_REASON_HEADER]).toBe(reason);
  });
});

describe("other grants and client authentication", () => {
  it("refreshes a user token with the refresh-token grant", async () => {
    const refreshToken = (await userToken()).body.refresh_token;
    const reply = await form(`${OAUTH2}/access_token`, {
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      client_id: APP,
      client_secret: APP_SECRET,
      scope: "read-data",
    });
    expect(reply).toMatchObject({ status: 200, body: { scope: "read-data", token_type: "Bearer" } });
    const introspection = await introspect(reply.body.access_token, APP, APP_SECRET);
    expect(introspection.body).toMatchObject({ active: true, sub: barbara()._id, scope: "read-data" });
  });

  it("issues a client-credentials token whose subject is the client", async () => {
    await putWebApp({ grantTypes: ["client_credentials"] });
    const reply = await form(`${OAUTH2}/access_token`, { grant_type: "client_credentials", client_id: APP, client_secret: APP_SECRET, scope: "read-data" });
    expect(reply.status).toBe(200);
    expect(reply.body.refresh_token).toBeUndefined();
    expect((await introspect(reply.body.access_token, APP, APP_SECRET)).body).toMatchObject({ sub: APP, client_id: APP });
  });

  it("authenticates a client_secret_basic client by its Authorization header only", async () => {
    await putWebApp({ tokenEndpointAuthMethod: "client_secret_basic" });
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(APP)}:${encodeURIComponent(APP_SECRET)}`).toString("base64")}`;
    const params = { grant_type: "password", username: barbara().userName, password: barbara().password, scope: "openid" };
    expect((await form(`${OAUTH2}/access_token`, params, { authorization: basic })).status).toBe(200);
  });
});

describe("introspect and tokeninfo", () => {
  it("require client authentication for introspection", async () => {
    expect(await introspect(await userAccessToken(), APP, "wrong")).toMatchObject({ status: 401, body: { error: "invalid_client" } });
  });

  it("report an unknown token as inactive", async () => {
    expect(await introspect("not-a-token", APP, APP_SECRET)).toMatchObject({ status: 200, body: { active: false } });
  });

  it("answer inactive to a client that introspects another client's token", async () => {
    const agentToken = (await exchange(await userAccessToken())).body.access_token;
    expect(await introspect(agentToken, APP, APP_SECRET)).toEqual(expect.objectContaining({ status: 200, body: { active: false } }));
  });

  it("let a client holding the am-introspect-all-tokens scope introspect any token of the realm", async () => {
    const agentToken = (await exchange(await userAccessToken())).body.access_token;
    await admin("PUT", path(ENDPOINTS.oauth2ClientPut.path, "token-auditor"), API_VERSION.oauth2Client, {
      coreOAuth2ClientConfig: { userpassword: APP_SECRET, scopes: ["am-introspect-all-tokens"] },
      advancedOAuth2ClientConfig: { tokenEndpointAuthMethod: "client_secret_post" },
    });
    expect((await introspect(agentToken, "token-auditor", APP_SECRET)).body).toMatchObject({
      active: true,
      client_id: AGENT,
      act: { sub: AGENT },
    });
  });

  it("report a live refresh token as active, with token_type refresh_token", async () => {
    const refreshToken = (await userToken()).body.refresh_token;
    expect((await introspect(refreshToken, APP, APP_SECRET)).body).toMatchObject({
      active: true,
      client_id: APP,
      sub: barbara()._id,
      token_type: "refresh_token",
      scope: "openid read-data",
    });
  });

  it("refuse a bad token at tokeninfo with invalid_token", async () => {
    expect(await call("GET", `${OAUTH2}/tokeninfo?access_token=not-a-token`, {})).toMatchObject({
      status: 401,
      body: { error: "invalid_token" },
    });
  });

  it("do not take a realm access token as an admin credential", async () => {
    const reply = await call("GET", path(ENDPOINTS.providerRead.path), {
      authorization: `Bearer ${await userAccessToken()}`,
      "accept-api-version": API_VERSION.oauth2Provider,
    });
    expect(reply).toMatchObject({ status: 401, body: { code: 401, reason: "Unauthorized", message: "Access Denied" } });
  });
});

describe("AM session over HTTP", () => {
  it("reads the admin API with the session cookie that authenticate returns", async () => {
    const info = await call("GET", "/am/json/serverinfo/*", { "accept-api-version": API_VERSION.serverInfo });
    const login = await call("POST", "/am/json/realms/root/authenticate", {
      "x-openam-username": tenant.connection.amAdmin.username,
      "x-openam-password": tenant.connection.amAdmin.password,
      "accept-api-version": API_VERSION.authenticate,
    });
    expect(login.status).toBe(200);
    const reply = await call("GET", path(ENDPOINTS.oauth2ClientRead.path, APP), {
      cookie: `${info.body.cookieName}=${login.body.tokenId}`,
      "accept-api-version": API_VERSION.oauth2Client,
    });
    expect(reply).toMatchObject({ status: 200, body: { _id: APP } });
  });
});
