/**
 * Token exchange as PingAM 8.1 documents it (reference ai-agent-delegation.md §1–§7), over real
 * HTTP against the embedded tenant: actor tokens, `may_act`, nested `act`, `requested_token_type`,
 * and the acting client's scope and audience limits. The seed's AI-agent flow (an AIAgent with a
 * privilege, no actor token) is covered by oauth2.test.ts and must keep working.
 */
import { randomUUID } from "node:crypto";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from "../../src/contract/constants";
import { EXCHANGE_REASON_HEADER } from "../../src/emulator/oauth2";
import { API_VERSION, fixtures, PROVIDER, startTestTenant, type Reply, type TestTenant } from "./helpers";

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

async function form(endpoint: string, params: Record<string, string>): Promise<Reply> {
  const res = await fetch(`${t.baseUrl}${OAUTH2}/${endpoint}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const token = (client: string, params: Record<string, string>) => form("access_token", { client_id: client, client_secret: SECRET, ...params });

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
