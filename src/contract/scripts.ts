/**
 * AM scripts as this project writes them (reference ai-agent-delegation.md §3, §5, §10): the script
 * contexts it uses and the narrow dialect of the scripts its constructs generate. The embedded
 * tenant runs exactly these sources and nothing else, so a generated script and the emulator's
 * reading of it cannot drift apart.
 */

/** Script contexts by purpose; the context, not `evaluatorVersion`, selects AM's engine (§3.1). */
export const SCRIPT_CONTEXTS = {
  mayAct: "OAUTH2_MAY_ACT_NEXT_GEN",
  mayActLegacy: "OAUTH2_MAY_ACT",
  validateScope: "OAUTH2_VALIDATE_SCOPE_NEXT_GEN",
  validateScopeLegacy: "OAUTH2_VALIDATE_SCOPE",
  accessTokenModification: "OAUTH2_ACCESS_TOKEN_MODIFICATION",
  oidcClaims: "OIDC_CLAIMS",
  library: "LIBRARY",
  decisionNode: "SCRIPTED_DECISION_NODE",
  authenticationTreeDecisionNode: "AUTHENTICATION_TREE_DECISION_NODE",
} as const;

export const SCRIPT_LANGUAGES = ["JAVASCRIPT", "GROOVY"] as const;

/** AM's engine for a context: next-generation contexts run on "2.0", the others on "1.0" [PAM-22]. */
export const evaluatorVersionOf = (context: string): "1.0" | "2.0" => (context.endsWith("_NEXT_GEN") ? "2.0" : "1.0");

/** The `may_act` claim a May Act script stamps: who may exchange the token, and for delegation the actor. */
export interface MayAct {
  /** The client allowed to exchange the token. */
  client_id: string;
  /** The actor token's subject as AM's universal id, `(age!<client>)` or `(usr!<id>)`; absent for impersonation. */
  sub?: string;
}

/** The OAUTH2_MAY_ACT_NEXT_GEN source that stamps `mayAct` (reference §3.3). */
export function mayActScriptSource(mayAct: MayAct): string {
  const claim = mayAct.sub === undefined ? { client_id: mayAct.client_id } : { client_id: mayAct.client_id, sub: mayAct.sub };
  return ["(function () {", `  token.setMayAct(${JSON.stringify(claim)});`, "}());", ""].join("\n");
}

/** The claim a May Act source stamps when it is exactly what `mayActScriptSource` generates; undefined for any other source. */
export function mayActOfSource(source: string): MayAct | undefined {
  let claim: unknown;
  try {
    claim = JSON.parse(/token\.setMayAct\((\{.*\})\);/.exec(source)?.[1] ?? "null");
  } catch {
    return undefined;
  }
  const c = claim as { client_id?: unknown; sub?: unknown } | null;
  if (!c || typeof c.client_id !== "string" || !["string", "undefined"].includes(typeof c.sub)) return undefined;
  const mayAct = c as MayAct;
  return mayActScriptSource(mayAct) === source ? mayAct : undefined;
}

/** What the scope-limit script says when it refuses (AM answers `invalid_scope` with this text). */
export const SCOPE_LIMIT_MESSAGE = "Scope(s) outside the limit:";

/** The scopes a scope-limit source allows when it is exactly what `scopeLimitScriptSource` generates; undefined for any other source. */
export function scopeLimitOfSource(source: string): string[] | undefined {
  let allowed: unknown;
  try {
    allowed = JSON.parse(/var allowed = (\[.*\]);/.exec(source)?.[1] ?? "null");
  } catch {
    return undefined;
  }
  if (!Array.isArray(allowed) || !allowed.every((s) => typeof s === "string")) return undefined;
  return scopeLimitScriptSource(allowed) === source ? allowed : undefined;
}

/**
 * The OAUTH2_VALIDATE_SCOPE_NEXT_GEN source that limits access-token scopes to `allowedScopes`
 * (reference §5: `validateAccessTokenScope`, `throwInvalidScope`): a request for any other scope
 * is refused, never silently narrowed.
 */
export function scopeLimitScriptSource(allowedScopes: readonly string[]): string {
  return [
    "function validateAccessTokenScope() {",
    `  var allowed = ${JSON.stringify([...allowedScopes])};`,
    "  var outside = requestedScopes.filter(function (scope) { return allowed.indexOf(scope) === -1; });",
    `  if (outside.length > 0) scopeValidatorHelper.throwInvalidScope(${JSON.stringify(SCOPE_LIMIT_MESSAGE)} + " " + outside.join(" "));`,
    "  return requestedScopes;",
    "}",
    "",
  ].join("\n");
}
