/**
 * An agent grant (`AgentApplicationGrant`): the IDM privilege that lets an AI agent act at an
 * application for chosen users and groups. Pure planning is `src/engine/agent-grant.ts`.
 */
import { AgentGrantSpec as schema, type SpecOf } from "../contract/spec";
import { result, upsertAction, writeIdm } from "../engine/apply";
import { agentGrantLive } from "../engine/batch";
import { grantPrivilegeId, planAgentGrant } from "../engine/agent-grant";
import { findApplication, findPrivilegeByPair, readAgentGrants } from "../engine/live";
import { privilegeId, privilegePair } from "../engine/refs";
import type { Action } from "../engine/result";
import { agentGrantExport } from "../export/agent-grant";
import { privilegeNaming } from "../export/read";
import type { KindUnit } from "./unit";

type AgentGrantSpec = SpecOf<"agent-grant">;

/** The agent and application client ids of a grant's id (`<agent>/<application>`). */
const pairOf = (id: string) => id.split("/") as [string, string];

export const agentGrant: KindUnit<AgentGrantSpec> = {
  kind: "agent-grant",
  schema,
  dependsOn: ["ai-agent", "web-app"],
  realmWide: false,
  props: {
    "privilege.description": { name: "description" },
    "privilege.permissions": { name: "scopes" },
    "privilege.agent": { name: "agent" },
    "privilege.resource": { name: "application" },
    "privilege.subjects": { name: "subjects" },
    "privilege.subjectGroups": { name: "subjectGroups" },
  },

  readsFor(r, spec) {
    r.aiAgents.push(spec.owned.agent);
    r.webApps.push(spec.owned.application);
    r.privileges.push(privilegeId(spec.tenant.realm, spec.owned.agent, spec.owned.application));
    r.grantAgents.push(spec.owned.agent);
    r.userNames.push(...spec.owned.subjects);
    r.groupNames.push(...spec.owned.subjectGroups);
  },
  readsForRemoved(r, identity) {
    const [agent, application] = pairOf(identity.id);
    r.privileges.push(privilegeId(identity.tenant.realm, agent, application));
    r.aiAgents.push(agent);
    r.webApps.push(application);
    r.grantAgents.push(agent);
  },
  exists(identity, s) {
    const [agent, application] = pairOf(identity.id);
    return s.privileges.has(privilegeId(identity.tenant.realm, agent, application)) || s.privilegesByPair.has(identity.id);
  },
  present: (spec, s) => agentGrantLive(s, spec, grantPrivilegeId(spec)).privilege !== undefined,
  diff(spec, s, pending) {
    const found = agentGrantLive(s, spec, grantPrivilegeId(spec));
    const created = (kind: "ai-agent" | "web-app", id: string) => (pending.has(kind, id) ? pending.placeholder : undefined);
    return planAgentGrant(spec, {
      ...found,
      agentUid: found.agentUid ?? created("ai-agent", spec.owned.agent),
      applicationId: found.applicationId ?? created("web-app", spec.owned.application),
    }).changes;
  },
  references(id) {
    const [agent, application] = pairOf(id);
    return [["ai-agent", agent], ["web-app", application]];
  },
  // Under this tool's derived privilege id, between an agent and an application that are the stack's own.
  recognizes: (spec, s, ours) => s.privileges.has(grantPrivilegeId(spec)) && ours("ai-agent", spec.owned.agent) && ours("web-app", spec.owned.application),
  async write(api, step, s, context) {
    const { spec } = step;
    const plan = planAgentGrant(spec, agentGrantLive(s, spec, grantPrivilegeId(spec)));
    const wrote = await writeIdm(api, plan);
    if (plan.write === "create") context.created({ kind: spec.kind, tenant: spec.tenant, id: spec.id });
    const action: Action = plan.write === "create" ? "created" : step.adopting ? "adopted" : wrote ? "updated" : "unchanged";
    return result(spec.kind, spec.id, action, plan.changes);
  },
  async apply(api, spec) {
    const live = (await readAgentGrants(api, [spec])).get(spec.id)!;
    const plan = planAgentGrant(spec, live);
    const wrote = await writeIdm(api, plan);
    return result(spec.kind, spec.id, upsertAction(plan.write === "create", wrote), plan.changes);
  },
  async delete(api, identity) {
    const { kind, id } = identity;
    const [agent, application] = pairOf(id);
    let deleted = await api.deleteManaged("aiagentprivilege", privilegeId(identity.tenant.realm, agent, application));
    if (!deleted) {
      // Made elsewhere (the console, then adopted): it has an id of its own; found by its pair.
      const made = await findPrivilegeByPair(api, agent, (await findApplication(api, application))?._id);
      if (made) deleted = await api.deleteManaged("aiagentprivilege", made._id);
    }
    return result(kind, id, deleted ? "deleted" : "absent", [], deleted ? [] : ["already gone"]);
  },
  listed(listing) {
    const { agentIdByUid, clientIdByApplication } = privilegeNaming(listing);
    return [...new Set(listing.privileges.map((p) => privilegePair(p, agentIdByUid, clientIdByApplication)))];
  },
  export: agentGrantExport,
};
