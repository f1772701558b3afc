/**
 * The authorization code flow over HTTP: /authorize without a session sends the browser to the
 * login UI, the login journey brings it back with the session cookie, /authorize then redirects
 * with a code, and the token endpoint redeems the code once, for its client and redirect URI,
 * checking the PKCE verifier, with an ID token that carries the nonce.
 */
import { createHash, randomBytes } from "node:crypto";
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from "jose";
import { AM, API_VERSION, fixtures, PROVIDER, startTestTenant, type TestTenant } from "./helpers";

const SPA = "authz-spa";
const WEB = "authz-web";
const WEB_SECRET = `web-${randomBytes(8).toString("hex")}`;
const REDIRECT = "https://spa.example/callback";

let t: TestTenant;
const base = () => `${t.baseUrl}/am/oauth2/realms/root/realms/alpha`;
const barbara = () => t.connection.users.find((u) => u.userName === "barbara.jensen")!;

beforeAll(async () => {
  t = await startTestTenant();
  const f = fixtures(t);
  await f.client(SPA, {
    coreOAuth2ClientConfig: { clientType: "Public", scopes: ["openid", "profile"], redirectionUris: [REDIRECT] },
    advancedOAuth2ClientConfig: { grantTypes: ["authorization_code"], tokenEndpointAuthMethod: "none", isConsentImplied: true },
  });
  await f.client(WEB, {
    coreOAuth2ClientConfig: { userpassword: WEB_SECRET, scopes: ["openid"], redirectionUris: [REDIRECT, "https://web.example/cb"] },
    advancedOAuth2ClientConfig: { grantTypes: ["authorization_code"], tokenEndpointAuthMethod: "client_secret_post" },
  });
});
afterAll(async () => {
  await t?.close();
});

/** Logs barbara in through the journey's callbacks; the session cookie. */
async function login(): Promise<string> {
  const post = (body?: unknown) =>
    t.call("POST", `${AM}/authenticate`, { anonymous: true, apiVersion: API_VERSION.authenticate, body });
  const page = (await post()).body;
  page.callbacks[0].input[0].value = "barbara.jensen";
  page.callbacks[1].input[0].value = barbara().password;
  const res = await post(page);
  expect(res.status).toBe(200);
  return `iPlanetDirectoryPro=${res.body.tokenId}`;
}

const pkce = () => {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
};

async function authorize(params: Record<string, string>, cookie?: string) {
  const res = await fetch(`${base()}/authorize?${new URLSearchParams(params)}`, { redirect: "manual", headers: cookie ? { cookie } : {} });
  const location = res.headers.get("location");
  return { status: res.status, location: location ? new URL(location) : undefined, body: (location ? undefined : await res.json()) as Record<string, any> | undefined };
}

async function token(form: Record<string, string>) {
  const res = await fetch(`${base()}/access_token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** A code for the SPA, with S256 PKCE, state and nonce. */
async function spaCode(cookie: string) {
  const { verifier, challenge } = pkce();
  const res = await authorize(
    { client_id: SPA, response_type: "code", redirect_uri: REDIRECT, scope: "openid profile", state: "st-1", nonce: "n-1", code_challenge: challenge, code_challenge_method: "S256" },
    cookie,
  );
  expect(res.status).toBe(302);
  return { code: res.location!.searchParams.get("code")!, verifier };
}

describe("/authorize", () => {
  it("sends a browser without a session to the login UI, the request as goto", async () => {
    const params = { client_id: SPA, response_type: "code", redirect_uri: REDIRECT, scope: "openid", state: "xyz" };
    const res = await authorize(params);
    expect(res.status).toBe(302);
    expect(res.location!.origin + res.location!.pathname).toBe(`${t.baseUrl}/am/XUI/`);
    expect(res.location!.searchParams.get("realm")).toBe("/alpha");
    const goto = new URL(res.location!.searchParams.get("goto")!);
    expect(goto.href.startsWith(`${base()}/authorize?`)).toBe(true);
    expect(Object.fromEntries(goto.searchParams)).toEqual(params);
  });

  it("redirects with code, iss, state and client_id once the journey has set the session cookie", async () => {
    const cookie = await login();
    const res = await authorize({ client_id: SPA, response_type: "code", redirect_uri: REDIRECT, scope: "openid", state: "xyz" }, cookie);
    expect(res.status).toBe(302);
    expect(res.location!.origin + res.location!.pathname).toBe(REDIRECT);
    expect(Object.fromEntries(res.location!.searchParams)).toEqual({ code: expect.any(String), iss: base(), state: "xyz", client_id: SPA });
  });

  it("answers an unknown client or an unregistered redirect URI itself, never redirecting to it", async () => {
    const cookie = await login();
    const unknown = await authorize({ client_id: "nobody", response_type: "code", redirect_uri: REDIRECT }, cookie);
    expect(unknown).toMatchObject({ status: 400, body: { error: "invalid_client" } });
    const elsewhere = await authorize({ client_id: SPA, response_type: "code", redirect_uri: "https://evil.example/cb" }, cookie);
    expect(elsewhere).toEqual({
      status: 400,
      location: undefined,
      body: { error: "redirect_uri_mismatch", error_description: "The redirection URI provided does not match a pre-registered value." },
    });
    // A client with two registered URIs must name one.
    const unnamed = await authorize({ client_id: WEB, response_type: "code" }, cookie);
    expect(unnamed.body?.error).toBe("redirect_uri_mismatch");
  });

  it("sends later errors to the redirect URI with the state: a scope outside the client's, a response type it does not run", async () => {
    const cookie = await login();
    const scope = await authorize({ client_id: SPA, response_type: "code", redirect_uri: REDIRECT, scope: "openid admin", state: "s" }, cookie);
    expect(scope.location!.origin + scope.location!.pathname).toBe(REDIRECT);
    expect(Object.fromEntries(scope.location!.searchParams)).toMatchObject({ error: "invalid_scope", state: "s" });
    const implicit = await authorize({ client_id: SPA, response_type: "token", redirect_uri: REDIRECT, state: "s" }, cookie);
    expect(implicit.location!.searchParams.get("error")).toBe("unsupported_response_type");
    const method = await authorize({ client_id: SPA, response_type: "code", redirect_uri: REDIRECT, scope: "openid", code_challenge: "x", code_challenge_method: "S512" }, cookie);
    expect(method.location!.searchParams.get("error")).toBe("invalid_request");
  });

  it("asks for consent the client does not imply: refused without it, a code with AM's consent form", async () => {
    const cookie = await login();
    const params = { client_id: WEB, response_type: "code", redirect_uri: REDIRECT, scope: "openid", state: "c" };
    const refused = await authorize(params, cookie);
    expect(refused.location!.searchParams.get("error")).toBe("consent_required");
    const tokenId = cookie.split("=")[1];
    const res = await fetch(`${base()}/authorize`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ...params, decision: "allow", csrf: tokenId }),
    });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get("location")!).searchParams.get("code")).toEqual(expect.any(String));
    const denied = await fetch(`${base()}/authorize`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ...params, decision: "deny", csrf: tokenId }),
    });
    expect(new URL(denied.headers.get("location")!).searchParams.get("error")).toBe("access_denied");
  });

  it("requires a code challenge of public clients when the provider enforces it for them", async () => {
    const provider = (await t.call("GET", PROVIDER, { apiVersion: API_VERSION.oauth2Provider })).body;
    const { _rev, _type, ...body } = provider;
    body.advancedOAuth2Config.codeVerifierEnforced = "public";
    expect((await t.call("PUT", PROVIDER, { apiVersion: API_VERSION.oauth2Provider, body })).status).toBe(200);
    try {
      const cookie = await login();
      const res = await authorize({ client_id: SPA, response_type: "code", redirect_uri: REDIRECT, scope: "openid", state: "p" }, cookie);
      expect(Object.fromEntries(res.location!.searchParams)).toEqual({ error: "invalid_request", error_description: "Missing parameter, 'code_challenge'", state: "p" });
      // A confidential client is not held to it.
      const web = await authorize({ client_id: WEB, response_type: "code", redirect_uri: REDIRECT, scope: "openid", decision: "allow", csrf: cookie.split("=")[1] }, cookie);
      expect(web.location!.searchParams.get("code")).toEqual(expect.any(String));
    } finally {
      body.advancedOAuth2Config.codeVerifierEnforced = "false";
      await t.call("PUT", PROVIDER, { apiVersion: API_VERSION.oauth2Provider, body });
    }
  });
});

describe("the authorization_code grant", () => {
  it("answers a code it never issued with invalid_grant, not unsupported_grant_type", async () => {
    const res = await token({ grant_type: "authorization_code", client_id: SPA, code: "never-issued", redirect_uri: REDIRECT, code_verifier: "v" });
    expect(res).toEqual({ status: 400, body: { error: "invalid_grant", error_description: "The provided access grant is invalid, expired, or revoked." } });
  });

  it("redeems a code once, with the PKCE verifier: tokens and an ID token with the nonce", async () => {
    const { code, verifier } = await spaCode(await login());
    const res = await token({ grant_type: "authorization_code", client_id: SPA, code, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      scope: "openid profile",
      id_token: expect.any(String),
      token_type: "Bearer",
      expires_in: 3599,
    });
    const jwks = createLocalJWKSet((await (await fetch(`${base()}/connect/jwk_uri`)).json()) as JSONWebKeySet);
    const { payload } = await jwtVerify(res.body.id_token, jwks, { issuer: base(), audience: SPA });
    expect(payload).toMatchObject({ sub: barbara()._id, nonce: "n-1", azp: SPA, tokenName: "id_token", realm: "/alpha" });
    const atHash = createHash("sha256").update(res.body.access_token).digest().subarray(0, 16).toString("base64url");
    expect(payload.at_hash).toBe(atHash);

    const again = await token({ grant_type: "authorization_code", client_id: SPA, code, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(again).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
  });

  it("refuses a wrong verifier, a missing one, another redirect URI and another client", async () => {
    const cookie = await login();
    const wrong = await spaCode(cookie);
    expect((await token({ grant_type: "authorization_code", client_id: SPA, code: wrong.code, redirect_uri: REDIRECT, code_verifier: pkce().verifier })).body.error).toBe("invalid_grant");
    const none = await spaCode(cookie);
    expect((await token({ grant_type: "authorization_code", client_id: SPA, code: none.code, redirect_uri: REDIRECT })).body).toEqual({
      error: "invalid_request",
      error_description: "Missing parameter, 'code_verifier'",
    });
    const redirect = await spaCode(cookie);
    expect((await token({ grant_type: "authorization_code", client_id: SPA, code: redirect.code, redirect_uri: "https://spa.example/other", code_verifier: redirect.verifier })).body.error).toBe("invalid_grant");
    const other = await spaCode(cookie);
    const byWeb = await token({ grant_type: "authorization_code", client_id: WEB, client_secret: WEB_SECRET, code: other.code, redirect_uri: REDIRECT, code_verifier: other.verifier });
    expect(byWeb.body.error).toBe("invalid_grant");
  });

  it("accepts the plain PKCE method", async () => {
    const cookie = await login();
    const verifier = randomBytes(32).toString("base64url");
    const res = await authorize({ client_id: SPA, response_type: "code", redirect_uri: REDIRECT, scope: "profile", code_challenge: verifier, code_challenge_method: "plain" }, cookie);
    const code = res.location!.searchParams.get("code")!;
    const redeemed = await token({ grant_type: "authorization_code", client_id: SPA, code, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(redeemed.status).toBe(200);
    // No openid, no ID token.
    expect(redeemed.body.id_token).toBeUndefined();
  });
});
