import { generateKeyPairSync } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_CREDENTIAL_ENV, ENDPOINTS, fillPath, type AuthConfig } from "../../src/contract";
import { createAdminApi, type AdminClient } from "../../src/client";
import type { AdminClientOptions } from "../../src/client/types";
import { rejection, renderings } from "./errors-of";
import { AM_SESSION_AUTH, SERVICE_ACCOUNT_AUTH, TestTenant, TOKEN_PATH } from "./tenant";

// A fresh tenant per test: sessions (capped at 5 per account) survive a reset.
let t: TestTenant;
const clients: AdminClient[] = [];

beforeEach(async () => {
  t = await new TestTenant().start();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await t.stop();
});

function client(overrides: Partial<AdminClientOptions> = {}): AdminClient {
  const c = createAdminApi(t.options(overrides));
  clients.push(c);
  return c;
}

const providerPath = () => fillPath(ENDPOINTS.providerRead.path, { realm: t.connection.realm });
/** The token the clients of this tenant share, from the cache file. */
const cachedToken = (): string => {
  const [file] = readdirSync(t.cacheDir).filter((f) => f.endsWith(".json"));
  return JSON.parse(readFileSync(join(t.cacheDir, file), "utf8")).headers.authorization.replace(/^Bearer /, "");
};
const expectNoSecret = (err: unknown, ...secrets: string[]) => {
  for (const text of renderings(err)) for (const secret of secrets) expect(text).not.toContain(secret);
};

describe("service-account auth", () => {
  it("mints one token and reuses it for every call", async () => {
    const api = client();
    await api.getProvider();
    await api.queryOAuth2Clients();
    await api.findUser(t.connection.users[0].userName);
    expect(await t.statuses("POST", TOKEN_PATH)).toEqual([200]);
  });

  it("re-mints once after a 401 and retries the call", async () => {
    const api = client();
    await api.getProvider();
    await t.fault({ path: `${providerPath()}`, method: "GET", times: 1, status: 401 });
    expect(await api.getProvider()).toBeDefined();
    expect(await t.statuses("POST", TOKEN_PATH)).toEqual([200, 200]);
    expect(await t.statuses("GET", providerPath())).toEqual([200, 401, 200]);
  });

  it("fails with UNAUTHORIZED naming the env vars when the 401 survives the re-mint", async () => {
    const api = client();
    await t.fault({ path: `${providerPath()}`, method: "GET", times: 5, status: 401 });
    const err = await rejection(api.getProvider());
    expect(err).toMatchObject({ code: "UNAUTHORIZED", status: 401 });
    expect(String(err)).toContain("check the service account id and JWK in AIC_SERVICE_ACCOUNT_ID / AIC_SERVICE_ACCOUNT_JWK");
    expect(await t.statuses("POST", TOKEN_PATH)).toEqual([200, 200]);
    expect(await t.statuses("GET", providerPath())).toEqual([401, 401]);
    expectNoSecret(err, cachedToken(), "Bearer ");
  });

  it("fails with UNAUTHORIZED when the JWK is not the account's key, and never shows the key", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = privateKey.export({ format: "jwk" });
    const env = { ...t.env(), [DEFAULT_CREDENTIAL_ENV.serviceAccountJwk]: JSON.stringify(jwk) };
    const err = await rejection(client({ env }).getProvider());
    expect(err).toMatchObject({ code: "UNAUTHORIZED", endpoint: "serviceAccountToken", apiMessage: "invalid_grant" });
    expect(String(err)).toContain("AIC_SERVICE_ACCOUNT_JWK");
    expectNoSecret(err, jwk.d!, jwk.p!, jwk.q!, "eyJ");
  });

  it("fails with CREDENTIALS_INVALID when the JWK is not JSON, without echoing it", async () => {
    const env = { ...t.env(), [DEFAULT_CREDENTIAL_ENV.serviceAccountJwk]: "not-a-jwk-but-a-secret-looking-string" };
    const err = await rejection(client({ env }).getProvider());
    expect(err).toMatchObject({ code: "CREDENTIALS_INVALID" });
    expect(String(err)).toContain(DEFAULT_CREDENTIAL_ENV.serviceAccountJwk);
    expectNoSecret(err, "not-a-jwk-but-a-secret-looking-string");
  });

  it("asks for the scope in scopeEnv: without fr:idm:* an IDM call is FORBIDDEN", async () => {
    const auth: AuthConfig = { ...SERVICE_ACCOUNT_AUTH, scopeEnv: "ONLY_AM_SCOPE" } as AuthConfig;
    const api = client({ auth, env: { ...t.env(), ONLY_AM_SCOPE: "fr:am:*" } });
    expect(await api.getProvider()).toBeDefined();
    expect(await rejection(api.findUser("barbara.jensen"))).toMatchObject({ code: "FORBIDDEN", status: 403 });
  });

  it("fails with SESSION_LIMIT when the account already holds 5 sessions", async () => {
    // Five processes that do not share a cache each hold a session.
    for (let i = 0; i < 5; i++) await client({ tokenCacheDir: t.tempDir() }).getProvider();
    const err = await rejection(client({ tokenCacheDir: t.tempDir() }).getProvider());
    expect(err).toMatchObject({ code: "SESSION_LIMIT", endpoint: "serviceAccountToken" });
    expect(String(err)).toContain("CDKTF_AIC_TOKEN_CACHE_DIR");
    expect(err.fix).toMatch(/wait .*idle sessions .*expire/);
    expect(err.fix).toMatch(/log out|stop/);
  });
});

/** Peak sessions the tenant saw for one account. */
const peakSessions = async (account: string) => (await t.sessions())[account].peak;

describe.each([
  ["service-account", SERVICE_ACCOUNT_AUTH, TOKEN_PATH, () => t.connection.serviceAccount.id, "serviceAccountToken"],
  ["am-session", AM_SESSION_AUTH, ENDPOINTS.amAuthenticate.path, () => t.connection.amAdmin.username, "amAuthenticate"],
] as const)("%s: lost answers to a session-opening request", (_name, auth, path, account, endpoint) => {
  it("retries a lost answer once: the call succeeds holding 2 sessions", async () => {
    await t.fault({ path, method: "POST", times: 1, dropAfter: true });
    expect(await client({ auth }).getProvider()).toBeDefined();
    expect(await peakSessions(account())).toBe(2);
  });

  it("never opens more than 2 sessions when the answers keep getting lost, and says so in one error", async () => {
    await t.fault({ path, method: "POST", times: 4, dropAfter: true });
    const err = await rejection(client({ auth }).getProvider());
    expect(err).toMatchObject({ code: "NETWORK", endpoint, attempts: 2 });
    expect(String(err)).toMatch(/session/);
    expect(await peakSessions(account())).toBeLessThanOrEqual(2);
  });
});

describe("am-session auth", () => {
  it("authenticates once and sends the session cookie named by serverinfo", async () => {
    const api = client({ auth: AM_SESSION_AUTH });
    await api.getProvider();
    await api.findUser(t.connection.users[0].userName);
    expect(await t.statuses("GET", ENDPOINTS.amServerInfo.path)).toEqual([200]);
    expect(await t.statuses("POST", ENDPOINTS.amAuthenticate.path)).toEqual([200]);
    const [file] = readdirSync(t.cacheDir).filter((f) => f.endsWith(".json"));
    expect(JSON.parse(readFileSync(join(t.cacheDir, file), "utf8")).headers.cookie).toMatch(/^iPlanetDirectoryPro=/);
  });

  it("fails with UNAUTHORIZED naming the env vars on a wrong password, and never shows it", async () => {
    const planted = "Planted-Wrong-Password-7731";
    const env = { ...t.env(), [DEFAULT_CREDENTIAL_ENV.amAdminPassword]: planted };
    const err = await rejection(client({ auth: AM_SESSION_AUTH, env }).getProvider());
    expect(err).toMatchObject({ code: "UNAUTHORIZED", endpoint: "amAuthenticate" });
    expect(String(err)).toContain("AM_ADMIN_USERNAME / AM_ADMIN_PASSWORD");
    expectNoSecret(err, planted);
  });
});

describe("bearer auth", () => {
  it("sends the given token", async () => {
    await client().getProvider();
    const token = cachedToken();
    const api = client({ auth: { method: "bearer", tokenEnv: "GIVEN_TOKEN" }, env: { GIVEN_TOKEN: token } });
    expect(await api.getProvider()).toBeDefined();
    expect(await t.statuses("POST", TOKEN_PATH)).toEqual([200]);
  });

  it("fails with UNAUTHORIZED at once (nothing to re-mint) and never shows the token", async () => {
    const planted = "eyJplanted.bearer-token-value.sig-4242";
    const api = client({ auth: { method: "bearer", tokenEnv: "GIVEN_TOKEN" }, env: { GIVEN_TOKEN: planted } });
    const err = await rejection(api.getProvider());
    expect(err).toMatchObject({ code: "UNAUTHORIZED", attempts: 1 });
    expect(String(err)).toContain("the token in GIVEN_TOKEN is invalid or expired");
    expect(await t.statuses("GET", providerPath())).toEqual([401]);
    expectNoSecret(err, planted, "bearer-token-value");
  });
});

describe("missing credentials", () => {
  it.each([
    [DEFAULT_CREDENTIAL_ENV.serviceAccountId, SERVICE_ACCOUNT_AUTH],
    [DEFAULT_CREDENTIAL_ENV.serviceAccountJwk, SERVICE_ACCOUNT_AUTH],
    [DEFAULT_CREDENTIAL_ENV.amAdminUsername, AM_SESSION_AUTH],
    [DEFAULT_CREDENTIAL_ENV.amAdminPassword, AM_SESSION_AUTH],
    [DEFAULT_CREDENTIAL_ENV.bearerToken, { method: "bearer", tokenEnv: DEFAULT_CREDENTIAL_ENV.bearerToken } as AuthConfig],
  ])("fails with CREDENTIALS_MISSING naming %s, before any request", async (missing, auth) => {
    const env: Record<string, string> = t.env();
    delete env[missing];
    const err = await rejection(client({ auth, env }).getProvider());
    expect(err).toMatchObject({ code: "CREDENTIALS_MISSING" });
    expect(String(err)).toContain(`environment variable ${missing} is not set`);
    for (const [name, value] of Object.entries(env)) if (name !== missing) expectNoSecret(err, value);
    expect(await t.audit()).toEqual([]);
  });
});
