/**
 * Token exchange as PingAM 8.1 documents it (reference ai-agent-delegation.md §1–§7), over real
 * HTTP against the embedded tenant: actor tokens, `may_act`, nested `act`, `requested_token_type`,
 * and the acting client's scope and audience limits. The seed's AI-agent flow (an AIAgent with a
 * privilege, no actor token) is covered by oauth2.test.ts and must keep working.
 */
import { randomUUID } from "node:crypto";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from "../../src/contract/constants";
import { mayActScriptSource, SCRIPT_CONTEXTS, scopeLimitScriptSource, type MayAct } from "../../src/contract/scripts";
import { EXCHANGE_REASON_HEADER } from "../../src/emulator/oauth2";
import { AM, API_VERSION, fixtures, OAUTH2_CLIENT, PROVIDER, startTestTenant, type Reply, type TestTenant } from "./helpers";

const ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";
const OAUTH2 = "/am/oauth2/realms/root/realms/alpha";
const SECRET = `secret-${randomUUID()}`;
/** The web app users sign in to: it issues the subject tokens. */
const PORTAL = "hr-portal";
/** An AIAgent authorised by an IDM privilege (the seed's AIC flow). */
const ASSISTANT = "hr-assistant";
const INVALID_EXCHANGE = { error: "invalid_request", error_description: "Invalid token exchange." };

let t: TestTenant;
const barbara = () => t.connection.users.find((u) => u.userName === "barbara.jensen")!;

/** A form post; a list value is sent as that parameter repeated, in order. */
async function form(endpoint: string, params: Record<string, string | string[]>): Promise<Reply> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) for (const one of [value].flat()) body.append(name, one);
  const res = await fetch(`${t.baseUrl}${OAUTH2}/${endpoint}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const token = (client: string, params: Record<string, string | string[]>) => form("access_token", { client_id: client, client_secret: SECRET, ...params });

async function userToken(client = PORTAL): Promise<string> {
  const reply = await token(client, { grant_type: "password", username: barbara().userName, password: barbara().password, scope: "openid read-data" });
  expect(reply.status).toBe(200);
  return reply.body.access_token;
}

async function clientToken(client: string): Promise<string> {
  const reply = await token(client, { grant_type: "client_credentials", scope: "read-data" });
  expect(reply.status).toBe(200);
  return reply.body.access_token;
}

const exchange = (client: string, subjectToken: string, params: Record<string, string> = {}) =>
  token(client, { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: subjectToken, subject_token_type: ACCESS_TOKEN_TYPE, scope: "read-data", ...params });

/** The assistant's exchange as the seed's Task 4 makes it. */
const assistantExchange = async (params: Record<string, string> = {}) => exchange(ASSISTANT, await userToken(), { audience: PORTAL, ...params });

function expectRefused(reply: Reply, reason: string, body: object = INVALID_EXCHANGE): void {
  expect({ status: reply.status, body: reply.body, reason: reply.headers.get(EXCHANGE_REASON_HEADER) }).toEqual({ status: 400, body, reason });
}

async function configure(): Promise<void> {
  const f = fixtures(t);
  const provider = (await t.call("GET", PROVIDER, { apiVersion: API_VERSION.oauth2Provider })).body;
  const { _rev, _type, ...body } = provider;
  body.advancedOAuth2Config.grantTypes.push("password", TOKEN_EXCHANGE_GRANT);
  expect((await t.call("PUT", PROVIDER, { apiVersion: API_VERSION.oauth2Provider, body })).status).toBe(200);
  await f.client(PORTAL, {
    coreOAuth2ClientConfig: { userpassword: SECRET, scopes: ["openid", "read-data", "write-data"] },
    advancedOAuth2ClientConfig: { grantTypes: ["password", "client_credentials"], tokenEndpointAuthMethod: "client_secret_post" },
  });
  const uid = randomUUID();
  await f.agent(ASSISTANT, { _id: uid }, {
    coreOAuth2ClientConfig: { userpassword: SECRET, scopes: ["read-data"] },
    advancedOAuth2ClientConfig: { grantTypes: [TOKEN_EXCHANGE_GRANT, "client_credentials"], tokenEndpointAuthMethod: "client_secret_post" },
    overrideOAuth2ClientConfig: { providerOverridesEnabled: true, statelessTokensEnabled: true, acceptAudienceParametersInTokenExchangeRequests: true },
  });
  const appId = randomUUID();
  await f.application(appId, PORTAL);
  await f.privilege(uid, {
    resource: f.ref("alpha_application", appId),
    subjects: [f.ref("alpha_user", barbara()._id)],
    permissions: [{ type: "scopes", values: ["read-data"] }],
  });
}

beforeAll(async () => {
  t = await startTestTenant();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.reset();
  await configure();
});

describe("requested_token_type", () => {
  it("issues an access token when none is requested", async () => {
    expect(await assistantExchange()).toMatchObject({ status: 200, body: { issued_token_type: ACCESS_TOKEN_TYPE, token_type: "Bearer" } });
  });

  it("issues an ID token signed by the realm when an ID token is requested", async () => {
    const reply = await assistantExchange({ requested_token_type: ID_TOKEN_TYPE });
    expect(reply).toMatchObject({ status: 200, body: { issued_token_type: ID_TOKEN_TYPE, token_type: "N_A", refresh_token: null } });
    const jwks = createRemoteJWKSet(new URL(`${t.baseUrl}${OAUTH2}/connect/jwk_uri`));
    const { payload } = await jwtVerify(reply.body.access_token, jwks, { issuer: `${t.baseUrl}${OAUTH2}`, audience: ASSISTANT });
    expect(payload).toMatchObject({ sub: barbara()._id, azp: ASSISTANT, act: { sub: ASSISTANT } });
    expect(payload.scope).toBeUndefined();
  });

  it("takes an ID token as the subject token of a further exchange", async () => {
    const idToken = (await assistantExchange({ requested_token_type: ID_TOKEN_TYPE })).body.access_token;
    const reply = await exchange(ASSISTANT, idToken, { subject_token_type: ID_TOKEN_TYPE, audience: PORTAL });
    expect(reply.status).toBe(200);
    expect(decodeJwt(reply.body.access_token)).toMatchObject({ sub: barbara()._id });
  });

  it("refuses a token type AM cannot issue", async () => {
    expectRefused(await assistantExchange({ requested_token_type: "urn:ietf:params:oauth:token-type:txn_token" }), "requested-token-type");
  });

  it("refuses a refresh token as the requested type", async () => {
    expectRefused(await assistantExchange({ requested_token_type: "urn:ietf:params:oauth:token-type:refresh_token" }), "requested-token-type");
  });
});

describe("actor tokens", () => {
  it("refuses a garbage actor token with invalid_request (RFC 8693 §2.2.2)", async () => {
    expectRefused(await assistantExchange({ actor_token: "not-a-token", actor_token_type: ACCESS_TOKEN_TYPE }), "actor-token");
  });

  it("refuses an actor token sent without actor_token_type", async () => {
    expectRefused(await assistantExchange({ actor_token: await clientToken(ASSISTANT) }), "actor-token");
  });

  it("refuses actor_token_type sent without an actor token", async () => {
    expectRefused(await assistantExchange({ actor_token_type: ACCESS_TOKEN_TYPE }), "actor-token");
  });

  it("refuses an actor token of another kind than actor_token_type says", async () => {
    expectRefused(await assistantExchange({ actor_token: await clientToken(ASSISTANT), actor_token_type: ID_TOKEN_TYPE }), "actor-token");
  });

  it("refuses a live actor token when the subject token names no one in may_act", async () => {
    expectRefused(await assistantExchange({ actor_token: await clientToken(ASSISTANT), actor_token_type: ACCESS_TOKEN_TYPE }), "may-act");
  });
});

describe("autonomous agents (reference §8.5)", () => {
  /** A privilege from the assistant to the portal with no subjects and no groups: the agent acts for itself. */
  async function autonomousPrivilege(o: { subjects?: object[] } = {}): Promise<void> {
    const f = fixtures(t);
    const uid = (await t.call("GET", `${AM}/realm-config/agents/AIAgent/${ASSISTANT}`, { apiVersion: API_VERSION.aiAgent })).body.aiAgentIdentityUid.value;
    const appId = randomUUID();
    await f.application(appId, "ops-console");
    await f.client("ops-console", { coreOAuth2ClientConfig: { userpassword: SECRET, scopes: ["logs-read", "logs-search"] } });
    await f.privilege(uid, { resource: f.ref("alpha_application", appId), subjects: o.subjects ?? [], permissions: [{ type: "scopes", values: ["logs-read", "logs-search"] }] });
  }

  it("exchanges the agent's own client-credentials token: sub and act.sub are the agent, aud the agent and the application, no refresh token", async () => {
    await autonomousPrivilege();
    const reply = await exchange(ASSISTANT, await clientToken(ASSISTANT), { audience: "ops-console", scope: "logs-read logs-search" });
    expect(reply).toMatchObject({ status: 200, body: { scope: "logs-read logs-search", refresh_token: null } });
    expect(decodeJwt(reply.body.access_token)).toMatchObject({ sub: ASSISTANT, client_id: ASSISTANT, aud: [ASSISTANT, "ops-console"], act: { sub: ASSISTANT } });
  });

  it("refuses the agent's own token when the privilege lists subjects (it is for users, not for the agent)", async () => {
    await autonomousPrivilege({ subjects: [fixtures(t).ref("alpha_user", barbara()._id)] });
    expectRefused(await exchange(ASSISTANT, await clientToken(ASSISTANT), { audience: "ops-console", scope: "logs-read" }), "subject-not-allowed");
  });

  it("refuses another client's own token", async () => {
    await autonomousPrivilege();
    expectRefused(await exchange(ASSISTANT, await clientToken(PORTAL), { audience: "ops-console", scope: "logs-read" }), "subject-token");
  });

  it("refuses a scope outside the privilege's permissions", async () => {
    await autonomousPrivilege();
    expectRefused(await exchange(ASSISTANT, await clientToken(ASSISTANT), { audience: "ops-console", scope: "logs-delete" }), "scope", {
      error: "invalid_scope",
      error_description: "Unknown/invalid scope(s): [logs-delete]",
    });
  });
});

// ---------- delegation through may_act (AM 8.1's own model) ----------

/** An ordinary OAuth2 client acting for portal users (reference §2, [AM-DEL]). */
const HR_AGENT = "hr-agent";
/** A second agent that may act for the HR agent (agent-to-agent, reference §4). */
const PAYROLL_AGENT = "payroll-agent";
const ROGUE_AGENT = "rogue-agent";
const base64 = (source: string) => Buffer.from(source, "utf8").toString("base64");

async function putScript(name: string, context: string, source: string): Promise<string> {
  const id = randomUUID();
  const reply = await t.call("PUT", `${AM}/scripts/${id}`, {
    apiVersion: API_VERSION.script,
    body: { name, script: base64(source), language: "JAVASCRIPT", context },
  });
  expect(reply.status).toBe(201);
  return id;
}

const mayActScript = (mayAct: MayAct) => putScript(`may act ${randomUUID()}`, SCRIPT_CONTEXTS.mayAct, mayActScriptSource(mayAct));

/** A full replace of an OAuth2Client, with overrides on (the scripts and switches live there). */
const putClient = (id: string, o: { grants?: string[]; scopes?: string[]; overrides?: object; advanced?: object } = {}) =>
  t.call("PUT", `${OAUTH2_CLIENT}/${id}`, {
    apiVersion: API_VERSION.oauth2Client,
    body: {
      coreOAuth2ClientConfig: { userpassword: SECRET, scopes: o.scopes ?? ["read-data", "write-data"] },
      advancedOAuth2ClientConfig: { grantTypes: o.grants ?? [TOKEN_EXCHANGE_GRANT, "client_credentials"], tokenEndpointAuthMethod: "client_secret_post", ...o.advanced },
      overrideOAuth2ClientConfig: { providerOverridesEnabled: true, ...o.overrides },
    },
  });

/** The portal's tokens carry may_act naming `mayAct`. */
async function portalMayAct(mayAct: MayAct): Promise<void> {
  const script = await mayActScript(mayAct);
  expect(
    (
      await putClient(PORTAL, {
        grants: ["password", "client_credentials"],
        scopes: ["openid", "read-data", "write-data"],
        overrides: { accessTokenMayActScript: script, oidcMayActScript: script },
      })
    ).status,
  ).toBe(201);
}

const delegate = async (actor: string, subjectToken: string, params: Record<string, string> = {}) =>
  exchange(actor, subjectToken, { actor_token: await clientToken(actor), actor_token_type: ACCESS_TOKEN_TYPE, ...params });

describe("delegation with an actor token", () => {
  beforeEach(async () => {
    await portalMayAct({ client_id: HR_AGENT, sub: `(age!${HR_AGENT})` });
    for (const agent of [HR_AGENT, PAYROLL_AGENT, ROGUE_AGENT]) await putClient(agent);
  });

  it("stamps may_act from the issuing client's May Act script on the subject token", async () => {
    expect(decodeJwt(await userToken()).may_act).toEqual({ client_id: HR_AGENT, sub: `(age!${HR_AGENT})` });
  });

  it("stamps ID tokens from oidcMayActScript and access tokens from accessTokenMayActScript (reference §3.4)", async () => {
    // The HR agent issues both kinds by exchange; only its ID tokens run a May Act script.
    await putClient(HR_AGENT, { overrides: { oidcMayActScript: await mayActScript({ client_id: PAYROLL_AGENT }) } });
    const idToken = (await delegate(HR_AGENT, await userToken(), { requested_token_type: ID_TOKEN_TYPE })).body.access_token;
    const accessToken = (await delegate(HR_AGENT, await userToken())).body.access_token;
    expect(decodeJwt(idToken).may_act).toEqual({ client_id: PAYROLL_AGENT });
    expect(decodeJwt(accessToken).may_act).toBeUndefined();
  });

  it("issues a token for the user that names the actor in act", async () => {
    const reply = await delegate(HR_AGENT, await userToken());
    expect(reply).toMatchObject({ status: 200, body: { issued_token_type: ACCESS_TOKEN_TYPE, scope: "read-data" } });
    expect(decodeJwt(reply.body.access_token)).toMatchObject({ sub: barbara()._id, client_id: HR_AGENT, aud: HR_AGENT, act: { sub: HR_AGENT } });
  });

  it("refuses an actor the subject token's may_act does not name", async () => {
    expectRefused(await delegate(ROGUE_AGENT, await userToken()), "may-act");
  });

  it("refuses the named client presenting another client's actor token", async () => {
    const reply = await exchange(HR_AGENT, await userToken(), { actor_token: await clientToken(ROGUE_AGENT), actor_token_type: ACCESS_TOKEN_TYPE });
    expectRefused(reply, "may-act");
  });

  it("refuses a subject token without may_act", async () => {
    await putClient(PORTAL, { grants: ["password"], scopes: ["openid", "read-data"] });
    expectRefused(await delegate(HR_AGENT, await userToken()), "may-act");
  });

  it("nests the first actor inside the second when an agent acts for an agent acting for a user", async () => {
    // The HR agent's own tokens may be exchanged by the payroll agent.
    await putClient(HR_AGENT, { overrides: { accessTokenMayActScript: await mayActScript({ client_id: PAYROLL_AGENT, sub: `(age!${PAYROLL_AGENT})` }) } });
    const hrToken = (await delegate(HR_AGENT, await userToken())).body.access_token;
    const reply = await delegate(PAYROLL_AGENT, hrToken);
    expect(reply.status).toBe(200);
    expect(decodeJwt(reply.body.access_token)).toMatchObject({
      sub: barbara()._id,
      client_id: PAYROLL_AGENT,
      act: { sub: PAYROLL_AGENT, act: { sub: HR_AGENT } },
    });
  });
});

describe("impersonation by an ordinary client", () => {
  it("issues a token indistinguishable from the user's own when may_act names the client", async () => {
    await portalMayAct({ client_id: HR_AGENT });
    await putClient(HR_AGENT);
    const reply = await exchange(HR_AGENT, await userToken());
    expect(reply.status).toBe(200);
    const claims = decodeJwt(reply.body.access_token);
    expect(claims).toMatchObject({ sub: barbara()._id, client_id: HR_AGENT });
    expect(claims.act).toBeUndefined();
  });
});

describe("the acting client's limits", () => {
  beforeEach(async () => {
    await portalMayAct({ client_id: HR_AGENT, sub: `(age!${HR_AGENT})` });
  });

  it("refuses a scope its scope-validation script does not allow, with the script's message", async () => {
    const limit = await putScript("HR limit", SCRIPT_CONTEXTS.validateScope, scopeLimitScriptSource(["read-data"]));
    await putClient(HR_AGENT, { overrides: { validateScopePluginType: "SCRIPTED", validateScopeScript: limit } });
    expect((await delegate(HR_AGENT, await userToken())).status).toBe(200);
    expectRefused(await delegate(HR_AGENT, await userToken(), { scope: "read-data write-data" }), "scope", {
      error: "invalid_scope",
      error_description: "Scope(s) outside the limit: write-data",
    });
  });

  it("refuses a scope outside its own scopes", async () => {
    await putClient(HR_AGENT, { scopes: ["read-data"] });
    expect(await delegate(HR_AGENT, await userToken(), { scope: "write-data" })).toMatchObject({ status: 400, body: { error: "invalid_scope" } });
  });

  it("adds an audience on its allow-list to aud, after itself", async () => {
    await putClient(HR_AGENT, { overrides: { acceptAudienceParametersInTokenExchangeRequests: true }, advanced: { allowedResourceServerAudienceValues: ["payroll-api"] } });
    const reply = await delegate(HR_AGENT, await userToken(), { audience: "payroll-api" });
    expect(decodeJwt(reply.body.access_token).aud).toEqual([HR_AGENT, "payroll-api"]);
  });

  it("refuses an audience outside its allow-list", async () => {
    await putClient(HR_AGENT, { overrides: { acceptAudienceParametersInTokenExchangeRequests: true }, advanced: { allowedResourceServerAudienceValues: ["payroll-api"] } });
    expectRefused(await delegate(HR_AGENT, await userToken(), { audience: "payroll-api-admin" }), "audience", {
      error: "invalid_request",
      error_description: "Invalid audience requested.",
    });
  });

  it("appends several allowed audiences in the order requested", async () => {
    await putClient(HR_AGENT, { overrides: { acceptAudienceParametersInTokenExchangeRequests: true }, advanced: { allowedResourceServerAudienceValues: ["payroll-api", "benefits-api"] } });
    const reply = await token(HR_AGENT, {
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: await userToken(),
      subject_token_type: ACCESS_TOKEN_TYPE,
      scope: "read-data",
      actor_token: await clientToken(HR_AGENT),
      actor_token_type: ACCESS_TOKEN_TYPE,
      audience: ["benefits-api", "payroll-api"],
    });
    expect(decodeJwt(reply.body.access_token).aud).toEqual([HR_AGENT, "benefits-api", "payroll-api"]);
  });

  it.each([
    ["a prefix of an allowed value", "payroll"],
    ["a wildcard", "payroll-*"],
    ["an empty value", ""],
  ])("refuses %s as the audience (exact match only)", async (_, audience) => {
    await putClient(HR_AGENT, { overrides: { acceptAudienceParametersInTokenExchangeRequests: true }, advanced: { allowedResourceServerAudienceValues: ["payroll-api"] } });
    expectRefused(await delegate(HR_AGENT, await userToken(), { audience }), "audience", {
      error: "invalid_request",
      error_description: "Invalid audience requested.",
    });
  });

  it("ignores the audience parameter when it does not accept audience parameters", async () => {
    await putClient(HR_AGENT, { advanced: { allowedResourceServerAudienceValues: ["payroll-api"] } });
    const reply = await delegate(HR_AGENT, await userToken(), { audience: "anything" });
    expect(decodeJwt(reply.body.access_token).aud).toBe(HR_AGENT);
  });
});

describe("scripts the embedded tenant cannot run", () => {
  it.each([
    ["a May Act script outside the dialect", SCRIPT_CONTEXTS.mayAct, "token.setMayAct(buildMayAct());"],
    ["a legacy May Act script", SCRIPT_CONTEXTS.mayActLegacy, mayActScriptSource({ client_id: HR_AGENT })],
    ["a dialect script with a line added", SCRIPT_CONTEXTS.mayAct, mayActScriptSource({ client_id: HR_AGENT }) + "logger.info('x');\n"],
  ])("fail the token request with a 500 naming the script, never a silent pass: %s", async (_, context, source) => {
    const script = await putScript("Unrunnable", context, source);
    await putClient(PORTAL, { grants: ["password"], scopes: ["openid", "read-data"], overrides: { accessTokenMayActScript: script } });
    const reply = await token(PORTAL, { grant_type: "password", username: barbara().userName, password: barbara().password, scope: "read-data" });
    expect(reply.status).toBe(500);
    expect(reply.body.error).toBe("server_error");
    expect(reply.body.error_description).toMatch(new RegExp(`^Error running may_act script: script "Unrunnable" \\(${script}\\)`));
  });

  it("fails an exchange whose acting client wires a scope script outside the dialect", async () => {
    await portalMayAct({ client_id: HR_AGENT, sub: `(age!${HR_AGENT})` });
    const limit = await putScript("Custom limit", SCRIPT_CONTEXTS.validateScope, "function validateAccessTokenScope() { return requestedScopes; }");
    await putClient(HR_AGENT, { overrides: { validateScopePluginType: "SCRIPTED", validateScopeScript: limit } });
    expect(await delegate(HR_AGENT, await userToken())).toMatchObject({ status: 500, body: { error: "server_error" } });
  });
});
