/**
 * `openid-client` 6, unchanged, in the flows a browser app and a service use: the authorization
 * code flow with PKCE, state and nonce for a public client, the browser's part driven headless
 * (authorize → the login UI's goto → the login journey's callbacks → the session cookie → the
 * redirect with the code), redeemed with `authorizationCodeGrant`; and a service authenticating
 * with `private_key_jwt` (`PrivateKeyJwt`) for a client-credentials token. As in the other
 * openid-client test, `allowInsecureRequests` only because the tenant is plain http on 127.0.0.1.
 */
import { exportJWK, generateKeyPair } from "jose";
import * as client from "openid-client";
import type { CryptoKey } from "../../../src/emulator/keys";
import { AM, API_VERSION, fixtures, startTestTenant, type TestTenant } from "../helpers";

const SPA = "rp-spa";
const SERVICE = "rp-service";
const REDIRECT = "https://spa.example/callback";

let t: TestTenant;
let serviceKey: CryptoKey;
const issuerUrl = () => new URL(`${t.baseUrl}/am/oauth2/realms/root/realms/alpha`);
const barbara = () => t.connection.users.find((u) => u.userName === "barbara.jensen")!;
const insecure = { execute: [client.allowInsecureRequests] };

beforeAll(async () => {
  t = await startTestTenant();
  const f = fixtures(t);
  await f.client(SPA, {
    coreOAuth2ClientConfig: { clientType: "Public", scopes: ["openid", "profile"], redirectionUris: [REDIRECT] },
    advancedOAuth2ClientConfig: { grantTypes: ["authorization_code", "refresh_token"], tokenEndpointAuthMethod: "none", isConsentImplied: true },
  });
  const pair = await generateKeyPair("RS256", { extractable: true });
  serviceKey = pair.privateKey as CryptoKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "service-key-1", alg: "RS256", use: "sig" };
  await f.client(SERVICE, {
    coreOAuth2ClientConfig: { scopes: ["read-data"] },
    advancedOAuth2ClientConfig: { grantTypes: ["client_credentials"], tokenEndpointAuthMethod: "private_key_jwt" },
    signEncOAuth2ClientConfig: { publicKeyLocation: "jwks", jwkSet: JSON.stringify({ keys: [jwk] }) },
  });
});
afterAll(async () => {
  await t?.close();
});

/** The browser: follows the tenant's redirects, logging in through the journey's callbacks when sent to the login UI. */
async function browse(start: URL, username: string, password: string): Promise<URL> {
  let url = start;
  let cookie = "";
  for (let hop = 0; hop < 5; hop++) {
    if (!url.href.startsWith(t.baseUrl)) return url; // left the tenant: the redirect URI
    if (url.pathname === "/am/XUI/") {
      // The login UI runs the journey over REST and then goes where successUrl says.
      const authenticate = `${t.baseUrl}${AM}/authenticate?goto=${encodeURIComponent(url.searchParams.get("goto")!)}`;
      const post = (body?: unknown) =>
        fetch(authenticate, {
          method: "POST",
          headers: { "content-type": "application/json", "accept-api-version": API_VERSION.authenticate },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      const page = (await (await post()).json()) as { callbacks: { type: string; input: { value: string }[] }[] };
      for (const callback of page.callbacks) callback.input[0].value = callback.type === "NameCallback" ? username : password;
      const done = await post(page);
      expect(done.status).toBe(200);
      cookie = done.headers.get("set-cookie")!.split(";")[0];
      url = new URL((await done.json() as { successUrl: string }).successUrl, t.baseUrl);
      continue;
    }
    const res = await fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {} });
    expect(res.status).toBe(302);
    url = new URL(res.headers.get("location")!, url);
  }
  throw new Error("too many redirects");
}

/** The authorization URL with an S256 challenge and a state, as an app builds it. */
async function authorizationRequest(config: client.Configuration, params: Record<string, string>) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const challenge = await client.calculatePKCECodeChallenge(verifier);
  const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: "S256", state, ...params });
  return { url, verifier, state };
}

describe("openid-client: authorization code with PKCE through the login journey", () => {
  it("logs barbara in and gets tokens whose ID token carries the nonce", async () => {
    const config = await client.discovery(issuerUrl(), SPA, undefined, client.None(), insecure);
    expect(config.serverMetadata().authorization_endpoint).toBe(`${issuerUrl().href}/authorize`);
    const nonce = client.randomNonce();
    const { url, verifier, state } = await authorizationRequest(config, { scope: "openid profile", nonce });

    const callback = await browse(url, "barbara.jensen", barbara().password);
    expect(callback.origin + callback.pathname).toBe(REDIRECT);

    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    expect(tokens).toMatchObject({ token_type: "bearer", scope: "openid profile" });
    expect(tokens.claims()).toMatchObject({ sub: barbara()._id, nonce, aud: SPA, iss: issuerUrl().href });
    const info = await client.fetchUserInfo(config, tokens.access_token, barbara()._id);
    expect(info).toMatchObject({ given_name: "Barbara", family_name: "Jensen" });

    // The code was good once.
    await expect(client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce })).rejects.toMatchObject({
      error: "invalid_grant",
    });
  });

  it("is refused by the tenant when the verifier does not match the challenge", async () => {
    const config = await client.discovery(issuerUrl(), SPA, undefined, client.None(), insecure);
    const { url, state } = await authorizationRequest(config, { scope: "profile" });
    const callback = await browse(url, "barbara.jensen", barbara().password);
    await expect(
      client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: state }),
    ).rejects.toMatchObject({ error: "invalid_grant" });
  });
});

describe("openid-client: private_key_jwt", () => {
  it("gets a client-credentials token authenticating with a signed assertion", async () => {
    const config = await client.discovery(issuerUrl(), SERVICE, undefined, client.PrivateKeyJwt({ key: serviceKey, kid: "service-key-1" }), insecure);
    expect(config.serverMetadata().token_endpoint_auth_methods_supported).toContain("private_key_jwt");
    const tokens = await client.clientCredentialsGrant(config, { scope: "read-data" });
    expect(tokens).toMatchObject({ token_type: "bearer", scope: "read-data" });
    const introspected = await t.call("GET", `/am/oauth2/realms/root/realms/alpha/tokeninfo?access_token=${tokens.access_token}`, { anonymous: true });
    expect(introspected.body).toMatchObject({ client_id: SERVICE, scope: ["read-data"] });
  });

  it("is refused when the assertion is signed by a key the client did not register", async () => {
    const stranger = (await generateKeyPair("RS256")).privateKey as CryptoKey;
    const config = await client.discovery(issuerUrl(), SERVICE, undefined, client.PrivateKeyJwt({ key: stranger, kid: "service-key-1" }), insecure);
    await expect(client.clientCredentialsGrant(config, { scope: "read-data" })).rejects.toMatchObject({ error: "invalid_client", status: 401 });
  });
});
