/**
 * The authorization code flow of each realm (PingAM "Authorization code grant" and "with PKCE"):
 * `/authorize` (GET, or POST as a form like AM's consent page and frodo send it) and the
 * `authorization_code` grant of the token endpoint.
 *
 * `/authorize` checks the client and the redirect URI first and answers their errors itself (a
 * redirect URI that is not registered is never redirected to); every later error goes back to the
 * redirect URI with `error`, `error_description` and `state`. Without a session of the realm the
 * browser is sent to the login UI with the request as `goto`; with one (the session cookie or
 * header) and consent, to the redirect URI with `code`, `iss`, `state` and `client_id`. A code lives
 * for the provider's `codeLifetime`, is good once, for its client and redirect URI, and checks the
 * PKCE verifier (`S256` or `plain`). Decisions marked [inf] are not documented or recorded.
 */
import { createHash, randomBytes } from "node:crypto";
import type { EmulatorContext } from "./context";
import { signJwt } from "./keys";
import {
  formOf,
  issuer,
  issueTokens,
  methodNotAllowed,
  missing,
  nowSeconds,
  oauthError,
  tokenResponse,
  type GrantHandler,
  type OAuth2Route,
} from "./oauth2";
import { realmOf } from "./platform-admin";
import { sessionCookie, type AdminSession } from "./sessions";
import { clientAttribute, clientStrings, invalidScopeError, own, parseScope, providerSetting } from "./token-exchange";
import type { AmClientRecord, EmulatorRequest, EmulatorResponse, RealmState } from "./types";

/** The login UI a browser without a session is sent to [inf: AIC's hosted pages live here]. */
export const LOGIN_UI_PATH = "/am/XUI/";
/** AM's default authorization code lifetime when the provider names none. */
const DEFAULT_CODE_SECONDS = 120;
/** AM's default ID token lifetime (`coreOIDCConfig.jwtTokenLifetime`). */
const DEFAULT_ID_TOKEN_SECONDS = 3600;
/** AM's wording for a redirect URI the client did not register [doc]. */
const REDIRECT_MISMATCH = "The redirection URI provided does not match a pre-registered value.";
/** AM's wording for a code that is unknown, used, expired or not this client's [doc]. */
const INVALID_CODE = "The provided access grant is invalid, expired, or revoked.";
/** Parameters of AM's consent form: not part of the request a login `goto` repeats. */
const CONSENT_PARAMETERS = ["csrf", "decision", "save_consent"];

interface IssuedCode {
  clientId: string;
  realm: string;
  /** As the authorize request gave it (undefined: the client's only registered one was used). */
  requestedRedirectUri: string | undefined;
  sub: string;
  scopes: string[];
  nonce: string | undefined;
  challenge: string | undefined;
  challengeMethod: "S256" | "plain";
  authTimeSeconds: number;
  expiresAtMs: number;
}

/** Codes issued and not yet redeemed, per tenant (in memory, like the signing key). */
const codeStores = new WeakMap<EmulatorContext, Map<string, IssuedCode>>();

function codesOf(ctx: EmulatorContext): Map<string, IssuedCode> {
  let codes = codeStores.get(ctx);
  if (!codes) codeStores.set(ctx, (codes = new Map()));
  for (const [code, issued] of codes) if (issued.expiresAtMs <= ctx.now()) codes.delete(code);
  return codes;
}

const clientRecord = (realm: RealmState, clientId: string): AmClientRecord | undefined =>
  own(realm.oauth2Clients, clientId) ?? own(realm.aiAgents, clientId);

function redirectTo(location: string): EmulatorResponse {
  return { status: 302, headers: { location, "cache-control": "no-store" } };
}

function withQuery(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.href;
}

/** The live session of the request that may authorize in this realm: a realm user's, or an admin's at the root. */
function realmSession(req: EmulatorRequest, ctx: EmulatorContext, route: OAuth2Route): AdminSession & { tokenId: string } | undefined {
  const tokenId = sessionCookie(req);
  const session = tokenId === undefined ? undefined : ctx.sessions.find(tokenId, ctx.now());
  if (!session) return undefined;
  const ok = route.realm === "root" ? session.kind === "am-session" : session.kind === "user-session" && session.realm === route.realm;
  return ok ? { ...session, tokenId: tokenId! } : undefined;
}

/** `/authorize`: GET with a query, or POST with a form. */
export function authorize(route: OAuth2Route, req: EmulatorRequest, ctx: EmulatorContext): EmulatorResponse {
  if (req.method !== "GET" && req.method !== "POST") return methodNotAllowed();
  const params = req.method === "GET" ? req.query : formOf(req);
  if (!params) return oauthError(400, "invalid_request", "Content type must be application/x-www-form-urlencoded"); // [inf]
  const realm = realmOf(ctx, route.realm);
  if (!realm) return oauthError(400, "invalid_request", `Invalid realm, ${route.realmName}`); // [inf], as the token endpoint

  // Errors the client's browser must not be redirected with: answered here.
  const clientId = params.get("client_id");
  if (!clientId) return missing("client_id");
  const record = clientRecord(realm, clientId);
  if (!record || clientAttribute(record.body, "coreOAuth2ClientConfig", "status") === "Inactive") {
    return oauthError(400, "invalid_client", "Client authentication failed"); // [inf] wording, as the token endpoint
  }
  const registered = clientStrings(record.body, "coreOAuth2ClientConfig", "redirectionUris");
  const requestedRedirectUri = params.get("redirect_uri") ?? undefined;
  // Without a redirect_uri the client's only registered one is meant (RFC 6749 §3.1.2.3).
  const redirectUri = requestedRedirectUri ?? (registered.length === 1 ? registered[0] : undefined);
  if (redirectUri === undefined || !registered.includes(redirectUri)) return oauthError(400, "redirect_uri_mismatch", REDIRECT_MISMATCH);

  const state = params.get("state") ?? undefined;
  const fail = (error: string, description: string) => redirectTo(withQuery(redirectUri, { error, error_description: description, state }));

  const responseType = params.get("response_type");
  if (!responseType) return fail("invalid_request", "Missing parameter, 'response_type'");
  const handlers = providerSetting(realm.provider, "advancedOAuth2Config", "responseTypeClasses");
  const providerHasCode = Array.isArray(handlers) && handlers.some((h) => typeof h === "string" && h.split("|")[0] === "code");
  // The embedded tenant runs the code flow only; the implicit and hybrid response types are refused [inf].
  if (responseType !== "code" || !providerHasCode || !clientStrings(record.body, "advancedOAuth2ClientConfig", "responseTypes").includes("code")) {
    return fail("unsupported_response_type", `Response type is not supported: ${responseType}`); // [inf] wording
  }
  if (!clientStrings(record.body, "advancedOAuth2ClientConfig", "grantTypes").includes("authorization_code")) {
    return fail("unauthorized_client", "Client is not authorized to use the requested grant type"); // [inf] wording, as the token endpoint
  }
  const allowed = clientStrings(record.body, "coreOAuth2ClientConfig", "scopes");
  const requested = parseScope(params.get("scope"));
  const scopes = requested.length > 0 ? requested : clientStrings(record.body, "coreOAuth2ClientConfig", "defaultScopes");
  const outside = scopes.filter((s) => !allowed.includes(s));
  if (outside.length > 0) return fail("invalid_scope", invalidScopeError(outside).error_description);
  if (scopes.length === 0) return fail("invalid_scope", "No scope requested and no default scope configured");

  const challenge = params.get("code_challenge") ?? undefined;
  const method = params.get("code_challenge_method") ?? "plain"; // RFC 7636 §4.3: plain when absent
  if (challenge !== undefined && method !== "S256" && method !== "plain") return fail("invalid_request", `Unsupported code challenge method: ${method}`); // [inf] wording
  if (challenge === undefined && pkceRequired(realm, record)) return fail("invalid_request", "Missing parameter, 'code_challenge'");

  const session = realmSession(req, ctx, route);
  if (!session) {
    if (params.get("prompt") === "none") return fail("login_required", "The user needs to authenticate"); // OIDC Core §3.1.2.6
    return redirectTo(loginUrl(ctx, route, req, params));
  }
  // Consent: implied by the client, or given on AM's consent form (decision=allow with the session as csrf).
  const decision = params.get("decision");
  const consentGiven = decision === "allow" && params.get("csrf") === session.tokenId;
  if (decision === "deny") return fail("access_denied", "Resource Owner did not authorize the request");
  if (clientAttribute(record.body, "advancedOAuth2ClientConfig", "isConsentImplied") !== true && !consentGiven) {
    // [inf] the embedded tenant has no consent page: consent it cannot ask for is refused as OIDC's prompt=none is.
    return fail("consent_required", "The user has not consented to this client");
  }

  const code = randomBytes(32).toString("base64url");
  const codeSeconds = providerSetting(realm.provider, "coreOAuth2Config", "codeLifetime");
  codesOf(ctx).set(code, {
    clientId,
    realm: route.realm,
    requestedRedirectUri,
    sub: session.accountId,
    scopes,
    nonce: params.get("nonce") ?? undefined,
    challenge,
    challengeMethod: method === "S256" ? "S256" : "plain",
    authTimeSeconds: nowSeconds(ctx),
    expiresAtMs: ctx.now() + (typeof codeSeconds === "number" && codeSeconds > 0 ? codeSeconds : DEFAULT_CODE_SECONDS) * 1000,
  });
  return redirectTo(withQuery(redirectUri, { code, iss: issuer(ctx, route), state, client_id: clientId }));
}

/**
 * Whether the request must carry a code challenge: the provider's `codeVerifierEnforced` is
 * `"true"` for every client, `"public"` for public clients only (AM's "Code Verifier Parameter
 * Required"); `"false"` (AIC's default) and other values never.
 */
function pkceRequired(realm: RealmState, record: AmClientRecord): boolean {
  const enforced = String(providerSetting(realm.provider, "advancedOAuth2Config", "codeVerifierEnforced") ?? "false");
  if (enforced === "true") return true;
  return enforced === "public" && clientAttribute(record.body, "coreOAuth2ClientConfig", "clientType") === "Public";
}

/** The login UI with this request, without the consent form's parameters, as `goto`. */
function loginUrl(ctx: EmulatorContext, route: OAuth2Route, req: EmulatorRequest, params: URLSearchParams): string {
  const again = new URLSearchParams(params);
  for (const p of CONSENT_PARAMETERS) again.delete(p);
  const goto = `${ctx.baseUrl}${req.path}?${again}`;
  return `${ctx.baseUrl}${LOGIN_UI_PATH}?${new URLSearchParams({ realm: route.realmName, goto })}`;
}

/** `base64url(sha256(verifier))` for S256, the verifier itself for plain (RFC 7636 §4.2). */
function challengeOf(verifier: string, method: "S256" | "plain"): string {
  return method === "S256" ? createHash("sha256").update(verifier, "ascii").digest("base64url") : verifier;
}

/** The `authorization_code` grant: redeems the code once, then issues tokens and, for `openid`, an ID token. */
export const authorizationCodeGrant: GrantHandler = async (route, form, client, realm, ctx) => {
  const code = form.get("code");
  if (!code) return missing("code");
  const codes = codesOf(ctx);
  const issued = codes.get(code);
  if (!issued || issued.realm !== route.realm || issued.clientId !== client.id) return oauthError(400, "invalid_grant", INVALID_CODE);
  // Good once: a second attempt finds nothing, whether this one succeeds or not (RFC 6749 §4.1.2).
  codes.delete(code);
  const redirectUri = form.get("redirect_uri") ?? undefined;
  if (issued.requestedRedirectUri !== undefined && redirectUri !== issued.requestedRedirectUri) {
    return oauthError(400, "invalid_grant", REDIRECT_MISMATCH); // RFC 6749 §4.1.3 [inf: AM's error code]
  }
  if (issued.challenge !== undefined) {
    const verifier = form.get("code_verifier");
    if (!verifier) return missing("code_verifier");
    if (challengeOf(verifier, issued.challengeMethod) !== issued.challenge) {
      return oauthError(400, "invalid_grant", "PKCE verification failed"); // [inf] wording
    }
  }
  const tokens = await issueTokens(ctx, route, realm, client, { sub: issued.sub, grantType: "authorization_code", scopes: issued.scopes, refresh: true });
  const response = tokenResponse(tokens);
  if (!issued.scopes.includes("openid")) return response;
  const idToken = await signIdToken(ctx, route, realm, client.id, issued, tokens.accessToken);
  return { ...response, body: { ...(response.body as object), id_token: idToken } };
};

/** The ID token as AM signs it (OIDC Core §2, §3.1.3.6 `at_hash`), with the request's nonce. */
async function signIdToken(
  ctx: EmulatorContext,
  route: OAuth2Route,
  realm: RealmState,
  clientId: string,
  issued: IssuedCode,
  accessToken: string,
): Promise<string> {
  const iat = nowSeconds(ctx);
  const lifetime = providerSetting(realm.provider, "coreOIDCConfig", "jwtTokenLifetime");
  const atHash = createHash("sha256").update(accessToken, "ascii").digest().subarray(0, 16).toString("base64url");
  return signJwt(ctx.signingKeys, {
    at_hash: atHash,
    sub: issued.sub,
    subname: issued.sub,
    iss: issuer(ctx, route),
    tokenName: "id_token",
    ...(issued.nonce !== undefined ? { nonce: issued.nonce } : {}),
    aud: clientId,
    azp: clientId,
    auth_time: issued.authTimeSeconds,
    realm: route.realmName,
    exp: iat + (typeof lifetime === "number" && lifetime > 0 ? lifetime : DEFAULT_ID_TOKEN_SECONDS),
    tokenType: "JWTToken",
    iat,
  });
}
