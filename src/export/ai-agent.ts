/**
 * How `export` writes AI agents: each agent client of the realm becomes an `AiAgent`, with its
 * identity's owners, how it acts (`actsBy`, `autonomous`) and the limits of its exchanges
 * (`scopeLimit`, `allowedAudiences`). An agent whose scripts or limits no prop can say is skipped.
 */
import { OVERRIDE_GROUP } from "../contract/am-defaults";
import type { AmClientListItem } from "../contract/schemas";
import { refId, refIds } from "../engine/refs";
import type { ExportContext, KindExport } from "../kinds/unit";
import { ADVANCED, CORE, clientProblem, exportedClient, friendlyGrant, group, namesOf, notDefault, ownedWithStore, renderClient, storeSecretOf, str, strings, unexpressedAm, type ClientProps } from "./client";
import { listedAgentUid, type TenantListing } from "./read";
import { allowedAudiencesOf, clientsRunning, hasClientCredentials, mayActScriptOf, mayActWiring, rulesNaming, scopeLimitOf } from "./script";
import { byString, list, q } from "./source";

export interface AiAgentProps extends ClientProps {
  readonly providerOverrides: { readonly enabled: boolean; readonly clientSideTokens: boolean; readonly acceptAudienceInTokenExchange: boolean };
  readonly actsBy: "impersonation" | "delegation";
  readonly autonomous: boolean;
  readonly scopeLimit?: readonly string[];
  /** The id of its scope-limit script (written by the agent, not by a `MayActRule`). */
  readonly scopeLimitScript?: string;
  readonly allowedAudiences?: readonly string[];
  /** The May Act script it runs (agent-to-agent): its `MayActRule` names it. */
  readonly mayActScript?: string;
}

/** The grant types the construct gives an agent that needs a token of its own (delegation, autonomous), and one that does not. */
const OWN_TOKEN_GRANTS = ["token-exchange", "client-credentials"] as const;
const DEFAULTS = { grantTypes: ["token-exchange"], tokenEndpointAuthMethod: "client_secret_post" } as const;

/** AM client attributes the construct owns (or AM fills itself); any other non-default one is listed as unexpressed. */
const OWNED: ReadonlySet<string> = new Set([
  `${CORE}.clientType`, `${CORE}.scopes`, `${ADVANCED}.grantTypes`, `${ADVANCED}.tokenEndpointAuthMethod`,
  `${OVERRIDE_GROUP}.providerOverridesEnabled`, `${OVERRIDE_GROUP}.statelessTokensEnabled`, `${OVERRIDE_GROUP}.acceptAudienceParametersInTokenExchangeRequests`,
]);

/** Owned besides `OWNED` with each prop it has. */
const MAY_ACT_OWNED = [`${OVERRIDE_GROUP}.accessTokenMayActScript`, `${OVERRIDE_GROUP}.oidcMayActScript`];
const SCOPE_LIMIT_OWNED = [`${OVERRIDE_GROUP}.validateScopePluginType`, `${OVERRIDE_GROUP}.validateScopeScript`];
const AUDIENCES_OWNED = [`${ADVANCED}.allowedResourceServerAudienceValues`];

/** What of an agent the props say besides the client's own, decided from the listing alone. */
interface AgentWiring {
  readonly mayActScript?: string;
  readonly scopeLimit?: readonly string[];
  readonly scopeLimitScript?: string;
  readonly allowedAudiences?: readonly string[];
}

/** The agent's scripts and limits as props, or why no `AiAgent` can say them (its adopting apply would change them). */
function agentWiring(id: string, item: AmClientListItem, listing: TenantListing, realm: string): AgentWiring | string {
  const problem = clientProblem(id, item, { construct: "AiAgent", scopesRequired: false });
  if (problem) return problem;
  const wiring = mayActWiring(item, false);
  if (typeof wiring === "string") return wiring;
  const mayAct = wiring.script === undefined ? undefined : mayActScriptOf(wiring.script, listing, realm);
  if (typeof mayAct === "string") return `it runs a May Act script no MayActRule can write (${mayAct})`;
  if (mayAct?.agentId === id) return `it runs a May Act script that names itself: a MayActRule lets an agent exchange the tokens of other clients`;
  const scopeLimit = scopeLimitOf(id, item, listing, realm);
  if (typeof scopeLimit === "string") return scopeLimit;
  const allowedAudiences = allowedAudiencesOf(item);
  if (typeof allowedAudiences === "string") return allowedAudiences;
  const needsOverrides = [scopeLimit && "a scope limit", allowedAudiences && "allowed audiences", rulesNaming(id, listing, realm).length > 0 && "a May Act script naming it"].filter(Boolean);
  if (group(item, OVERRIDE_GROUP).providerOverridesEnabled !== true && needsOverrides.length > 0) {
    return `it has ${needsOverrides.join(" and ")} with its provider overrides off (AM ignores them): AiAgent refuses them then`;
  }
  const scopeLimitScript = scopeLimit && (group(item, OVERRIDE_GROUP).validateScopeScript as string);
  return { ...(wiring.script ? { mayActScript: wiring.script } : {}), ...(scopeLimit ? { scopeLimit, scopeLimitScript } : {}), ...(allowedAudiences ? { allowedAudiences } : {}) };
}

/**
 * `"delegation"` when the agent can get its own (actor) token and an exported `MayActRule` names it
 * as the actor (the generated claim with `sub: (age!<agent>)`): a rule some exported client runs,
 * a web app exported before or an agent of `exportable`.
 */
function actsByOf(id: string, item: AmClientListItem, listing: TenantListing, context: ExportContext, exportable: ReadonlySet<string>): AiAgentProps["actsBy"] {
  if (!hasClientCredentials(item)) return "impersonation";
  const exported = (client: string) => context.exported("web-app", client) !== undefined || exportable.has(client);
  const delegates = rulesNaming(id, listing, context.realm).some((m) => m.mayAct?.sub === `(age!${id})` && clientsRunning(m.script._id, listing).some(exported));
  return delegates ? "delegation" : "impersonation";
}

/** Whether the agent acts for itself: it can get its own token, and a privilege of it names no user or group. */
function autonomousOf(item: AmClientListItem, listing: TenantListing): boolean {
  const uid = listedAgentUid(item);
  return hasClientCredentials(item) && listing.privileges.some((p) => refId(p.agent) === uid && refIds(p.subjects).length === 0 && refIds(p.subjectGroups).length === 0);
}

/** The props of an agent, and what no prop says (owners that name no user, other non-default fields). */
function aiAgentProps(id: string, item: AmClientListItem, wiring: AgentWiring, listing: TenantListing, context: ExportContext, exportable: ReadonlySet<string>): { props: AiAgentProps; unexpressed: string[] } {
  const core = group(item, CORE);
  const advanced = group(item, ADVANCED);
  const overrides = group(item, OVERRIDE_GROUP);
  const identity = (item.aiAgentIdentityAttributes as Record<string, unknown> | undefined) ?? {};
  const uid = listedAgentUid(item);
  const owners = namesOf(uid ? listing.identityOwners.get(uid) : [], listing.userNames, "owners", "user");
  const description = str(identity.description);
  const storeSecret = storeSecretOf(item, listing, context);
  const owned = new Set([
    ...OWNED,
    ...(wiring.mayActScript ? MAY_ACT_OWNED : []),
    ...(wiring.scopeLimit ? SCOPE_LIMIT_OWNED : []),
    ...(wiring.allowedAudiences ? AUDIENCES_OWNED : []),
  ]);
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
      actsBy: actsByOf(id, item, listing, context, exportable),
      autonomous: autonomousOf(item, listing),
      ...wiring,
    },
    unexpressed: [...owners.notes, ...unexpressedAm(item, ownedWithStore(owned, storeSecret))],
  };
}

export const aiAgentExport: KindExport<AiAgentProps> = {
  construct: "AiAgent",
  label: "AI agent",
  objects(listing, context) {
    const ids = [...listing.agents.keys()].filter((id) => context.wanted(id)).sort(byString);
    const wirings = new Map(ids.map((id) => [id, agentWiring(id, listing.agents.get(id)!, listing, context.realm)]));
    const exportable = new Set(ids.filter((id) => typeof wirings.get(id) !== "string"));
    return ids.flatMap((id) => {
      const wiring = wirings.get(id)!;
      if (typeof wiring === "string") {
        context.skip("ai-agent", id, wiring);
        return [];
      }
      const { props, unexpressed } = aiAgentProps(id, listing.agents.get(id)!, wiring, listing, context, exportable);
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
    const defaultGrants = p.actsBy === "delegation" || p.autonomous ? OWN_TOKEN_GRANTS : DEFAULTS.grantTypes;
    return renderClient("AiAgent", a, constructId, [
      p.scopes.length > 0 ? ["scopes", list(p.scopes)] : undefined,
      notDefault(p.grantTypes, defaultGrants) ? ["grantTypes", list(p.grantTypes)] : undefined,
      p.tokenEndpointAuthMethod !== DEFAULTS.tokenEndpointAuthMethod ? ["tokenEndpointAuthMethod", q(p.tokenEndpointAuthMethod)] : undefined,
      overrides.length > 0 ? ["providerOverrides", `{ ${overrides.join(", ")} }`] : undefined,
      p.actsBy !== "impersonation" ? ["actsBy", q(p.actsBy)] : undefined,
      p.autonomous ? ["autonomous", "true"] : undefined,
      p.scopeLimit ? ["scopeLimit", list(p.scopeLimit)] : undefined,
      p.allowedAudiences ? ["allowedAudiences", list(p.allowedAudiences)] : undefined,
    ]);
  },
};
