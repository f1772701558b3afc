/**
 * An agent grant = the IDM privilege linking an AI agent to an application for chosen users,
 * groups and scopes: pure planning. Its id is derived from the pair, so it is found again.
 */
import type { IdmAiAgentPrivilege } from "../contract/schemas";
import type { SpecOf } from "../contract/spec";
import { namesById, planIdmRecord, refField, refListField, requireResolved, type IdmPlan, type Resolved } from "./owned";
import { privilegeId, refTo } from "./refs";

export type AgentGrantSpec = SpecOf<"agent-grant">;

export interface AgentGrantLive {
  /** The agent's IDM identity id; undefined when the agent does not exist. */
  readonly agentUid: string | undefined;
  /** The application record's id; undefined when there is none for the client. */
  readonly applicationId: string | undefined;
  readonly users: Resolved;
  readonly groups: Resolved;
  readonly privilege: IdmAiAgentPrivilege | undefined;
}

/** Fields to read from a privilege (relationships only come back when named). */
export const PRIVILEGE_FIELDS = ["_id", "description", "permissions", "agent", "resource", "subjects", "subjectGroups"];

export function grantPrivilegeId(spec: { tenant: { realm: string }; owned: { agent: string; application: string } }): string {
  return privilegeId(spec.tenant.realm, spec.owned.agent, spec.owned.application);
}

/** The scopes a permissions list grants (empty: any scope of the application). */
function grantedScopes(permissions: unknown): string[] {
  if (!Array.isArray(permissions)) return [];
  return permissions.flatMap((p: { type?: string; values?: string[] }) => (p?.type === "scopes" ? (p.values ?? []) : []));
}

/** Throws one error naming every missing agent, application, user or group, before any write. */
export function planAgentGrant(spec: AgentGrantSpec, live: AgentGrantLive): IdmPlan {
  const o = spec.owned;
  const realm = spec.tenant.realm;
  requireResolved(undefined, realm, [
    { type: "AI agent", name: o.agent, id: live.agentUid },
    { type: "application", name: o.application, id: live.applicationId },
    ...o.subjects.map((name) => ({ type: "user" as const, name, id: live.users.get(name) })),
    ...o.subjectGroups.map((name) => ({ type: "group" as const, name, id: live.groups.get(name) })),
  ]);
  const permissions = o.scopes.length > 0 ? [{ type: "scopes", values: o.scopes }] : [];
  return planIdmRecord(
    "aiagentprivilege",
    // One made elsewhere (the console's random id) is found by its pair and kept under its id.
    live.privilege?._id ?? grantPrivilegeId(spec),
    live.privilege,
    [
      { name: "description", value: o.description ?? null },
      { name: "permissions", value: permissions, normalize: grantedScopes },
      refField("agent", refTo(realm, "aiagent", live.agentUid!), o.agent),
      refField("resource", refTo(realm, "application", live.applicationId!), o.application),
      refListField("subjects", o.subjects.map((n) => refTo(realm, "user", live.users.get(n)!)), namesById(live.users)),
      refListField("subjectGroups", o.subjectGroups.map((n) => refTo(realm, "group", live.groups.get(n)!)), namesById(live.groups)),
    ],
    "privilege",
  );
}
