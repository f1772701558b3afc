/**
 * The plan of one stack, pure: code (desired), the last applied state and a live snapshot in,
 * one `PlannedObject` per managed object out. The engine's planners do the diffing, exactly as
 * `apply` would: update = live ≠ desired, drift = live ≠ applied, delete = applied journal − code.
 */
import { KINDS } from "../contract/constants";
import { journalKey, type Journal } from "../contract/journal";
import { canonicalJson, hasEnvSecret, identityKey, tenantKey, type Identity, type Spec, type TenantRef } from "../contract/spec";
import { forgottenNote, prepare, RECOGNIZED_NOTE, syncWork, type Step, type SyncWork } from "../engine/sync";
import type { ObjectResult } from "../engine/result";
import { done, emptyRequest, type BatchRequest, type TenantSnapshot } from "../engine/batch";
import { EngineError } from "../engine/errors";
import { isListChange, minus, sameValue, type FieldChange as EngineChange } from "../engine/fields";
import { existsLive, readsFor, secretWriteOf, unitOf, type Pending } from "../kinds";
import type { DriftChange, FieldChange, PlannedObject, Summary } from "./schema";

import { resourcesInState, type StackContents, type StackObject } from "./stack";

/** How an AI agent's IDM identity id shows before AM assigns it. */
export const KNOWN_AFTER_APPLY = "(known after apply)";

/** The tenant an object lives in, as a key: objects of one tenant are read together. */
export { tenantKey };

interface LiveDiff {
  readonly exists: boolean;
  readonly changes: EngineChange[];
}

/** Nothing is created by the apply (drift compares what exists). */
const NONE_PENDING: Pending = { placeholder: KNOWN_AFTER_APPLY, has: () => false };

/** The engine's diff of a spec against the snapshot; throws the engine's error on an unknown reference. */
function diffSpec(spec: Spec, s: TenantSnapshot, pending: Pending = NONE_PENDING): LiveDiff {
  const unit = unitOf(spec.kind);
  return { exists: unit.present(spec, s), changes: unit.diff(spec, s, pending) };
}

function toFieldChange(kind: Spec["kind"], c: EngineChange, creating: boolean): FieldChange {
  if (c.sensitive) return { type: "sensitive", field: c.field };
  if (unitOf(kind).ensuredFields?.includes(c.field) && !creating) {
    return { type: "ensure-present", field: c.field, added: minus(c.to, c.from) as string[] };
  }
  if (!creating && isListChange(c)) return { type: "list", field: c.field, added: minus(c.to, c.from), removed: minus(c.from, c.to) };
  return creating || c.from === undefined ? { type: "set", field: c.field, desired: c.to } : { type: "set", field: c.field, live: c.from, desired: c.to };
}

/** The engine compared live (`from`) with the applied spec (`to`): drift reads applied → live. */
function toDriftChange(c: EngineChange): DriftChange {
  if (isListChange(c)) return { type: "list", field: c.field, added: minus(c.from, c.to), removed: minus(c.to, c.from) };
  return { type: "set", field: c.field, applied: c.to, live: c.from };
}

function problemOf(e: unknown): string {
  if (e instanceof EngineError) return e.message;
  throw e;
}

/**
 * Rotation is a secret write, shown by version, never by value: the applied version is the one in
 * the spec Terraform last applied. The engine's diff never sees the version (AM has no such field),
 * so a bump shows only here.
 */
function rotation(desired: Spec, applied: Spec | undefined): FieldChange | undefined {
  if (!applied || !hasEnvSecret(desired)) return undefined;
  // A client that had no secret from the environment (from the tenant's store, or a service app's keys) gets one: a rotation from no version.
  const appliedVersion = hasEnvSecret(applied) ? applied.secret.version : undefined;
  if (sameValue(appliedVersion, desired.secret.version)) return undefined;
  return { type: "rotate", field: secretWriteOf(desired.kind).field, appliedVersion, desiredVersion: desired.secret.version };
}

/** Re-applies what drifted, in the stack's folder (what `restoreDrift` runs on every apply). */
export const RESTORE_COMMAND = "cdktf-aic reconcile (in the stack's folder)";

/**
 * The sync applies an object only when its spec changed in code (or it is recreated), so drift on
 * an object whose code did not change stays until `cdktf-aic reconcile` runs, by hand or on every
 * apply when its tenant restores drift (`restoreDrift`).
 */
function driftOf(desired: StackObject, applied: StackObject | undefined, s: TenantSnapshot, exists: boolean): PlannedObject["drift"] {
  if (!applied?.spec) return undefined;
  const overwrittenByApply = desired.restoresDrift === true || canonicalJson(applied.spec) !== canonicalJson(desired.spec);
  const restore = overwrittenByApply ? {} : { restore: RESTORE_COMMAND };
  if (!exists) return { status: "deleted", changes: [], overwrittenByApply, ...restore };
  let changes: EngineChange[];
  try {
    changes = diffSpec(applied.spec, s).changes;
  } catch (e) {
    problemOf(e);
    return undefined; // the applied spec names something now gone: the object's own problem says so
  }
  if (changes.length === 0) return undefined;
  return { status: "changed", changes: changes.filter((c) => !c.sensitive).map(toDriftChange), overwrittenByApply, ...restore };
}

/** What the next apply's sync decides for the objects of one tenant (the engine's own decision). */
export interface TenantDecision {
  readonly work: SyncWork;
  /** Changed objects the sync would write, by journal key. */
  readonly steps: ReadonlyMap<string, Step>;
  /** Changed objects the sync would refuse, by journal key: the reason. */
  readonly refusals: ReadonlyMap<string, string>;
}

/** Said of an adopted object in plan: what adoption changes besides fields. */
export const ADOPT_NOTE = "adopted: it becomes managed by this stack and is deleted when its construct leaves the code; its secret is not written (bump the secret's version to rotate it)";

/**
 * Per tenant, what the sync of the next apply works on: the journal of code against the journal
 * applied last (from the state; none when the state was not read, so that every object counts as
 * changed, as on a stack's first apply).
 */
export function syncWorkOf(inputs: StackInputs): Map<string, { tenant: TenantRef; work: SyncWork }> {
  const out = new Map<string, { tenant: TenantRef; work: SyncWork }>();
  const specs = new Map<string, Spec>();
  for (const o of inputs.code.objects.values()) if (o.spec) specs.set(journalKey(o.spec), o.spec);
  for (const desired of inputs.code.journals) {
    const key = tenantKey(desired.tenant);
    const previous = inputs.applied?.journals.find((j) => tenantKey(j.tenant) === key);
    const own = new Map([...specs].filter(([, spec]) => tenantKey(spec.tenant) === key));
    out.set(key, { tenant: desired.tenant, work: syncWork({ previous, desired, specs: own, resources: resourcesInState(inputs.code, inputs.applied, key) }) });
  }
  return out;
}

/** The engine's decision for one tenant's changed objects against its snapshot (and its removals a grant still uses). */
export function decide(
  work: SyncWork,
  tenant: TenantRef,
  snapshot: TenantSnapshot,
  env: Record<string, string | undefined>,
  recognized: ReadonlySet<string>,
  inUse: readonly ObjectResult[] = [],
): TenantDecision {
  const { steps, errors: prepared } = prepare(work.changed, snapshot, tenant, env, recognized);
  // The sync refuses removals a grant it does not declare still uses (grants-in-use.ts) first.
  const errors = [...inUse, ...prepared];
  const message = (r: ObjectResult) => r.notes.join("; ");
  return {
    work,
    steps: new Map(steps.map((step) => [journalKey(step.spec), step])),
    refusals: new Map(errors.map((r) => [`${r.kind}/${r.id}`, message(r)])),
  };
}

/** An object in code: what the sync does to it (nothing unless its spec changed), and its drift apart. */
function planDesired(desired: StackObject & { spec: Spec }, applied: StackObject | undefined, s: TenantSnapshot, decision: TenantDecision | undefined, pending: Pending): PlannedObject {
  const base = { kind: desired.spec.kind, id: desired.spec.id, construct: desired.construct, address: desired.address, notes: [] as string[] };
  const key = journalKey(desired.spec);
  const exists = existsLive(desired.identity, s);
  const drift = driftOf(desired, applied, s, exists);
  const withDrift = (o: PlannedObject): PlannedObject => (drift ? { ...o, drift } : o);
  const refusal = decision?.refusals.get(key);
  if (refusal !== undefined) return withDrift({ ...base, action: exists ? "update" : "create", changes: [], problems: [refusal] });
  const step = decision?.steps.get(key);
  if (!step) {
    // Unchanged in code: the sync leaves it alone; `restoreDrift` re-applies what differs.
    if (!desired.restoresDrift) return withDrift({ ...base, action: "no-change", changes: [], problems: [] });
    let diff: LiveDiff;
    try {
      diff = diffSpec(desired.spec, s, pending);
    } catch (e) {
      return withDrift({ ...base, action: exists ? "update" : "create", changes: [], problems: [problemOf(e)] });
    }
    const changes = diff.changes.filter((c) => !c.sensitive || !diff.exists).map((c) => toFieldChange(desired.spec.kind, c, !diff.exists));
    return withDrift({ ...base, action: !diff.exists ? "create" : changes.length > 0 ? "update" : "no-change", changes, problems: [] });
  }
  const changes = step.changes.map((c) => toFieldChange(desired.spec.kind, c, !step.exists));
  if (step.rotating && hasEnvSecret(desired.spec)) {
    changes.push({ type: "rotate", field: secretWriteOf(desired.spec.kind).field, appliedVersion: step.previous?.secret, desiredVersion: String(desired.spec.secret.version) });
  }
  if (step.recognized) base.notes.push(RECOGNIZED_NOTE);
  if (step.adopting) base.notes.push(ADOPT_NOTE);
  const action = !step.exists ? "create" : step.adopting ? "adopt" : step.rotating ? "rotate" : changes.length > 0 ? "update" : "no-change";
  const unit = unitOf(desired.spec.kind);
  if (unit.changeNote && action !== "no-change") base.notes.push(unit.changeNote);
  if (action !== "no-change") base.notes.push(...(unit.planNotes?.(desired.spec, step) ?? []));
  return withDrift({ ...base, action, changes, problems: [] });
}

/**
 * An object the last apply managed and code no longer has; `refusal`: why the sync would not
 * delete it; `forgotten`: why the sync leaves it in the tenant instead (`forgetReason`).
 */
function planRemoved(gone: StackObject, s: TenantSnapshot, refusal: string | undefined, forgotten: string | undefined, deleting: ReadonlySet<string>): PlannedObject {
  const { identity } = gone;
  const base = { kind: identity.kind, id: identity.id, construct: gone.construct, address: gone.address, problems: refusal === undefined ? [] : [refusal] };
  if (forgotten !== undefined) return { ...base, action: "forget", changes: [], notes: [forgottenNote(forgotten)] };
  const removal = unitOf(identity.kind).planRemoval?.(identity, s, deleting);
  if (removal) return { ...base, ...removal };
  return existsLive(identity, s)
    ? { ...base, action: "delete", changes: [], notes: [] }
    : { ...base, action: "no-change", changes: [], notes: ["no longer in code and already gone from the tenant"] };
}

/** Objects that code or the applied state names, each once: code first. */
export interface StackInputs {
  readonly code: StackContents;
  readonly applied?: StackContents;
}

function removedObjects({ code, applied }: StackInputs): StackObject[] {
  if (!applied) return [];
  const out = new Map<string, StackObject>();
  for (const identity of applied.inventory) out.set(identityKey(identity), applied.objects.get(identityKey(identity)) ?? { identity });
  for (const [key, o] of applied.objects) if (!out.has(key)) out.set(key, o);
  return [...out].filter(([key]) => !code.objects.get(key)?.spec).map(([, o]) => o);
}

const ORDER = (o: { kind: Spec["kind"]; id: string }) => `${KINDS.indexOf(o.kind)}|${o.id}`;

/** Every tenant the stack touches, with what to read from it. */
export function batchRequests(inputs: StackInputs): Map<string, { tenant: TenantRef; request: BatchRequest }> {
  const out = new Map<string, { tenant: TenantRef; request: ReturnType<typeof emptyRequest> }>();
  const forTenant = (tenant: TenantRef) => {
    const key = tenantKey(tenant);
    let t = out.get(key);
    if (!t) out.set(key, (t = { tenant, request: emptyRequest() }));
    return t.request;
  };
  const specs = [...inputs.code.objects.values(), ...(inputs.applied?.objects.values() ?? [])].flatMap((o) => (o.spec ? [o.spec] : []));
  for (const spec of specs) readsFor(forTenant(spec.tenant), spec);
  for (const { identity } of removedObjects(inputs)) unitOf(identity.kind).readsForRemoved(forTenant(identity.tenant), identity);
  for (const t of out.values()) done(t.request);
  return out;
}

/**
 * Plans every object of a stack against the snapshots of its tenants (by `tenantKey`), with the
 * engine's decisions per tenant (`decide`): what the plan says of a changed object is what the sync
 * does to it.
 */
export function planStack(inputs: StackInputs, snapshots: ReadonlyMap<string, TenantSnapshot>, decisions: ReadonlyMap<string, TenantDecision> = new Map()): PlannedObject[] {
  const snapshotOf = (identity: Identity) => snapshots.get(tenantKey(identity.tenant))!;
  const inCode = new Set([...inputs.code.objects.values()].flatMap((o) => (o.spec ? [journalKey(o.spec)] : [])));
  const pending: Pending = { placeholder: KNOWN_AFTER_APPLY, has: (kind, id) => inCode.has(journalKey({ kind, id })) };
  const planned: PlannedObject[] = [];
  for (const [key, o] of inputs.code.objects) {
    if (o.spec) planned.push(planDesired({ ...o, spec: o.spec }, inputs.applied?.objects.get(key), snapshotOf(o.identity), decisions.get(tenantKey(o.identity.tenant)), pending));
  }
  const forgottenBy = new Map([...decisions.values()].flatMap((d) => d.work.forgotten.map((f) => [identityKey(f.identity), f.why] as const)));
  const removed = removedObjects(inputs).map((o) => ({ o, decision: decisions.get(tenantKey(o.identity.tenant)), forgotten: forgottenBy.get(identityKey(o.identity)) }));
  // Clients this apply deletes (by tenant), before any realm-wide removal: they rely on nothing then.
  const deleting = new Map<string, Set<string>>();
  for (const { o, forgotten } of removed) {
    if (forgotten !== undefined || !unitOf(o.identity.kind).secret) continue;
    const key = tenantKey(o.identity.tenant);
    deleting.set(key, (deleting.get(key) ?? new Set()).add(o.identity.id));
  }
  for (const { o, decision, forgotten } of removed) {
    const refusal = decision?.refusals.get(`${o.identity.kind}/${o.identity.id}`);
    planned.push(planRemoved(o, snapshotOf(o.identity), refusal, forgotten, deleting.get(tenantKey(o.identity.tenant)) ?? new Set()));
  }
  markRenames(planned);
  return planned.sort((a, b) => (ORDER(a) < ORDER(b) ? -1 : ORDER(a) > ORDER(b) ? 1 : 0));
}

/**
 * A construct whose id changed (a renamed client id, a moved realm): its new object is created and
 * its old one deleted. Said on both, so that a reviewer reads one replacement, not two unrelated
 * changes: the new client gets a new secret, the old one goes only once everything else succeeded.
 */
function markRenames(planned: PlannedObject[]): void {
  // The construct keeps its Terraform address (its Resource is replaced): that pairs them.
  const created = new Map(planned.filter((o) => o.action === "create" && o.address).map((o) => [`${o.kind}|${o.address}`, o]));
  for (const old of planned) {
    if (old.action !== "delete" || !old.address) continue;
    const replacement = created.get(`${old.kind}|${old.address}`);
    if (!replacement || replacement.id === old.id) continue;
    // Its `secret (sensitive)` line says the new client's secret is written: the note does not repeat it.
    const client = unitOf(old.kind).secret ? " (a new client)" : "";
    replacement.notes.push(`replaces ${old.id}${client}; ${old.id} is deleted once everything else succeeded`);
    old.notes.push(`replaced by ${replacement.id}`);
  }
}

export function summarize(objects: readonly PlannedObject[]): Summary {
  const count = (f: (o: PlannedObject) => boolean) => objects.filter(f).length;
  return {
    create: count((o) => o.action === "create"),
    update: count((o) => o.action === "update"),
    adopt: count((o) => o.action === "adopt"),
    rotate: count((o) => o.action === "rotate"),
    delete: count((o) => o.action === "delete"),
    forget: count((o) => o.action === "forget"),
    noChange: count((o) => o.action === "no-change"),
    drifted: count((o) => o.drift !== undefined),
    problems: count((o) => o.problems.length > 0),
  };
}

export function addSummaries(summaries: readonly Summary[]): Summary {
  const total: Summary = { create: 0, update: 0, adopt: 0, rotate: 0, delete: 0, forget: 0, noChange: 0, drifted: 0, problems: 0 };
  for (const s of summaries) for (const k of Object.keys(total) as (keyof Summary)[]) total[k] += s[k];
  return total;
}
