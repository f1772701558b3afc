/**
 * The OpenID Connect and RFC 7009 endpoints of each realm, as AM answers them (PingAM "OAuth 2.0
 * and OIDC endpoints"): discovery (`/.well-known/openid-configuration` under the realm's OAuth2
 * path, and `/am/.well-known/openid-configuration?realm=/alpha`), WebFinger
 * (`/am/.well-known/webfinger`), `userinfo`, `token/revoke` and `connect/endSession`. Discovery
 * describes what the realm's provider is set to (its grant types and scopes), so a relying party
 * configures itself from it.
 *
 * Decisions marked [inf] are not documented or recorded for AIC.
 */
import type { EmulatorContext } from "./context";
import { crestBody } from "./errors";
import {
  authenticateClient,
  formOf,
  invalidClient,
  issuer,
  methodNotAllowed,
  missing,
  NO_STORE,
  oauthError,
  only,
  scopeClaim,
  verifyToken,
  wrongContentType,
  type OAuth2Route,
} from "./oauth2";
import { header } from "./sessions";
import { own, providerSetting } from "./token-exchange";
import type { EmulatorRequest, EmulatorResponse } from "./types";

const ISSUER_REL = "http://openid.net/specs/connect/1.0/issuer";
/** The RFC 6750 wording AM gives a dead or unknown access token [inf: AM's usual text]. */
const INVALID_TOKEN = "The access token provided is expired, revoked, malformed, or invalid for other reasons.";

const notFound = (): EmulatorResponse => ({ status: 404, body: crestBody(404, "Not Found") });

/** The OIDC endpoints under a realm's OAuth2 path; undefined for the others. */
export async function handleOidc(route: OAuth2Route, req: EmulatorRequest, ctx: EmulatorContext): Promise<EmulatorResponse | undefined> {
  switch (route.endpoint) {
    case ".well-known/openid-configuration":
      return only(req, "GET", () => discovery(route, ctx));
    case "userinfo":
      // OIDC Core §5.3.1: GET and POST alike.
      return req.method === "GET" || req.method === "POST" ? userinfo(route, req, ctx) : methodNotAllowed();
    case "token/revoke":
      return only(req, "POST", () => revoke(route, req, ctx));
    case "connect/endSession":
      return req.method === "GET" || req.method === "POST" ? endSession(route, req, ctx) : methodNotAllowed();
    default:
      return undefined;
  }
}

/**
 * `/am/.well-known/openid-configuration?realm=/alpha` and `/am/.well-known/webfinger?realm=...`:
 * AM's realm-less spelling, the realm in a query parameter (the root realm without one). WebFinger
 * has only this spelling: AM does not take a realm in its path [doc].
 */
export function handleRootWellKnown(req: EmulatorRequest, ctx: EmulatorContext): EmulatorResponse {
  const realmParam = (req.query.get("realm") ?? "/").replace(/^\/+|\/+$/g, "");
  const realms = realmParam === "" ? [] : realmParam.split("/");
  const route: OAuth2Route = {
    realm: realms[realms.length - 1] ?? "root",
    realmName: "/" + realms.join("/"),
    endpoint: req.path.slice("/am/".length),
  };
  switch (route.endpoint) {
    case ".well-known/openid-configuration":
      return only(req, "GET", () => discovery(route, ctx));
    case ".well-known/webfinger":
      return only(req, "GET", () => webfinger(route, req, ctx));
    default:
      return notFound();
  }
}

function realmProvider(route: OAuth2Route, ctx: EmulatorContext) {
  return own(ctx.state.realms, route.realm)?.provider ?? undefined;
}

/** OpenID Connect Discovery 1.0 for one realm, from its provider's current settings. */
function discovery(route: OAuth2Route, ctx: EmulatorContext): EmulatorResponse {
  const provider = realmProvider(route, ctx);
  // [inf] AM's answer for a realm without a provider is not recorded; no provider, no metadata.
  if (!provider) return notFound();
  const base = issuer(ctx, route);
  const list = (group: string, key: string) => {
    const value = providerSetting(provider, group, key);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  };
  // `supportedScopes` entries are `name|description` in AM.
  const scopes = list("advancedOAuth2Config", "supportedScopes").map((s) => s.split("|")[0]);
  return {
    status: 200,
    body: {
      issuer: base,
      authorization_endpoint: `${base}/authorize`,
      token_endpoint: `${base}/access_token`,
      userinfo_endpoint: `${base}/userinfo`,
      end_session_endpoint: `${base}/connect/endSession`,
      introspection_endpoint: `${base}/introspect`,
      revocation_endpoint: `${base}/token/revoke`,
      jwks_uri: `${base}/connect/jwk_uri`,
      grant_types_supported: list("advancedOAuth2Config", "grantTypes"),
      // From the provider's response type handlers (`code|<class>`); AM also lists their combinations [inf].
      response_types_supported: list("advancedOAuth2Config", "responseTypeClasses").map((c) => c.split("|")[0]),
      // AM also lists the TLS methods; the embedded tenant does not authenticate clients with them [inf].
      token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic", "private_key_jwt", "none"],
      revocation_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic", "private_key_jwt", "none"],
      introspection_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic", "private_key_jwt", "none"],
      scopes_supported: scopes,
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
      claims_supported: ["sub", "subname", "name", "given_name", "family_name", "email"],
      code_challenge_methods_supported: ["plain", "S256"],
    },
  };
}

/**
 * RFC 7033 as AM answers it [doc]: `resource` and `rel` (only the OIDC issuer relation) are
 * required, the answer names the realm's issuer. Only while the provider's
 * `coreOIDCConfig.oidcDiscoveryEndpointEnabled` is on (AIC's alpha has it on [rec]); off, AM
 * answers as for any unknown path [inf].
 */
function webfinger(route: OAuth2Route, req: EmulatorRequest, ctx: EmulatorContext): EmulatorResponse {
  const provider = realmProvider(route, ctx);
  if (!provider || providerSetting(provider, "coreOIDCConfig", "oidcDiscoveryEndpointEnabled") !== true) return notFound();
  const resource = req.query.get("resource");
  if (!resource) return missing("resource"); // [inf] wording, as the token endpoint names a missing parameter
  if (req.query.get("rel") !== ISSUER_REL) return oauthError(400, "invalid_request", `Unsupported rel, the only one is ${ISSUER_REL}`); // [inf]
  return { status: 200, body: { subject: resource, links: [{ rel: ISSUER_REL, href: issuer(ctx, route) }] } };
}

function bearerOf(req: EmulatorRequest, form: URLSearchParams | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header(req, "authorization") ?? "")?.[1] ?? form?.get("access_token") ?? undefined;
}

function invalidTokenAnswer(): EmulatorResponse {
  return oauthError(401, "invalid_token", INVALID_TOKEN, { "www-authenticate": `Bearer error="invalid_token", error_description="${INVALID_TOKEN}"` });
}

/**
 * The user's claims for the token's scopes: `sub` (the user's id) and `subname` always, `profile`
 * (name, given and family name) and `email` when granted, from the IDM user as AIC's default
 * claims script maps them [inf: the mapping of the default script, not recorded].
 */
async function userinfo(route: OAuth2Route, req: EmulatorRequest, ctx: EmulatorContext): Promise<EmulatorResponse> {
  const token = bearerOf(req, req.method === "POST" ? formOf(req) : undefined);
  if (!token) return oauthError(401, "invalid_token", "No access token supplied", { "www-authenticate": 'Bearer realm="userinfo"' }); // [inf]
  const claims = await verifyToken(ctx, route, token, "access_token");
  if (!claims || typeof claims.sub !== "string") return invalidTokenAnswer();
  const scopes = scopeClaim(claims);
  // OIDC Core §5.3: the UserInfo endpoint serves tokens granted `openid`.
  if (!scopes.includes("openid")) return oauthError(403, "insufficient_scope", "The request requires higher privileges than provided by the access token."); // [inf] wording
  const user = own(ctx.state.managed[`${route.realm}_user`], claims.sub);
  const body: Record<string, unknown> = { sub: claims.sub, subname: claims.sub };
  if (user && scopes.includes("profile")) {
    body.name = [user.givenName, user.sn].filter((v) => typeof v === "string").join(" ");
    body.given_name = user.givenName;
    body.family_name = user.sn;
  }
  if (user && scopes.includes("email")) body.email = user.mail;
  return { status: 200, headers: NO_STORE, body };
}

/**
 * RFC 7009. The client authenticates as at the token endpoint; an unknown, expired or malformed
 * token is "revoked" already (200, §2.2). Revoking one token revokes its grant: the access and
 * refresh tokens that share its `authGrantId` (AM: "revokes the grant and its tokens").
 */
async function revoke(route: OAuth2Route, req: EmulatorRequest, ctx: EmulatorContext): Promise<EmulatorResponse> {
  const form = formOf(req);
  if (!form) return wrongContentType();
  const realm = own(ctx.state.realms, route.realm);
  const client = realm ? await authenticateClient(req, form, realm, ctx) : undefined;
  if (!client) return invalidClient(req);
  const token = form.get("token");
  if (!token) return missing("token");
  const claims = (await verifyToken(ctx, route, token, "access_token")) ?? (await verifyToken(ctx, route, token, "refresh_token"));
  if (claims && typeof claims.authGrantId === "string") {
    // §2.1: the token must have been issued to the client that revokes it [inf: AM's wording].
    if (claims.client_id !== client.id) return oauthError(400, "unauthorized_client", "The token was issued to another client");
    ctx.revokedGrants.add(claims.authGrantId);
  }
  return { status: 200, headers: NO_STORE, body: {} };
}

/**
 * OIDC RP-initiated logout. `id_token_hint` is required and must be an ID token this realm issued
 * (the authorization code flow issues them; the seed's password grant answers without one): any
 * other hint is refused as AM refuses a token that is not its ID token [inf: wording], and a
 * request without one names the missing parameter.
 */
async function endSession(route: OAuth2Route, req: EmulatorRequest, ctx: EmulatorContext): Promise<EmulatorResponse> {
  const params = req.method === "POST" ? (formOf(req) ?? new URLSearchParams()) : req.query;
  const hint = params.get("id_token_hint");
  if (!hint) return missing("id_token_hint");
  if (!(await verifyToken(ctx, route, hint, "id_token"))) return oauthError(400, "invalid_request", "Invalid ID token hint");
  return { status: 204 };
}
