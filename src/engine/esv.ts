/**
 * Pure planning of environment secrets and variables (ESVs): live → what the sync writes. A
 * secret's value is never read back (the API never answers it), so it is written on create and
 * on a version bump only (`sync.ts`); its description is the one field compared. A variable's
 * value, expression type and description are compared as the API answers them.
 */
import type { EsvSecret, EsvVariable } from "../contract/schemas";
import type { SpecOf } from "../contract/spec";
import { EngineError } from "./errors";
import type { FieldChange } from "./fields";

export type EsvSecretSpec = SpecOf<"esv-secret">;
export type EsvVariableSpec = SpecOf<"esv-variable">;

export interface EsvPlan {
  readonly write: "create" | "update" | "none";
  readonly changes: FieldChange[];
}

const change = (field: string, from: unknown, to: unknown): FieldChange => ({ field, from, to });

/** The field an environment secret's value is written to (a create, a new version): shown, never its value. */
export const ESV_VALUE_FIELD = "valueBase64";
/** How a value write shows in a change list: the field, never a value. */
export const ESV_VALUE_CHANGE: FieldChange = { field: ESV_VALUE_FIELD, from: undefined, to: undefined, sensitive: true };

/** A create says its value (sensitive), its encoding and its description; an update only a new description. */
export function planEsvSecret(spec: EsvSecretSpec, live: EsvSecret | undefined): EsvPlan {
  const { description, encoding } = spec.owned;
  if (!live) return { write: "create", changes: [ESV_VALUE_CHANGE, change("encoding", undefined, encoding), ...(description ? [change("description", undefined, description)] : [])] };
  const changes = live.description === description ? [] : [change("description", live.description, description)];
  return { write: changes.length > 0 ? "update" : "none", changes };
}

/** A variable's value as text (the API carries it as base64). */
export const variableValue = (live: EsvVariable): string | undefined => (live.valueBase64 === undefined ? undefined : Buffer.from(live.valueBase64, "base64").toString("utf8"));

/** What differs of a variable: its value (one PUT) and its description (`setDescription`). */
export function planEsvVariable(spec: EsvVariableSpec, live: EsvVariable | undefined): EsvPlan & { readonly value: boolean; readonly description: boolean } {
  const { value, expressionType, description } = spec.owned;
  if (!live) {
    const changes = [change("value", undefined, value), change("expressionType", undefined, expressionType), ...(description ? [change("description", undefined, description)] : [])];
    return { write: "create", changes, value: true, description: false };
  }
  const now = variableValue(live);
  const changes = [...(now === value ? [] : [change("value", now, value)]), ...(live.description === description ? [] : [change("description", live.description, description)])];
  return { write: changes.length > 0 ? "update" : "none", changes, value: now !== value, description: live.description !== description };
}

/** The tenant fixes these on create: a different value in code is refused before any write. */
export function checkFixedOnCreate(kind: string, id: string, field: string, live: unknown, desired: unknown): void {
  if (live === undefined || live === desired) return;
  throw new EngineError(
    "FIXED_ON_CREATE",
    `${field} of ${kind} ${id} is ${JSON.stringify(live)} in the tenant and cannot change (the tenant sets it on create only); keep ${JSON.stringify(live)} in code, or give the ESV a new id`,
  );
}
