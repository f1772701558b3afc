/**
 * IDM's object model as the embedded tenant keeps it: which fields are relationships, which are
 * computed, what is required, and how a stored object turns into what a read returns.
 *
 * Model (a decision, kept simple and consistent): every relationship is stored once, on the side
 * listed in RELATIONSHIPS (the privilege holds `agent`, `resource`, `subjects`, `subjectGroups`;
 * the group holds `members`; agents and applications hold `owners`). The other side (`privileges`,
 * `aiagentprivileges`, a user's `groups`, `ownerOfApp`) is computed on read from the stored side,
 * and a write to it is applied to the stored side. Each relationship edge has its own
 * `_refProperties {_id,_rev}`, which both sides show, as IDM does [rec].
 */
import { randomUUID } from "node:crypto";
import type { EmulatorContext } from "./context";
import { badRequest, idmNotFound, policyFailure } from "./errors";
import { findManaged, managedCollection, managedPath, type ManagedRecord } from "./store";
import type { TenantState } from "./types";

export const MANAGED_TYPES = ["application", "user", "group", "aiagent", "aiagentprivilege"] as const;
export type ManagedType = (typeof MANAGED_TYPES)[number];

export function isManagedType(type: string): type is ManagedType {
  return (MANAGED_TYPES as readonly string[]).includes(type);
}

interface Relationship {
  /** The type that stores the edge. */
  type: ManagedType;
  field: string;
  target: ManagedType;
  many: boolean;
  /** The computed field on the target; always multi-valued. */
  reverse?: string;
}

const RELATIONSHIPS: readonly Relationship[] = [
  { type: "aiagentprivilege", field: "agent", target: "aiagent", many: false, reverse: "privileges" },
  { type: "aiagentprivilege", field: "resource", target: "application", many: false, reverse: "aiagentprivileges" },
  { type: "aiagentprivilege", field: "subjects", target: "user", many: true },
  { type: "aiagentprivilege", field: "subjectGroups", target: "group", many: true, reverse: "aiagentprivileges" },
  { type: "aiagent", field: "owners", target: "user", many: true },
  { type: "application", field: "owners", target: "user", many: true, reverse: "ownerOfApp" },
  { type: "group", field: "members", target: "user", many: true, reverse: "groups" },
];

/** Fields a create must carry [rec for alpha_aiagentprivilege `agent`; the others from IDM's schemas]. */
const REQUIRED: Record<ManagedType, readonly string[]> = {
  application: ["name"],
  user: ["userName"],
  group: ["name"],
  aiagent: ["name", "oauth2ClientId"],
  aiagentprivilege: ["agent"],
};

/** Read-only fields IDM computes on read (returned by default). */
const VIRTUALS: Partial<Record<ManagedType, readonly string[]>> = {
  aiagentprivilege: ["agentID", "agentOAuth2ClientId", "subjectIDs", "resourceData"],
};

/** Never returned (users' passwords live in `TenantState.passwords`). */
const HIDDEN = new Set(["password"]);

export interface Edge {
  _ref: string;
  _refResourceCollection: string;
  _refResourceId: string;
  _refProperties: { _id: string; _rev: string };
}

/** A ref to `<collection>/<id>`; a new edge unless the properties of an existing one are given. */
export function makeEdge(collection: string, id: string, properties?: Edge["_refProperties"]): Edge {
  return {
    _ref: `${collection}/${id}`,
    _refResourceCollection: collection,
    _refResourceId: id,
    _refProperties: properties ? { ...properties } : { _id: randomUUID(), _rev: "0" },
  };
}

function forwardOf(type: string, field: string): Relationship | undefined {
  return RELATIONSHIPS.find((r) => r.type === type && r.field === field);
}

function reversesOf(type: string, field: string): Relationship[] {
  return RELATIONSHIPS.filter((r) => r.target === type && r.reverse === field);
}

export function isRelationshipField(type: string, field: string): boolean {
  return forwardOf(type, field) !== undefined || reversesOf(type, field).length > 0;
}

function relationshipFields(type: string): string[] {
  const names = RELATIONSHIPS.flatMap((r) => [r.type === type ? r.field : undefined, r.target === type ? r.reverse : undefined]);
  return [...new Set(names.filter((n): n is string => n !== undefined))];
}

const asEdges = (value: unknown): Edge[] => (Array.isArray(value) ? value : value ? [value] : []) as Edge[];

/** The edges of one relationship field of an object, as IDM returns them. */
export function edgesOf(state: TenantState, realm: string, type: string, object: ManagedRecord, field: string): Edge[] {
  const forward = forwardOf(type, field);
  if (forward) return asEdges(object[field]).map((e) => ({ ...e, _refProperties: { ...e._refProperties } }));
  const self = `managed/${realm}_${type}/${object._id}`;
  const edges: Edge[] = [];
  for (const rel of reversesOf(type, field)) {
    for (const source of Object.values(managedCollection(state, realm, rel.type))) {
      for (const e of asEdges(source[rel.field])) {
        if (e._ref === self) edges.push(makeEdge(`managed/${realm}_${rel.type}`, source._id, e._refProperties));
      }
    }
  }
  return edges;
}

function target(state: TenantState, edge: Edge | undefined): ManagedRecord | undefined {
  const m = edge && /^managed\/([^_/]+)_([^/]+)\/(.+)$/.exec(edge._ref);
  return m ? findManaged(state, m[1], m[2], m[3]) : undefined;
}

function virtual(state: TenantState, realm: string, object: ManagedRecord, field: string): unknown {
  const agent = () => target(state, asEdges(object.agent)[0]);
  switch (field) {
    case "agentID":
      return asEdges(object.agent)[0]?._refResourceId ?? null;
    case "agentOAuth2ClientId":
      return agent()?.oauth2ClientId ?? null;
    case "subjectIDs": {
      const ids = asEdges(object.subjects).map((e) => e._refResourceId);
      for (const g of asEdges(object.subjectGroups)) {
        const group = target(state, g);
        if (group) ids.push(...edgesOf(state, realm, "group", group, "members").map((e) => e._refResourceId));
      }
      return [...new Set(ids)];
    }
    case "resourceData": {
      const edge = asEdges(object.resource)[0];
      const app = target(state, edge);
      if (!edge || !app) return {};
      const data: Record<string, unknown> = {};
      if (app.ssoEntities !== undefined) data.ssoEntities = app.ssoEntities;
      return { ...data, _rev: app._rev, _id: app._id, _refResourceCollection: edge._refResourceCollection, _refResourceId: edge._refResourceId, _ref: edge._ref };
    }
    default:
      return undefined;
  }
}

/**
 * What a read returns. Without `fields`: the stored plain fields and the computed ones (IDM's
 * `returnByDefault`); relationships only when named in `fields` (or `*_ref` for all of them).
 * `_id` and `_rev` always.
 */
export function viewOf(state: TenantState, realm: string, type: string, object: ManagedRecord, fields?: string[]): Record<string, unknown> {
  const view: Record<string, unknown> = { _id: object._id, _rev: object._rev };
  const virtuals = VIRTUALS[type as ManagedType] ?? [];
  const addDefaults = () => {
    for (const [k, v] of Object.entries(object)) if (!HIDDEN.has(k) && !isRelationshipField(type, k)) view[k] = v;
    for (const v of virtuals) view[v] = virtual(state, realm, object, v);
  };
  const addRelationship = (field: string) => {
    const edges = edgesOf(state, realm, type, object, field);
    view[field] = forwardOf(type, field)?.many === false ? (edges[0] ?? null) : edges;
  };
  if (!fields || fields.length === 0) {
    addDefaults();
    return view;
  }
  for (const f of fields) {
    const name = f.replace(/^\//, "").split("/")[0];
    if (name === "*") addDefaults();
    else if (name === "*_ref") relationshipFields(type).forEach(addRelationship);
    else if (isRelationshipField(type, name)) addRelationship(name);
    else if (virtuals.includes(name)) view[name] = virtual(state, realm, object, name);
    else if (!HIDDEN.has(name) && object[name] !== undefined) view[name] = object[name];
  }
  return view;
}

/** `_fields=a,b` → ["a","b"]; absent → undefined. */
export function parseFields(value: string | null): string[] | undefined {
  if (value === null) return undefined;
  return value.split(",").map((f) => f.trim()).filter((f) => f !== "");
}

const VALID_TYPE = (property: string, invalidType: string, validTypes: string[]) =>
  policyFailure([{ property, requirement: "VALID_TYPE", params: { invalidType, validTypes } }]);

const jsonType = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/**
 * Checks one relationship value and returns its stored form: refs to existing objects of the
 * right collection, each with its edge id (kept when the same ref was already there).
 * A ref to a missing object is a 400 [inf: IDM answers 400 for a relationship it cannot
 * resolve; the wording is ours].
 */
function normalizeEdges(
  state: TenantState,
  realm: string,
  property: string,
  value: unknown,
  many: boolean,
  targetType: ManagedType,
  previous: Edge[],
): Edge | Edge[] | null {
  if (many && !Array.isArray(value)) throw VALID_TYPE(property, jsonType(value), ["array"]);
  if (!many && (Array.isArray(value) || (value !== null && typeof value !== "object"))) {
    throw VALID_TYPE(property, jsonType(value), ["object", "null"]);
  }
  const collection = `managed/${realm}_${targetType}`;
  const one = (item: unknown): Edge => {
    const ref = (item as { _ref?: unknown } | null)?._ref;
    if (typeof ref !== "string") throw badRequest(`Relationship ${property} needs a _ref, received ${JSON.stringify(item)}`);
    const m = new RegExp(`^${collection.replace(/[/]/g, "\\/")}\\/(.+)$`).exec(ref);
    if (!m) throw badRequest(`Relationship ${property} must reference ${collection}, received '${ref}'`);
    if (!findManaged(state, realm, targetType, m[1])) throw badRequest(`Relationship ${property} references '${ref}', which does not exist`);
    const kept = previous.find((e) => e._ref === ref);
    return kept ?? makeEdge(collection, m[1]);
  };
  if (!many) return value === null ? null : one(value);
  const edges = (value as unknown[]).map(one);
  return edges.filter((e, i) => edges.findIndex((o) => o._ref === e._ref) === i);
}

export interface WriteResult {
  record: ManagedRecord;
  /** Status for PUT: 201 created, 200 replaced. */
  created: boolean;
}

/**
 * Stores `body` as the whole new content of `<realm>_<type>/<id>` (create or full replace):
 * validates relationships and required fields, applies writes to computed reverse relationships
 * on their stored side, and gives the object a new `_rev`.
 */
export function writeManaged(ctx: EmulatorContext, realm: string, type: ManagedType, id: string, body: Record<string, unknown>): WriteResult {
  const state = ctx.state;
  const collection = managedCollection(state, realm, type);
  const previous = findManaged(state, realm, type, id);
  const record: ManagedRecord = { _id: id, _rev: "" };
  const reverseWrites: { field: string; edges: Edge[] }[] = [];
  const virtuals = VIRTUALS[type] ?? [];
  for (const [key, value] of Object.entries(body)) {
    if (key === "_id" || key === "_rev" || virtuals.includes(key)) continue;
    const forward = forwardOf(type, key);
    const reverses = reversesOf(type, key);
    if (forward) {
      const before = previous ? asEdges(previous[key]) : [];
      record[key] = normalizeEdges(state, realm, key, value, forward.many, forward.target, before);
    } else if (reverses.length > 0) {
      if (!Array.isArray(value)) throw VALID_TYPE(key, jsonType(value), ["array"]);
      const edges = value.map((item) => {
        const ref = (item as { _ref?: unknown } | null)?._ref;
        const rel = reverses.find((r) => typeof ref === "string" && ref.startsWith(`managed/${realm}_${r.type}/`));
        if (!rel) throw badRequest(`Relationship ${key} cannot reference ${JSON.stringify(ref)}`);
        return normalizeEdges(state, realm, key, item, false, rel.type, []) as Edge;
      });
      reverseWrites.push({ field: key, edges });
    } else if (key === "password" && type === "user") {
      if (typeof value === "string") {
        state.passwords[id] = value;
        ctx.changed(["passwords", id]);
      }
    } else {
      record[key] = value;
    }
  }
  const missing = REQUIRED[type].filter((f) => record[f] === undefined || record[f] === null || record[f] === "");
  if (missing.length > 0) throw policyFailure(missing.map((property) => ({ property, requirement: "REQUIRED" })));

  record._rev = ctx.nextRev();
  collection[id] = record;
  ctx.changed(managedPath(realm, type, id));
  for (const w of reverseWrites) applyReverseWrite(ctx, realm, type, record, w.field, w.edges);
  return { record, created: previous === undefined };
}

/** Makes the stored side say exactly `edges` for the computed field `field` of `object`. */
function applyReverseWrite(ctx: EmulatorContext, realm: string, type: ManagedType, object: ManagedRecord, field: string, edges: Edge[]): void {
  const self = `managed/${realm}_${type}/${object._id}`;
  for (const rel of reversesOf(type, field)) {
    for (const source of Object.values(managedCollection(ctx.state, realm, rel.type))) {
      const wanted = edges.some((e) => e._ref === `managed/${realm}_${rel.type}/${source._id}`);
      const current = asEdges(source[rel.field]);
      const has = current.some((e) => e._ref === self);
      if (wanted === has) continue;
      if (rel.many) source[rel.field] = wanted ? [...current, makeEdge(`managed/${realm}_${type}`, object._id)] : current.filter((e) => e._ref !== self);
      else source[rel.field] = wanted ? makeEdge(`managed/${realm}_${type}`, object._id) : null;
      source._rev = ctx.nextRev();
      ctx.changed(managedPath(realm, rel.type, source._id));
    }
  }
}

/** An IDM PATCH operation on a top-level field (`/field`, or `/field/-` to append). */
export interface PatchOperation {
  operation: string;
  field: string;
  value?: unknown;
}

/** Applies IDM PATCH operations to an object, then stores it as a replace. */
export function patchManaged(ctx: EmulatorContext, realm: string, type: ManagedType, id: string, operations: PatchOperation[]): ManagedRecord {
  const existing = findManaged(ctx.state, realm, type, id);
  if (!existing) throw idmNotFound(id, `managed/${realm}_${type}`);
  const working: Record<string, unknown> = { ...existing };
  for (const op of operations) {
    const segments = op.field.split("/").filter((s) => s !== "");
    const [field, rest] = [segments[0], segments.slice(1)];
    if (!field || rest.length > 1 || (rest.length === 1 && rest[0] !== "-")) {
      throw badRequest(`Unsupported patch field '${op.field}': use a top-level field, or /field/- to append`);
    }
    if (!(field in working) && reversesOf(type, field).length > 0) working[field] = edgesOf(ctx.state, realm, type, existing, field);
    const current = working[field];
    switch (op.operation) {
      case "add":
        working[field] = rest.length === 1 || (Array.isArray(current) && Array.isArray(op.value))
          ? [...(Array.isArray(current) ? current : []), ...(Array.isArray(op.value) ? op.value : [op.value])]
          : op.value;
        break;
      case "replace":
        working[field] = op.value;
        break;
      case "remove":
        working[field] = Array.isArray(current) && op.value !== undefined
          ? current.filter((item) => JSON.stringify(item) !== JSON.stringify(op.value) && (item as Edge)?._ref !== (op.value as Edge)?._ref)
          : undefined;
        if (working[field] === undefined) delete working[field];
        break;
      default:
        throw badRequest(`Unsupported patch operation '${op.operation}'`);
    }
  }
  return writeManaged(ctx, realm, type, id, working).record;
}

/** Deletes an object and every stored edge that points at it. */
export function deleteManaged(ctx: EmulatorContext, realm: string, type: ManagedType, id: string): ManagedRecord | undefined {
  const collection = managedCollection(ctx.state, realm, type);
  const record = findManaged(ctx.state, realm, type, id);
  if (!record) return undefined;
  delete collection[id];
  delete ctx.state.passwords[id];
  ctx.changed(managedPath(realm, type, id));
  ctx.changed(["passwords", id]);
  const ref = `managed/${realm}_${type}/${id}`;
  for (const rel of RELATIONSHIPS.filter((r) => r.target === type)) {
    for (const source of Object.values(managedCollection(ctx.state, realm, rel.type))) {
      const current = asEdges(source[rel.field]);
      if (!current.some((e) => e._ref === ref)) continue;
      source[rel.field] = rel.many ? current.filter((e) => e._ref !== ref) : null;
      source._rev = ctx.nextRev();
      ctx.changed(managedPath(realm, rel.type, source._id));
    }
  }
  return record;
}

/** Objects whose stored relationship `field` points at `<realm>_<targetType>/<id>`. */
export function referencing(state: TenantState, realm: string, type: ManagedType, field: string, targetType: ManagedType, id: string): ManagedRecord[] {
  const ref = `managed/${realm}_${targetType}/${id}`;
  return Object.values(managedCollection(state, realm, type)).filter((o) => asEdges(o[field]).some((e) => e._ref === ref));
}
