/**
 * How `export` writes the realm's provider grants: the grant types the exported objects use (no
 * others the realm has on), the AI agents feature when agents are exported and it is on, and the
 * realm's PKCE requirement when public clients are exported (their constructs need it; the public
 * client exports skip them in a realm that does not require it).
 */
import type { KindExport } from "../kinds/unit";
import { byString, list, q } from "./source";

export interface ProviderGrantsProps {
  /** Friendly names where AM's string has one, sorted. */
  readonly grantTypes: readonly string[];
  readonly enableAiAgents: boolean;
  /** The realm's requirement, as the construct says it. */
  readonly requirePkce?: "public-clients" | "all-clients";
}

/** AM's `codeVerifierEnforced` as `requirePkce`. */
const PKCE: Readonly<Record<string, ProviderGrantsProps["requirePkce"]>> = { public: "public-clients", true: "all-clients" };

export const providerGrantsExport: KindExport<ProviderGrantsProps> = {
  construct: "OAuth2ProviderGrants",
  objects(listing, context) {
    const used = [...new Set(context.objects.flatMap((o) => o.grantTypes ?? []))].sort(byString);
    if (used.length === 0) return [];
    const aiAgentsOn = (listing.provider?.aiAgentsConfig as { aiAgentsEnabled?: boolean } | undefined)?.aiAgentsEnabled === true;
    const enableAiAgents = aiAgentsOn && context.objects.some((o) => o.kind === "ai-agent");
    const pkce = String((listing.provider?.advancedOAuth2Config as Record<string, unknown> | undefined)?.codeVerifierEnforced);
    const requirePkce = context.objects.some((o) => o.publicClient) ? PKCE[pkce] : undefined;
    return [{ kind: "oauth2-provider-grants", id: "oauth2-provider", constructId: "provider", unexpressed: [], props: { grantTypes: used, enableAiAgents, ...(requirePkce ? { requirePkce } : {}) } }];
  },
  render({ props: p }, constructId) {
    const options = `${p.enableAiAgents ? ", enableAiAgents: true" : ""}${p.requirePkce ? `, requirePkce: ${q(p.requirePkce)}` : ""}`;
    return [`new OAuth2ProviderGrants(stack, ${q(constructId)}, { grantTypes: ${list(p.grantTypes)}${options} });`];
  },
};
