/**
 * The embedded tenant's authentication and OAuth2 runtime endpoints: the service-account token and
 * AM session (reference §1), and each realm's `access_token`, `introspect`, `tokeninfo` and
 * `connect/jwk_uri` (reference §8). Access and refresh tokens are RS256 JWTs signed with the realm
 * key, so they are checked by signature and expiry alone (AM's client-side tokens).
 *
 * Decisions marked [inf] are not documented or recorded for AIC; they pick AM's usual wording.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { decodeJwt, importJWK, jwtVerify, type JWTPayload } from "jose";
import { ID_TOKEN_TYPE, JWT_BEARER_GRANT, TOKEN_EXCHANGE_GRANT } from "../contract/constants";
import { API_VERSION, realmPath } from "../contract/endpoints";
import type { EmulatorContext } from "./context";
import { crestBody } from "./errors";
import { clientSecrets } from "./esv";
import { SIGNING_ALG, signJwt, verificationKey } from "./keys";
import { authorizationCodeGrant, authorize } from "./authorize";
import { basicChallenge, presentedAssertion, verifyClientAssertion } from "./client-auth";
import { handleAuthenticate, realmUser } from "./journeys";
import { handleOidc, handleRootWellKnown } from "./oidc";
import { realmOf } from "./platform-admin";
import { checkApiVersion } from "./router";
import { mayActClaim, ScriptRunError } from "./script-engine";
import { header, SESSION_COOKIE } from "./sessions";
import {
  clientAttribute,
  clientStrings,
  effectiveSetting,
  evaluateTokenExchange,
  exchangeTokenName,
  invalidScopeError,
  own,
  parseScope,
  providerAllowsGrant,
  UNCONFIRMED,
  UNSUPPORTED_GRANT,
} from "./token-exchange";
import type { AmClientRecord, EmulatorRequest, EmulatorResponse, RealmState } from "./types";

/** AIC answers `expires_in≈899` for service-account tokens; the AM session lives as long. */
export const SERVICE_ACCOUNT_TOKEN_SECONDS = 899;
/** The longest assertion lifetime accepted (`exp` at most this far ahead), reference §1. */
export const MAX_ASSERTION_SECONDS = 180;
/** AM's default maximum session time; idle timeout is not modelled. */
export const AM_SESSION_SECONDS = 7200;
const DEFAULT_ACCESS_TOKEN_SECONDS = 3600;
const DEFAULT_REFRESH_TOKEN_SECONDS = 604800;
const SERVICE_ACCOUNT_CLIENT = "service-account";
/** Names the rule a refused token exchange broke; AM's body is the same for all of them. */
export const EXCHANGE_REASON_HEADER = "x-emulator-reason";

type Json = Record<string, unknown>;

/**
 * Handles /am/oauth2/** (incl. the root-realm service-account token endpoint /am/oauth2/access_token,
 * and the OpenID Connect endpoints of oidc.ts), /am/.well-known/*, the authenticate endpoints of
 * journeys.ts and GET /am/json/serverinfo/*; returns undefined when the
 * path is not its own. None of these needs admin authentication.
 */
export async function handleOAuth2(req: EmulatorRequest, ctx: EmulatorContext): Promise<EmulatorResponse | undefined> {
  // The API-version checks throw CrestHttpError, which the server answers like any admin route's.
  if (req.path.startsWith("/am/json/serverinfo/")) {
    return only(req, "GET", () => {
      // `*` asks resource 1.1 and `version` 1.0 (frodo does): one major version.
      checkApiVersion(req, API_VERSION.serverInfo);
      return req.path === "/am/json/serverinfo/version" ? serverVersion() : serverInfo();
    });
  }
  const authenticated = await handleAuthenticate(req, ctx);
  if (authenticated) return authenticated;
  if (req.path.startsWith("/am/.well-known/")) return handleRootWellKnown(req, ctx);
  const route = oauth2Route(req.path);
  if (!route) return undefined;
  const oidc = await handleOidc(route, req, ctx);
  if (oidc) return oidc;
  switch (route.endpoint) {
    case "authorize":
      return authorize(route, req, ctx);
    case "access_token":
      return only(req, "POST", () => tokenEndpoint(route, req, ctx));
    case "introspect":
      return only(req, "POST", () => introspect(route, req, ctx));
    case "tokeninfo":
      return only(req, "GET", () => tokenInfo(route, req, ctx));
    case "connect/jwk_uri":
      return only(req, "GET", () => ({ status: 200, body: { keys: [ctx.signingKeys.publicJwk] } }));
    default:
      return { status: 404, body: crestBody(404, "Not Found") };
  }
}

// ---------- routing and response helpers ----------

export interface OAuth2Route {
  /** The realm's key in `state.realms` (`alpha`; `root` for the root realm). */
  realm: string;
  /** `/alpha` as tokens and introspection name it; `/` for the root realm. */
  realmName: string;
  endpoint: string;
}

/** `/am/oauth2[/realms/root[/realms/<r>]...]/<endpoint>` → realm and endpoint. */
export function oauth2Route(path: string): OAuth2Route | undefined {
  if (!path.startsWith("/am/oauth2/")) return undefined;
  const parts = path.slice("/am/oauth2/".length).split("/");
  const realms: string[] = [];
  while (parts[0] === "realms" && parts.length > 2) {
    const name = decodeSegment(parts[1]);
    if (!(realms.length === 0 && name === "root")) realms.push(name);
    parts.splice(0, 2);
  }
  return { realm: realms[realms.length - 1] ?? "root", realmName: "/" + realms.join("/"), endpoint: parts.join("/") };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a malformed escape names no realm; the realm lookup then fails
  }
}

export function issuer(ctx: EmulatorContext, route: OAuth2Route): string {
  return `${ctx.baseUrl}/am/oauth2${realmPath(route.realmName)}`;
}

export function only<T>(req: EmulatorRequest, method: string, handle: () => T): T | EmulatorResponse {
  return req.method === method ? handle() : methodNotAllowed();
}

export function methodNotAllowed(): EmulatorResponse {
  return { status: 405, body: crestBody(405, "Method Not Allowed") };
}

export function oauthError(status: number, error: string, description: string, headers?: Record<string, string>): EmulatorResponse {
  return { status, headers, body: { error, error_description: description } };
}

export const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" };

export const invalidClient = (req: EmulatorRequest) =>
  oauthError(401, "invalid_client", "Client authentication failed", basicChallenge(req));
const unsupportedGrant = (): EmulatorResponse => ({ status: 400, body: UNSUPPORTED_GRANT });
export const missing = (name: string) => oauthError(400, "invalid_request", `Missing parameter, '${name}'`);
const invalidScope = (scopes: string[]): EmulatorResponse => ({ status: 400, body: invalidScopeError(scopes) });
/** [inf] AM's session-quota wording; AIC does not document what a 6th concurrent session gets. */
export const SESSION_QUOTA = "Maximum sessions limit reached or session quota has been exhausted";

/** The form body, or undefined when the request is not `application/x-www-form-urlencoded`. */
export function formOf(req: EmulatorRequest): URLSearchParams | undefined {
  const type = (header(req, "content-type") ?? "").split(";")[0].trim().toLowerCase();
  return type === "application/x-www-form-urlencoded" ? new URLSearchParams(req.body) : undefined;
}

export const wrongContentType = () =>
  oauthError(400, "invalid_request", "Content type must be application/x-www-form-urlencoded"); // [inf] wording

export const nowSeconds = (ctx: EmulatorContext) => Math.floor(ctx.now() / 1000);

// ---------- §1 admin authentication ----------

function serverInfo(): EmulatorResponse {
  return {
    status: 200,
    body: { _id: "*", domains: [], cookieName: SESSION_COOKIE, secureCookie: false, lang: "en-US", realm: "/" },
  };
}

/**
 * `serverinfo/version`: which AM answers. The values are those of an AM release of the AIC
 * generation the recordings come from [inf: AIC's exact strings change with every release];
 * clients read `version` for its `x.y.z` (frodo does). Answered without a session like
 * `serverinfo/*` [inf: clients ask it after login, so either would serve them].
 */
const AM_VERSION = { version: "8.0.1", revision: "b59d7e9d2a", date: "2025-March-20 09:42" };

function serverVersion(): EmulatorResponse {
  const { version, revision, date } = AM_VERSION;
  return {
    status: 200,
    body: { _id: "version", version, fullVersion: `ForgeRock Access Management ${version} Build ${revision} (${date})`, revision, date },
  };
}

/**
 * The service-account grant (reference §1): a JWT assertion signed with the account's private key,
 * `iss = sub = <account id>`, `aud` = this token URL, at most 180 s to live, a fresh `jti`. Each
 * token opens one session; with 5 live ones the 6th request is refused [inf: AIC does not document
 * the answer, this is AM's session-quota wording].
 */
async function serviceAccountToken(req: EmulatorRequest, form: URLSearchParams, ctx: EmulatorContext): Promise<EmulatorResponse> {
  const assertion = form.get("assertion");
  if (!assertion) return missing("assertion");
  let accountId: string | undefined;
  try {
    accountId = decodeJwt(assertion).iss;
  } catch {
    return oauthError(400, "invalid_grant", "Assertion is not a valid JWT");
  }
  const account = accountId === undefined ? undefined : own(ctx.state.serviceAccounts, accountId);
  // [inf] AIC's answer for an unknown account is not recorded.
  if (!accountId || !account) return oauthError(400, "invalid_client", "Client authentication failed");

  let claims: JWTPayload;
  try {
    const key = await importJWK(account.publicJwk, SIGNING_ALG);
    ({ payload: claims } = await jwtVerify(assertion, key, {
      algorithms: [SIGNING_ALG],
      issuer: accountId,
      subject: accountId,
      audience: ctx.baseUrl + req.path,
      currentDate: new Date(ctx.now()),
      requiredClaims: ["exp", "jti"],
    }));
  } catch {
    return oauthError(400, "invalid_grant", "Assertion is invalid or expired");
  }
  if (claims.exp! - nowSeconds(ctx) > MAX_ASSERTION_SECONDS) {
    return oauthError(400, "invalid_grant", `Assertion lifetime exceeds ${MAX_ASSERTION_SECONDS} seconds`);
  }
  // The scope is checked before the assertion's `jti` is claimed: a refused request does not use
  // the assertion up, and a client may send it again without the scopes named in the refusal.
  const allowed = parseScope(account.scope);
  const requested = parseScope(form.get("scope"));
  const outside = requested.filter((s) => !allowed.includes(s));
  if (outside.length > 0) {
    // AIC's wording, the scopes joined by commas (frodo parses this list and asks again without them).
    return oauthError(400, "invalid_scope", `Unsupported scope for service account: ${outside.join(",")}`);
  }
  if (!ctx.sessions.claimAssertion(accountId, claims.jti!, claims.exp! * 1000, ctx.now())) {
    return oauthError(400, "invalid_grant", "Assertion has already been used");
  }
  const scopes = requested.length > 0 ? requested : allowed;

  const token = ctx.sessions.open(accountId, "service-account", scopes, ctx.now(), SERVICE_ACCOUNT_TOKEN_SECONDS);
  if (!token) return oauthError(400, "invalid_grant", SESSION_QUOTA);
  return {
    status: 200,
    headers: NO_STORE,
    body: { access_token: token, scope: scopes.join(" "), token_type: "Bearer", expires_in: SERVICE_ACCOUNT_TOKEN_SECONDS },
  };
}

// ---------- client authentication ----------

export interface AuthenticatedClient {
  id: string;
  body: Json;
  /** How it authenticated at this request. */
  method: string;
}

interface PresentedCredentials {
  clientId: string;
  secret: string | undefined;
  method: string;
  /** The client assertion, for `private_key_jwt`. */
  assertion?: string;
}

/** Basic header first (RFC 6749 §2.3.1 form-encodes both parts), else a client assertion, else form parameters. */
function presentedCredentials(req: EmulatorRequest, form: URLSearchParams): PresentedCredentials | undefined {
  const basic = /^Basic\s+(\S+)$/i.exec(header(req, "authorization") ?? "")?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return undefined;
    const part = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
    try {
      return { clientId: part(decoded.slice(0, colon)), secret: part(decoded.slice(colon + 1)), method: "client_secret_basic" };
    } catch {
      return undefined;
    }
  }
  const asserted = presentedAssertion(form);
  if (asserted) return { clientId: asserted.clientId, secret: undefined, method: "private_key_jwt", assertion: asserted.assertion };
  const clientId = form.get("client_id");
  if (!clientId) return undefined;
  const secret = form.get("client_secret");
  return secret === null ? { clientId, secret: undefined, method: "none" } : { clientId, secret, method: "client_secret_post" };
}

/**
 * Authenticates an OAuth2Client or AIAgent of the realm with the method its
 * `advancedOAuth2ClientConfig.tokenEndpointAuthMethod` names (default `client_secret_basic`).
 * Unknown client, another method, a wrong secret or an Inactive client all fail alike.
 */
export async function authenticateClient(
  req: EmulatorRequest,
  form: URLSearchParams,
  realm: RealmState,
  ctx: EmulatorContext,
): Promise<AuthenticatedClient | undefined> {
  const presented = presentedCredentials(req, form);
  if (!presented) return undefined;
  const record: AmClientRecord | undefined =
    own(realm.oauth2Clients, presented.clientId) ?? own(realm.aiAgents, presented.clientId);
  if (!record) return undefined;
  const body = record.body;
  if (clientAttribute(body, "coreOAuth2ClientConfig", "status") === "Inactive") return undefined;
  // AM identifies a public client and does not authenticate it, whatever it sends as a secret [inf:
  // AM's client authenticator; frodo sends AIC's public idmAdminClient a placeholder password].
  if (clientAttribute(body, "coreOAuth2ClientConfig", "clientType") === "Public") return { id: presented.clientId, body, method: presented.method };
  const method = clientAttribute(body, "advancedOAuth2ClientConfig", "tokenEndpointAuthMethod") ?? "client_secret_basic";
  if (presented.method !== method) return undefined;
  if (method === "private_key_jwt") {
    const verified = await verifyClientAssertion(req, ctx, presented.clientId, body, presented.assertion ?? "");
    return verified ? { id: presented.clientId, body, method } : undefined;
  }
  // The secret may come from an ESV through the client's secret label (esv.ts).
  if (method !== "none" && !clientSecrets(ctx.state, realm, record).some((s) => sameSecret(s, presented.secret ?? ""))) return undefined;
  return { id: presented.clientId, body, method: presented.method };
}

/** Constant-time comparison of two secrets of any length. */
export function sameSecret(expected: string, actual: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(expected), digest(actual));
}

// ---------- the token endpoint ----------

async function tokenEndpoint(route: OAuth2Route, req: EmulatorRequest, ctx: EmulatorContext): Promise<EmulatorResponse> {
  const form = formOf(req);
  if (!form) return wrongContentType();
  const grantType = form.get("grant_type");
  if (!grantType) return missing("grant_type");
  if (route.realm === "root" && grantType === JWT_BEARER_GRANT && form.get("client_id") === SERVICE_ACCOUNT_CLIENT) {
    return serviceAccountToken(req, form, ctx);
  }
  const realm = realmOf(ctx, route.realm);
  if (!realm) return oauthError(400, "invalid_request", `Invalid realm, ${route.realmName}`); // [inf] wording
  // AM picks the grant handler before it authenticates the client, so this comes first.
  if (!providerAllowsGrant(realm.provider, grantType)) return unsupportedGrant();
  const client = await authenticateClient(req, form, realm, ctx);
  if (!client) return invalidClient(req);
  // The exchange reports a missing client grant as "Invalid token exchange." like its other rules.
  if (grantType !== TOKEN_EXCHANGE_GRANT && !clientStrings(client.body, "advancedOAuth2ClientConfig", "grantTypes").includes(grantType)) {
    return oauthError(400, "unauthorized_client", "Client is not authorized to use the requested grant type"); // [inf] wording
  }
  try {
    switch (grantType) {
      case "password":
        return await passwordGrant(route, form, client, realm, ctx);
      case "client_credentials":
        return await clientCredentialsGrant(route, form, client, realm, ctx);
      case "refresh_token":
        return await refreshTokenGrant(route, form, client, realm, ctx);
      case TOKEN_EXCHANGE_GRANT:
        return await tokenExchange(route, form, client, ctx);
      case "authorization_code":
        return await authorizationCodeGrant(route, form, client, realm, ctx);
      default:
        // Other grants (device_code, ciba, ...) need flows the embedded tenant does not run.
        return unsupportedGrant();
    }
  } catch (e) {
    // A script wired to the client that the embedded tenant cannot run (script-engine.ts).
    if (e instanceof ScriptRunError) return oauthError(500, "server_error", `${e.message}: ${e.detail}`);
    throw e;
  }
}

/** A grant of the token endpoint, once the client is authenticated and allowed the grant type. */
export type GrantHandler = (
  route: OAuth2Route,
  form: URLSearchParams,
  client: AuthenticatedClient,
  realm: RealmState,
  ctx: EmulatorContext,
) => Promise<EmulatorResponse>;

/** Requested scopes (or the client's default scopes) when all are among the client's scopes. */
function clientScopes(form: URLSearchParams, client: AuthenticatedClient): string[] | EmulatorResponse {
  const allowed = clientStrings(client.body, "coreOAuth2ClientConfig", "scopes");
  const requested = parseScope(form.get("scope"));
  const scopes = requested.length > 0 ? requested : clientStrings(client.body, "coreOAuth2ClientConfig", "defaultScopes");
  const outside = scopes.filter((s) => !allowed.includes(s));
  if (outside.length > 0) return invalidScope(outside);
  if (scopes.length === 0) return oauthError(400, "invalid_scope", "No scope requested and no default scope configured");
  return scopes;
}

async function passwordGrant(
  route: OAuth2Route,
  form: URLSearchParams,
  client: AuthenticatedClient,
  realm: RealmState,
  ctx: EmulatorContext,
): Promise<EmulatorResponse> {
  const username = form.get("username");
  const password = form.get("password");
  if (!username) return missing("username");
  if (password === null) return missing("password");
  const user = realmUser(ctx, route.realm, username, password);
  if (!user) {
    return oauthError(400, "invalid_grant", "Authentication failed"); // [inf] status; RFC 6749 says 400
  }
  const scopes = clientScopes(form, client);
  if (!Array.isArray(scopes)) return scopes;
  return tokenResponse(
    await issueTokens(ctx, route, realm, client, { sub: user._id, grantType: "password", scopes, refresh: true }),
  );
}

async function clientCredentialsGrant(
  route: OAuth2Route,
  form: URLSearchParams,
  client: AuthenticatedClient,
  realm: RealmState,
  ctx: EmulatorContext,
): Promise<EmulatorResponse> {
  const scopes = clientScopes(form, client);
  if (!Array.isArray(scopes)) return scopes;
  // RFC 6749 §4.4.3: no refresh token for client credentials.
  return tokenResponse(
    await issueTokens(ctx, route, realm, client, { sub: client.id, grantType: "client_credentials", scopes, refresh: false }),
  );
}

async function refreshTokenGrant(
  route: OAuth2Route,
  form: URLSearchParams,
  client: AuthenticatedClient,
  realm: RealmState,
  ctx: EmulatorContext,
): Promise<EmulatorResponse> {
  const refreshToken = form.get("refresh_token");
  if (!refreshToken) return missing("refresh_token");
  const claims = await verifyToken(ctx, route, refreshToken, "refresh_token");
  if (!claims || claims.client_id !== client.id || typeof claims.sub !== "string") {
    return oauthError(400, "invalid_grant", "grant is invalid");
  }
  const granted = scopeClaim(claims);
  const requested = parseScope(form.get("scope"));
  const outside = requested.filter((s) => !granted.includes(s));
  if (outside.length > 0) return invalidScope(outside);
  return tokenResponse(
    await issueTokens(ctx, route, realm, client, {
      sub: claims.sub,
      grantType: "refresh_token",
      scopes: requested.length > 0 ? requested : granted,
      refresh: true,
      authGrantId: typeof claims.authGrantId === "string" ? claims.authGrantId : undefined,
    }),
  );
}

async function tokenExchange(
  route: OAuth2Route,
  form: URLSearchParams,
  client: AuthenticatedClient,
  ctx: EmulatorContext,
): Promise<EmulatorResponse> {
  const exchangeToken = async (token: string | null, type: string | null) => {
    const tokenName = exchangeTokenName(type);
    return token && tokenName ? ((await verifyToken(ctx, route, token, tokenName)) as Json | undefined) : undefined;
  };
  const actorToken = form.get("actor_token");
  const actorType = form.get("actor_token_type");
  const subject = await exchangeToken(form.get("subject_token"), form.get("subject_token_type"));
  const result = evaluateTokenExchange({
    realm: route.realm,
    state: ctx.state,
    agent: client,
    clientAuthMethod: client.method,
    subjectTokenType: form.get("subject_token_type") ?? undefined,
    subject,
    actor:
      actorToken === null && actorType === null
        ? undefined
        : { type: actorType ?? undefined, claims: await exchangeToken(actorToken, actorType) },
    requestedTokenType: form.get("requested_token_type") ?? undefined,
    audiences: form.getAll("audience"),
    scopes: parseScope(form.get("scope")),
  });
  if (!result.ok) {
    return oauthError(result.status, result.error, result.error_description, { [EXCHANGE_REASON_HEADER]: result.reason });
  }
  const realm = own(ctx.state.realms, route.realm)!;
  const grant = { sub: subject!.sub as string, grantType: TOKEN_EXCHANGE_GRANT, scopes: result.scopes, refresh: false, aud: result.aud, act: result.act };
  const idToken = result.issuedTokenType === ID_TOKEN_TYPE;
  const issued = idToken ? await issueIdToken(ctx, route, realm, client, grant) : await issueTokens(ctx, route, realm, client, grant);
  return {
    status: 200,
    headers: NO_STORE,
    body: {
      access_token: issued.accessToken,
      refresh_token: null,
      issued_token_type: result.issuedTokenType,
      scope: issued.scopes.join(" "),
      token_type: idToken ? UNCONFIRMED.idTokenTokenType : "Bearer",
      expires_in: issued.expiresIn,
    },
  };
}

// ---------- tokens ----------

interface TokenGrant {
  sub: string;
  grantType: string;
  scopes: string[];
  refresh: boolean;
  /** Default: the client id. */
  aud?: string | string[];
  act?: Json;
  /** Kept across refreshes. */
  authGrantId?: string;
}

interface IssuedTokens {
  accessToken: string;
  refreshToken: string | null;
  scopes: string[];
  expiresIn: number;
}

/**
 * A lifetime in seconds: the client's own when positive, else the provider's, else AM's default.
 * OAuth2 token lifetimes live in the core OAuth2 groups, the ID token's in the OpenID ones.
 */
function lifetimeSeconds(realm: RealmState, client: AuthenticatedClient, key: string, fallback: number, openId = false): number {
  const own = clientAttribute(client.body, openId ? "coreOpenIDClientConfig" : "coreOAuth2ClientConfig", key);
  if (typeof own === "number" && own > 0) return own;
  const provider = (realm.provider?.[openId ? "coreOIDCConfig" : "coreOAuth2Config"] as Json | undefined)?.[key];
  return typeof provider === "number" && provider > 0 ? provider : fallback;
}

/** Signs the access token (and a refresh token when asked and the provider issues them). */
export async function issueTokens(
  ctx: EmulatorContext,
  route: OAuth2Route,
  realm: RealmState,
  client: AuthenticatedClient,
  grant: TokenGrant,
): Promise<IssuedTokens> {
  const iat = nowSeconds(ctx);
  const accessSeconds = lifetimeSeconds(realm, client, "accessTokenLifetime", DEFAULT_ACCESS_TOKEN_SECONDS);
  // Claims as AM puts them in client-side (stateless) tokens; scope is an array there.
  const common = {
    sub: grant.sub,
    cts: "OAUTH2_STATELESS_GRANT",
    auth_level: 0,
    auditTrackingId: randomUUID(),
    subname: grant.sub,
    iss: issuer(ctx, route),
    token_type: "Bearer",
    authGrantId: grant.authGrantId ?? randomBytes(20).toString("base64url"),
    client_id: client.id,
    aud: grant.aud ?? client.id,
    nbf: iat,
    grant_type: grant.grantType,
    scope: grant.scopes,
    auth_time: iat,
    realm: route.realmName,
    ...mayActOf(ctx, route, realm, client, "access"),
    iat,
  };
  const sign = (claims: Json) => signJwt(ctx.signingKeys, claims);
  const accessToken = await sign({
    ...common,
    tokenName: "access_token",
    ...(grant.act ? { act: grant.act } : {}),
    exp: iat + accessSeconds,
    expires_in: accessSeconds,
    jti: randomUUID(),
  });
  const issuesRefresh = effectiveSetting(realm.provider, client.body, "coreOAuth2Config", "issueRefreshToken") !== false;
  let refreshToken: string | null = null;
  if (grant.refresh && issuesRefresh) {
    const refreshSeconds = lifetimeSeconds(realm, client, "refreshTokenLifetime", DEFAULT_REFRESH_TOKEN_SECONDS);
    refreshToken = await sign({
      ...common,
      tokenName: "refresh_token",
      exp: iat + refreshSeconds,
      expires_in: refreshSeconds,
      jti: randomUUID(),
    });
  }
  // AM reports one second less than the lifetime (the seed shows 3599 for 3600).
  return { accessToken, refreshToken, scopes: grant.scopes, expiresIn: accessSeconds - 1 };
}

/**
 * An ID token for the subject, issued by a token exchange that asked for one (reference §1): the
 * acting client as `aud` and `azp`, its OpenID lifetime (else the provider's), `act` when set.
 */
async function issueIdToken(
  ctx: EmulatorContext,
  route: OAuth2Route,
  realm: RealmState,
  client: AuthenticatedClient,
  grant: TokenGrant,
): Promise<IssuedTokens> {
  const iat = nowSeconds(ctx);
  const seconds = lifetimeSeconds(realm, client, "jwtTokenLifetime", DEFAULT_ACCESS_TOKEN_SECONDS, true);
  const idToken = await signJwt(ctx.signingKeys, {
    sub: grant.sub,
    auditTrackingId: randomUUID(),
    subname: grant.sub,
    iss: issuer(ctx, route),
    tokenName: "id_token",
    aud: client.id,
    azp: client.id,
    auth_time: iat,
    realm: route.realmName,
    ...(grant.act ? { act: grant.act } : {}),
    ...mayActOf(ctx, route, realm, client, "id"),
    exp: iat + seconds,
    tokenType: "JWTToken",
    iat,
  });
  return { accessToken: idToken, refreshToken: null, scopes: grant.scopes, expiresIn: seconds - 1 };
}

/** `{ may_act }` when the issuing client's May Act script stamps one (script-engine.ts), else nothing. */
function mayActOf(ctx: EmulatorContext, route: OAuth2Route, realm: RealmState, client: AuthenticatedClient, token: "access" | "id") {
  const mayAct = mayActClaim(ctx.state, route.realm, realm.provider, client.body, token);
  return mayAct ? { may_act: mayAct } : {};
}

export function tokenResponse(issued: IssuedTokens): EmulatorResponse {
  return {
    status: 200,
    headers: NO_STORE,
    body: {
      access_token: issued.accessToken,
      ...(issued.refreshToken ? { refresh_token: issued.refreshToken } : {}),
      scope: issued.scopes.join(" "),
      token_type: "Bearer",
      expires_in: issued.expiresIn,
    },
  };
}

/** The claims of a live token this realm issued, of the given kind; undefined otherwise. */
export async function verifyToken(ctx: EmulatorContext, route: OAuth2Route, token: string, tokenName: string): Promise<JWTPayload | undefined> {
  try {
    const { payload } = await jwtVerify(token, await verificationKey(ctx.signingKeys), {
      algorithms: [SIGNING_ALG],
      issuer: issuer(ctx, route),
      currentDate: new Date(ctx.now()),
      requiredClaims: ["exp", "sub"],
    });
    // A revoked grant's tokens are dead, access and refresh alike (AM revokes by grant).
    if (typeof payload.authGrantId === "string" && ctx.revokedGrants.has(payload.authGrantId)) return undefined;
    return payload.tokenName === tokenName ? payload : undefined;
  } catch {
    return undefined;
  }
}

export function scopeClaim(claims: JWTPayload): string[] {
  const scope = claims.scope;
  if (Array.isArray(scope)) return scope.filter((s): s is string => typeof s === "string");
  return typeof scope === "string" ? parseScope(scope) : [];
}

// ---------- introspect and tokeninfo ----------

/** The scope that lets a client introspect every token of its realm, not only its own. */
const INTROSPECT_ALL_SCOPE = "am-introspect-all-tokens";

/**
 * RFC 7662 introspection, the keys and their order exactly as the seed shows them. AM renders a
 * token only to the client it was issued to, or to a client holding `am-introspect-all-tokens`
 * among its scopes; any other caller gets `{"active":false}` (reference §9). Refresh tokens
 * introspect too, with `token_type: refresh_token`.
 */
async function introspect(route: OAuth2Route, req: EmulatorRequest, ctx: EmulatorContext): Promise<EmulatorResponse> {
  const form = formOf(req);
  if (!form) return wrongContentType();
  const realm = own(ctx.state.realms, route.realm);
  const caller = realm ? await authenticateClient(req, form, realm, ctx) : undefined;
  if (!caller) return invalidClient(req);
  const token = form.get("token");
  if (!token) return missing("token");
  const claims = (await verifyToken(ctx, route, token, "access_token")) ?? (await verifyToken(ctx, route, token, "refresh_token"));
  const mayRead =
    claims?.client_id === caller.id || clientStrings(caller.body, "coreOAuth2ClientConfig", "scopes").includes(INTROSPECT_ALL_SCOPE);
  if (!claims || !mayRead) return { status: 200, body: { active: false } };
  return {
    status: 200,
    body: {
      active: true,
      scope: scopeClaim(claims).join(" "),
      realm: claims.realm,
      client_id: claims.client_id,
      user_id: claims.sub,
      username: claims.subname,
      // [inf] AM names a refresh token's kind here; an access token keeps its `Bearer`.
      token_type: claims.tokenName === "refresh_token" ? "refresh_token" : claims.token_type,
      exp: claims.exp,
      sub: claims.sub,
      iss: claims.iss,
      subname: claims.subname,
      auth_level: claims.auth_level,
      authGrantId: claims.authGrantId,
      ...(claims.act ? { act: claims.act } : {}),
      auditTrackingId: claims.auditTrackingId,
      expires_in: claims.exp! - nowSeconds(ctx),
    },
  };
}

/** AM's `tokeninfo`: the token's claims with `scope` as an array and the seconds left. */
async function tokenInfo(route: OAuth2Route, req: EmulatorRequest, ctx: EmulatorContext): Promise<EmulatorResponse> {
  const token =
    req.query.get("access_token") ?? /^Bearer\s+(\S+)$/i.exec(header(req, "authorization") ?? "")?.[1] ?? undefined;
  if (!token) return oauthError(400, "invalid_request", "Missing access token"); // [inf] wording
  const claims = await verifyToken(ctx, route, token, "access_token");
  if (!claims) return oauthError(401, "invalid_token", "Access Token not valid"); // [inf] status and wording
  return { status: 200, body: { ...claims, scope: scopeClaim(claims), expires_in: claims.exp! - nowSeconds(ctx) } };
}
