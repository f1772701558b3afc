/**
 * The rules that decide an AI agent's token exchange (reference §8), as a pure function over the
 * tenant state, plus the small readers of stored AM/IDM objects the OAuth2 endpoints share.
 *
 * AM answers every misconfiguration with the same body, so each failure also carries a `reason`
 * code (not part of AM's answer) that tests and the emulator's debugging header use to tell the
 * rules apart.
 */
import { TOKEN_EXCHANGE_GRANT, ACCESS_TOKEN_TYPE } from "../contract/constants";
import { idmRealm } from "../contract/endpoints";
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

export interface TokenExchangeRequest {
  /** The realm name, e.g. `alpha`. */
  realm: string;
  state: TenantState;
  /** The authenticated client asking for the exchange (an AIAgent or an OAuth2Client). */
  agent: { id: string; body: Json };
  /** How the client authenticated at this request (`client_secret_post`, ...). */
  clientAuthMethod: string;
  subjectTokenType: string | undefined;
  /** The verified claims of the subject token; undefined when it is not a live token of this realm. */
  subject: { sub: string } | undefined;
  audience: string | undefined;
  /** Requested scopes; empty means "what the privilege allows". */
  scopes: string[];
}

export type TokenExchangeReason =
  | "provider-grant"
  | "client-grant"
  | "client-auth-method"
  | "stateless-tokens"
  | "audience-parameter"
  | "subject-token-type"
  | "subject-token"
  | "audience"
  | "agent-identity"
  | "no-privilege"
  | "subject-not-allowed"
  | "scope";

export type TokenExchangeResult =
  | { ok: true; scopes: string[]; audience: string }
  | { ok: false; status: 400; error: string; error_description: string; reason: TokenExchangeReason };

/** OAuth2 error bodies the token endpoint shares with the exchange rules. */
export const UNSUPPORTED_GRANT = { error: "unsupported_grant_type", error_description: "Grant type is not supported" };
export const invalidScopeError = (scopes: string[]) => ({
  error: "invalid_scope",
  error_description: `Unknown/invalid scope(s): [${scopes.join(", ")}]`, // [inf] AM's usual wording
});
const INVALID_EXCHANGE = { error: "invalid_request", error_description: "Invalid token exchange." };

function refuse(reason: TokenExchangeReason, body: { error: string; error_description: string } = INVALID_EXCHANGE): TokenExchangeResult {
  return { ok: false, status: 400, ...body, reason };
}

/** Decides a token exchange; see reference §8 for where each rule comes from. */
export function evaluateTokenExchange(req: TokenExchangeRequest): TokenExchangeResult {
  const realmState = own(req.state.realms, req.realm);
  const provider = realmState?.provider ?? null;
  const agent = req.agent.body;
  const prefix = idmRealm(req.realm);
  const managed = (object: string) => own(req.state.managed, `${prefix}_${object}`) ?? {};

  if (!providerAllowsGrant(provider, TOKEN_EXCHANGE_GRANT)) {
    return refuse("provider-grant", UNSUPPORTED_GRANT);
  }
  if (!clientStrings(agent, "advancedOAuth2ClientConfig", "grantTypes").includes(TOKEN_EXCHANGE_GRANT)) {
    return refuse("client-grant");
  }
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
  if (req.subjectTokenType !== ACCESS_TOKEN_TYPE) return refuse("subject-token-type");
  const userId = req.subject?.sub;
  const user = userId === undefined ? undefined : own(managed("user"), userId);
  if (!user) return refuse("subject-token");
  if (!req.audience) return refuse("audience");

  const identityUid = unwrap(agent.aiAgentIdentityUid);
  if (typeof identityUid !== "string") return refuse("agent-identity");

  const applications = managed("application");
  const toAudience = Object.values(managed("aiagentprivilege")).filter((privilege) => {
    if (refIdIn(privilege.agent, `${prefix}_aiagent`) !== identityUid) return false;
    const appId = refIdIn(privilege.resource, `${prefix}_application`);
    const app = appId === undefined ? undefined : own(applications, appId);
    return (app?.ssoEntities as Json | null | undefined)?.oidcId === req.audience;
  });
  if (toAudience.length === 0) return refuse("no-privilege");

  // Group membership is read from both sides: a group's `members` and a user's `groups`.
  const groupObject = `${prefix}_group`;
  const userRef = `managed/${prefix}_user/${userId}`;
  const groupsOfUser = new Set([
    ...refIdsIn(user.groups, groupObject),
    ...Object.values(managed("group"))
      .filter((group) => refs(group.members).includes(userRef))
      .map((group) => group._id),
  ]);
  const covering = toAudience.filter(
    (privilege) =>
      refs(privilege.subjects).includes(userRef) ||
      refIdsIn(privilege.subjectGroups, groupObject).some((id) => groupsOfUser.has(id)),
  );
  if (covering.length === 0) return refuse("subject-not-allowed");

  // Empty permissions let the agent ask for any scope of the application's AM client [doc].
  const appClient = own(realmState?.oauth2Clients, req.audience)?.body;
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
  return { ok: true, scopes: granted, audience: req.audience };
}

function privilegeScopes(permissions: unknown): string[] {
  return (Array.isArray(permissions) ? permissions : [])
    .filter((p): p is Json => !!p && typeof p === "object" && (p as Json).type === "scopes")
    .flatMap((p) => (Array.isArray(p.values) ? p.values.filter((v): v is string => typeof v === "string") : []));
}
