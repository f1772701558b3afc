/** How `export` writes AI agents: each agent client of the realm becomes an `AiAgent`, with its identity's owners. */
import { OVERRIDE_GROUP } from "../contract/am-defaults";
import type { AmClientListItem } from "../contract/schemas";
import type { ExportContext, KindExport } from "../kinds/unit";
import { ADVANCED, CORE, clientProblem, exportedClient, friendlyGrant, group, namesOf, notDefault, ownedWithStore, renderClient, storeSecretOf, str, strings, unexpressedAm, type ClientProps } from "./client";
import { listedAgentUid, type TenantListing } from "./read";
import { byString, list, q } from "./source";

export interface AiAgentProps extends ClientProps {
  readonly providerOverrides: { readonly enabled: boolean; readonly clientSideTokens: boolean; readonly acceptAudienceInTokenExchange: boolean };
}

/** Construct defaults the file leaves out. */
const DEFAULTS = { grantTypes: ["token-exchange"], tokenEndpointAuthMethod: "client_secret_post" } as const;

/** AM client attributes the construct owns (or AM fills itself); any other non-default one is listed as unexpressed. */
const OWNED: ReadonlySet<string> = new Set([
  `${CORE}.clientType`, `${CORE}.scopes`, `${ADVANCED}.grantTypes`, `${ADVANCED}.tokenEndpointAuthMethod`,
  `${OVERRIDE_GROUP}.providerOverridesEnabled`, `${OVERRIDE_GROUP}.statelessTokensEnabled`, `${OVERRIDE_GROUP}.acceptAudienceParametersInTokenExchangeRequests`,
]);

/** The props of an agent, and what no prop says (owners that name no user, other non-default fields). */
function aiAgentProps(id: string, item: AmClientListItem, listing: TenantListing, context: ExportContext): { props: AiAgentProps; unexpressed: string[] } {
  const core = group(item, CORE);
  const advanced = group(item, ADVANCED);
  const overrides = group(item, OVERRIDE_GROUP);
  const identity = (item.aiAgentIdentityAttributes as Record<string, unknown> | undefined) ?? {};
  const uid = listedAgentUid(item);
  const owners = namesOf(uid ? listing.identityOwners.get(uid) : [], listing.userNames, "owners", "user");
  const description = str(identity.description);
  const storeSecret = storeSecretOf(item, listing, context);
  return {
    props: {
      ...(storeSecret ? { storeSecret } : {}),
      name: str(identity.name) ?? id,
      ...(description ? { description } : {}),
      owners: owners.names,
      scopes: strings(core.scopes),
      grantTypes: strings(advanced.grantTypes).map(friendlyGrant),
      tokenEndpointAuthMethod: str(advanced.tokenEndpointAuthMethod) ?? DEFAULTS.tokenEndpointAuthMethod,
      providerOverrides: {
        enabled: overrides.providerOverridesEnabled === true,
        clientSideTokens: overrides.statelessTokensEnabled === true,
        acceptAudienceInTokenExchange: overrides.acceptAudienceParametersInTokenExchangeRequests === true,
      },
    },
    unexpressed: [...owners.notes, ...unexpressedAm(item, ownedWithStore(OWNED, storeSecret))],
  };
}

export const aiAgentExport: KindExport<AiAgentProps> = {
  construct: "AiAgent",
  label: "AI agent",
  objects(listing, context) {
    return [...listing.agents.keys()]
      .filter((id) => context.wanted(id))
      .sort(byString)
      .flatMap((id) => {
        const item = listing.agents.get(id)!;
        const problem = clientProblem(id, item, { construct: "AiAgent", scopesRequired: false });
        if (problem) {
          context.skip("ai-agent", id, problem);
          return [];
        }
        const { props, unexpressed } = aiAgentProps(id, item, listing, context);
        return [exportedClient("ai-agent", id, "AI_AGENT", props, unexpressed, context)];
      });
  },
  render(a, constructId) {
    const p = a.props;
    const o = p.providerOverrides;
    const overrides = [
      o.enabled ? undefined : "enabled: false",
      o.clientSideTokens ? undefined : "clientSideTokens: false",
      o.acceptAudienceInTokenExchange ? undefined : "acceptAudienceInTokenExchange: false",
    ].filter(Boolean);
    return renderClient("AiAgent", a, constructId, [
      p.scopes.length > 0 ? ["scopes", list(p.scopes)] : undefined,
      notDefault(p.grantTypes, DEFAULTS.grantTypes) ? ["grantTypes", list(p.grantTypes)] : undefined,
      p.tokenEndpointAuthMethod !== DEFAULTS.tokenEndpointAuthMethod ? ["tokenEndpointAuthMethod", q(p.tokenEndpointAuthMethod)] : undefined,
      overrides.length > 0 ? ["providerOverrides", `{ ${overrides.join(", ")} }`] : undefined,
    ]);
  },
};
