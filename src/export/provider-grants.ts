/**
 * How `export` writes the realm's provider grants: the grant types the exported objects use (no
 * others the realm has on), and the AI agents feature when agents are exported and it is on.
 */
import type { KindExport } from "../kinds/unit";
import { byString, list, q } from "./source";

export interface ProviderGrantsProps {
  /** Friendly names where AM's string has one, sorted. */
  readonly grantTypes: readonly string[];
  readonly enableAiAgents: boolean;
}

export const providerGrantsExport: KindExport<ProviderGrantsProps> = {
  construct: "OAuth2ProviderGrants",
  objects(listing, context) {
    const used = [...new Set(context.objects.flatMap((o) => o.grantTypes ?? []))].sort(byString);
    if (used.length === 0) return [];
    const aiAgentsOn = (listing.provider?.aiAgentsConfig as { aiAgentsEnabled?: boolean } | undefined)?.aiAgentsEnabled === true;
    const enableAiAgents = aiAgentsOn && context.objects.some((o) => o.kind === "ai-agent");
    return [{ kind: "oauth2-provider-grants", id: "oauth2-provider", constructId: "provider", unexpressed: [], props: { grantTypes: used, enableAiAgents } }];
  },
  render({ props: p }, constructId) {
    return [`new OAuth2ProviderGrants(stack, ${q(constructId)}, { grantTypes: ${list(p.grantTypes)}${p.enableAiAgents ? ", enableAiAgents: true" : ""} });`];
  },
};
