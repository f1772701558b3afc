/**
 * Admin sessions: the 5-session cap per account, expiry, peak tracking, the service-account grant
 * that opens them, and how admin requests are authenticated. Runs the handlers on a seeded tenant
 * with a clock the test moves, so expiry is exact.
 */
import { CURRENT_AM_VERSION } from "../../src/contract/am-defaults";
import { randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from "jose";
import { API_VERSION } from "../../src/contract/endpoints";
import { JWT_BEARER_GRANT, SERVICE_ACCOUNT_SCOPE } from "../../src/contract/constants";
import type { EmulatorContext } from "../../src/emulator/context";
import { createSigningKeys, type SigningKeys } from "../../src/emulator/keys";
import { handleOAuth2, SERVICE_ACCOUNT_TOKEN_SECONDS } from "../../src/emulator/oauth2";
import { createSeedCredentials, seedState, type SeedCredentials } from "../../src/emulator/seed";
import { authenticateAdmin, SessionRegistry } from "../../src/emulator/sessions";
import type { EmulatorRequest, EmulatorResponse } from "../../src/emulator/types";

const BASE_URL = "http://127.0.0.1:8080";
const TOKEN_URL = `${BASE_URL}/am/oauth2/access_token`;
const T0 = Date.UTC(2030, 0, 1);

let seed: SeedCredentials;
let signingKeys: SigningKeys;
let ctx: EmulatorContext;
let nowMs: number;

beforeAll(async () => {
  seed = await createSeedCredentials();
  signingKeys = await createSigningKeys();
});

beforeEach(() => {
  nowMs = T0;
  let rev = 0;
  ctx = {
    state: seedState(seed),
    baseUrl: BASE_URL,
    sessions: new SessionRegistry(),
    amVersion: CURRENT_AM_VERSION,
    signingKeys,
    revokedGrants: new Set(),
    now: () => nowMs,
    restartDelayMs: 0,
    nextRev: () => String(++rev),
    changed: () => undefined,
    save: () => undefined,
  };
});

const account = () => seed.serviceAccount.id;

function req(method: string, path: string, headers: Record<string, string> = {}, body = ""): EmulatorRequest {
  return { method, path, query: new URLSearchParams(), headers, body };
}

interface AssertionOptions {
  iss?: string;
  aud?: string;
  lifetimeSeconds?: number;
  jti?: string;
  key?: JWK;
}

async function assertion(o: AssertionOptions = {}): Promise<string> {
  const key = await importJWK((o.key ?? seed.serviceAccount.privateJwk) as JWK, "RS256");
  return new SignJWT({})
    .setProtectedHeader({ alg: "RS256" })
    .setIssuer(o.iss ?? account())
    .setSubject(o.iss ?? account())
    .setAudience(o.aud ?? TOKEN_URL)
    .setExpirationTime(Math.floor(nowMs / 1000) + (o.lifetimeSeconds ?? 180))
    .setJti(o.jti ?? randomUUID())
    .sign(key);
}

async function requestToken(form: Record<string, string>): Promise<EmulatorResponse> {
  const body = new URLSearchParams({ client_id: "service-account", grant_type: JWT_BEARER_GRANT, ...form }).toString();
  const res = await handleOAuth2(req("POST", "/am/oauth2/access_token", { "content-type": "application/x-www-form-urlencoded" }, body), ctx);
  return res!;
}

async function serviceAccountToken(scope = SERVICE_ACCOUNT_SCOPE): Promise<string> {
  const res = await requestToken({ scope, assertion: await assertion() });
  expect(res.status).toBe(200);
  return (res.body as { access_token: string }).access_token;
}

const QUOTA = {
  status: 400,
  body: { error: "invalid_grant", error_description: "Maximum sessions limit reached or session quota has been exhausted" },
};

describe("SessionRegistry", () => {
  it("refuses a sixth concurrent session of one account", () => {
    const registry = new SessionRegistry();
    for (let i = 0; i < 5; i++) expect(registry.open("sa", "service-account", [], T0, 899)).toEqual(expect.any(String));
    expect(registry.open("sa", "service-account", [], T0, 899)).toBeUndefined();
    expect(registry.open("other", "service-account", [], T0, 899)).toEqual(expect.any(String));
  });

  it("frees a slot when a session expires", () => {
    const registry = new SessionRegistry();
    const first = registry.open("sa", "service-account", [], T0, 899)!;
    for (let i = 0; i < 4; i++) registry.open("sa", "service-account", [], T0 + 1000, 899);
    expect(registry.open("sa", "service-account", [], T0 + 899_000 - 1, 899)).toBeUndefined();
    expect(registry.find(first, T0 + 899_000)).toBeUndefined();
    expect(registry.open("sa", "service-account", [], T0 + 899_000, 899)).toEqual(expect.any(String));
    expect(registry.active("sa", T0 + 899_000)).toBe(5);
  });

  it("records the peak of concurrent sessions per account and overall", () => {
    const registry = new SessionRegistry({ maxPerAccount: 10 });
    registry.open("a", "service-account", [], T0, 10);
    registry.open("a", "service-account", [], T0, 10);
    registry.open("a", "service-account", [], T0 + 20_000, 10);
    registry.open("b", "am-session", [], T0, 10);
    expect(registry.peak("a")).toBe(2);
    expect(registry.peak("b")).toBe(1);
    expect(registry.peak()).toBe(2);
    expect(registry.active("a", T0 + 20_000)).toBe(1);
  });

  it("forgets sessions and peaks on reset", () => {
    const registry = new SessionRegistry();
    const token = registry.open("a", "service-account", [], T0, 10)!;
    registry.reset();
    expect(registry.find(token, T0)).toBeUndefined();
    expect(registry.peak()).toBe(0);
  });
});

describe("service-account token (jwt-bearer grant)", () => {
  it("answers with a bearer token for the requested scope, valid 899 s", async () => {
    const res = await requestToken({ scope: SERVICE_ACCOUNT_SCOPE, assertion: await assertion() });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      scope: SERVICE_ACCOUNT_SCOPE,
      token_type: "Bearer",
      expires_in: SERVICE_ACCOUNT_TOKEN_SECONDS,
    });
    expect(ctx.sessions.active(account(), nowMs)).toBe(1);
  });

  it("opens one session per token request and refuses the sixth with AM's session-quota error", async () => {
    for (let i = 0; i < 5; i++) await serviceAccountToken();
    expect(await requestToken({ scope: SERVICE_ACCOUNT_SCOPE, assertion: await assertion() })).toEqual(QUOTA);
    expect(ctx.sessions.peak(account())).toBe(5);
  });

  it("grants a new token once the oldest one has expired", async () => {
    for (let i = 0; i < 5; i++) await serviceAccountToken();
    nowMs += SERVICE_ACCOUNT_TOKEN_SECONDS * 1000;
    await serviceAccountToken();
    expect(ctx.sessions.peak(account())).toBe(5);
  });

  it.each([
    ["signed with another key", async () => assertion({ key: await otherPrivateJwk() })],
    ["for another audience", () => assertion({ aud: `${BASE_URL}/am/oauth2/realms/root/realms/alpha/access_token` })],
    ["living longer than 180 s", () => assertion({ lifetimeSeconds: 181 })],
    ["already expired", () => assertion({ lifetimeSeconds: -1 })],
    ["not a JWT", async () => "not-a-jwt"],
  ])("refuses an assertion %s with invalid_grant", async (_, make) => {
    const res = await requestToken({ scope: SERVICE_ACCOUNT_SCOPE, assertion: await make() });
    expect(res.status).toBe(400);
    expect((res.body as { error: string }).error).toBe("invalid_grant");
    expect(ctx.sessions.peak()).toBe(0);
  });

  it("refuses a replayed assertion", async () => {
    const once = await assertion();
    expect((await requestToken({ scope: SERVICE_ACCOUNT_SCOPE, assertion: once })).status).toBe(200);
    const again = await requestToken({ scope: SERVICE_ACCOUNT_SCOPE, assertion: once });
    expect(again).toEqual({ status: 400, body: { error: "invalid_grant", error_description: "Assertion has already been used" } });
  });

  it("refuses an unknown service account with invalid_client", async () => {
    const res = await requestToken({ scope: SERVICE_ACCOUNT_SCOPE, assertion: await assertion({ iss: randomUUID() }) });
    expect(res).toEqual({ status: 400, body: { error: "invalid_client", error_description: "Client authentication failed" } });
  });

  it("refuses scopes the account was not given with AIC's wording, listing them joined by commas", async () => {
    const res = await requestToken({ scope: "fr:am:* fr:iga:* fr:idc:esv:*", assertion: await assertion() });
    expect(res).toEqual({
      status: 400,
      body: { error: "invalid_scope", error_description: "Unsupported scope for service account: fr:iga:*,fr:idc:esv:*" },
    });
  });

  it("leaves the assertion unused when it refuses the scope, so the same assertion works without those scopes", async () => {
    const once = await assertion();
    expect((await requestToken({ scope: "fr:am:* fr:iga:*", assertion: once })).status).toBe(400);
    const retried = await requestToken({ scope: "fr:am:*", assertion: once });
    expect(retried).toMatchObject({ status: 200, body: { scope: "fr:am:*", token_type: "Bearer" } });
    expect(ctx.sessions.peak(account())).toBe(1);
  });

  it("refuses a body that is not form-encoded", async () => {
    const res = await handleOAuth2(req("POST", "/am/oauth2/access_token", { "content-type": "application/json" }, "{}"), ctx);
    expect(res).toMatchObject({ status: 400, body: { error: "invalid_request" } });
  });
});

async function otherPrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  return exportJWK(privateKey);
}

const amHeaders = (username: string, password: string) => ({
  "x-openam-username": username,
  "x-openam-password": password,
  "accept-api-version": API_VERSION.authenticate,
});

async function amLogin(password = seed.amAdmin.password): Promise<EmulatorResponse> {
  return (await handleOAuth2(req("POST", "/am/json/realms/root/authenticate", amHeaders(seed.amAdmin.username, password)), ctx))!;
}

describe("AM session (self-managed AM)", () => {
  it("names its session cookie in serverinfo", async () => {
    const res = await handleOAuth2(req("GET", "/am/json/serverinfo/*", { "accept-api-version": API_VERSION.serverInfo }), ctx);
    expect(res).toMatchObject({ status: 200, body: { cookieName: "iPlanetDirectoryPro" } });
  });

  it("answers a valid login with a tokenId, and sets it as the session cookie", async () => {
    const res = await amLogin();
    expect(res).toEqual({
      status: 200,
      headers: { "set-cookie": expect.any(String) },
      body: { tokenId: expect.any(String), successUrl: "/am/console", realm: "/" },
    });
    expect(res.headers!["set-cookie"]).toBe(`iPlanetDirectoryPro=${(res.body as { tokenId: string }).tokenId}; Path=/; HttpOnly`);
  });

  it("refuses a wrong password with AM's 401 body", async () => {
    expect(await amLogin("wrong")).toEqual({
      status: 401,
      body: { code: 401, reason: "Unauthorized", message: "Authentication Failed" },
    });
  });

  it("caps the admin's concurrent sessions at five", async () => {
    for (let i = 0; i < 5; i++) expect((await amLogin()).status).toBe(200);
    expect(await amLogin()).toMatchObject({ status: 401 });
    expect(ctx.sessions.peak(seed.amAdmin.username)).toBe(5);
  });
});

describe("authenticateAdmin", () => {
  const DENIED = { status: 401, body: { code: 401, reason: "Unauthorized", message: "Access Denied" } };
  const FORBIDDEN = { status: 403, body: { code: 403, reason: "Forbidden", message: "Access Denied" } };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it("accepts a live service-account token with the path's scope", async () => {
    const token = await serviceAccountToken();
    expect(authenticateAdmin(req("GET", "/am/json/realms/root/realms/alpha/realm-config/agents/OAuth2Client/x", bearer(token)), ctx)).toBeUndefined();
    expect(authenticateAdmin(req("GET", "/openidm/managed/alpha_user", bearer(token)), ctx)).toBeUndefined();
    expect(authenticateAdmin(req("POST", "/environment/aiagent", bearer(token)), ctx)).toBeUndefined();
  });

  it("forbids a path whose scope the token lacks", async () => {
    const amOnly = await serviceAccountToken("fr:am:*");
    const idmOnly = await serviceAccountToken("fr:idm:*");
    expect(authenticateAdmin(req("GET", "/openidm/managed/alpha_user", bearer(amOnly)), ctx)).toEqual(FORBIDDEN);
    expect(authenticateAdmin(req("GET", "/am/json/realms/root/realms/alpha/realm-config/services/oauth-oidc", bearer(idmOnly)), ctx)).toEqual(FORBIDDEN);
    expect(authenticateAdmin(req("POST", "/environment/aiagent", bearer(idmOnly)), ctx)).toEqual(FORBIDDEN);
  });

  it("refuses an expired token", async () => {
    const token = await serviceAccountToken();
    nowMs += SERVICE_ACCOUNT_TOKEN_SECONDS * 1000;
    expect(authenticateAdmin(req("GET", "/openidm/managed/alpha_user", bearer(token)), ctx)).toEqual(DENIED);
  });

  it("refuses an unknown token and a request without credentials", () => {
    expect(authenticateAdmin(req("GET", "/openidm/managed/alpha_user", bearer("made-up")), ctx)).toEqual(DENIED);
    expect(authenticateAdmin(req("GET", "/openidm/managed/alpha_user"), ctx)).toEqual(DENIED);
  });

  it("accepts a live AM session as cookie or as header", async () => {
    const { tokenId } = (await amLogin()).body as { tokenId: string };
    const path = "/openidm/managed/alpha_user";
    expect(authenticateAdmin(req("GET", path, { cookie: `other=1; iPlanetDirectoryPro=${tokenId}` }), ctx)).toBeUndefined();
    expect(authenticateAdmin(req("GET", path, { iplanetdirectorypro: tokenId }), ctx)).toBeUndefined();
  });

  it("does not take an AM session id as a bearer token", async () => {
    const { tokenId } = (await amLogin()).body as { tokenId: string };
    expect(authenticateAdmin(req("GET", "/openidm/managed/alpha_user", bearer(tokenId)), ctx)).toEqual(DENIED);
  });
});
