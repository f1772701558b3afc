/**
 * Batched live reads for planning many objects at once: one list call per object type (CREST
 * `or` filters over the ids, chunked to keep URLs short, each chunk paged) instead of one GET per
 * object, and the provider once. The result is a snapshot from which the per-kind `*Live` inputs of
 * the pure planners are built, so `plan` diffs exactly as `apply` does.
 */
import { crestEq } from "../client/admin-api";
import { isAicApiError } from "../client/errors";
import type { AdminApi, ManagedObject, QueryOptions } from "../client/types";
import type { AIAgent, AmClientListItem, AmScript, EsvSecret, EsvVariable, IdmAiAgentPrivilege, IdmApplication, OAuth2Client, OAuth2Provider, SecretStoreMapping } from "../contract/schemas";
import { agentUid, type AiAgentLive, type AiAgentSpec } from "./ai-agent";
import { PRIVILEGE_FIELDS, type AgentGrantLive, type AgentGrantSpec } from "./agent-grant";
import type { Resolved } from "./owned";
import { refId, refIds } from "./refs";
import { APPLICATION_FIELDS, type WebAppLive, type WebAppSpec } from "./web-app";

/** What to read from one tenant. */
export interface BatchRequest {
  readonly provider: boolean;
  /** Client ids of web apps: the OAuth2 client and its IDM application record. */
  readonly webApps: readonly string[];
  /** Client ids of AI agents: the AM agent and the owners of its IDM identity. */
  readonly aiAgents: readonly string[];
  /** IDM ids of agent privileges. */
  readonly privileges: readonly string[];
  /** Client ids of agents whose privileges to list whatever their ids (those made in the console). */
  readonly grantAgents?: readonly string[];
  readonly userNames: readonly string[];
  readonly groupNames: readonly string[];
  /** List every OAuth2 client and AI agent of the realm for the grant types they use (a provider removal). */
  readonly grantTypeUsers?: boolean;
  /** Ids of environment secrets and variables (tenant-wide: each list is one call). */
  readonly esvSecrets: readonly string[];
  readonly esvVariables: readonly string[];
  /** Ids of AM scripts of the realm. */
  readonly scripts: readonly string[];
  /** Labels of the realm's ESV secret store mappings (the realm's list is one call). */
  readonly secretMappings: readonly string[];
}

/** A `BatchRequest` being filled (by the kinds' `readsFor`, `src/kinds/`). */
export type RequestBuilder = { -readonly [K in keyof BatchRequest]-?: K extends "provider" | "grantTypeUsers" ? boolean : string[] };

/** A request to fill with the kinds' `readsFor`, then `done`. */
export function emptyRequest(): RequestBuilder {
  return { provider: false, webApps: [], aiAgents: [], privileges: [], grantAgents: [], userNames: [], groupNames: [], esvSecrets: [], esvVariables: [], scripts: [], secretMappings: [], grantTypeUsers: false };
}

/** The request with each name once. */
export function done(r: RequestBuilder): BatchRequest {
  for (const k of ["webApps", "aiAgents", "privileges", "grantAgents", "userNames", "groupNames", "esvSecrets", "esvVariables", "scripts", "secretMappings"] as const) r[k] = [...new Set(r[k])];
  return r;
}

/** The live state of everything a `BatchRequest` named; absent objects are simply not in the maps. */
export interface TenantSnapshot {
  readonly provider: OAuth2Provider | undefined;
  /** When asked (`grantTypeUsers`): grant type → the realm's clients and agents that list it. */
  readonly grantTypeUsers?: ReadonlyMap<string, readonly string[]>;
  /** By client id, in the wrapped form a GET returns. */
  readonly clients: ReadonlyMap<string, OAuth2Client>;
  readonly agents: ReadonlyMap<string, AIAgent>;
  /** Application records by the client id in their `ssoEntities.oidcId`. */
  readonly applications: ReadonlyMap<string, IdmApplication>;
  /** Owners of AI agent identities, by identity uid. */
  readonly identityOwners: ReadonlyMap<string, unknown[]>;
  readonly privileges: ReadonlyMap<string, IdmAiAgentPrivilege>;
  /**
   * Privileges by `<agent client id>/<application client id>`, for those made elsewhere (the
   * console gives them random ids): the one with the derived id wins.
   */
  readonly privilegesByPair: ReadonlyMap<string, IdmAiAgentPrivilege>;
  /** userName → id, for declared names and for every user a live relationship points to. */
  readonly users: Resolved;
  readonly groups: Resolved;
  /** Environment secrets (never their values) and variables (with their values), by id: only those requested. */
  readonly esvSecrets: ReadonlyMap<string, EsvSecret>;
  readonly esvVariables: ReadonlyMap<string, EsvVariable>;
  /** AM scripts by id: only those requested. */
  readonly scripts: ReadonlyMap<string, AmScript>;
  /** Mappings of the realm's ESV secret store by label: only those requested. */
  readonly secretMappings: ReadonlyMap<string, SecretStoreMapping>;
}

/** A filter's URL-encoded length stays under this (servers commonly cap a request line at 8 KiB). */
const MAX_FILTER_CHARS = 3000;
/** And a chunk holds at most this many terms. */
const MAX_TERMS = 50;

/** `term(a) or term(b) …` filters over `values`, chunked so that each URL stays short. */
export function orFilters(values: Iterable<string>, term: (value: string) => string): string[] {
  const filters: string[] = [];
  let terms: string[] = [];
  let length = 0;
  for (const value of new Set(values)) {
    const t = term(value);
    const cost = encodeURIComponent(t).length + encodeURIComponent(" or ").length;
    if (terms.length > 0 && (terms.length >= MAX_TERMS || length + cost > MAX_FILTER_CHARS)) {
      filters.push(terms.join(" or "));
      terms = [];
      length = 0;
    }
    terms.push(t);
    length += cost;
  }
  if (terms.length > 0) filters.push(terms.join(" or "));
  return filters;
}

/** Every record matching any of the chunked filters (chunks read in parallel, each paged by the client). */
export async function queryChunks<T>(filters: string[], query: (options: QueryOptions) => Promise<T[]>, fields?: string[], pageSize?: number): Promise<T[]> {
  const pages = await Promise.all(filters.map((filter) => query({ filter, fields, pageSize })));
  return pages.flat();
}

/** AM client groups whose attributes a GET wraps as `{inherited, value}` and a list returns plain (reference §4, §6). */
const WRAPPED_GROUPS = ["coreOAuth2ClientConfig", "advancedOAuth2ClientConfig", "signEncOAuth2ClientConfig", "coreOpenIDClientConfig", "coreUmaClientConfig"];
/** Top-level AI agent attributes that a GET wraps as a whole. */
const WRAPPED_AGENT_ATTRIBUTES = ["aiAgentIdentityAttributes", "aiAgentIdentityUid"];

const wrap = (value: unknown) => (value === null || value === undefined ? { inherited: false } : { inherited: false, value });

/** A list item in the wrapped form of a GET, so the owned-field paths of the planners apply to it. */
export function wrappedForm(item: AmClientListItem): Record<string, unknown> {
  const out: Record<string, unknown> = { ...item };
  for (const group of WRAPPED_GROUPS) {
    const plain = item[group];
    if (plain && typeof plain === "object") {
      out[group] = Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, wrap(v)]));
    }
  }
  for (const key of WRAPPED_AGENT_ATTRIBUTES) if (key in item) out[key] = wrap(item[key]);
  return out;
}

/**
 * AM clients by id: `_id eq` chunks. Should a server refuse an `or` filter over config (400), the
 * realm's whole list (`true`, paged) is read instead and filtered here.
 */
async function readAmClients(ids: readonly string[], query: (o: QueryOptions) => Promise<AmClientListItem[]>): Promise<Map<string, Record<string, unknown>>> {
  if (ids.length === 0) return new Map();
  let items: AmClientListItem[];
  try {
    items = await queryChunks(orFilters(ids, (id) => crestEq("_id", id)), query);
  } catch (e) {
    if (!isAicApiError(e, "BAD_REQUEST")) throw e;
    items = await query({ filter: "true", pageSize: 100 });
  }
  const wanted = new Set(ids);
  return new Map(items.filter((i) => wanted.has(i._id)).map((i) => [i._id, wrappedForm(i)]));
}

export async function resolveBy(api: AdminApi, object: "user" | "group", field: "userName" | "name" | "_id", values: readonly string[]): Promise<Map<string, string>> {
  const nameField = object === "user" ? "userName" : "name";
  const found = await queryChunks(
    orFilters(values, (v) => crestEq(field, v)),
    (o) => api.queryManaged<Record<string, unknown>>(object, o),
    ["_id", nameField],
  );
  const out = new Map<string, string>();
  for (const r of found) if (typeof r[nameField] === "string") out.set(r[nameField] as string, r._id as string);
  return out;
}

function byId<T extends { _id: string }>(records: T[]): Map<string, T> {
  return new Map(records.map((r) => [r._id, r]));
}

function readManagedByIds<T extends { _id: string }>(api: AdminApi, object: ManagedObject, ids: readonly string[], fields: string[]): Promise<T[]> {
  return queryChunks(orFilters(ids, (id) => crestEq("_id", id)), (o) => api.queryManaged<T>(object, o), fields);
}

/** The requested ESVs (or secret mappings) by id: the whole list is one call (none when none is requested). */
async function readEsvs<T extends { _id: string }>(ids: readonly string[], list: () => Promise<T[]>): Promise<Map<string, T>> {
  if (ids.length === 0) return new Map();
  const wanted = new Set(ids);
  return new Map((await list()).filter((e) => wanted.has(e._id)).map((e) => [e._id, e]));
}

/** Privileges by their derived ids, and every privilege of the agents that grants name (whatever its id). */
async function readPrivileges(api: AdminApi, request: BatchRequest): Promise<IdmAiAgentPrivilege[]> {
  const [byIds, byAgents] = await Promise.all([
    readManagedByIds<IdmAiAgentPrivilege>(api, "aiagentprivilege", request.privileges, PRIVILEGE_FIELDS),
    queryChunks(
      orFilters(request.grantAgents ?? [], (id) => crestEq("agentOAuth2ClientId", id)),
      (o) => api.queryManaged<IdmAiAgentPrivilege>("aiagentprivilege", o),
      PRIVILEGE_FIELDS,
    ),
  ]);
  return [...byId([...byAgents, ...byIds]).values()];
}

/** Privileges by agent/application client ids; a privilege under `preferred` ids wins a tie. */
export function privilegesByPair(
  privileges: Iterable<IdmAiAgentPrivilege>,
  agentIdByUid: ReadonlyMap<string, string>,
  clientIdByApplication: ReadonlyMap<string, string>,
  preferred: (p: IdmAiAgentPrivilege, pair: string) => boolean,
): Map<string, IdmAiAgentPrivilege> {
  const out = new Map<string, IdmAiAgentPrivilege>();
  for (const p of privileges) {
    const agent = agentIdByUid.get(refId(p.agent) ?? "");
    const application = clientIdByApplication.get(refId(p.resource) ?? "");
    if (!agent || !application) continue;
    const pair = `${agent}/${application}`;
    if (!out.has(pair) || preferred(p, pair)) out.set(pair, p);
  }
  return out;
}

/**
 * Grant type → the client ids (OAuth2 clients and AI agents) of the realm that list it: what a
 * realm relies on, whoever declared it (another stack, another app, the console). Two paged list
 * calls; lists hold plain values.
 */
export async function readGrantTypeUsers(api: AdminApi): Promise<Map<string, string[]>> {
  const [clients, agents] = await Promise.all([api.queryOAuth2Clients({ filter: "true" }), api.queryAiAgents({ filter: "true" })]);
  const users = new Map<string, string[]>();
  for (const c of [...clients, ...agents]) {
    const grantTypes = (c.advancedOAuth2ClientConfig as { grantTypes?: unknown } | undefined)?.grantTypes;
    for (const g of Array.isArray(grantTypes) ? grantTypes : []) if (typeof g === "string") users.set(g, [...(users.get(g) ?? []), c._id]);
  }
  return users;
}

/**
 * Reads a tenant in three rounds of parallel list calls: everything named by id or name; then the
 * identities of the agents found; then the names of users and groups that live relationships point
 * to but nobody declared (so a change line says who is removed, not an id).
 */
export async function readSnapshot(api: AdminApi, request: BatchRequest, onRound?: (what: string) => void): Promise<TenantSnapshot> {
  onRound?.("objects");
  const [grantTypeUsers, provider, clients, agents, applications, privileges, users, groups, esvSecrets, esvVariables, scripts, secretMappings] = await Promise.all([
    request.grantTypeUsers ? readGrantTypeUsers(api) : Promise.resolve(undefined),
    request.provider ? api.getProvider() : Promise.resolve(undefined),
    readAmClients(request.webApps, (o) => api.queryOAuth2Clients(o)) as Promise<Map<string, OAuth2Client>>,
    readAmClients(request.aiAgents, (o) => api.queryAiAgents(o)) as Promise<Map<string, AIAgent>>,
    queryChunks(
      orFilters(request.webApps, (id) => crestEq("ssoEntities/oidcId", id)),
      (o) => api.queryManaged<IdmApplication>("application", o),
      APPLICATION_FIELDS,
    ),
    readPrivileges(api, request),
    resolveBy(api, "user", "userName", request.userNames),
    resolveBy(api, "group", "name", request.groupNames),
    readEsvs(request.esvSecrets, () => api.listEsvSecrets()),
    readEsvs(request.esvVariables, () => api.listEsvVariables()),
    queryChunks(orFilters(request.scripts, (id) => crestEq("_id", id)), (o) => api.queryScripts(o)),
    readEsvs(request.secretMappings, () => api.listSecretMappings()),
  ]);

  onRound?.("agent identities");
  const uids = [...agents.values()].map(agentUid).filter((u): u is string => u !== undefined);
  const identities = await readManagedByIds<{ _id: string; owners?: unknown[] }>(api, "aiagent", uids, ["_id", "owners"]);

  onRound?.("referenced users and groups");
  const userRefs = [...applications.flatMap((a) => refIds(a.owners)), ...identities.flatMap((i) => refIds(i.owners))];
  const privilegeList = [...privileges];
  userRefs.push(...privilegeList.flatMap((p) => refIds(p.subjects)));
  const groupRefs = privilegeList.flatMap((p) => refIds(p.subjectGroups));
  const unknownIds = (refs: string[], known: Map<string, string>) => {
    const ids = new Set(known.values());
    return refs.filter((id) => !ids.has(id));
  };
  const [moreUsers, moreGroups] = await Promise.all([
    resolveBy(api, "user", "_id", unknownIds(userRefs, users)),
    resolveBy(api, "group", "_id", unknownIds(groupRefs, groups)),
  ]);

  const resolved = (declared: readonly string[], found: Map<string, string>, more: Map<string, string>): Resolved => {
    const out = new Map<string, string | undefined>(declared.map((n) => [n, found.get(n)]));
    for (const [name, id] of [...found, ...more]) if (!out.has(name) || out.get(name) === undefined) out.set(name, id);
    return out;
  };
  const applicationsByClient = new Map(applications.flatMap((a) => (a.ssoEntities?.oidcId ? [[a.ssoEntities.oidcId, a] as const] : [])));
  const agentIdByUid = new Map([...agents].flatMap(([id, agent]) => ((uid) => (uid ? [[uid, id] as const] : []))(agentUid(agent))));
  const clientIdByApplication = new Map([...applicationsByClient].map(([clientId, a]) => [a._id, clientId]));
  return {
    provider,
    ...(grantTypeUsers ? { grantTypeUsers } : {}),
    clients,
    agents,
    applications: applicationsByClient,
    identityOwners: new Map(identities.map((i) => [i._id, i.owners ?? []])),
    privileges: byId(privilegeList),
    privilegesByPair: privilegesByPair(privilegeList, agentIdByUid, clientIdByApplication, (p) => request.privileges.includes(p._id)),
    users: resolved(request.userNames, users, moreUsers),
    groups: resolved(request.groupNames, groups, moreGroups),
    esvSecrets,
    esvVariables,
    scripts: byId(scripts),
    secretMappings,
  };
}

export function webAppLive(snapshot: TenantSnapshot, spec: Pick<WebAppSpec, "id">): WebAppLive {
  return { client: snapshot.clients.get(spec.id), application: snapshot.applications.get(spec.id), users: snapshot.users };
}

export function aiAgentLive(snapshot: TenantSnapshot, spec: Pick<AiAgentSpec, "id">): AiAgentLive {
  const agent = snapshot.agents.get(spec.id);
  const uid = agentUid(agent);
  return { agent, identityOwners: agent ? ((uid && snapshot.identityOwners.get(uid)) || []) : undefined, users: snapshot.users };
}

export function agentGrantLive(snapshot: TenantSnapshot, spec: AgentGrantSpec, privilegeId: string): AgentGrantLive {
  return {
    agentUid: agentUid(snapshot.agents.get(spec.owned.agent)),
    applicationId: snapshot.applications.get(spec.owned.application)?._id,
    users: snapshot.users,
    groups: snapshot.groups,
    privilege: snapshot.privileges.get(privilegeId) ?? snapshot.privilegesByPair.get(`${spec.owned.agent}/${spec.owned.application}`),
  };
}
