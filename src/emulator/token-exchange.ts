/**
 * The rules that decide an AI agent's token exchange (reference §8), as a pure function over the
 * tenant state, plus the small readers of stored AM/IDM objects the OAuth2 endpoints share.
 *
 * AM answers every misconfiguration with the same body, so each failure also carries a `reason`
 * code (not part of AM's answer) that tests and the emulator's debugging header use to tell the
 * rules apart.
 */
import { ACCESS_TOKEN_TYPE, ID_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from "../contract/constants";
import { idmRealm } from "../contract/endpoints";
import { validateScopes } from "./script-engine";
import type { TenantState } from "./types";

type Json = Record<string, unknown>;

// ---------- readers of stored objects ----------

/** `record[key]` when it is the record's own entry: ids come from requests, so `__proto__` must miss. */
export function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** An AM attribute's value: stored wrapped (`{inherited, value}`) as AM returns it, or raw as written. */
export function unwrap(attr: unknown): unknown {
  if (attr && typeof attr === "object" && !Array.isArray(attr) && "inherited" in attr) return (attr as Json).value;
  return attr;
}

/** A client attribute inside one of its groups, e.g. `("coreOAuth2ClientConfig", "scopes")`. */
export function clientAttribute(body: Json, group: string, key: string): unknown {
  return unwrap((body[group] as Json | undefined)?.[key]);
}

export function clientStrings(body: Json, group: string, key: string): string[] {
  const value = clientAttribute(body, group, key);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** A plain value of the realm's oauth-oidc provider, e.g. `("advancedOAuth2Config", "grantTypes")`. */
export function providerSetting(provider: Json | null, group: string, key: string): unknown {
  return (provider?.[group] as Json | undefined)?.[key];
}

export function providerAllowsGrant(provider: Json | null, grantType: string): boolean {
  const grants = providerSetting(provider, "advancedOAuth2Config", "grantTypes");
  return Array.isArray(grants) && grants.includes(grantType);
}

/**
 * A provider setting as it applies to one client: the client's `overrideOAuth2ClientConfig` value
 * when its `providerOverridesEnabled` master switch is on, the provider's otherwise (reference §4:
 * without the switch the overrides are ignored).
 */
export function effectiveSetting(provider: Json | null, client: Json, group: string, key: string): unknown {
  const overrides = client.overrideOAuth2ClientConfig as Json | undefined;
  return overrides?.providerOverridesEnabled === true ? overrides[key] : providerSetting(provider, group, key);
}

/** Splits an OAuth2 `scope` parameter. */
export function parseScope(scope: string | null | undefined): string[] {
  return (scope ?? "").split(" ").filter(Boolean);
}

/** `managed/alpha_user/<id>` for an IDM relationship reference (either spelling IDM uses). */
function refTarget(ref: unknown): string | undefined {
  if (!ref || typeof ref !== "object") return undefined;
  const r = ref as Json;
  if (typeof r._ref === "string") return r._ref;
  if (typeof r._refResourceCollection === "string" && typeof r._refResourceId === "string") {
    return `${r._refResourceCollection}/${r._refResourceId}`;
  }
  return undefined;
}

function refs(value: unknown): string[] {
  return (Array.isArray(value) ? value : []).map(refTarget).filter((t): t is string => t !== undefined);
}

/** The id a reference points at when it points into `managed/<object>`. */
function refIdIn(ref: unknown, object: string): string | undefined {
  const target = refTarget(ref);
  const prefix = `managed/${object}/`;
  return target?.startsWith(prefix) ? target.slice(prefix.length) : undefined;
}

function refIdsIn(value: unknown, object: string): string[] {
  return (Array.isArray(value) ? value : []).map((r) => refIdIn(r, object)).filter((id): id is string => id !== undefined);
}

// ---------- the exchange rules ----------

/**
 * Points the reference marks unconfirmed, followed as Ping's documentation (or the RFC) says; each
 * is decided here and nowhere else, so a recording that settles one changes one line.
 */
export const UNCONFIRMED = {
  /** §4: a subject token's own `act` is nested inside the new actor's, as RFC 8693 §4.1 says. */
  nestPriorAct: true,
  /** [inf] RFC 8693 §2.2.1: `token_type` of an issued token that is not an access token. */
  idTokenTokenType: "N_A",
  /**
   * §8.3/§4 [inf]: an AIAgent exchanging without an actor token is authorised by its IDM
   * privilege (AIC); with an actor token, like any client, by the subject token's `may_act`
   * (AM 8.1's agent examples).
   */
  privilegesGovernAgentImpersonationOnly: true,
  /** §2 [inf]: `may_act.sub` names an actor by AM's universal id (`(age!id)` for a client, `(usr!id)` for a user) or by its bare `sub`. */
  mayActAcceptsBareSub: true,
  /**
   * §8.4/§8.5 [inf]: an agent exchanging its own token (autonomous) is covered by a privilege to
   * the audience that lists no subjects and no subject groups.
   */
  autonomousNeedsEmptySubjects: true,
} as const;

/** The token types AM exchanges, in and out (reference §1: the provider's validators list these two). */
const EXCHANGEABLE_TYPES: readonly string[] = [ACCESS_TOKEN_TYPE, ID_TOKEN_TYPE];

/** The `tokenName` a realm token of an exchangeable type carries; undefined for other types. */
export function exchangeTokenName(type: string | null | undefined): string | undefined {
  return type === ACCESS_TOKEN_TYPE ? "access_token" : type === ID_TOKEN_TYPE ? "id_token" : undefined;
}

export interface TokenExchangeRequest {
  /** The realm name, e.g. `alpha`. */
  realm: string;
  state: TenantState;
  /** The authenticated client asking for the exchange (an AIAgent or an OAuth2Client). */
  agent: { id: string; body: Json };
  /** How the client authenticated at this request (`client_secret_post`, ...). */
  clientAuthMethod: string;
  subjectTokenType: string | undefined;
  /** The verified claims of the subject token; undefined when it is not a live token of this realm of that type. */
  subject: Json | undefined;
  /**
   * Present when the request sent `actor_token` or `actor_token_type`: the type sent and the
   * verified claims (undefined when the token is missing, garbage or not of that type).
   */
  actor?: { type: string | undefined; claims: Json | undefined };
  requestedTokenType: string | undefined;
  /** Every `audience` parameter, in order. */
  audiences: string[];
  /** Requested scopes; empty means "what the privilege (or the client's default scopes) allows". */
  scopes: string[];
}

export type TokenExchangeReason =
  | "provider-grant"
  | "client-grant"
  | "client-auth-method"
  | "stateless-tokens"
  | "audience-parameter"
  | "requested-token-type"
  | "subject-token-type"
  | "subject-token"
  | "actor-token"
  | "may-act"
  | "audience"
  | "no-privilege"
  | "subject-not-allowed"
  | "scope";

interface OAuthError {
  error: string;
  error_description: string;
}

export type TokenExchangeResult =
  | { ok: true; scopes: string[]; aud: string | string[]; act?: Json; issuedTokenType: string }
  | ({ ok: false; status: 400; reason: TokenExchangeReason } & OAuthError);

/** OAuth2 error bodies the token endpoint shares with the exchange rules. */
export const UNSUPPORTED_GRANT = { error: "unsupported_grant_type", error_description: "Grant type is not supported" };
export const invalidScopeError = (scopes: string[]) => ({
  error: "invalid_scope",
  error_description: `Unknown/invalid scope(s): [${scopes.join(", ")}]`, // [inf] AM's usual wording
});
const INVALID_EXCHANGE = { error: "invalid_request", error_description: "Invalid token exchange." };
const INVALID_AUDIENCE = { error: "invalid_request", error_description: "Invalid audience requested." };

type Refusal = TokenExchangeResult & { ok: false };

function refuse(reason: TokenExchangeReason, body: OAuthError = INVALID_EXCHANGE): Refusal {
  return { ok: false, status: 400, ...body, reason };
}

/** The actor named in the new token's `act`, the subject token's own `act` nested inside (RFC 8693 §4.1). */
function actClaim(actorSub: string, subject: Json): Json {
  const prior = subject.act;
  return UNCONFIRMED.nestPriorAct && prior && typeof prior === "object" ? { sub: actorSub, act: prior } : { sub: actorSub };
}

/** Decides a token exchange; see reference §1–§8 for where each rule comes from. */
export function evaluateTokenExchange(req: TokenExchangeRequest): TokenExchangeResult {
  const provider = own(req.state.realms, req.realm)?.provider ?? null;
  if (!providerAllowsGrant(provider, TOKEN_EXCHANGE_GRANT)) {
    return refuse("provider-grant", UNSUPPORTED_GRANT);
  }
  if (!clientStrings(req.agent.body, "advancedOAuth2ClientConfig", "grantTypes").includes(TOKEN_EXCHANGE_GRANT)) {
    return refuse("client-grant");
  }
  const issuedTokenType = req.requestedTokenType ?? ACCESS_TOKEN_TYPE;
  if (!EXCHANGEABLE_TYPES.includes(issuedTokenType)) return refuse("requested-token-type");
  // RFC 8693 §2.1: actor_token_type is required when actor_token is sent, and only then.
  if (req.actor && (!EXCHANGEABLE_TYPES.includes(req.actor.type ?? "") || !req.actor.claims)) return refuse("actor-token");
  if (!EXCHANGEABLE_TYPES.includes(req.subjectTokenType ?? "")) return refuse("subject-token-type");
  if (typeof req.subject?.sub !== "string") return refuse("subject-token");

  const isAgent = typeof unwrap(req.agent.body.aiAgentIdentityUid) === "string";
  const decided =
    isAgent && !req.actor && UNCONFIRMED.privilegesGovernAgentImpersonationOnly
      ? privilegeRules(req, provider, req.subject as Json & { sub: string })
      : mayActRules(req, provider, req.subject as Json & { sub: string });
  return decided.ok ? { ...decided, issuedTokenType } : decided;
}

type Decision = { ok: true; scopes: string[]; aud: string | string[]; act?: Json } | Refusal;

/**
 * AM's own exchange (reference §2–§6): the subject token's `may_act` must name the acting client
 * (and, for delegation, the actor token's subject); scopes come from the acting client; `audience`
 * counts only when the acting client accepts it, and then only values on its allow-list.
 */
function mayActRules(req: TokenExchangeRequest, provider: Json | null, subject: Json & { sub: string }): Decision {
  const client = req.agent;
  const mayAct = subject.may_act as Json | undefined;
  if (!mayAct || typeof mayAct !== "object" || mayAct.client_id !== client.id) return refuse("may-act");
  let act: Json | undefined;
  if (req.actor) {
    const actor = req.actor.claims as Json & { sub: string };
    if (!namesActor(mayAct.sub, actor)) return refuse("may-act");
    act = actClaim(actor.sub, subject);
  }
  const audience = exchangeAudience(req, provider);
  if ("ok" in audience) return audience;
  const allowed = clientStrings(client.body, "coreOAuth2ClientConfig", "scopes");
  const scopes = req.scopes.length > 0 ? req.scopes : clientStrings(client.body, "coreOAuth2ClientConfig", "defaultScopes");
  const outside = scopes.filter((s) => !allowed.includes(s));
  if (scopes.length === 0 || outside.length > 0) return refuse("scope", invalidScopeError(outside));
  const limit = scopeLimit(req, provider, scopes);
  if (limit) return limit;
  return { ok: true, scopes, aud: audience.aud, ...(act ? { act } : {}) };
}

/** Whether `may_act.sub` names the actor token's subject (a client by `(age!…)`, a user by `(usr!…)`). */
function namesActor(named: unknown, actor: Json & { sub: string }): boolean {
  if (typeof named !== "string") return false;
  const isClient = actor.grant_type === "client_credentials" || actor.sub === actor.client_id;
  const universalId = `(${isClient ? "age" : "usr"}!${actor.sub})`;
  return named === universalId || (UNCONFIRMED.mayActAcceptsBareSub && named === actor.sub);
}

/**
 * The new token's `aud`: the acting client, plus each `audience` value when the client (or the
 * provider) accepts audience parameters and lists the value in `allowedResourceServerAudienceValues`
 * (reference §6: exact match; an empty value is refused too).
 */
function exchangeAudience(req: TokenExchangeRequest, provider: Json | null): { aud: string | string[] } | Refusal {
  const client = req.agent;
  const accepts = effectiveSetting(provider, client.body, "advancedOAuth2Config", "acceptAudienceParametersInTokenExchangeRequests") === true;
  if (!accepts || req.audiences.length === 0) return { aud: client.id };
  const allowList = clientStrings(client.body, "advancedOAuth2ClientConfig", "allowedResourceServerAudienceValues");
  if (req.audiences.some((a) => !allowList.includes(a))) return refuse("audience", INVALID_AUDIENCE);
  return { aud: [client.id, ...req.audiences] };
}

/** The acting client's scope-validation script's refusal (reference §5), if it refuses. */
function scopeLimit(req: TokenExchangeRequest, provider: Json | null, scopes: string[]): Refusal | undefined {
  const limit = validateScopes(req.state, req.realm, provider, req.agent.body, scopes);
  // [inf] status 400 (the reference leaves it unconfirmed): AM's invalid_scope everywhere else.
  return limit && refuse("scope", { error: "invalid_scope", error_description: limit.refused });
}

/** The AIC AI-agent exchange (reference §8): the agent's IDM privilege decides subject, audience and scopes. */
function privilegeRules(req: TokenExchangeRequest, provider: Json | null, subject: Json & { sub: string }): Decision {
  const realmState = own(req.state.realms, req.realm);
  const agent = req.agent.body;
  const prefix = idmRealm(req.realm);
  const managed = (object: string) => own(req.state.managed, `${prefix}_${object}`) ?? {};

  if (req.clientAuthMethod !== "client_secret_post") return refuse("client-auth-method");
  if (effectiveSetting(provider, agent, "coreOAuth2Config", "statelessTokensEnabled") !== true) {
    return refuse("stateless-tokens");
  }
  const acceptsAudience = effectiveSetting(
    provider,
    agent,
    "advancedOAuth2Config",
    "acceptAudienceParametersInTokenExchangeRequests",
  );
  if (acceptsAudience !== true) return refuse("audience-parameter");
  const userId = subject.sub;
  // The agent's own token (client credentials): it acts for itself (reference §8.5).
  const autonomous = userId === req.agent.id;
  const user = own(managed("user"), userId);
  if (!user && !autonomous) return refuse("subject-token");
  const audience = req.audiences[0];
  if (!audience) return refuse("audience");

  const identityUid = unwrap(agent.aiAgentIdentityUid) as string;
  const applications = managed("application");
  const toAudience = Object.values(managed("aiagentprivilege")).filter((privilege) => {
    if (refIdIn(privilege.agent, `${prefix}_aiagent`) !== identityUid) return false;
    const appId = refIdIn(privilege.resource, `${prefix}_application`);
    const app = appId === undefined ? undefined : own(applications, appId);
    return (app?.ssoEntities as Json | null | undefined)?.oidcId === audience;
  });
  if (toAudience.length === 0) return refuse("no-privilege");

  const covering = toAudience.filter(autonomous ? forItself : coversUser(managed, prefix, userId, user!));
  if (covering.length === 0) return refuse("subject-not-allowed");

  // Empty permissions let the agent ask for any scope of the application's AM client [doc].
  const appClient = own(realmState?.oauth2Clients, audience)?.body;
  const allowed = new Set(
    covering.flatMap((privilege) => {
      const scopes = privilegeScopes(privilege.permissions);
      return scopes.length > 0 ? scopes : appClient ? clientStrings(appClient, "coreOAuth2ClientConfig", "scopes") : [];
    }),
  );
  const granted = req.scopes.length > 0 ? req.scopes : [...allowed];
  const outside = granted.filter((s) => !allowed.has(s));
  if (granted.length === 0 || outside.length > 0) {
    return refuse("scope", invalidScopeError(outside));
  }
  const limit = scopeLimit(req, provider, granted);
  if (limit) return limit;
  return { ok: true, scopes: granted, aud: [req.agent.id, audience], act: actClaim(req.agent.id, subject) };
}

/** A privilege for the agent itself: no subjects and no subject groups (with the switch on; any privilege otherwise). */
function forItself(privilege: Json): boolean {
  return !UNCONFIRMED.autonomousNeedsEmptySubjects || (refs(privilege.subjects).length === 0 && refs(privilege.subjectGroups).length === 0);
}

/** Whether a privilege lists the user among its subjects or one of the user's groups among its subject groups. */
function coversUser(managed: (object: string) => Record<string, Json>, prefix: string, userId: string, user: Json): (privilege: Json) => boolean {
  // Group membership is read from both sides: a group's `members` and a user's `groups`.
  const groupObject = `${prefix}_group`;
  const userRef = `managed/${prefix}_user/${userId}`;
  const groupsOfUser = new Set([
    ...refIdsIn(user.groups, groupObject),
    ...Object.values(managed("group"))
      .filter((group) => refs(group.members).includes(userRef))
      .map((group) => group._id),
  ]);
  return (privilege) =>
    refs(privilege.subjects).includes(userRef) || refIdsIn(privilege.subjectGroups, groupObject).some((id) => groupsOfUser.has(id));
}

function privilegeScopes(permissions: unknown): string[] {
  return (Array.isArray(permissions) ? permissions : [])
    .filter((p): p is Json => !!p && typeof p === "object" && (p as Json).type === "scopes")
    .flatMap((p) => (Array.isArray(p.values) ? p.values.filter((v): v is string => typeof v === "string") : []));
}
