/**
 * Pure helpers over AM/IDM objects: where an owned field lives, how it is compared, merged and
 * shown. No I/O: the `apply` path and the batched `plan` path both build on these.
 */
import { canonicalJson } from "../contract/spec";
import { escapeControl } from "../contract/text";

/** One owned field that differs between the live object and the desired state. */
export interface FieldChange {
  /** Dotted name as a reader of the AM console knows it, e.g. `advancedOAuth2ClientConfig.grantTypes`. */
  readonly field: string;
  readonly from: unknown;
  readonly to: unknown;
  /** The values are secrets: shown as `(sensitive)`, never printed. */
  readonly sensitive?: boolean;
}

/** A field this tool owns on an object, with its desired value. */
export interface OwnedField {
  readonly field: string;
  /** Path in the object as AM returns it; a `value` segment is an AM wrapped value. */
  readonly path: readonly string[];
  readonly value: unknown;
}

/** An AM wrapped attribute (`{inherited, value}`) of a config group, e.g. `coreOAuth2ClientConfig.scopes`. */
export function wrappedField(group: string, key: string, value: unknown): OwnedField {
  return { field: `${group}.${key}`, path: [group, key, "value"], value };
}

/** A plain attribute, e.g. `overrideOAuth2ClientConfig.providerOverridesEnabled` or IDM `name`. */
export function plainField(path: readonly string[], value: unknown): OwnedField {
  return { field: path.filter((p) => p !== "value").join("."), path, value };
}

export const SENSITIVE = "(sensitive)";

/**
 * A rotation as the apply reports it, once the secret `prop` is written (`wording.ts` names the
 * prop). No applied version: the secret was in the tenant's store (Secret.fromEsv) and moves to the environment.
 */
export function rotatedWords(prop: string, appliedVersion: unknown, desiredVersion: unknown): string {
  const change = appliedVersion === undefined ? `the tenant's secret store → version ${formatValue(desiredVersion)}` : `version ${formatValue(appliedVersion)} → ${formatValue(desiredVersion)}`;
  return `${prop} rotated (${change})`;
}

/** Keys AM and IDM fill in themselves; a write must not send them back. */
export function isReadOnlyKey(key: string): boolean {
  return key === "_id" || key === "_rev" || key === "_type" || key === "_provider" || key.endsWith("-encrypted");
}

export function getIn(object: unknown, path: readonly string[]): unknown {
  let current: unknown = object;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * Sets a value in place, creating the missing objects on the way. An object created to hold a
 * `value` is an AM wrapped attribute and gets `inherited: false`, as AM writes them itself.
 */
export function setIn(object: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let current = object;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      current[key] = value;
      return;
    }
    const next = current[key];
    if (next === null || typeof next !== "object" || Array.isArray(next)) {
      current[key] = path[i + 1] === "value" ? { inherited: false } : {};
    }
    current = current[key] as Record<string, unknown>;
  });
}

/** A deep copy of a live object without its read-only top-level keys: the base of a full-replace write. */
export function writableCopy(live: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(live)) {
    if (!isReadOnlyKey(key)) copy[key] = structuredClone(value);
  }
  return copy;
}

/** The live object (or nothing, on create) with every owned field set to its desired value. */
export function mergeOwned(live: Record<string, unknown> | undefined, fields: readonly OwnedField[]): Record<string, unknown> {
  const merged = live ? writableCopy(live) : {};
  for (const f of fields) setIn(merged, f.path, structuredClone(f.value));
  return merged;
}

/** The owned fields whose live value differs from the desired one (all of them when there is no object). */
export function diffOwned(live: unknown, fields: readonly OwnedField[]): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const f of fields) {
    const from = getIn(live, f.path);
    if (!sameValue(from, f.value)) changes.push({ field: f.field, from, to: f.value });
  }
  return changes;
}

/**
 * Equality as the tenant means it: unset, null, "" and [] are all "nothing" (AM reads an unset
 * list back as `{inherited:false}`), and lists of strings are sets (order carries no meaning in
 * scopes, grant types, redirect URIs or owners).
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (isNothing(a) && isNothing(b)) return true;
  if (isStringList(a) && isStringList(b)) {
    return a.length === b.length && canonicalJson([...a].sort()) === canonicalJson([...b].sort());
  }
  return canonicalJson(a) === canonicalJson(b);
}

function isNothing(v: unknown): boolean {
  return v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === "string");
}

/** A short, single-line rendering of a value for a change line; secrets never reach here. */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return "(none)";
  if (Array.isArray(v) && v.every((x) => typeof x !== "object" || x === null)) return escapeControl(`[${v.join(",")}]`);
  if (typeof v === "string") return escapeControl(v);
  return escapeControl(canonicalJson(v));
}

const isScalar = (v: unknown) => v === null || typeof v !== "object";
/** A list of plain values, or nothing (AM reads an unset list back as nothing). */
const isListish = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.every(isScalar));

/** Items of `a` not in `b`, compared as values. */
export function minus(a: unknown, b: unknown): unknown[] {
  const right = new Set((Array.isArray(b) ? b : []).map((x) => canonicalJson(x)));
  return (Array.isArray(a) ? a : []).filter((x) => !right.has(canonicalJson(x)));
}

/** Both sides are lists of plain values (or nothing), and at least one is a list. */
export function isListChange(c: { from: unknown; to: unknown }): boolean {
  return isListish(c.from) && isListish(c.to) && (Array.isArray(c.from) || Array.isArray(c.to));
}
