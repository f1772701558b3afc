/**
 * `cdktf-aic verify` for the applications of a stack: a headless sign-in for each SPA, native app
 * and web app that uses the authorization code grant (GET `/authorize` → the login journey's
 * callbacks with the test user → the authorization with the session → the code redeemed with its
 * PKCE verifier), and a client-credentials token for each service app (with its secret, or an
 * assertion signed with a private key from a file or a variable). Each prints the claims a person
 * checks; never a token, a code, a secret or a key.
 */
import { createHash, createPrivateKey, randomBytes, type JsonWebKey, type KeyObject } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { decodeJwt } from "jose";
import { signAssertion } from "../client/auth";
import { isAicApiError, registerSecret } from "../client/errors";
import type { ClientCredentials, OAuth2Api } from "../client/types";
import { KINDS, LOCAL_DIR } from "../contract/constants";
import { API_VERSION, realmPath } from "../contract/endpoints";
import { CliError } from "../contract/errors";
import { requireEnv } from "./verify";
import { hasEnvSecret, type Spec, type SpecOf } from "../contract/spec";

/** The applications verify signs in with: the user-facing ones by the code flow, the services by client credentials. */
export type AppSpec = SpecOf<"web-app" | "spa" | "native-app" | "service-app">;

/** What one application's check found. */
export interface AppCheck {
  kind: AppSpec["kind"];
  id: string;
  /** What was done, e.g. `authorization code + PKCE for barbara.jensen via https://app.example.com/cb`. */
  name: string;
  ok: boolean;
  /** Claims of the token (never the token). */
  sub?: string;
  scope?: string;
  client_id?: string;
  error?: string;
  hint?: string;
}

/** Where verify finds what it needs beyond the stack: the user, secrets and private keys. */
export interface AppsContext {
  baseUrl: string;
  realm: string;
  env: Record<string, string | undefined>;
  usernameEnv: string;
  passwordEnv: string;
  /** The synth output folder: a service app's key may be in `.cdktf-aic/keys/` beside it. */
  outDir: string;
  /** `--key-file CLIENT_ID=PATH` and `--key-env CLIENT_ID=NAME`. */
  keyFiles: ReadonlyMap<string, string>;
  keyEnvs: ReadonlyMap<string, string>;
}

/** The applications of a stack that verify checks, by kind (in plan's order) and client id: SPAs, native and service apps, and web apps of the code flow. */
export function appsToVerify(specs: readonly Spec[]): AppSpec[] {
  return specs
    .filter((s): s is AppSpec => {
      if (s.kind === "spa" || s.kind === "native-app" || s.kind === "service-app") return true;
      return s.kind === "web-app" && s.owned.grantTypes.includes("authorization_code") && s.owned.redirectUris.length > 0;
    })
    .sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind) || a.id.localeCompare(b.id));
}

/** `CLIENT_ID=VALUE` flags by client id. */
export function pairs(flag: string, values: readonly string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of values ?? []) {
    const eq = v.indexOf("=");
    if (eq <= 0) throw new CliError(`--${flag} takes CLIENT_ID=VALUE, got ${JSON.stringify(v)}`);
    out.set(v.slice(0, eq), v.slice(eq + 1));
  }
  return out;
}

/** The default variable of a service app's private key: `REPORTS_SERVICE_PRIVATE_KEY` for `reports-service`. */
export const privateKeyEnv = (clientId: string): string => `${clientId.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_PRIVATE_KEY`;

/** The default file of a service app's private key, beside the synth output. */
export const privateKeyFile = (outDir: string, clientId: string): string => join(dirname(resolve(outDir)), LOCAL_DIR, "keys", `${clientId}.private.jwk.json`);

const random = () => randomBytes(32).toString("base64url");

/** Checks each application in turn; a failure of one does not stop the others. */
export async function verifyApps(api: OAuth2Api, apps: readonly AppSpec[], c: AppsContext): Promise<AppCheck[]> {
  const checks: AppCheck[] = [];
  for (const app of apps) {
    if (needsSecret(app) && !hasEnvSecret(app)) {
      const hint = "its secret is in the tenant's store (Secret.fromEsv), which verify cannot read: check it with the service that holds it";
      checks.push({ kind: app.kind, id: app.id, name: "sign-in", ok: false, error: "no secret in the environment", hint });
      continue;
    }
    checks.push(app.kind === "service-app" ? await clientCredentials(api, app, c) : await codeFlow(api, app, c));
  }
  return checks;
}

/** Whether the application signs in with a client secret. */
const needsSecret = (app: AppSpec): boolean => app.owned.tokenEndpointAuthMethod === "client_secret_basic" || app.owned.tokenEndpointAuthMethod === "client_secret_post";

/** An OAuth2 error of a step as a failed check, with the likely misconfiguration. */
function failure(base: Pick<AppCheck, "kind" | "id" | "name">, e: unknown, hint: (error: string) => string): AppCheck {
  if (!isAicApiError(e) || !e.apiMessage) throw e;
  return { ...base, ok: false, error: e.apiDescription ? `${e.apiMessage}: ${e.apiDescription}` : e.apiMessage, hint: hint(e.apiMessage) };
}

/** The claims of an access token, from the realm's tokeninfo. */
async function claims(api: OAuth2Api, accessToken: string): Promise<Pick<AppCheck, "sub" | "scope" | "client_id">> {
  const info = await api.tokenInfo(accessToken);
  const scope = Array.isArray(info.scope) ? info.scope.join(" ") : typeof info.scope === "string" ? info.scope : undefined;
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  return { sub: str(info.sub), scope, client_id: str(info.client_id) ?? str(info.aud) };
}

/** A confidential web app's credentials, as the stack says it authenticates. */
function webAppCredentials(app: SpecOf<"web-app">, env: Record<string, string | undefined>): ClientCredentials | undefined {
  const method = app.owned.tokenEndpointAuthMethod;
  if ((method !== "client_secret_basic" && method !== "client_secret_post") || !hasEnvSecret(app)) return undefined;
  return { clientId: app.id, secret: requireEnv(env, app.secret.env, `client secret of ${app.id}`), method };
}

interface Browser {
  /** `name=value` of the session cookie, once signed in. */
  cookie?: string;
  /** The session's token, once signed in: what AM's consent form sends back as `csrf`. */
  tokenId?: string;
}

/** A request of the headless browser: no redirect followed, the session cookie sent. */
function browse(url: string, browser: Browser, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
  return fetch(url, { method: init.method ?? "GET", redirect: "manual", headers: { ...(browser.cookie ? { cookie: browser.cookie } : {}), ...init.headers }, body: init.body });
}

/** Where a redirect goes, with the parameters of its query. */
function location(res: Response, base: string): URL | undefined {
  const to = res.headers.get("location");
  return to ? new URL(to, base) : undefined;
}

/** A callback of AM's authentication journey (`NameCallback`, `PasswordCallback`, …). */
interface Callback {
  type: string;
  input?: { name: string; value: unknown }[];
}

/**
 * Signs the user in through the realm's default login journey over REST, answering its name and
 * password callbacks: the session cookie (AM's cookie, as the answer sets it).
 */
async function signIn(c: AppsContext, browser: Browser, username: string, password: string): Promise<void> {
  const url = `${c.baseUrl}/am/json${realmPath(c.realm)}/authenticate`;
  const post = (body?: unknown) =>
    fetch(url, { method: "POST", headers: { "content-type": "application/json", "accept-api-version": API_VERSION.authenticate }, body: body === undefined ? undefined : JSON.stringify(body) });
  let page = (await (await post()).json()) as { authId?: string; callbacks?: Callback[]; tokenId?: string };
  for (let round = 0; round < 5 && page.callbacks; round++) {
    for (const cb of page.callbacks) {
      const value = cb.type === "NameCallback" ? username : cb.type === "PasswordCallback" ? password : undefined;
      if (value === undefined) throw new CliError(`the login journey of realm ${c.realm} asks for a ${cb.type}, which verify cannot answer: verify signs in with a name and a password`);
      if (cb.input?.[0]) cb.input[0].value = value;
    }
    const res = await post(page);
    if (res.status === 401) throw Object.assign(new Error("login refused"), { refused: true });
    page = (await res.json()) as typeof page;
    if (page.tokenId) {
      registerSecret(page.tokenId);
      const set = res.headers.get("set-cookie")?.split(";")[0];
      browser.cookie = set && set.endsWith(page.tokenId) ? set : `${await cookieName(c)}=${page.tokenId}`;
      browser.tokenId = page.tokenId;
      return;
    }
  }
  throw new CliError(`the login journey of realm ${c.realm} did not end with a session`);
}

/** AM's session cookie name (`serverinfo`), for an answer that sets no cookie. */
async function cookieName(c: AppsContext): Promise<string> {
  const res = await fetch(`${c.baseUrl}/am/json/serverinfo/*`, { headers: { "accept-api-version": API_VERSION.serverInfo } });
  const info = (await res.json().catch(() => ({}))) as { cookieName?: string };
  return info.cookieName ?? "iPlanetDirectoryPro";
}

/** The authorization code flow with PKCE, headless, for a public client or a web app. */
async function codeFlow(api: OAuth2Api, app: SpecOf<"web-app" | "spa" | "native-app">, c: AppsContext): Promise<AppCheck> {
  const username = requireEnv(c.env, c.usernameEnv, "user's name");
  const password = requireEnv(c.env, c.passwordEnv, "user's password");
  registerSecret(password);
  const redirectUri = app.owned.redirectUris[0];
  const base = { kind: app.kind, id: app.id, name: `authorization code + PKCE for ${username} via ${redirectUri}` };
  const fail = (error: string, hint: string): AppCheck => ({ ...base, ok: false, error, hint });
  const verifier = random();
  const params = {
    client_id: app.id,
    redirect_uri: redirectUri,
    response_type: "code",
    scope: app.owned.scopes.join(" "),
    state: random(),
    nonce: random(),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  };
  const authorize = `${c.baseUrl}/am/oauth2${realmPath(c.realm)}/authorize`;
  const browser: Browser = {};

  // The browser's first stop: the tenant accepts the client and the redirect URI, and sends it to log in.
  const first = await browse(`${authorize}?${new URLSearchParams(params)}`, browser);
  const refusedHere = first.status !== 302 ? ((await first.json().catch(() => ({}))) as { error?: string; error_description?: string }) : undefined;
  if (refusedHere) return fail(`${refusedHere.error ?? first.status}: ${refusedHere.error_description ?? ""}`.trim(), `the tenant refused the client ${app.id} or its redirect URI ${redirectUri}: apply the stack first`);
  const redirectedError = redirectError(location(first, c.baseUrl), redirectUri);
  if (redirectedError) return fail(redirectedError, hintForAuthorize(redirectedError, app));

  try {
    await signIn(c, browser, username, password);
  } catch (e) {
    if ((e as { refused?: boolean }).refused) return fail("the login journey refused the user", `check ${c.usernameEnv} and ${c.passwordEnv}`);
    throw e;
  }
  // The authorization with the session, consenting as the consent page would (decision=allow, the session as csrf).
  const form = new URLSearchParams({ ...params, decision: "allow", csrf: browser.tokenId! });
  const granted = await browse(authorize, browser, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString() });
  const back = location(granted, c.baseUrl);
  const error = redirectError(back, redirectUri);
  if (error) return fail(error, hintForAuthorize(error, app));
  const code = back?.searchParams.get("code");
  if (!back || !code || back.searchParams.get("state") !== params.state) return fail("no authorization code came back to the redirect URI", "the tenant did not complete the authorization");
  registerSecret(code);

  let tokens: Awaited<ReturnType<OAuth2Api["token"]>>;
  const credentials = app.kind === "web-app" ? webAppCredentials(app, c.env) : undefined;
  try {
    const fields = { grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: verifier };
    tokens = await api.token(credentials ? fields : { ...fields, client_id: app.id }, credentials);
  } catch (e) {
    return failure(base, e, (err) => (err === "invalid_client" ? `the tenant did not take ${app.id} as ${credentials ? "authenticated by its secret" : "a public client (token endpoint auth method none)"}` : "the tenant refused the code or its verifier"));
  }
  const found = await claims(api, tokens.access_token);
  const idToken = typeof tokens.id_token === "string" ? idTokenClaims(tokens.id_token) : undefined;
  if (app.owned.scopes.includes("openid") && idToken?.nonce !== params.nonce) return { ...base, ...found, ok: false, error: "the ID token does not carry the request's nonce", hint: "the tenant did not issue an ID token for this request" };
  return { ...base, ...found, ok: true };
}

/** The claims of an ID token (unverified: only its nonce is compared), or undefined when it is none. */
function idTokenClaims(jwt: string): Record<string, unknown> | undefined {
  try {
    return decodeJwt(jwt);
  } catch {
    return undefined;
  }
}

/** The `error` a redirect to the app carries, or undefined. */
function redirectError(to: URL | undefined, redirectUri: string): string | undefined {
  if (!to || !to.href.startsWith(redirectUri)) return undefined;
  const error = to.searchParams.get("error");
  return error ? `${error}${to.searchParams.get("error_description") ? `: ${to.searchParams.get("error_description")}` : ""}` : undefined;
}

function hintForAuthorize(error: string, app: AppSpec): string {
  if (error.startsWith("unauthorized_client")) return `${app.id} does not list the authorization-code grant type`;
  if (error.startsWith("invalid_scope")) return `a scope of ${app.id} (${app.owned.scopes.join(" ")}) is not allowed`;
  if (error.startsWith("consent_required")) return "the tenant asked for consent that verify cannot give: set impliedConsent";
  if (error.startsWith("invalid_request")) return "the tenant refused the request (its PKCE settings?)";
  return "see the error";
}

/** A client-credentials token for a service app: with its secret, or with an assertion signed by its private key. */
async function clientCredentials(api: OAuth2Api, app: SpecOf<"service-app">, c: AppsContext): Promise<AppCheck> {
  const method = app.owned.tokenEndpointAuthMethod;
  const base = { kind: app.kind, id: app.id, name: `client credentials (${method})` };
  const form = { grant_type: "client_credentials", scope: app.owned.scopes.join(" ") };
  let tokens: Awaited<ReturnType<OAuth2Api["token"]>>;
  try {
    if (method === "private_key_jwt") {
      const tokenUrl = `${c.baseUrl}/am/oauth2${realmPath(c.realm)}/access_token`;
      const key = privateKeyOf(app, c);
      const assertion = signAssertion(key.key, key.kid, app.id, tokenUrl);
      registerSecret(assertion);
      tokens = await api.token({ ...form, client_id: app.id, client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: assertion });
    } else {
      const env = hasEnvSecret(app) ? app.secret.env : "";
      tokens = await api.token(form, { clientId: app.id, secret: requireEnv(c.env, env, `client secret of ${app.id}`), method });
    }
  } catch (e) {
    return failure(base, e, (err) =>
      err === "invalid_client"
        ? `${app.id} rejected its credentials: ${method === "private_key_jwt" ? "the key does not match the public keys applied" : "check its secret variable"}`
        : err === "unsupported_grant_type"
          ? "the provider does not allow client credentials: add 'client-credentials' to OAuth2ProviderGrants"
          : "see the error",
    );
  }
  return { ...base, ...(await claims(api, tokens.access_token)), ok: true };
}

/**
 * The private key of a `private_key_jwt` service app: `--key-file`, `--key-env`, the variable
 * `<CLIENT_ID>_PRIVATE_KEY`, or `.cdktf-aic/keys/<client id>.private.jwk.json` beside the synth
 * output; an RSA private JWK or PKCS#8 PEM. Its kid is the JWK's, else that of the only public key applied.
 */
function privateKeyOf(app: SpecOf<"service-app">, c: AppsContext): { key: KeyObject; kid?: string } {
  const file = c.keyFiles.get(app.id) ?? (c.keyEnvs.has(app.id) || c.env[privateKeyEnv(app.id)] ? undefined : privateKeyFile(c.outDir, app.id));
  const envName = c.keyEnvs.get(app.id) ?? privateKeyEnv(app.id);
  const where = file ? `the file ${file}` : `the variable ${envName}`;
  const text = file ? (existsSync(file) ? readFileSync(file, "utf8") : undefined) : c.env[envName];
  if (!text) {
    throw new CliError(
      `no private key for service app ${app.id} (private_key_jwt): set ${privateKeyEnv(app.id)}, or pass --key-env ${app.id}=NAME or --key-file ${app.id}=PATH (${where} has none)`,
    );
  }
  registerSecret(text);
  const onlyKid = app.owned.jwks?.keys.length === 1 && typeof app.owned.jwks.keys[0].kid === "string" ? (app.owned.jwks.keys[0].kid as string) : undefined;
  try {
    if (text.trimStart().startsWith("{")) {
      const jwk = JSON.parse(text) as JsonWebKey & { kid?: string };
      for (const member of ["d", "p", "q", "dp", "dq", "qi"]) if (typeof jwk[member] === "string") registerSecret(jwk[member] as string);
      return { key: createPrivateKey({ key: jwk, format: "jwk" }), kid: jwk.kid ?? onlyKid };
    }
    return { key: createPrivateKey(text), kid: onlyKid };
  } catch {
    throw new CliError(`${where} does not hold a private key verify can sign with (an RSA private JWK as JSON, or PKCS#8 PEM)`);
  }
}
