/**
 * Reading a whole realm for `export` and for the unmanaged objects of `plan`: paged list calls per
 * object type (or `or` filters over chosen client ids, chunked and paged), never one GET per object.
 * Calls grow with the number of objects divided by the page size.
 */
import { crestEq } from "../client/admin-api";
import type { AdminApi } from "../client/types";
import { isAicApiError } from "../client/errors";
import type { AmClientListItem, AmScript, EsvSecret, EsvVariable, IdmAiAgentPrivilege, IdmApplication, OAuth2Provider, SecretStoreMapping } from "../contract/schemas";
import { PRIVILEGE_FIELDS } from "../engine/agent-grant";
import { orFilters, queryChunks, resolveBy } from "../engine/batch";
import { refIds } from "../engine/refs";
import { APPLICATION_FIELDS } from "../engine/web-app";

/** Page size of the list calls: calls grow with N / page size. */
export const LIST_PAGE_SIZE = 100;

export interface ListOptions {
  /** Only these client ids (apps and agents) and the privileges between them; default: everything. */
  readonly clientIds?: readonly string[];
  /** Read the AM client lists, the provider, agent identities, scripts and the names of users and groups (export); `plan`'s unmanaged objects need none of them. */
  readonly full: boolean;
  readonly pageSize?: number;
}

/** A realm as the lists give it: AM lists hold plain values, not the wrapped ones of a GET. */
export interface TenantListing {
  readonly provider: OAuth2Provider | undefined;
  /** OAuth2 clients by client id (empty when `full` was false). */
  readonly clients: ReadonlyMap<string, AmClientListItem>;
  /** AI agents by client id. */
  readonly agents: ReadonlyMap<string, AmClientListItem>;
  /** Every application record (any template). */
  readonly applications: readonly IdmApplication[];
  readonly privileges: readonly IdmAiAgentPrivilege[];
  /** Owners of AI agent identities, by identity uid. */
  readonly identityOwners: ReadonlyMap<string, unknown[]>;
  /** User id → userName and group id → name, for every id a relationship points to. */
  readonly userNames: ReadonlyMap<string, string>;
  readonly groupNames: ReadonlyMap<string, string>;
  /**
   * The tenant's environment secrets (never a value) and variables, and the realm's ESV secret store
   * mappings (all empty when `full` was false, and where the target has none: self-managed PingAM).
   */
  readonly esvSecrets: readonly EsvSecret[];
  readonly esvVariables: readonly EsvVariable[];
  readonly secretMappings: readonly SecretStoreMapping[];
  /** The realm's own scripts by id (AM's default scripts left out; empty when `full` was false). */
  readonly scripts: ReadonlyMap<string, AmScript>;
}

/** The identity uid of an AI agent as a list returns it (plain, not wrapped). */
export function listedAgentUid(agent: AmClientListItem): string | undefined {
  const uid = agent.aiAgentIdentityUid;
  if (typeof uid === "string") return uid;
  const attributes = agent.aiAgentIdentityAttributes as { _id?: unknown } | undefined;
  return typeof attributes?._id === "string" ? attributes._id : undefined;
}

/** The maps `privilegePair` names a listing's privileges by: agent client id by identity uid, client id by application record id. */
export function privilegeNaming(listing: TenantListing): { agentIdByUid: Map<string, string>; clientIdByApplication: Map<string, string> } {
  return {
    agentIdByUid: new Map([...listing.agents].flatMap(([id, agent]) => ((uid) => (uid ? [[uid, id] as const] : []))(listedAgentUid(agent)))),
    clientIdByApplication: new Map(listing.applications.flatMap((a) => (a.ssoEntities?.oidcId ? [[a._id, a.ssoEntities.oidcId] as const] : []))),
  };
}

const byId = (items: AmClientListItem[]) => new Map(items.map((i) => [i._id, i]));

/** A list that a self-managed PingAM does not have (its ESV and secret store paths answer 404): empty there. */
async function ifPresent<T>(list: () => Promise<T[]>): Promise<T[]> {
  try {
    return await list();
  } catch (e) {
    if (isAicApiError(e) && e.status === 404) return [];
    throw e;
  }
}

function invert(names: Map<string, string>): Map<string, string> {
  return new Map([...names].map(([name, id]) => [id, name]));
}

/** Reads the realm in two rounds of parallel list calls: the objects, then the names of the users and groups they point to. */
export async function listTenant(api: AdminApi, options: ListOptions): Promise<TenantListing> {
  const pageSize = options.pageSize ?? LIST_PAGE_SIZE;
  const ids = options.clientIds;
  const filters = (field: string) => (ids ? orFilters(ids, (id) => crestEq(field, id)) : ["true"]);
  const list = <T>(fieldFilters: string[], query: Parameters<typeof queryChunks<T>>[1], fields?: string[]) =>
    fieldFilters.length === 0 ? Promise.resolve([] as T[]) : queryChunks<T>(fieldFilters, query, fields, pageSize);

  const [provider, clients, agents, applications, privileges, identities, scripts] = await Promise.all([
    options.full ? api.getProvider() : Promise.resolve(undefined),
    options.full ? list(filters("_id"), (o) => api.queryOAuth2Clients(o)) : Promise.resolve([]),
    list(filters("_id"), (o) => api.queryAiAgents(o)),
    list(filters("ssoEntities/oidcId"), (o) => api.queryManaged<IdmApplication>("application", o), [...APPLICATION_FIELDS, "templateName", "templateVersion"]),
    list(filters("agentOAuth2ClientId"), (o) => api.queryManaged<IdmAiAgentPrivilege>("aiagentprivilege", o), [...PRIVILEGE_FIELDS, "agentOAuth2ClientId"]),
    options.full ? list(filters("oauth2ClientId"), (o) => api.queryManaged<{ _id: string; owners?: unknown[] }>("aiagent", o), ["_id", "owners"]) : Promise.resolve([]),
    // Every script: the clients name theirs by id, and a script names no client that a filter could select.
    options.full ? list(["true"], (o) => api.queryScripts(o)) : Promise.resolve([]),
  ]);
  if (!options.full) {
    return { provider, clients: new Map(), agents: byId(agents), applications, privileges, identityOwners: new Map(), userNames: new Map(), groupNames: new Map(), esvSecrets: [], esvVariables: [], secretMappings: [], scripts: new Map() };
  }

  const userIds = [...applications.flatMap((a) => refIds(a.owners)), ...identities.flatMap((i) => refIds(i.owners)), ...privileges.flatMap((p) => refIds(p.subjects))];
  const groupIds = privileges.flatMap((p) => refIds(p.subjectGroups));
  const [users, groups, esvSecrets, esvVariables, secretMappings] = await Promise.all([
    resolveBy(api, "user", "_id", userIds),
    resolveBy(api, "group", "_id", groupIds),
    ifPresent(() => api.listEsvSecrets()),
    ifPresent(() => api.listEsvVariables()),
    ifPresent(() => api.listSecretMappings()),
  ]);
  return {
    provider,
    clients: byId(clients),
    agents: byId(agents),
    applications,
    privileges,
    identityOwners: new Map(identities.map((i) => [i._id, i.owners ?? []])),
    userNames: invert(users),
    groupNames: invert(groups),
    esvSecrets,
    esvVariables,
    secretMappings,
    scripts: new Map(scripts.filter((s) => s.default !== true).map((s) => [s._id, s])),
  };
}
