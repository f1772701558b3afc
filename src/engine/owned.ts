/**
 * Pure building blocks shared by the kinds: the owned fields of an AM client, and owned fields
 * of IDM records compared through a normal form (relationships by the ids they point to).
 */
import type { IdmPatch } from "../contract/schemas";
import type { SpecOf } from "../contract/spec";
import type { ManagedObject } from "../client/types";
import { diffOwned, getIn, mergeOwned, plainField, sameValue, wrappedField, type FieldChange, type OwnedField } from "./fields";
import { refIds, refId, refTo } from "./refs";
import { unknownReferences } from "./errors";

type ClientOwned = SpecOf<"web-app" | "spa" | "native-app" | "service-app" | "ai-agent">["owned"];

/** A client's provider overrides (plain attributes, read only while `providerOverridesEnabled` is on). */
export const OVERRIDES = "overrideOAuth2ClientConfig";

/** AM's "no script" value of a script attribute. */
export const NO_SCRIPT = "[Empty]";

/**
 * A field the spec may leave out: owned with its value when the spec sets it; otherwise owned with
 * `cleared` only while the live object still holds something there (a script or list this stack
 * wired before and took out of the code), so objects that never had it are not written.
 */
export function optionalField(live: unknown, make: (value: unknown) => OwnedField, value: unknown, cleared: unknown): OwnedField[] {
  if (value !== undefined) return [make(value)];
  const field = make(cleared);
  const current = getIn(live, field.path);
  return sameValue(current, null) || sameValue(current, cleared) ? [] : [field];
}

/** The AM client fields every client kind owns; public clients (SPAs, native apps) say so in `clientType`. */
export function clientFields(owned: ClientOwned, clientType: "Confidential" | "Public" = "Confidential"): OwnedField[] {
  return [
    wrappedField("coreOAuth2ClientConfig", "clientType", clientType),
    wrappedField("coreOAuth2ClientConfig", "scopes", owned.scopes),
    wrappedField("advancedOAuth2ClientConfig", "grantTypes", owned.grantTypes),
    wrappedField("advancedOAuth2ClientConfig", "tokenEndpointAuthMethod", owned.tokenEndpointAuthMethod),
    // Owned only when the secret is in the tenant's store: a stack that never set it leaves it alone.
    ...(owned.secretLabelIdentifier === undefined ? [] : [wrappedField("coreOAuth2ClientConfig", "secretLabelIdentifier", owned.secretLabelIdentifier)]),
  ];
}

/**
 * A web app's or agent's May Act script (`live`: the client as read): it stamps access (and
 * refresh) tokens and ID tokens alike (reference §3.4), and is cleared when it leaves the code.
 */
export function mayActFields(mayActScript: string | undefined, live: unknown): OwnedField[] {
  return (["accessTokenMayActScript", "oidcMayActScript"] as const).flatMap((key) => optionalField(live, (v) => plainField([OVERRIDES, key], v), mayActScript, NO_SCRIPT));
}

export interface AmClientPlan {
  readonly write: "create" | "update" | "none";
  /** The full body to PUT (live object with owned fields replaced); no secret in it. */
  readonly body: Record<string, unknown>;
  readonly changes: FieldChange[];
}

export const SECRET_FIELD = ["coreOAuth2ClientConfig", "userpassword"] as const;
/** How a secret write shows in a change list: the field, never a value. */
export const SECRET_CHANGE: FieldChange = { field: SECRET_FIELD.join("."), from: undefined, to: undefined, sensitive: true };

/**
 * Create when absent; otherwise the merged live object, written only when an owned field differs.
 * `withSecret`: a create writes the client's secret (not so when AM reads it from the secret store).
 */
export function planAmClient(live: Record<string, unknown> | undefined, fields: OwnedField[], withSecret = true): AmClientPlan {
  const changes = diffOwned(live, fields);
  const body = mergeOwned(live, fields);
  if (!live) {
    if (withSecret) changes.push(SECRET_CHANGE);
    return { write: "create", body, changes };
  }
  return { write: changes.length > 0 ? "update" : "none", body, changes };
}

/** Resolved names (username → id, or undefined when absent), as read from the tenant. */
export type Resolved = ReadonlyMap<string, string | undefined>;

export interface Reference {
  readonly type: "user" | "group" | "AI agent" | "application";
  readonly name: string;
}

/** Throws one error naming every reference that did not resolve (of `prop`, when one prop holds them); nothing is written before it. */
export function requireResolved(prop: string | undefined, realm: string, refs: readonly (Reference & { id: string | undefined })[]): void {
  const missing = refs.filter((r) => r.id === undefined);
  if (missing.length > 0) throw unknownReferences(prop, missing, realm);
}

/** References to the declared owners; throws (before any write) when one does not exist. */
export function ownerRefs(realm: string, owners: readonly string[], users: Resolved) {
  requireResolved(
    "owners",
    realm,
    owners.map((name) => ({ type: "user" as const, name, id: users.get(name) })),
  );
  return owners.map((name) => refTo(realm, "user", users.get(name)!));
}

/** One owned field of an IDM record. */
export interface IdmField {
  /** The attribute, e.g. `owners` (patched at `/owners`). */
  readonly name: string;
  /** The value to write. */
  readonly value: unknown;
  /** Comparable and printable form of a value (the live one and `value`); default: itself. */
  readonly normalize?: (v: unknown) => unknown;
}

/** A relationship list field compared by the ids it points to, shown by the names it was declared with. */
export function refListField(name: string, refs: unknown[], namesById: ReadonlyMap<string, string>): IdmField {
  return { name, value: refs, normalize: (v) => refIds(v).map((id) => namesById.get(id) ?? id) };
}

/** A single relationship compared by the id it points to. */
export function refField(name: string, ref: unknown, label: string): IdmField {
  const wanted = refId(ref);
  return { name, value: ref, normalize: (v) => (refId(v) === wanted ? label : refId(v)) };
}

export interface IdmPlan {
  readonly write: "create" | "patch" | "none";
  readonly id: string;
  readonly object: ManagedObject;
  readonly body?: Record<string, unknown>;
  readonly patch?: IdmPatch;
  readonly changes: FieldChange[];
}

/**
 * Create the record when absent (with `extra` fields set once, e.g. the template), or PATCH
 * `replace` exactly the owned fields that differ. Change names carry `prefix` (`application.owners`).
 */
export function planIdmRecord(
  object: ManagedObject,
  id: string,
  live: Record<string, unknown> | undefined,
  fields: readonly IdmField[],
  prefix: string,
  extra: Record<string, unknown> = {},
): IdmPlan {
  const changes: FieldChange[] = [];
  const patch: IdmPatch = [];
  for (const f of fields) {
    const norm = f.normalize ?? ((v: unknown) => v);
    const from = live ? norm(live[f.name]) : undefined;
    const to = norm(f.value);
    if (sameValue(from, to)) continue;
    changes.push({ field: `${prefix}.${f.name}`, from, to });
    patch.push({ operation: "replace", field: `/${f.name}`, value: f.value });
  }
  if (!live) {
    const body: Record<string, unknown> = { ...extra };
    for (const f of fields) body[f.name] = f.value;
    return { write: "create", id, object, body, changes };
  }
  return { write: patch.length > 0 ? "patch" : "none", id, object, patch: patch.length > 0 ? patch : undefined, changes };
}

/** Inverts a name → id map for display. */
export function namesById(resolved: Resolved): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, id] of resolved) if (id !== undefined) out.set(id, name);
  return out;
}
