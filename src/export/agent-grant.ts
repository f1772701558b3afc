/**
 * How `export` writes agent grants: one `AgentApplicationGrant` per privilege whose AI agent and
 * application are exported, referring to them by variable and to users and groups by name.
 */
import { GRANT_TYPES, TOKEN_EXCHANGE_GRANT, type Kind } from "../contract/constants";
import type { IdmAiAgentPrivilege } from "../contract/schemas";
import { privilegePair, refId } from "../engine/refs";
import { unitOf } from "../kinds";
import type { ExportedObject, KindExport } from "../kinds/unit";
import { CORE, group, namesOf, str, strings } from "./client";
import { privilegeNaming, type TenantListing } from "./read";
import { byString, camelName, list, props, q } from "./source";

/** Application kinds an agent privilege may name that no AgentApplicationGrant refers to. */
const OTHER_APPLICATION_KINDS: readonly Kind[] = ["spa", "native-app", "service-app"];

export interface AgentGrantProps {
  /** The variables of its agent and application. */
  readonly agent: string;
  readonly application: string;
  readonly subjects: readonly string[];
  readonly subjectGroups: readonly string[];
  readonly scopes: readonly string[];
  readonly description?: string;
}

/** The grant between an exported agent and application, or why the constructs would refuse it. */
function grantOf(pair: string, p: IdmAiAgentPrivilege, agent: ExportedObject, application: ExportedObject, listing: TenantListing): ExportedObject<AgentGrantProps> | string {
  const subjects = namesOf(p.subjects, listing.userNames, "subjects", "user");
  const groups = namesOf(p.subjectGroups, listing.groupNames, "subjectGroups", "group");
  const scopes = (p.permissions ?? []).flatMap((perm: { type?: string; values?: string[] }) => (perm?.type === "scopes" ? strings(perm.values) : []));
  const limits = agent.props as { autonomous?: boolean; scopeLimit?: readonly string[]; allowedAudiences?: readonly string[] };
  if (subjects.names.length === 0 && groups.names.length === 0 && !limits.autonomous) return "no user or group it applies to: AgentApplicationGrant needs at least one (none only for an autonomous agent)";
  const applicationScopes = strings(group(listing.clients.get(application.id)!, CORE).scopes);
  const outside = scopes.filter((s) => !applicationScopes.includes(s));
  if (outside.length > 0) return `grants scopes ${JSON.stringify(outside)} that application ${application.id} does not have`;
  const beyond = scopes.filter((s) => limits.scopeLimit && !limits.scopeLimit.includes(s));
  if (beyond.length > 0) return `grants scopes ${JSON.stringify(beyond)} outside the scope limit of its AI agent ${agent.id}: AgentApplicationGrant refuses them`;
  if (limits.allowedAudiences && !limits.allowedAudiences.includes(application.id)) return `its application ${application.id} is not among the allowed audiences of its AI agent ${agent.id}: AgentApplicationGrant refuses it`;
  if (!(agent.grantTypes ?? []).map((g) => GRANT_TYPES[g as keyof typeof GRANT_TYPES] ?? g).includes(TOKEN_EXCHANGE_GRANT)) {
    return `its AI agent ${agent.id} lacks the token-exchange grant type`;
  }
  const description = str(p.description);
  return {
    kind: "agent-grant",
    id: pair,
    constructId: `grant-${camelName(agent.id)}-${camelName(application.id)}`,
    unexpressed: [...subjects.notes, ...groups.notes],
    props: {
      agent: agent.variable!,
      application: application.variable!,
      subjects: subjects.names,
      subjectGroups: groups.names,
      scopes,
      ...(description ? { description } : {}),
    },
  };
}

export const agentGrantExport: KindExport<AgentGrantProps> = {
  construct: "AgentApplicationGrant",
  label: "grant",
  objects(listing, context) {
    const { agentIdByUid, clientIdByApplication } = privilegeNaming(listing);
    const privileges = listing.privileges.map((p) => ({ p, pair: privilegePair(p, agentIdByUid, clientIdByApplication) }));
    privileges.sort((a, b) => byString(a.pair, b.pair) || byString(a.p._id, b.p._id));
    const grants: ExportedObject<AgentGrantProps>[] = [];
    const seenPairs = new Set<string>();
    for (const { p, pair } of privileges) {
      const [agentId, appId] = pair.split("/");
      if (context.clientIds !== undefined && !(context.wanted(agentId) && context.wanted(appId))) continue;
      const agent = context.exported("ai-agent", agentIdByUid.get(refId(p.agent) ?? "") ?? "");
      const application = context.exported("web-app", clientIdByApplication.get(refId(p.resource) ?? "") ?? "");
      const skip = (reason: string) => context.skip("privilege", pair, reason);
      const other = application ? undefined : OTHER_APPLICATION_KINDS.map((k) => context.exported(k, appId)).find((o) => o !== undefined);
      if (!agent) skip(`its AI agent ${agentId} is not exported`);
      else if (other) skip(`its application ${appId} is exported as a ${unitOf(other.kind).export?.label}: AgentApplicationGrant grants access to a ConfidentialWebApp only`);
      else if (!application) skip(`its application ${appId} is not exported`);
      else if (seenPairs.has(pair)) skip(`a second privilege (${p._id}) for the same agent and application: one AgentApplicationGrant per pair`);
      else {
        const grant = grantOf(pair, p, agent, application, listing);
        if (typeof grant === "string") skip(grant);
        else {
          grants.push(grant);
          seenPairs.add(pair);
        }
      }
    }
    return grants;
  },
  render(g, constructId) {
    const p = g.props;
    return [
      `new AgentApplicationGrant(stack, ${q(constructId)}, {`,
      ...props(
        [
          ["agent", p.agent],
          ["application", p.application],
          p.subjects.length > 0 ? ["subjects", list(p.subjects)] : undefined,
          p.subjectGroups.length > 0 ? ["subjectGroups", list(p.subjectGroups)] : undefined,
          p.scopes.length > 0 ? ["scopes", list(p.scopes)] : undefined,
          p.description !== undefined ? ["description", q(p.description)] : undefined,
          ["adopt", "true"],
        ],
        "  ",
      ),
      "});",
    ];
  },
};
