/**
 * Client authentication at the token endpoint beyond secrets: `private_key_jwt` (RFC 7523 §2.2)
 * against the client's keys (`jwkSet`, `jwksUri` or a certificate, as `publicKeyLocation` says),
 * the Basic challenge on a failed Basic authentication (RFC 6749 §5.2), and public clients, which
 * are identified rather than authenticated.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import type { CryptoKey } from "../../src/emulator/keys";
import { fixtures, startTestTenant, type TestTenant } from "./helpers";

const CLIENT = "pkjwt-service";
let t: TestTenant;
let keys: { privateKey: CryptoKey; jwk: JWK };
let jwksServer: Server;
const tokenUrl = () => `${t.baseUrl}/am/oauth2/realms/root/realms/alpha/access_token`;

beforeAll(async () => {
  t = await startTestTenant();
  const pair = await generateKeyPair("RS256", { extractable: true });
  keys = { privateKey: pair.privateKey as CryptoKey, jwk: { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" } };
  jwksServer = createServer((_req, res) => res.end(JSON.stringify({ keys: [keys.jwk] })));
  await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => jwksServer?.close(resolve));
});

async function putClient(clientId: string, signEnc: Record<string, unknown>) {
  await fixtures(t).client(clientId, {
    coreOAuth2ClientConfig: { scopes: ["read-data"] },
    advancedOAuth2ClientConfig: { grantTypes: ["client_credentials"], tokenEndpointAuthMethod: "private_key_jwt" },
    signEncOAuth2ClientConfig: signEnc,
  });
}

function assertion(clientId: string, overrides: { aud?: string; jti?: string; key?: CryptoKey } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(overrides.aud ?? tokenUrl())
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .setJti(overrides.jti ?? randomUUID())
    .sign(overrides.key ?? keys.privateKey);
}

async function token(form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(tokenUrl(), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const withAssertion = (clientId: string, jwt: string) => ({
  grant_type: "client_credentials",
  scope: "read-data",
  client_id: clientId,
  client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
  client_assertion: jwt,
});

describe("private_key_jwt client authentication", () => {
  it("accepts an assertion signed by a key of the client's jwkSet", async () => {
    await putClient(CLIENT, { publicKeyLocation: "jwks", jwkSet: JSON.stringify({ keys: [keys.jwk] }) });
    const res = await token(withAssertion(CLIENT, await assertion(CLIENT)));
    expect(res).toMatchObject({ status: 200, body: { scope: "read-data", token_type: "Bearer" } });
  });

  it("fetches the client's keys from its jwksUri", async () => {
    const port = (jwksServer.address() as AddressInfo).port;
    await putClient("pkjwt-remote", { publicKeyLocation: "jwks_uri", jwksUri: `http://127.0.0.1:${port}/jwks` });
    const res = await token(withAssertion("pkjwt-remote", await assertion("pkjwt-remote")));
    expect(res.status).toBe(200);
  });

  it("takes the issuer as audience too, and the client id from the assertion when the form has none", async () => {
    const jwt = await assertion(CLIENT, { aud: "http://" + new URL(tokenUrl()).host + "/am/oauth2/realms/root/realms/alpha" });
    const { client_id: _, ...form } = withAssertion(CLIENT, jwt);
    expect((await token(form)).status).toBe(200);
  });

  it("refuses an assertion signed by another key, for another audience, or replayed", async () => {
    const other = (await generateKeyPair("RS256")).privateKey as CryptoKey;
    const refused = { status: 401, body: { error: "invalid_client", error_description: "Client authentication failed" } };
    expect(await token(withAssertion(CLIENT, await assertion(CLIENT, { key: other })))).toMatchObject(refused);
    expect(await token(withAssertion(CLIENT, await assertion(CLIENT, { aud: "https://elsewhere.example/token" })))).toMatchObject(refused);
    const once = await assertion(CLIENT);
    expect((await token(withAssertion(CLIENT, once))).status).toBe(200);
    expect(await token(withAssertion(CLIENT, once))).toMatchObject(refused);
  });

  it("refuses a secret from a private_key_jwt client, and an assertion from a client_secret_basic one", async () => {
    expect((await token({ grant_type: "client_credentials", client_id: CLIENT, client_secret: "x" })).status).toBe(401);
    await fixtures(t).client("secret-client", {
      coreOAuth2ClientConfig: { userpassword: "s3cret", scopes: ["read-data"] },
      advancedOAuth2ClientConfig: { grantTypes: ["client_credentials"] },
      signEncOAuth2ClientConfig: { publicKeyLocation: "jwks", jwkSet: JSON.stringify({ keys: [keys.jwk] }) },
    });
    expect((await token(withAssertion("secret-client", await assertion("secret-client")))).status).toBe(401);
  });
});

describe("a failed Basic client authentication", () => {
  it("answers 401 with a Basic challenge naming the realm", async () => {
    const basic = Buffer.from("secret-client:wrong").toString("base64");
    const res = await token({ grant_type: "client_credentials" }, { authorization: `Basic ${basic}` });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: "invalid_client", error_description: "Client authentication failed" });
    expect(res.headers.get("www-authenticate")).toBe('Basic realm="/alpha"');
    // Credentials in the form get no challenge: the client did not use the Basic scheme.
    const post = await token({ grant_type: "client_credentials", client_id: "secret-client", client_secret: "wrong" });
    expect(post.status).toBe(401);
    expect(post.headers.get("www-authenticate")).toBeNull();
  });
});
