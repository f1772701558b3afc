/**
 * Admin credentials, chosen by the tenant's `AuthConfig` (reference §1):
 * - `service-account`: the JWT bearer grant, an RS256 assertion signed with the account's private
 *   JWK → `Authorization: Bearer <access token>`;
 * - `am-session`: AM's `authenticate` with user name and password → `Cookie: <cookieName>=<tokenId>`;
 * - `bearer`: a token given in an env var, used as is (it cannot be re-minted).
 * Minted credentials go through the shared `TokenCache`. Credentials come only from the env vars
 * the config names; a missing one is CREDENTIALS_MISSING naming the variable, never its value.
 */
import { createPrivateKey, randomUUID, sign, type JsonWebKey } from "node:crypto";
import { SERVICE_ACCOUNT_SCOPE, JWT_BEARER_GRANT } from "../contract/constants";
import { ENDPOINTS } from "../contract/endpoints";
import type { AuthConfig } from "../contract/spec";
import { AicApiError, registerSecret } from "./errors";
import { TokenCache, type CacheEntry } from "./token-cache";
import { apiMessageOf, httpError, parseBody, type Credentials, type HttpRequest, type Transport } from "./transport";

/** A minted credential is re-minted this long before it expires (matches the cache). */
const REFRESH_MARGIN_MS = 60_000;
/** The assertion's lifetime (reference §1). */
const ASSERTION_LIFETIME_S = 180;
/**
 * AM's authenticate reply carries no expiry; sessions idle out after 30 minutes by default, so a
 * session is reused for at most this long (a 401 before that re-mints anyway).
 */
const AM_SESSION_REUSE_MS = 15 * 60_000;

export interface AuthContext {
  baseUrl: string;
  env: Record<string, string | undefined>;
  transport: Transport;
  tokenCacheDir: string;
}

export function createCredentials(config: AuthConfig, ctx: AuthContext): Credentials {
  switch (config.method) {
    case "bearer":
      return new GivenBearer(config.tokenEnv, ctx.env);
    case "service-account":
      return new MintedCredentials(ctx, serviceAccount(config, ctx), unauthorizedFix(config));
    case "am-session":
      return new MintedCredentials(ctx, amSession(config, ctx), unauthorizedFix(config));
  }
}

/** The fix to print when the tenant refuses the credentials. */
export function unauthorizedFix(config: AuthConfig): string {
  switch (config.method) {
    case "service-account":
      return `check the service account id and JWK in ${config.idEnv} / ${config.jwkEnv}`;
    case "am-session":
      return `check the AM admin user name and password in ${config.usernameEnv} / ${config.passwordEnv}`;
    case "bearer":
      return `the token in ${config.tokenEnv} is invalid or expired: set a fresh one`;
  }
}

/** Reads a credential env var; missing or empty → CREDENTIALS_MISSING naming it. */
function requireEnv(env: Record<string, string | undefined>, name: string, what: string): string {
  const value = env[name];
  if (!value) {
    throw new AicApiError({
      code: "CREDENTIALS_MISSING",
      message: `the ${what} is missing: environment variable ${name} is not set`,
      fix: `set ${name} in the environment that runs Terraform / the CLI`,
    });
  }
  registerSecret(value);
  return value;
}

class GivenBearer implements Credentials {
  readonly unauthorizedFix: string;
  constructor(
    private readonly tokenEnv: string,
    private readonly env: Record<string, string | undefined>,
  ) {
    this.unauthorizedFix = unauthorizedFix({ method: "bearer", tokenEnv });
  }
  async headers(): Promise<Record<string, string>> {
    return { authorization: `Bearer ${requireEnv(this.env, this.tokenEnv, "bearer token")}` };
  }
  async refresh(): Promise<boolean> {
    return false;
  }
}

/** How to mint one kind of credential, and who it belongs to (the cache key). */
interface Minter {
  /** Reads the env vars; identity is hashed into the cache file name. */
  identity(): string;
  mint(): Promise<CacheEntry>;
}

/** A minted credential kept in memory and in the shared cache. */
class MintedCredentials implements Credentials {
  private current?: CacheEntry;
  private cache?: TokenCache;

  constructor(
    private readonly ctx: AuthContext,
    private readonly minter: Minter,
    readonly unauthorizedFix: string,
  ) {}

  async headers(): Promise<Record<string, string>> {
    if (!this.current || this.current.expiresAtMs - REFRESH_MARGIN_MS <= Date.now()) {
      this.current = await this.tokenCache().get(() => this.minter.mint());
    }
    return this.current.headers;
  }

  async refresh(failed: Record<string, string>): Promise<boolean> {
    this.current = await this.tokenCache().get(() => this.minter.mint(), failed);
    return true;
  }

  private tokenCache(): TokenCache {
    this.cache ??= new TokenCache({
      dir: this.ctx.tokenCacheDir,
      key: JSON.stringify([this.ctx.baseUrl.replace(/\/+$/, ""), this.minter.identity()]),
      refreshMarginMs: REFRESH_MARGIN_MS,
    });
    return this.cache;
  }
}

function serviceAccount(config: Extract<AuthConfig, { method: "service-account" }>, ctx: AuthContext): Minter {
  const read = () => {
    const id = requireEnv(ctx.env, config.idEnv, "service account id");
    const jwkText = requireEnv(ctx.env, config.jwkEnv, "service account JWK");
    const scope = (config.scopeEnv && ctx.env[config.scopeEnv]) || SERVICE_ACCOUNT_SCOPE;
    return { id, jwkText, scope };
  };
  const endpoint = ENDPOINTS.serviceAccountToken;
  const tokenUrl = `${ctx.baseUrl.replace(/\/+$/, "")}${endpoint.path}`;
  return {
    identity: () => {
      const { id, scope } = read();
      return `service-account\n${id}\n${scope}`;
    },
    async mint() {
      const { id, jwkText, scope } = read();
      const key = privateKey(jwkText, config.jwkEnv);
      const started = Date.now();
      let last: HttpRequest | undefined;
      // A fresh assertion per attempt: AM refuses a replayed `jti`.
      const build = (): HttpRequest => {
        const assertion = signAssertion(key.key, key.kid, id, tokenUrl);
        registerSecret(assertion);
        const form = new URLSearchParams({ client_id: "service-account", grant_type: JWT_BEARER_GRANT, assertion, scope });
        return (last = {
          method: endpoint.method,
          path: endpoint.path,
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: form.toString(),
          idempotent: true, // safe to repeat, but each attempt that lands opens a session:
          opensSession: true, // so it is repeated at most once after one that may have landed
          endpoint: "serviceAccountToken",
        });
      };
      const res = await ctx.transport.send(build);
      const req = last ?? build();
      if (res.status !== 200) throw mintError(req, res, config);
      const body = parseBody(req, res, endpoint.response);
      registerSecret(body.access_token);
      return { headers: { authorization: `Bearer ${body.access_token}` }, expiresAtMs: started + body.expires_in * 1000 };
    },
  };
}

function amSession(config: Extract<AuthConfig, { method: "am-session" }>, ctx: AuthContext): Minter {
  const read = () => ({
    username: requireEnv(ctx.env, config.usernameEnv, "AM admin user name"),
    password: requireEnv(ctx.env, config.passwordEnv, "AM admin password"),
  });
  return {
    identity: () => `am-session\n${read().username}`,
    async mint() {
      const { username, password } = read();
      const info = ENDPOINTS.amServerInfo;
      const infoReq: HttpRequest = { method: info.method, path: info.path, headers: { "accept-api-version": info.apiVersion }, endpoint: "amServerInfo" };
      const infoRes = await ctx.transport.send(infoReq);
      if (infoRes.status !== 200) throw httpError(infoReq, infoRes);
      const { cookieName } = parseBody(infoReq, infoRes, info.response);

      const auth = ENDPOINTS.amAuthenticate;
      const started = Date.now();
      const authReq: HttpRequest = {
        method: auth.method,
        path: auth.path,
        headers: {
          "accept-api-version": auth.apiVersion,
          "content-type": "application/json",
          "x-openam-username": username,
          "x-openam-password": password,
        },
        body: "{}",
        idempotent: true, // safe to repeat, but each attempt that lands opens a session:
        opensSession: true, // so it is repeated at most once after one that may have landed
        endpoint: "amAuthenticate",
      };
      const res = await ctx.transport.send(authReq);
      if (res.status !== 200) throw mintError(authReq, res, config);
      const { tokenId } = parseBody(authReq, res, auth.response);
      registerSecret(tokenId);
      return { headers: { cookie: `${cookieName}=${tokenId}` }, expiresAtMs: started + AM_SESSION_REUSE_MS };
    },
  };
}

/** A refused mint: bad credentials → UNAUTHORIZED with the env var names; the session cap → SESSION_LIMIT. */
function mintError(req: HttpRequest, res: Parameters<typeof httpError>[1], config: AuthConfig): AicApiError {
  const api = apiMessageOf(res);
  const text = `${api.apiMessage ?? ""} ${api.apiDescription ?? ""}`;
  if (/session/i.test(text) && /(limit|quota|maximum|exceeded|exhausted|too many)/i.test(text)) {
    return httpError(req, res, {
      code: "SESSION_LIMIT",
      fix: "the account holds its maximum of concurrent sessions (5 in AIC): wait for its idle sessions to expire (about 15 minutes), log out or stop other tools using this account (scripts, other pipelines), and let every process of an apply share one token cache directory (CDKTF_AIC_TOKEN_CACHE_DIR)",
    });
  }
  const refused = res.status === 401 || /^(invalid_client|invalid_grant|unauthorized_client|access_denied)$/.test(api.apiMessage ?? "");
  return refused ? httpError(req, res, { code: "UNAUTHORIZED", fix: unauthorizedFix(config) }) : httpError(req, res);
}

function privateKey(jwkText: string, jwkEnv: string): { key: ReturnType<typeof createPrivateKey>; kid?: string } {
  let jwk: JsonWebKey;
  try {
    jwk = JSON.parse(jwkText) as JsonWebKey;
    for (const member of ["d", "p", "q", "dp", "dq", "qi"]) registerSecret(typeof jwk[member] === "string" ? (jwk[member] as string) : undefined);
    if (jwk.kty !== "RSA" || typeof jwk.d !== "string") throw new Error("not an RSA private key");
    return { key: createPrivateKey({ key: jwk, format: "jwk" }), kid: typeof jwk.kid === "string" ? jwk.kid : undefined };
  } catch {
    throw new AicApiError({
      code: "CREDENTIALS_INVALID",
      message: `the service account JWK in ${jwkEnv} is not an RSA private key in JWK (JSON) form`,
      fix: `put the private JWK JSON the AIC console downloaded for the service account in ${jwkEnv}`,
    });
  }
}

/** A jwt-bearer or client assertion (RS256): iss = sub = the account or client id, aud = the exact token URL, 180 s life. */
export function signAssertion(key: ReturnType<typeof createPrivateKey>, kid: string | undefined, accountId: string, tokenUrl: string): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: "RS256", typ: "JWT", ...(kid ? { kid } : {}) };
  const claims = { iss: accountId, sub: accountId, aud: tokenUrl, iat: now, exp: now + ASSERTION_LIFETIME_S, jti: randomUUID() };
  const input = `${b64url(header)}.${b64url(claims)}`;
  return `${input}.${sign("sha256", Buffer.from(input), key).toString("base64url")}`;
}

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
