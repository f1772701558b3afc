/**
 * The plan report: the one model every format renders, and the documented JSON schema of
 * `cdktf-aic plan --format json` (see README.md beside this file). Bump `PLAN_FORMAT_VERSION` on
 * any change a consumer could notice; adding an optional field is not one.
 */
import { z } from "zod";
import { KINDS } from "../contract/constants";

export const PLAN_FORMAT_VERSION = 5;

const json = z.unknown();

/** One owned field that the next apply changes (live → desired). */
export const FieldChange = z.discriminatedUnion("type", [
  /** A value replaced; `live` absent on create. */
  z.object({ type: z.literal("set"), field: z.string(), live: json.optional(), desired: json }),
  /** A list whose items are compared as a set. */
  z.object({ type: z.literal("list"), field: z.string(), added: z.array(json), removed: z.array(json) }),
  /** A secret written (on create): never a value. */
  z.object({ type: z.literal("sensitive"), field: z.string() }),
  /** A bumped secret version: the secret is written again. Versions are not secret. */
  z.object({ type: z.literal("rotate"), field: z.string(), appliedVersion: json, desiredVersion: json }),
  /** Realm-wide values that are added; the others there stay untouched. */
  z.object({ type: z.literal("ensure-present"), field: z.string(), added: z.array(z.string()) }),
]);
export type FieldChange = z.infer<typeof FieldChange>;

/** One owned field changed in the tenant outside code (applied → live). */
export const DriftChange = z.discriminatedUnion("type", [
  z.object({ type: z.literal("set"), field: z.string(), applied: json, live: json.optional() }),
  z.object({ type: z.literal("list"), field: z.string(), added: z.array(json), removed: z.array(json) }),
]);
export type DriftChange = z.infer<typeof DriftChange>;

/**
 * What the next apply does to an object: `adopt` takes over an object made elsewhere (it is then
 * deleted when its construct goes), `rotate` writes a new secret version (with any field changes).
 */
export const ACTIONS = ["create", "update", "adopt", "rotate", "delete", "forget", "no-change"] as const;
export type PlanAction = (typeof ACTIONS)[number];

export const Drift = z.object({
  /** `changed`: owned fields differ from what was applied; `deleted`: the object is gone. */
  status: z.enum(["changed", "deleted"]),
  changes: z.array(DriftChange),
  /**
   * Whether `terraform apply` re-applies this object (its spec changed, or it is recreated). When
   * false the drift stays until `restore` is run.
   */
  overwrittenByApply: z.boolean(),
  /** The command that re-applies the object, when `overwrittenByApply` is false. */
  restore: z.string().optional(),
});
export type Drift = z.infer<typeof Drift>;

export const PlannedObject = z.object({
  kind: z.enum(KINDS),
  id: z.string(),
  /** The construct path in code (or last applied), e.g. `alpha/web-app`. */
  construct: z.string().optional(),
  /** The Terraform address of the object's `Resource`. */
  address: z.string().optional(),
  action: z.enum(ACTIONS),
  changes: z.array(FieldChange),
  drift: Drift.optional(),
  /** Facts worth a line that are not field changes (e.g. "retained: removal policy retain"). */
  notes: z.array(z.string()),
  /** Why the apply of this object would fail as written (e.g. an unknown owner). */
  problems: z.array(z.string()),
});
export type PlannedObject = z.infer<typeof PlannedObject>;

export const Summary = z.object({
  create: z.number().int(),
  update: z.number().int(),
  adopt: z.number().int(),
  rotate: z.number().int(),
  delete: z.number().int(),
  /** Objects left in the tenant, no longer managed (version 4). */
  forget: z.number().int(),
  noChange: z.number().int(),
  /** Objects with drift. */
  drifted: z.number().int(),
  /** Objects whose apply would fail as written. */
  problems: z.number().int(),
});
export type Summary = z.infer<typeof Summary>;

export const StackPlan = z.object({
  name: z.string(),
  tenants: z.array(z.object({ baseUrl: z.string(), realm: z.string() })),
  state: z.object({
    /** Whether the last applied state was read, so drift and deletes could be computed. */
    read: z.boolean(),
    /** The state file as given (relative paths stay relative). */
    path: z.string().optional(),
    note: z.string(),
  }),
  objects: z.array(PlannedObject),
  summary: Summary,
});
export type StackPlan = z.infer<typeof StackPlan>;

/** Kinds whose objects are reported when no stack manages them. */
export const UNMANAGED_KINDS = ["web-app", "spa", "native-app", "service-app", "ai-agent", "agent-grant"] as const;

/** Objects of one kind that exist in a tenant and that no stack in the synth output manages. */
export const UnmanagedObjects = z.object({
  kind: z.enum(UNMANAGED_KINDS),
  count: z.number().int(),
  /** Client ids; `<agent client id>/<application client id>` for a grant. Sorted. */
  ids: z.array(z.string()),
});
export type UnmanagedObjects = z.infer<typeof UnmanagedObjects>;

export const UnmanagedInTenant = z.object({
  baseUrl: z.string(),
  realm: z.string(),
  /** Only kinds with at least one such object; empty when the tenant holds only what code declares. */
  objects: z.array(UnmanagedObjects),
});
export type UnmanagedInTenant = z.infer<typeof UnmanagedInTenant>;

export const PlanReport = z.object({
  version: z.literal(PLAN_FORMAT_VERSION),
  stacks: z.array(StackPlan),
  /** Per tenant the plan read: objects no stack manages (never deleted by apply). */
  unmanaged: z.array(UnmanagedInTenant),
  summary: Summary,
  /** True when anything is to create, update or delete (`--detailed-exitcode` answers 2). */
  changesPresent: z.boolean(),
});
export type PlanReport = z.infer<typeof PlanReport>;
