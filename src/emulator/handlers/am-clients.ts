/**
 * AM's `realm-config/agents/OAuth2Client` and `realm-config/agents/AIAgent` (reference §4, §6):
 * wrapped values on read, wrapped or raw on write, full-replace PUT onto the defaults, the
 * write-only secret, `_rev`/ETag, and the IDM identity AM keeps for every AI agent.
 */
import { randomUUID } from "node:crypto";
import { API_VERSION } from "../../contract/endpoints";
import {
  AI_AGENT_GROUPS,
  AM_TYPES,
  clientDefaults,
  OVERRIDE_GROUP,
  type AmVersion,
  QUERY_ONLY_ATTRIBUTES,
  SECRET_ATTRIBUTE,
  WRAPPED_CLIENT_GROUPS,
} from "../../contract/am-defaults";
import type { EmulatorContext } from "../context";
import { alreadyExists, badRequest, CrestHttpError, invalidAttribute, notFound } from "../errors";
import { deleteManaged, parseFields, referencing, writeManaged } from "../idm-model";
import { etag, filterItems, json, objectBody, pageOf, pickFields, queryAnswer, type Route } from "../router";
import { header } from "../sessions";
import { amClients, findManaged, realmState, type AmClientKind } from "../store";
import type { AmClientRecord, EmulatorRequest, RealmState } from "../types";

type Wrapped = { inherited: boolean; value?: unknown };

function isWrapped(v: unknown): v is Wrapped {
  if (!v || typeof v !== "object" || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return typeof (v as Wrapped).inherited === "boolean" && keys.every((k) => k === "inherited" || k === "value");
}

/** The stored (read) form of a written value: `{inherited:false}` when unset. */
function wrap(v: unknown): Wrapped {
  if (isWrapped(v)) return v.value === undefined || v.value === null ? { inherited: v.inherited } : { inherited: v.inherited, value: v.value };
  return v === null || v === undefined ? { inherited: false } : { inherited: false, value: v };
}

function unwrap(v: unknown): unknown {
  return isWrapped(v) ? (v.value ?? null) : v;
}

const clone = <T>(v: T): T => structuredClone(v);

/** The groups of a fresh client as `version` shows them: wrapped values, the override group raw. */
function defaultGroups(version: AmVersion): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(clientDefaults(version)).map(([group, attrs]) => [
      group,
      group === OVERRIDE_GROUP ? clone(attrs) : Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, wrap(clone(v))])),
    ]),
  );
}

function validAttributes(group: string, version: AmVersion): string[] {
  const extra = group === "coreOAuth2ClientConfig" ? [SECRET_ATTRIBUTE] : [];
  return [...Object.keys(clientDefaults(version)[group]), ...(QUERY_ONLY_ATTRIBUTES[group] ?? []), ...extra].sort();
}

const validGroups = (kind: AmClientKind) =>
  [...Object.keys(WRAPPED_CLIENT_GROUPS), OVERRIDE_GROUP, ...(kind === "AIAgent" ? AI_AGENT_GROUPS : [])].sort();

/** Keys AM takes and drops: metadata (`_id`, `_rev`, `_type`, `_provider`) and encrypted copies. */
const ignoredKey = (k: string) => k.startsWith("_") || k.endsWith("-encrypted");

interface ParsedWrite {
  groups: Record<string, Record<string, unknown>>;
  /** A new secret; undefined keeps the current one (omitted or null, as AM does). */
  secret?: string;
  identity: Record<string, unknown>;
  identityUid?: string;
}

/**
 * Validates a PUT body and lays it over the defaults: what the body leaves out is reset
 * (full replace). Unknown groups or attributes → 400 "Invalid attribute specified." with the
 * valid names of that level in `detail.validAttributes` [rec wording; the detail lists the group
 * names for an unknown group and the group's attributes for an unknown attribute: inf].
 */
function parseWrite(kind: AmClientKind, version: AmVersion, body: Record<string, unknown>): ParsedWrite {
  const parsed: ParsedWrite = { groups: defaultGroups(version), identity: {} };
  for (const [group, value] of Object.entries(body)) {
    if (ignoredKey(group)) continue;
    if (!validGroups(kind).includes(group)) throw invalidAttribute(validGroups(kind));
    if (group === "aiAgentIdentityUid") {
      const uid = unwrap(value);
      if (uid !== null && typeof uid !== "string") throw badRequest("aiAgentIdentityUid must be a string");
      parsed.identityUid = uid ?? undefined;
      continue;
    }
    const attrs = unwrap(value);
    if (!attrs || typeof attrs !== "object" || Array.isArray(attrs)) throw badRequest(`${group} must be an object`);
    if (group === "aiAgentIdentityAttributes") {
      parsed.identity = attrs as Record<string, unknown>;
      continue;
    }
    const valid = validAttributes(group, version);
    for (const [attr, v] of Object.entries(attrs)) {
      if (attr.endsWith("-encrypted")) continue;
      if (!valid.includes(attr)) throw invalidAttribute(valid);
      if (attr === SECRET_ATTRIBUTE) {
        const secret = unwrap(v);
        if (typeof secret === "string" && secret !== "") parsed.secret = secret;
        continue;
      }
      parsed.groups[group][attr] = group === OVERRIDE_GROUP ? unwrap(v) : wrap(v);
    }
  }
  return parsed;
}

function realmOf(ctx: EmulatorContext, params: Record<string, string>): RealmState {
  const realm = realmState(ctx.state, params.realm);
  if (!realm) throw notFound();
  return realm;
}

/** The identity attributes as AM shows them: read live from the IDM identity (with its `_rev`). */
function identityAttributes(ctx: EmulatorContext, realm: string, record: AmClientRecord): Record<string, unknown> {
  const stored = unwrap(record.body.aiAgentIdentityAttributes) as Record<string, unknown>;
  const uid = unwrap(record.body.aiAgentIdentityUid) as string;
  const identity = findManaged(ctx.state, realm, "aiagent", uid);
  if (!identity) return stored;
  return {
    _id: identity._id,
    _rev: identity._rev,
    oauth2ClientId: identity.oauth2ClientId,
    name: identity.name,
    description: identity.description ?? null,
    customAttributes: identity.customAttributes ?? null,
  };
}

/** The GET form: wrapped groups, the secret as null when one is set, `_type` last. */
function readForm(ctx: EmulatorContext, realm: string, kind: AmClientKind, record: AmClientRecord): Record<string, unknown> {
  const { _id, ...groups } = clone(record.body);
  const out: Record<string, unknown> = { _id, _rev: String(record.rev), ...groups };
  if (record.secret !== null) (out.coreOAuth2ClientConfig as Record<string, unknown>)[SECRET_ATTRIBUTE] = null;
  if (kind === "AIAgent") out.aiAgentIdentityAttributes = { inherited: false, value: identityAttributes(ctx, realm, record) };
  out._type = AM_TYPES[kind];
  return out;
}

/** The query form [rec: aiagent-delete.json]: values unwrapped, unset as null, query-only attributes listed. */
function queryForm(read: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(read)) {
    if (key in WRAPPED_CLIENT_GROUPS || key === OVERRIDE_GROUP) {
      const group = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, unwrap(v)]));
      for (const extra of QUERY_ONLY_ATTRIBUTES[key] ?? []) group[extra] ??= null;
      out[key] = group;
    } else {
      out[key] = (AI_AGENT_GROUPS as readonly string[]).includes(key) ? unwrap(value) : value;
    }
  }
  return out;
}

const otherKind = (kind: AmClientKind): AmClientKind => (kind === "AIAgent" ? "OAuth2Client" : "AIAgent");

function location(ctx: EmulatorContext, req: EmulatorRequest) {
  return { location: `${ctx.baseUrl}${req.path}` };
}

/**
 * Creates or updates the IDM identity AM keeps for an agent (`managed/<realm>_aiagent/<uid>`),
 * keeping its owners; returns its uid.
 */
function upsertIdentity(ctx: EmulatorContext, realm: string, clientId: string, parsed: ParsedWrite, previous?: AmClientRecord): string {
  const attrs = parsed.identity;
  const previousUid = previous ? (unwrap(previous.body.aiAgentIdentityUid) as string) : undefined;
  const uid = parsed.identityUid ?? (typeof attrs._id === "string" ? attrs._id : undefined) ?? previousUid ?? randomUUID();
  const existing = findManaged(ctx.state, realm, "aiagent", uid);
  const next: Record<string, unknown> = {
    ...(existing ?? { customAttributes: null }),
    oauth2ClientId: clientId,
    name: attrs.name ?? existing?.name ?? clientId,
  };
  for (const k of ["description", "customAttributes"]) if (attrs[k] !== undefined) next[k] = attrs[k];
  const changed = !existing || Object.entries(next).some(([k, v]) => JSON.stringify(existing[k]) !== JSON.stringify(v));
  if (changed) writeManaged(ctx, realm, "aiagent", uid, next);
  return uid;
}

function put(kind: AmClientKind): Route["handler"] {
  return (req, ctx, params) => {
    const realm = realmOf(ctx, params);
    const id = params.id;
    const body = objectBody(req);
    // AIAgents and OAuth2Clients share one client-id namespace [inf: an agent is an OAuth2
    // client to the token endpoint, so AM cannot hold both under one id]: 409 Conflict.
    if (amClients(realm, otherKind(kind))[id]) {
      throw new CrestHttpError(409, `An ${otherKind(kind)} with the client ID '${id}' already exists`);
    }
    const clients = amClients(realm, kind);
    const previous = clients[id];
    if (previous && header(req, "if-none-match") === "*") throw alreadyExists(id);
    const parsed = parseWrite(kind, ctx.amVersion, body);
    const record: AmClientRecord = {
      body: { _id: id, ...parsed.groups },
      secret: parsed.secret ?? previous?.secret ?? null,
      rev: Number(ctx.nextRev()),
    };
    if (kind === "AIAgent") {
      const uid = upsertIdentity(ctx, params.realm, id, parsed, previous);
      record.body.aiAgentIdentityAttributes = { inherited: false, value: { ...parsed.identity, _id: uid, oauth2ClientId: id } };
      record.body.aiAgentIdentityUid = { inherited: false, value: uid };
    }
    clients[id] = record;
    ctx.save();
    const read = readForm(ctx, params.realm, kind, record);
    if (!previous) return json(201, read, { ...etag(String(record.rev)), ...location(ctx, req) });
    // On a replace AM answers with the groups the request carried [rec: aiagent-update.json,
    // where a PUT of only the identity fields got only those back], and an OAuth2Client replace
    // answers 201 [rec: oauth2client-update.json] where an AIAgent replace answers 200.
    const echoed = pickFields(read, [...Object.keys(body).filter((k) => !ignoredKey(k)), "_type"]);
    return kind === "OAuth2Client"
      ? json(201, echoed, { ...etag(String(record.rev)), ...location(ctx, req) })
      : json(200, echoed, etag(String(record.rev)));
  };
}

function get(kind: AmClientKind): Route["handler"] {
  return (_req, ctx, params) => {
    const record = amClients(realmOf(ctx, params), kind)[params.id];
    if (!record) throw notFound();
    return json(200, readForm(ctx, params.realm, kind, record), etag(String(record.rev)));
  };
}

function remove(kind: AmClientKind): Route["handler"] {
  return (_req, ctx, params) => {
    const clients = amClients(realmOf(ctx, params), kind);
    const record = clients[params.id];
    if (!record) throw notFound();
    const read = readForm(ctx, params.realm, kind, record);
    delete clients[params.id];
    if (kind === "AIAgent") {
      // AM removes the agent's IDM identity; its privileges go with it (decision: a privilege
      // without its required `agent` would be left invalid, so the tenant deletes it too).
      const uid = unwrap(record.body.aiAgentIdentityUid) as string;
      for (const privilege of referencing(ctx.state, params.realm, "aiagentprivilege", "agent", "aiagent", uid)) {
        deleteManaged(ctx, params.realm, "aiagentprivilege", privilege._id);
      }
      deleteManaged(ctx, params.realm, "aiagent", uid);
    }
    ctx.save();
    return json(200, read, etag(String(record.rev)));
  };
}

function query(kind: AmClientKind): Route["handler"] {
  return (req, ctx, params) => {
    const records = Object.values(amClients(realmOf(ctx, params), kind));
    const views = records.map((r) => queryForm(readForm(ctx, params.realm, kind, r)));
    const page = pageOf(req, filterItems(req, views, (v) => v));
    const fields = parseFields(req.query.get("_fields"));
    return queryAnswer(page, { exact: true, remaining: -1 }, page.items.map((v) => pickFields(v, fields)));
  };
}

const AGENTS = "^/am/json/realms/root/realms/(?<realm>[^/]+)/realm-config/agents";

export function amClientRoutes(): Route[] {
  const routes: Route[] = [];
  for (const [kind, apiVersion] of [["OAuth2Client", API_VERSION.oauth2Client], ["AIAgent", API_VERSION.aiAgent]] as const) {
    const one = new RegExp(`${AGENTS}/${kind}/(?<id>[^/]+)$`);
    routes.push(
      { method: "GET", pattern: new RegExp(`${AGENTS}/${kind}$`), apiVersion, handler: query(kind) },
      { method: "GET", pattern: one, apiVersion, handler: get(kind) },
      { method: "PUT", pattern: one, apiVersion, handler: put(kind) },
      { method: "DELETE", pattern: one, apiVersion, handler: remove(kind) },
    );
  }
  return routes;
}
