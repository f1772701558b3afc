/**
 * The realm's OAuth2 provider: pure planning. Grant types are additive (the provider is shared by
 * every client of the realm): declared ones are added, others are never touched.
 */
import type { OAuth2Provider } from "../contract/schemas";
import type { Identity, SpecOf } from "../contract/spec";
import { writableCopy, type FieldChange } from "./fields";

export type ProviderGrantsSpec = SpecOf<"oauth2-provider-grants">;

export const GRANT_TYPES_FIELD = "advancedOAuth2Config.grantTypes";
export const PKCE_FIELD = "advancedOAuth2Config.codeVerifierEnforced";

/** Whether the provider's PKCE setting already asks at least what `wanted` asks. */
function pkceCovers(live: unknown, wanted: "public" | "true"): boolean {
  return live === "true" || live === wanted;
}

export interface ProviderPlan {
  /** `create`: POST the body; `update`: PUT the body; `none`: nothing to write to the provider. */
  readonly write: "create" | "update" | "none";
  readonly body?: Record<string, unknown>;
  /** The `_rev` the plan was made from: an update is written only if the provider is still at it. */
  readonly rev?: string;
  /** Switch the AI agents feature on (a separate call; never switched off). */
  readonly enableAiAgents: boolean;
  readonly changes: FieldChange[];
}

function liveGrantTypes(live: OAuth2Provider | undefined): string[] {
  return live?.advancedOAuth2Config?.grantTypes ?? [];
}

function withGrantTypes(live: OAuth2Provider, grantTypes: string[], pkce?: string): Record<string, unknown> {
  const body = writableCopy(live);
  body.advancedOAuth2Config = { ...(body.advancedOAuth2Config as object | undefined), grantTypes, ...(pkce ? { codeVerifierEnforced: pkce } : {}) };
  return body;
}

export function planProviderGrants(spec: ProviderGrantsSpec, live: OAuth2Provider | undefined): ProviderPlan {
  const wantAiAgents = spec.owned.aiAgentsEnabled === true;
  const aiAgentsOn = live?.aiAgentsConfig?.aiAgentsEnabled === true;
  const changes: FieldChange[] = [];
  const current = liveGrantTypes(live);
  const missing = spec.owned.grantTypes.filter((g) => !current.includes(g));
  const grantTypes = [...current, ...missing];
  if (missing.length > 0) changes.push({ field: GRANT_TYPES_FIELD, from: live ? current : undefined, to: grantTypes });
  const livePkce = (live?.advancedOAuth2Config as Record<string, unknown> | undefined)?.codeVerifierEnforced;
  const pkce = spec.owned.codeVerifierEnforced && !pkceCovers(livePkce, spec.owned.codeVerifierEnforced) ? spec.owned.codeVerifierEnforced : undefined;
  if (pkce) changes.push({ field: PKCE_FIELD, from: livePkce, to: pkce });
  if (wantAiAgents && !aiAgentsOn) {
    changes.push({ field: "aiAgentsConfig.aiAgentsEnabled", from: live?.aiAgentsConfig?.aiAgentsEnabled, to: true });
  }
  if (!live) {
    return { write: "create", body: { advancedOAuth2Config: { grantTypes, ...(pkce ? { codeVerifierEnforced: pkce } : {}) } }, enableAiAgents: wantAiAgents, changes };
  }
  const write = missing.length > 0 || pkce !== undefined;
  return {
    write: write ? "update" : "none",
    rev: live._rev,
    body: write ? withGrantTypes(live, grantTypes, pkce) : undefined,
    enableAiAgents: wantAiAgents && !aiAgentsOn,
    changes,
  };
}

/** Deleting the construct: with policy `destroy`, take exactly the declared grant types off again. */
export function planProviderRemoval(
  removal: NonNullable<Identity["removal"]>,
  live: OAuth2Provider | undefined,
  users: ReadonlyMap<string, readonly string[]> = new Map(),
): ProviderPlan & { kept: string[] } {
  const current = liveGrantTypes(live);
  // A grant type a client or agent of the realm still lists stays: another stack (of this app or
  // another), or the console, relies on it; taking it off would break that client's logins.
  const kept = removal.grantTypes.filter((g) => current.includes(g) && (users.get(g)?.length ?? 0) > 0).map((g) => `${g} (used by ${users.get(g)!.slice(0, 5).join(", ")}${users.get(g)!.length > 5 ? ", …" : ""})`);
  const remaining = current.filter((g) => !removal.grantTypes.includes(g) || (users.get(g)?.length ?? 0) > 0);
  if (!live || removal.policy === "retain" || remaining.length === current.length) {
    return { write: "none", enableAiAgents: false, changes: [], kept };
  }
  return {
    write: "update",
    rev: live._rev,
    body: withGrantTypes(live, remaining),
    enableAiAgents: false,
    changes: [{ field: GRANT_TYPES_FIELD, from: current, to: remaining }],
    kept,
  };
}
