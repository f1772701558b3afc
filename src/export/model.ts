/**
 * What `export` writes, decided purely from a realm's listing: which objects become which
 * construct with which props, which fields of them no construct can say, and which objects are
 * skipped and why. Names (variables, construct ids, secret variables) are derived from client ids
 * in sorted order, so the same tenant always exports to the same file.
 */
import { CLIENT_ID_PATTERN, GRANT_TYPES, PLATFORM_CLIENT_IDS, TOKEN_ENDPOINT_AUTH_METHODS, TOKEN_EXCHANGE_GRANT } from "../contract/constants";
import type { AmClientListItem, IdmAiAgentPrivilege, IdmApplication } from "../contract/schemas";
import type { AuthConfig } from "../contract/spec";
import { clientDefaults, OVERRIDE_GROUP, QUERY_ONLY_ATTRIBUTES, SECRET_ATTRIBUTE } from "../contract/am-defaults";
import { formatValue, sameValue } from "../engine/fields";
import { privilegePair, refId, refIds } from "../engine/refs";
import { listedAgentUid, type TenantListing } from "./read";

export interface ExportTenant {
  readonly baseUrl: string;
  readonly realm: string;
  readonly auth: AuthConfig;
}

/** The props both clients have, as the file writes them. */
interface ClientProps {
  readonly name: string;
  readonly description?: string;
  readonly owners: readonly string[];
  readonly scopes: readonly string[];
  /** Friendly names where AM's string has one. */
  readonly grantTypes: readonly string[];
  readonly tokenEndpointAuthMethod: string;
}

/** An exported client: its names in the file, its props (absent ones are at the construct's default). */
interface ExportedClient<P extends ClientProps> {
  readonly clientId: string;
  readonly variable: string;
  readonly secretEnv: string;
  readonly props: P;
  /** Fields the construct cannot express, as `field = value` lines. */
  readonly unexpressed: readonly string[];
}

export type ExportedWebApp = ExportedClient<
  ClientProps & { readonly defaultScopes: readonly string[]; readonly redirectUris: readonly string[]; readonly accessTokenLifetime: number }
>;

export type ExportedAgent = ExportedClient<
  ClientProps & { readonly providerOverrides: { readonly enabled: boolean; readonly clientSideTokens: boolean; readonly acceptAudienceInTokenExchange: boolean } }
>;

export interface ExportedGrant {
  readonly id: string;
  readonly agent: ExportedAgent;
  readonly application: ExportedWebApp;
  readonly subjects: readonly string[];
  readonly subjectGroups: readonly string[];
  readonly scopes: readonly string[];
  readonly description?: string;
  readonly unexpressed: readonly string[];
}

export type SkippedKind = "oauth2-client" | "application" | "ai-agent" | "privilege";

export interface Skipped {
  readonly kind: SkippedKind;
  readonly id: string;
  readonly reason: string;
}

export interface ExportModel {
  readonly tenant: ExportTenant;
  readonly exportedAt: string;
  /** Friendly names where AM's string has one, sorted. */
  readonly providerGrantTypes: readonly string[];
  readonly enableAiAgents: boolean;
  readonly webApps: readonly ExportedWebApp[];
  readonly agents: readonly ExportedAgent[];
  readonly grants: readonly ExportedGrant[];
  readonly skipped: readonly Skipped[];
}

/** Construct defaults the file leaves out. */
export const WEB_APP_DEFAULTS = { grantTypes: ["authorization-code"], tokenEndpointAuthMethod: "client_secret_basic" } as const;
export const AGENT_DEFAULTS = { grantTypes: ["token-exchange"], tokenEndpointAuthMethod: "client_secret_post" } as const;

const CORE = "coreOAuth2ClientConfig";
const ADVANCED = "advancedOAuth2ClientConfig";

/** AM client attributes each construct owns (or AM fills itself); any other non-default one is listed as unexpressed. */
const OWNED: Record<"web-app" | "ai-agent", ReadonlySet<string>> = {
  "web-app": new Set([
    `${CORE}.clientType`, `${CORE}.scopes`, `${CORE}.redirectionUris`, `${CORE}.clientName`, `${CORE}.status`,
    `${CORE}.defaultScopes`, `${CORE}.accessTokenLifetime`, `${ADVANCED}.grantTypes`, `${ADVANCED}.tokenEndpointAuthMethod`, `${ADVANCED}.descriptions`,
  ]),
  "ai-agent": new Set([
    `${CORE}.clientType`, `${CORE}.scopes`, `${ADVANCED}.grantTypes`, `${ADVANCED}.tokenEndpointAuthMethod`,
    `${OVERRIDE_GROUP}.providerOverridesEnabled`, `${OVERRIDE_GROUP}.statelessTokensEnabled`, `${OVERRIDE_GROUP}.acceptAudienceParametersInTokenExchangeRequests`,
  ]),
};

const DEFAULT_GROUPS = clientDefaults();

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const group = (item: AmClientListItem, name: string): Record<string, unknown> => (item[name] as Record<string, unknown> | undefined) ?? {};
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Non-default AM attributes outside `owned`: what the construct would leave as it is, said once per field. */
function unexpressedAm(item: AmClientListItem, owned: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const [groupName, defaults] of Object.entries(DEFAULT_GROUPS)) {
    const live = group(item, groupName);
    const queryOnly = new Set(QUERY_ONLY_ATTRIBUTES[groupName] ?? []);
    for (const key of Object.keys(live).sort(byString)) {
      const field = `${groupName}.${key}`;
      if (owned.has(field) || key === SECRET_ATTRIBUTE || key.endsWith("-encrypted") || queryOnly.has(key)) continue;
      const value = live[key];
      if (key in defaults ? sameValue(value, defaults[key]) : sameValue(value, null)) continue;
      out.push(`${field} = ${formatValue(value)}`);
    }
  }
  return out;
}

/** `digital-assistant-web-app` → `digitalAssistantWebApp`; never a reserved word or a name the file uses. */
export function camelName(id: string): string {
  const parts = id.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = parts.map((p, i) => (i === 0 ? p.charAt(0).toLowerCase() + p.slice(1) : p.charAt(0).toUpperCase() + p.slice(1))).join("") || "client";
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/** `digital-assistant-web-app` → `DIGITAL_ASSISTANT_WEB_APP`. */
export function upperSnake(id: string): string {
  return id.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "").toUpperCase();
}

/** Names the file itself uses, and words TypeScript reserves. */
const TAKEN = new Set(
  "app stack provider process require module exports undefined break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with as implements interface let package private protected public static yield await any boolean number string symbol type of".split(" "),
);

/** Hands out each name once, suffixing `2`, `3`, … on a clash (callers go in sorted order). */
export class Names {
  private readonly used = new Set<string>();
  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.used.add(r);
  }
  take(name: string): string {
    let candidate = name;
    for (let i = 2; this.used.has(candidate); i++) candidate = `${name}${i}`;
    this.used.add(candidate);
    return candidate;
  }
}

const FRIENDLY = new Map(Object.entries(GRANT_TYPES).map(([friendly, am]) => [am as string, friendly]));
export const friendlyGrant = (am: string): string => FRIENDLY.get(am) ?? am;

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");
}

interface Resolution {
  readonly names: string[];
  readonly notes: string[];
}

/** Relationship references → names; an id that names no user or group is left out with a note. */
function namesOf(refs: unknown, names: ReadonlyMap<string, string>, field: string, what: string): Resolution {
  const out: Resolution = { names: [], notes: [] };
  for (const id of refIds(refs)) {
    const name = names.get(id);
    if (name) out.names.push(name);
    else out.notes.push(`${field}: ${id} is no ${what} of the realm (left out: the apply drops the reference)`);
  }
  out.names.sort(byString);
  return out;
}

function clientIdProblem(id: string): string | undefined {
  if (!CLIENT_ID_PATTERN.test(id)) return `client id has characters the constructs do not accept (allowed: ${CLIENT_ID_PATTERN})`;
  return undefined;
}

/** Checks what the constructs' validation would refuse; the first reason, or none. */
function clientProblem(item: AmClientListItem, scopesRequired: boolean): string | undefined {
  const core = group(item, CORE);
  const advanced = group(item, ADVANCED);
  if (str(core.clientType) === "Public") return "a public client (no secret): the constructs manage confidential clients";
  if (scopesRequired && strings(core.scopes).length === 0) return "no scopes: ConfidentialWebApp needs at least one";
  if (strings(advanced.grantTypes).length === 0) return "no grant types: the constructs need at least one";
  const method = str(advanced.tokenEndpointAuthMethod);
  if (method && !(TOKEN_ENDPOINT_AUTH_METHODS as readonly string[]).includes(method)) return `token endpoint auth method "${method}" is not one the constructs accept`;
  return undefined;
}

export interface ModelInput {
  readonly tenant: ExportTenant;
  readonly listing: TenantListing;
  readonly exportedAt: string;
  /** Only these client ids; default: all. */
  readonly clientIds?: readonly string[];
}

export function exportModel({ tenant, listing, exportedAt, clientIds }: ModelInput): ExportModel {
  const wanted = (id: string) => clientIds === undefined || clientIds.includes(id);
  const skipped: Skipped[] = [];
  const variables = new Names(TAKEN);
  const envNames = new Names();

  // Web apps: an application record of template "web" and its confidential OAuth2 client.
  const records = new Map<string, IdmApplication>();
  const recordIdToClient = new Map<string, string>();
  for (const a of [...listing.applications].sort((x, y) => byString(x._id, y._id))) {
    const oidcId = a.ssoEntities?.oidcId;
    if (!oidcId) {
      if (clientIds === undefined) skipped.push({ kind: "application", id: a.name ?? a._id, reason: `not an OIDC application (template ${a.templateName ?? "none"})` });
      continue;
    }
    recordIdToClient.set(a._id, oidcId);
    if (wanted(oidcId)) records.set(oidcId, a);
  }
  const webApps: ExportedWebApp[] = [];
  const webAppByClient = new Map<string, ExportedWebApp>();
  const clientIdsSeen = [...new Set([...listing.clients.keys(), ...records.keys()])].filter(wanted).sort(byString);
  for (const id of clientIdsSeen) {
    const item = listing.clients.get(id);
    const record = records.get(id);
    const skip = (reason: string) => skipped.push({ kind: item ? "oauth2-client" : "application", id, reason });
    if (PLATFORM_CLIENT_IDS.includes(id)) skip("a platform client every tenant has");
    else if (!item) skip("an application record whose OAuth2 client is gone");
    else if (!record) skip("an OAuth2 client without an application record (not a custom application of the console, e.g. a service client)");
    else if (record.templateName !== "web") skip(`an application of template "${record.templateName ?? "none"}": ConfidentialWebApp exports OIDC web applications (template "web")`);
    else {
      const problem = clientIdProblem(id) ?? clientProblem(item, true);
      if (problem) skip(problem);
      else {
        const app = webAppOf(id, item, record, listing, variables, envNames);
        webApps.push(app);
        webAppByClient.set(id, app);
      }
    }
  }

  // AI agents.
  const agents: ExportedAgent[] = [];
  const agentByUid = new Map<string, ExportedAgent>();
  const agentIdByUid = new Map<string, string>();
  for (const id of [...listing.agents.keys()].filter(wanted).sort(byString)) {
    const item = listing.agents.get(id)!;
    const uid = listedAgentUid(item);
    if (uid) agentIdByUid.set(uid, id);
    const problem = clientIdProblem(id) ?? clientProblem(item, false);
    if (problem) {
      skipped.push({ kind: "ai-agent", id, reason: problem });
      continue;
    }
    const agent = agentOf(id, item, uid, listing, variables, envNames);
    agents.push(agent);
    if (uid) agentByUid.set(uid, agent);
  }

  // Grants: one per privilege whose agent and application are exported.
  const grants: ExportedGrant[] = [];
  const seenPairs = new Set<string>();
  const privileges = [...listing.privileges].map((p) => ({ p, pair: privilegePair(p, agentIdByUid, recordIdToClient) }));
  privileges.sort((a, b) => byString(a.pair, b.pair) || byString(a.p._id, b.p._id));
  for (const { p, pair } of privileges) {
    const agentUid = refId(p.agent);
    const agent = agentUid ? agentByUid.get(agentUid) : undefined;
    const resource = refId(p.resource);
    const application = resource ? webAppByClient.get(recordIdToClient.get(resource) ?? "") : undefined;
    const [agentId, appId] = pair.split("/");
    if (clientIds !== undefined && !(wanted(agentId) && wanted(appId))) continue;
    const skip = (reason: string) => skipped.push({ kind: "privilege", id: pair, reason });
    if (!agent) skip(`its AI agent ${agentId} is not exported`);
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

  const used = new Set([...webApps.flatMap((a) => a.props.grantTypes), ...agents.flatMap((a) => a.props.grantTypes)]);
  const aiAgentsOn = (listing.provider?.aiAgentsConfig as { aiAgentsEnabled?: boolean } | undefined)?.aiAgentsEnabled === true;
  return {
    tenant,
    exportedAt,
    providerGrantTypes: [...used].sort(byString),
    enableAiAgents: agents.length > 0 && aiAgentsOn,
    webApps,
    agents,
    grants,
    skipped: skipped.sort((a, b) => byString(a.kind, b.kind) || byString(a.id, b.id)),
  };
}

function webAppOf(id: string, item: AmClientListItem, record: IdmApplication, listing: TenantListing, variables: Names, envNames: Names): ExportedWebApp {
  const core = group(item, CORE);
  const advanced = group(item, ADVANCED);
  const name = str(record.name) ?? strings(core.clientName)[0] ?? id;
  const description = str(record.description) ?? strings(advanced.descriptions)[0];
  const owners = namesOf(record.owners, listing.userNames, "owners", "user");
  const notes = [...owners.notes];
  // Owned fields the construct sets from other props: said when the tenant disagrees, since the apply would change them.
  if (!sameValue(core.clientName, [name])) notes.push(`${CORE}.clientName = ${formatValue(core.clientName)} (the apply sets it to the name)`);
  if (str(core.status) && core.status !== "Active") notes.push(`${CORE}.status = ${formatValue(core.status)} (the apply sets Active)`);
  if (!sameValue(advanced.descriptions, description ? [description] : [])) notes.push(`${ADVANCED}.descriptions = ${formatValue(advanced.descriptions)} (the apply sets the description)`);
  const lifetime = typeof core.accessTokenLifetime === "number" ? core.accessTokenLifetime : 0;
  return {
    clientId: id,
    variable: variables.take(camelName(id)),
    secretEnv: `${envNames.take(`WEB_APP_${upperSnake(id)}`)}_SECRET`,
    props: {
      name,
      ...(description ? { description } : {}),
      owners: owners.names,
      scopes: strings(core.scopes),
      defaultScopes: strings(core.defaultScopes),
      grantTypes: strings(advanced.grantTypes).map(friendlyGrant),
      tokenEndpointAuthMethod: str(advanced.tokenEndpointAuthMethod) ?? WEB_APP_DEFAULTS.tokenEndpointAuthMethod,
      redirectUris: strings(core.redirectionUris),
      accessTokenLifetime: lifetime,
    },
    unexpressed: [...notes, ...unexpressedAm(item, OWNED["web-app"])],
  };
}

function agentOf(id: string, item: AmClientListItem, uid: string | undefined, listing: TenantListing, variables: Names, envNames: Names): ExportedAgent {
  const core = group(item, CORE);
  const advanced = group(item, ADVANCED);
  const overrides = group(item, OVERRIDE_GROUP);
  const identity = (item.aiAgentIdentityAttributes as Record<string, unknown> | undefined) ?? {};
  const owners = namesOf(uid ? listing.identityOwners.get(uid) : [], listing.userNames, "owners", "user");
  const description = str(identity.description);
  return {
    clientId: id,
    variable: variables.take(camelName(id)),
    secretEnv: `${envNames.take(`AI_AGENT_${upperSnake(id)}`)}_SECRET`,
    props: {
      name: str(identity.name) ?? id,
      ...(description ? { description } : {}),
      owners: owners.names,
      scopes: strings(core.scopes),
      grantTypes: strings(advanced.grantTypes).map(friendlyGrant),
      tokenEndpointAuthMethod: str(advanced.tokenEndpointAuthMethod) ?? AGENT_DEFAULTS.tokenEndpointAuthMethod,
      providerOverrides: {
        enabled: overrides.providerOverridesEnabled === true,
        clientSideTokens: overrides.statelessTokensEnabled === true,
        acceptAudienceInTokenExchange: overrides.acceptAudienceParametersInTokenExchangeRequests === true,
      },
    },
    unexpressed: [...owners.notes, ...unexpressedAm(item, OWNED["ai-agent"])],
  };
}

/** The grant, or why the constructs would refuse it. */
function grantOf(pair: string, p: IdmAiAgentPrivilege, agent: ExportedAgent, application: ExportedWebApp, listing: TenantListing): ExportedGrant | string {
  const subjects = namesOf(p.subjects, listing.userNames, "subjects", "user");
  const groups = namesOf(p.subjectGroups, listing.groupNames, "subjectGroups", "group");
  const scopes = (p.permissions ?? []).flatMap((perm: { type?: string; values?: string[] }) => (perm?.type === "scopes" ? strings(perm.values) : []));
  if (subjects.names.length === 0 && groups.names.length === 0) return "no user or group it applies to: AgentApplicationGrant needs at least one";
  const outside = scopes.filter((s) => !application.props.scopes.includes(s));
  if (outside.length > 0) return `grants scopes ${JSON.stringify(outside)} that application ${application.clientId} does not have`;
  if (!agent.props.grantTypes.map((g) => GRANT_TYPES[g as keyof typeof GRANT_TYPES] ?? g).includes(TOKEN_EXCHANGE_GRANT)) {
    return `its AI agent ${agent.clientId} lacks the token-exchange grant type`;
  }
  const description = str(p.description);
  return {
    id: pair,
    agent,
    application,
    subjects: subjects.names,
    subjectGroups: groups.names,
    scopes,
    ...(description ? { description } : {}),
    unexpressed: [...subjects.notes, ...groups.notes],
  };
}

/** Whether a list prop differs from the construct's default (and so is written). */
export function notDefault(value: readonly string[], defaults: readonly string[]): boolean {
  return !sameList(value, defaults);
}
