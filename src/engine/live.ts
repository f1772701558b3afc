/**
 * Reading live state: the only I/O of planning. Readers take many specs of one kind at once and
 * resolve each referenced user and group once, so `plan` over a whole stack stays cheap.
 */
import type { AdminApi, ManagedObject } from "../client/types";
import type { IdmAiAgentPrivilege, IdmApplication } from "../contract/schemas";
import { agentUid, type AiAgentLive, type AiAgentSpec } from "./ai-agent";
import { grantPrivilegeId, PRIVILEGE_FIELDS, type AgentGrantLive, type AgentGrantSpec } from "./agent-grant";
import type { Resolved } from "./owned";
import { refId, refIds } from "./refs";
import { crestEq } from "../client/admin-api";
import type { ApplicationSpec } from "./application";
import { APPLICATION_FIELDS, applicationFilter, type WebAppLive } from "./web-app";

/** Looks each distinct name up once. */
async function resolveNames(names: Iterable<string>, find: (name: string) => Promise<{ _id: string } | undefined>): Promise<Resolved> {
  const unique = [...new Set(names)];
  const found = await Promise.all(unique.map(async (n) => [n, (await find(n))?._id] as const));
  return new Map(found);
}

export function resolveUsers(api: AdminApi, names: Iterable<string>): Promise<Resolved> {
  return resolveNames(names, (n) => api.findUser(n));
}

export function resolveGroups(api: AdminApi, names: Iterable<string>): Promise<Resolved> {
  return resolveNames(names, (n) => api.findGroup(n));
}

/**
 * Adds the names of referenced users or groups that were not declared (someone else's owners or
 * subjects), so a change line shows who is removed rather than an id. No read when all are known.
 */
async function withReferencedNames(
  api: AdminApi,
  object: Extract<ManagedObject, "user" | "group">,
  known: Resolved,
  refs: unknown,
): Promise<Resolved> {
  const knownIds = new Set(known.values());
  const unknown = [...new Set(refIds(refs))].filter((id) => !knownIds.has(id));
  if (unknown.length === 0) return known;
  const nameField = object === "user" ? "userName" : "name";
  const read = await Promise.all(unknown.map((id) => api.readManaged<Record<string, unknown>>(object, id, ["_id", nameField])));
  const out = new Map(known);
  read.forEach((record, i) => {
    const name = record?.[nameField];
    if (typeof name === "string" && !out.has(name)) out.set(name, unknown[i]);
  });
  return out;
}

/** The IDM application record of an AM client (found by `ssoEntities.oidcId`). */
export async function findApplication(api: AdminApi, clientId: string): Promise<IdmApplication | undefined> {
  const found = await api.queryManaged<IdmApplication>("application", { filter: applicationFilter(clientId), fields: APPLICATION_FIELDS });
  return found[0];
}

/** Applications of any template (web apps, SPAs, native and service apps), one GET each. */
export async function readWebApps(api: AdminApi, specs: readonly ApplicationSpec[]): Promise<Map<string, WebAppLive>> {
  const users = await resolveUsers(api, specs.flatMap((s) => s.owned.owners));
  const entries = await Promise.all(
    specs.map(async (s) => {
      const [client, application] = await Promise.all([api.getOAuth2Client(s.id), findApplication(api, s.id)]);
      return [s.id, { client, application, users: await withReferencedNames(api, "user", users, application?.owners) }] as const;
    }),
  );
  return new Map(entries);
}

export async function readAiAgents(api: AdminApi, specs: readonly AiAgentSpec[]): Promise<Map<string, AiAgentLive>> {
  const users = await resolveUsers(api, specs.flatMap((s) => s.owned.owners));
  const entries = await Promise.all(
    specs.map(async (s) => {
      const agent = await api.getAiAgent(s.id);
      const uid = agentUid(agent);
      const identity = uid ? await api.readManaged<{ owners?: unknown[] }>("aiagent", uid, ["_id", "owners"]) : undefined;
      const identityOwners = agent ? (identity?.owners ?? []) : undefined;
      return [s.id, { agent, identityOwners, users: await withReferencedNames(api, "user", users, identityOwners) }] as const;
    }),
  );
  return new Map(entries);
}

/** A privilege of the pair made elsewhere (the console gives it a random id), found by its agent's client id. */
export async function findPrivilegeByPair(api: AdminApi, agent: string, applicationId: string | undefined): Promise<IdmAiAgentPrivilege | undefined> {
  if (!applicationId) return undefined;
  const found = await api.queryManaged<IdmAiAgentPrivilege>("aiagentprivilege", { filter: crestEq("agentOAuth2ClientId", agent), fields: PRIVILEGE_FIELDS });
  return found.find((p) => refId(p.resource) === applicationId);
}

export async function readAgentGrants(api: AdminApi, specs: readonly AgentGrantSpec[]): Promise<Map<string, AgentGrantLive>> {
  const [users, groups] = await Promise.all([
    resolveUsers(api, specs.flatMap((s) => s.owned.subjects)),
    resolveGroups(api, specs.flatMap((s) => s.owned.subjectGroups)),
  ]);
  const agentIds = new Map<string, string | undefined>();
  const applicationIds = new Map<string, string | undefined>();
  await Promise.all([
    ...[...new Set(specs.map((s) => s.owned.agent))].map(async (id) => agentIds.set(id, agentUid(await api.getAiAgent(id)))),
    ...[...new Set(specs.map((s) => s.owned.application))].map(async (id) => applicationIds.set(id, (await findApplication(api, id))?._id)),
  ]);
  const entries = await Promise.all(
    specs.map(async (s) => {
      const applicationId = applicationIds.get(s.owned.application);
      const privilege =
        (await api.readManaged<IdmAiAgentPrivilege>("aiagentprivilege", grantPrivilegeId(s), PRIVILEGE_FIELDS)) ??
        (await findPrivilegeByPair(api, s.owned.agent, applicationId));
      const live: AgentGrantLive = {
        agentUid: agentIds.get(s.owned.agent),
        applicationId: applicationIds.get(s.owned.application),
        users: await withReferencedNames(api, "user", users, privilege?.subjects),
        groups: await withReferencedNames(api, "group", groups, privilege?.subjectGroups),
        privilege,
      };
      return [s.id, live] as const;
    }),
  );
  return new Map(entries);
}
