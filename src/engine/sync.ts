/**
 * The sync: one process applies a whole tenant's change, from the journal applied last to the
 * journal of code. Only objects whose spec hash changed are read (with batched list calls) and
 * written (in parallel, one admin session); removed objects are deleted after everything else
 * succeeded. Its guarantees, which the README's "How changes, removals and renames behave" states:
 *
 * - Every precondition of every object is checked before the first write: unknown users and
 *   groups, a secret missing for a create or a rotation, a secret too short to be redacted, an
 *   object that exists but that this stack never created (unless the construct says `adopt`),
 *   provider grant types that `removalPolicy: "destroy"` would take from the realm, an app or an
 *   agent to delete that a grant of another stack (or of the console) still uses.
 * - New objects are created before old ones are deleted (a renamed client id, a moved tenant).
 * - An object that exists but that the previous journal does not list (an interrupted apply
 *   created it, or the journal was lost) is the stack's own when the stack proves it
 *   (ownership.ts): then it is managed as if the journal listed it, so the next plain apply
 *   converges. Anything else that exists is refused unless its construct says `adopt`.
 * - A client secret is written when the client is created and when its version changes
 *   (rotation), never as a side effect of another change, of adoption or of recognition.
 * - An apply that fails, or whose Terraform is gone, before its first deletion leaves nothing it
 *   created (creations are undone; realm grant types it turned on stay on: another stack may rely
 *   on them, and code declares them). Once deletions started, creations stay: the next apply
 *   recognizes them and finishes the deletions. The caller keeps the old journal in both cases.
 */
import { randomUUID } from "node:crypto";
import { MIN_SECRET_LENGTH, registerSecret } from "../client/errors";
import type { AdminApi } from "../client/types";
import { journalIdentity, journalKey, specHash, type Journal, type JournalEntry } from "../contract/journal";
import { hasEnvSecret, identityKey, identityOf, tenantKey, type Identity, type Spec, type TenantRef, type WithEnvSecret } from "../contract/spec";
import { APPLY_ORDER, APPLY_STAGES, DELETE_ORDER, deleteIdentity, readsFor, unitOf, type AfterWritesContext, type WriteContext } from "../kinds";
import { result } from "./apply";
import { done, emptyRequest, readSnapshot, type BatchRequest, type TenantSnapshot } from "./batch";
import { grantsInUse, type GrantDeclarer } from "./grants-in-use";
import { EngineError, realmNotFound, rotationPending, secretNotSet, secretTooShort } from "./errors";
import type { FieldChange } from "./fields";
import type { SecretProof } from "./ownership";
import type { ObjectResult } from "./result";
import { rotatedNote } from "./wording";

/** Objects written at once (each a few calls); the admin client shares one session. */
const WRITE_CONCURRENCY = 16;

export interface SyncInput {
  /** The journal applied last; undefined on the first apply of a stack. */
  readonly previous: Journal | undefined;
  /** The journal of code (no objects: delete everything the previous one lists). */
  readonly desired: Journal;
  /** The specs of the desired objects, by journal key (at least those whose hash changed). */
  readonly specs: ReadonlyMap<string, Spec>;
  /** What Terraform's state says of the objects' resources, for removals (see `ResourcesInState`). */
  readonly resources?: ResourcesInState;
}

/**
 * What Terraform's state says of the objects' `Resource`s, so that a removal means what Terraform
 * means: an object whose resource left the state without a destroy (`terraform state rm`, a
 * `removed` block with `destroy = false`) is forgotten (left in the tenant, no longer managed),
 * not deleted. The Journal's sync runs before Terraform destroys any object's resource (the
 * Journal depends on them all), so every resource of the state Terraform started from is still
 * there when it reads it.
 */
export interface ResourcesInState {
  /** `identityKey`s of the objects whose resource is in Terraform's state; undefined: the state could not be read. */
  readonly present?: ReadonlySet<string>;
  /** `identityKey`s of the objects whose resource a `removed` block with `destroy = false` forgets. */
  readonly forgotten: ReadonlySet<string>;
}

/** An object of the previous journal that leaves management without being deleted, and why. */
export interface Forgotten {
  readonly identity: Identity;
  readonly why: string;
}

export interface SyncOptions {
  /** Where secret values are read from (default `process.env`). */
  readonly env?: Record<string, string | undefined>;
  /** One line per object, as soon as it is known. */
  readonly onResult?: (r: ObjectResult) => void;
  /** True once the sync must stop and undo what it created (its Terraform is gone, say). */
  readonly aborted?: () => boolean;
  readonly newUid?: () => string;
  /** Proves that the stack holds a client's secret (ownership.ts); without it no object is recognized. */
  readonly proveSecret?: SecretProof;
  /** Which stack of the synth output declares a grant, for the refusal of a delete it would leave dangling. */
  readonly declarer?: GrantDeclarer;
  /** A line said after the writes (a kind's `afterWrites`: ESV changes waiting for a restart, a restart's progress). */
  readonly onNotice?: (line: string) => void;
}

export interface SyncOutcome {
  readonly results: readonly ObjectResult[];
  readonly failed: number;
  /** No object changed in code: nothing was read or written. */
  readonly nothingToDo: boolean;
  /** Stopped before the end because `aborted()` said so (what it created was undone). */
  readonly aborted: boolean;
  /** Deletions had started when it failed or stopped: what it created stays (and is not rolled back). */
  readonly deleting: boolean;
  /** Lines said once after the writes (see `SyncOptions.onNotice`). */
  readonly notices?: readonly string[];
}

/** What the sync does to one changed object, worked out before any write. */
export interface Step {
  readonly spec: Spec;
  readonly previous: JournalEntry | undefined;
  /** The object exists in the tenant and was not created by this stack: taken over (`adopt`). */
  readonly adopting: boolean;
  /** The object exists, the journal does not list it, and the stack proved it is its own. */
  readonly recognized: boolean;
  /** The client secret to write with the client (undefined: none). */
  readonly secret?: string;
  /** The secret is written because its version changed. */
  readonly rotating: boolean;
  /** The owned fields the write changes (the secret aside). */
  readonly changes: readonly FieldChange[];
  readonly exists: boolean;
}

/** A changed object: its spec and what the journal applied last says of it. */
export interface Changed {
  readonly spec: Spec;
  readonly previous: JournalEntry | undefined;
}

const failed = (spec: { kind: Spec["kind"]; id: string }, e: unknown): ObjectResult => result(spec.kind, spec.id, "failed", [], [(e as Error).message]);

/** Runs `f` over `items`, at most `limit` at a time, in order of completion. */
async function eachLimited<T>(items: readonly T[], limit: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await f(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** What to read for the changed specs: the objects, and everything they refer to. */
function batchRequest(specs: readonly Spec[]): BatchRequest {
  const r = emptyRequest();
  for (const spec of specs) readsFor(r, spec);
  return done(r);
}

function notOurs(spec: Spec, tenant: TenantRef): EngineError {
  return new EngineError(
    "OWNED_ELSEWHERE",
    `${spec.kind} ${spec.id} already exists in ${tenant.baseUrl} (realm ${tenant.realm}) and was not created by this stack; ` +
      `to manage it from code, set adopt: true on its construct (owned fields are then reconciled; nothing else changes), ` +
      `or choose another id` +
      (hasEnvSecret(spec) && unitOf(spec.kind).secret ? `; if this stack created it in an apply that was interrupted, export ${spec.secret.env} with its secret: the stack then proves it is its own` : ""),
  );
}

/** A client's or an environment secret's value from the environment, checked (never printed) before any write. */
export function secretValue(spec: WithEnvSecret, env: Record<string, string | undefined>): string | undefined {
  const value = env[spec.secret.env] || undefined;
  if (value !== undefined && value.length < MIN_SECRET_LENGTH) throw secretTooShort(spec.secret.env, `${spec.kind} ${spec.id}`, MIN_SECRET_LENGTH);
  if (value) registerSecret(value);
  return value;
}

/**
 * Whether the secret's version differs from the one applied last (a rotation), or the client gets
 * a secret from the environment it had not (from the tenant's store, or a service app's keys
 * before: the last apply recorded no version).
 */
export function rotates(spec: Spec, previous: JournalEntry | undefined): boolean {
  return hasEnvSecret(spec) && previous !== undefined && previous.secret !== String(spec.secret.version);
}

/**
 * The secret to write with a client: on create and on rotation only (never with another change,
 * an adoption or a recognition: AM cannot compare secrets, so a write would silently rotate it).
 */
function clientSecret(spec: WithEnvSecret, previous: JournalEntry | undefined, exists: boolean, env: Record<string, string | undefined>): string | undefined {
  const value = secretValue(spec, env);
  if (!exists && !value) throw secretNotSet(spec.secret.env, `${spec.kind} ${spec.id}`);
  if (exists && rotates(spec, previous) && !value) {
    throw rotationPending(spec.secret.env, `${spec.kind} ${spec.id}`, previous!.secret, spec.secret.version);
  }
  return !exists || rotates(spec, previous) ? value : undefined;
}

/** Pending creations a grant may refer to before they exist. */
const PENDING_ID = "(created by this apply)";

/** The token endpoint auth method of a live client (AM's default when unset). */
function liveAuthMethod(client: Record<string, unknown> | undefined): string {
  const group = client?.advancedOAuth2ClientConfig as Record<string, { value?: unknown } | undefined> | undefined;
  const method = group?.tokenEndpointAuthMethod?.value;
  return typeof method === "string" ? method : "client_secret_basic";
}

/**
 * The changed objects that exist although the previous journal does not list them and that the
 * stack proves are its own (see ownership.ts), by journal key: clients whose secret from the
 * environment authenticates them, then grants under this tool's derived privilege id whose agent
 * and application are the stack's own. Proofs run in parallel; none writes.
 */
export async function recognize(changed: readonly Changed[], before: Journal["objects"], snapshot: TenantSnapshot, env: Record<string, string | undefined>, prove: SecretProof | undefined): Promise<Set<string>> {
  const recognized = new Set<string>();
  const unlisted = changed.filter(({ spec, previous }) => previous === undefined && !unitOf(spec.kind).realmWide && unitOf(spec.kind).exists(identityOf(spec), snapshot));
  if (prove) {
    const clients = unlisted.flatMap(({ spec }) => (hasEnvSecret(spec) && unitOf(spec.kind).secret ? [spec] : []));
    await eachLimited(clients, WRITE_CONCURRENCY, async (spec) => {
      let secret: string | undefined;
      try {
        secret = secretValue(spec, env);
      } catch {
        return; // too short: prepare() names it
      }
      const live = unitOf(spec.kind).secret!.liveClient(snapshot, spec.id);
      if (secret && live && (await prove(spec.id, liveAuthMethod(live), secret))) recognized.add(journalKey(spec));
    });
  }
  const ours = (kind: Spec["kind"], id: string) => `${kind}/${id}` in before || recognized.has(`${kind}/${id}`);
  for (const { spec } of unlisted) if (unitOf(spec.kind).recognizes?.(spec, snapshot, ours)) recognized.add(journalKey(spec));
  return recognized;
}

/**
 * Checks every changed object against one snapshot and decides what the sync does to it: both
 * lists are complete, so one run names every problem. `plan` runs the same decision without
 * writing (what it reports is what the sync does).
 */
export function prepare(changed: readonly Changed[], snapshot: TenantSnapshot, tenant: TenantRef, env: Record<string, string | undefined>, recognized: ReadonlySet<string>) {
  const steps: Step[] = [];
  const errors: ObjectResult[] = [];
  const creating = new Set(changed.filter(({ spec }) => !unitOf(spec.kind).exists(identityOf(spec), snapshot)).map(({ spec }) => journalKey(spec)));
  const pending = { placeholder: PENDING_ID, has: (kind: Spec["kind"], id: string) => creating.has(`${kind}/${id}`) };
  for (const { spec, previous } of changed) {
    try {
      const unit = unitOf(spec.kind);
      const exists = unit.present(spec, snapshot);
      const unlisted = !unit.realmWide && unit.exists(identityOf(spec), snapshot) && previous === undefined;
      const isRecognized = unlisted && recognized.has(journalKey(spec));
      const adopting = unlisted && !isRecognized;
      if (adopting && !("adopt" in spec && spec.adopt)) throw notOurs(spec, tenant);
      unit.check?.(spec, previous, snapshot);
      const secret = hasEnvSecret(spec) ? clientSecret(spec, previous, exists, env) : undefined;
      const changes = unit.diff(spec, snapshot, pending);
      steps.push({ spec, previous, adopting, recognized: isRecognized, secret, rotating: exists && rotates(spec, previous), changes, exists });
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      errors.push(failed(spec, e));
    }
  }
  return { steps, errors };
}

/** What a sync created, so that a failure before the first deletion can undo it. */
type Created = { identity: Identity };

/** The objects a sync works on: changed ones (hash differs from the previous journal) and removed ones. */
export interface SyncWork {
  /** Journal entries of the previous journal for the desired tenant (empty when none or another tenant). */
  readonly before: Journal["objects"];
  readonly changed: readonly Changed[];
  /** Objects to delete: in the previous journal, not in code, not forgotten. */
  readonly removed: readonly Identity[];
  /** Objects the previous journal lists that code no longer declares and that are left in the tenant. */
  readonly forgotten: readonly Forgotten[];
}

/** Why an object code no longer declares is forgotten rather than deleted, or undefined: it is deleted. */
export function forgetReason(entry: JournalEntry, identity: Identity, resources: ResourcesInState | undefined): string | undefined {
  if (entry.retain) return `its construct had removalPolicy "retain"`;
  const key = identityKey(identity);
  if (resources?.forgotten.has(key)) return "a removed block with destroy = false drops its resource";
  if (resources?.present && !resources.present.has(key)) return "its resource is not in Terraform's state (terraform state rm)";
  return undefined;
}

/**
 * What changed between the journal applied last and the journal of code, with the specs of the
 * changed objects (checked against their hashes: a stale cdk.tf.json is an error).
 */
export function syncWork(input: SyncInput): SyncWork {
  const { previous, desired } = input;
  const sameTenant = previous !== undefined && tenantKey(previous.tenant) === tenantKey(desired.tenant);
  const before = sameTenant ? previous.objects : {};
  const changed = Object.entries(desired.objects)
    .filter(([key, entry]) => before[key]?.hash !== entry.hash)
    .map(([key, entry]) => {
      const spec = input.specs.get(key);
      if (!spec || specHash(spec) !== entry.hash) {
        throw new EngineError(
          "STALE_CODE",
          `the synthesized stack (cdk.tf.json) does not hold the spec of ${key} that Terraform is applying; run cdktf synth again and re-plan`,
        );
      }
      return { spec, previous: before[key] };
    })
    .sort((a, b) => APPLY_ORDER.indexOf(a.spec.kind) - APPLY_ORDER.indexOf(b.spec.kind));
  const removed: Identity[] = [];
  const forgotten: Forgotten[] = [];
  for (const [key, entry] of Object.entries(previous?.objects ?? {})) {
    if (sameTenant && key in desired.objects) continue;
    const identity = journalIdentity(previous!, entry);
    const why = forgetReason(entry, identity, input.resources);
    if (why) forgotten.push({ identity, why });
    else removed.push(identity);
  }
  return { before, changed, removed, forgotten };
}

/** What plan and apply say of a forgotten object: that it stays, and why (`forgetReason`). */
export const forgottenNote = (why: string): string => `left in the tenant, no longer managed: ${why}`;

/** The line of a forgotten object: what happened, why, and that it is no longer managed. */
export function forgottenResult(identity: Identity, why: string): ObjectResult {
  return { kind: identity.kind, id: identity.id, action: "forgotten", changes: [], notes: [forgottenNote(why)] };
}

/** Runs `f` over `identities` kind by kind in `DELETE_ORDER` (dependents first), each kind in parallel. */
async function byDeleteOrder(identities: readonly Identity[], f: (identity: Identity) => Promise<void>, stop: () => boolean): Promise<void> {
  for (const kind of DELETE_ORDER) {
    if (stop()) return;
    await eachLimited(
      identities.filter((i) => i.kind === kind),
      WRITE_CONCURRENCY,
      f,
    );
  }
}

/** Applies the change from `input.previous` to `input.desired` (see the module comment). */
export async function syncTenant(apiFor: (tenant: TenantRef) => AdminApi, input: SyncInput, options: SyncOptions = {}): Promise<SyncOutcome> {
  const env = options.env ?? process.env;
  const aborted = options.aborted ?? (() => false);
  const results: ObjectResult[] = [];
  const report = (r: ObjectResult) => {
    results.push(r);
    options.onResult?.(r);
  };
  const { desired } = input;
  const { before, changed, removed, forgotten } = syncWork(input);
  for (const { identity, why } of forgotten) report(forgottenResult(identity, why));
  if (changed.length === 0 && removed.length === 0) return { results, failed: 0, nothingToDo: forgotten.length === 0, aborted: false, deleting: false };

  const api = apiFor(desired.tenant);
  const created: Created[] = [];
  let failures = 0;
  const fail = (r: ObjectResult) => {
    failures++;
    report(r);
  };

  // A removed app or agent that a grant this stack does not declare still uses: refused before any
  // write, together with every problem of the changed objects (one run names them all, as plan does).
  const refused = () => ({ results, failed: failures, nothingToDo: false, aborted: false, deleting: false });
  (await grantsInUse(apiFor, removed, options.declarer)).forEach(fail);
  if (changed.length === 0 && failures > 0) return refused();

  if (changed.length > 0) {
    if (!(await api.realmExists())) throw realmNotFound(desired.tenant.realm, desired.tenant.baseUrl);
    const snapshot = await readSnapshot(api, batchRequest(changed.map((c) => c.spec)));
    const recognized = await recognize(changed, before, snapshot, env, options.proveSecret);
    const { steps, errors } = prepare(changed, snapshot, desired.tenant, env, recognized);
    errors.forEach(fail);
    if (failures > 0) return refused();
    const run = async (step: Step, write: () => Promise<ObjectResult>) => {
      if (failures > 0 || aborted()) return;
      try {
        report(await write());
      } catch (e) {
        fail(failed(step.spec, e));
      }
    };
    const context: WriteContext = { created: (identity) => created.push({ identity }), newUid: options.newUid ?? randomUUID };
    for (const stage of APPLY_STAGES) {
      // Steps are in APPLY_ORDER (syncWork sorts them), so a stage's are in KINDS order.
      const staged = steps.filter((s) => stage.includes(s.spec.kind));
      const refers = refersToCreated(stage);
      if (refers && (staged.length === 0 || failures > 0 || aborted())) continue;
      // Agents and applications this sync created are found by a second read.
      const read = refers && created.length > 0 ? await readSnapshot(api, batchRequest(staged.map((s) => s.spec))) : snapshot;
      await eachLimited(staged, WRITE_CONCURRENCY, (step) => run(step, () => writeStep(api, step, read, context)));
    }
  }
  const notices: string[] = [];
  if (failures === 0 && !aborted()) {
    const say = (line: string) => {
      notices.push(line);
      options.onNotice?.(line);
    };
    (await afterWrites(api, results, input.specs, { say, aborted })).forEach(fail);
  }

  // Past this point creations are kept: undoing them after an old object is gone would leave a
  // renamed object with neither identity. The next apply recognizes them and finishes the removals.
  const deleting = failures === 0 && !aborted() && removed.length > 0;
  if (deleting) {
    await byDeleteOrder(
      removed,
      async (identity) => {
        if (aborted()) return;
        try {
          report(await deleteIdentity(apiFor(identity.tenant), identity));
        } catch (e) {
          fail(failed(identity, e));
        }
      },
      () => failures > 0 || aborted(),
    );
  }

  const stopped = aborted();
  if (!deleting && (failures > 0 || stopped)) await rollback(api, created, report, fail, stopped);
  return { results, failed: failures, nothingToDo: false, aborted: stopped, deleting, ...(notices.length > 0 ? { notices } : {}) };
}

const WROTE: readonly ObjectResult["action"][] = ["created", "updated", "adopted"];

/** The kinds' `afterWrites`, each function once, with the objects of its kinds this sync wrote; what they fail. */
async function afterWrites(api: AdminApi, results: readonly ObjectResult[], specs: ReadonlyMap<string, Spec>, context: AfterWritesContext): Promise<ObjectResult[]> {
  const written = new Map<NonNullable<ReturnType<typeof unitOf>["afterWrites"]>, Spec[]>();
  for (const r of results) {
    const hook = unitOf(r.kind).afterWrites;
    const spec = specs.get(journalKey(r));
    if (!hook || !spec || !WROTE.includes(r.action)) continue;
    written.set(hook, [...(written.get(hook) ?? []), spec]);
  }
  const failures: ObjectResult[] = [];
  for (const [hook, specs] of written) {
    // A hook that throws (the tenant stopped answering while a restart ran) fails the first of its objects.
    failures.push(...(await hook(api, specs, context).catch((e: unknown) => [failed(specs[0], e)])));
  }
  return failures;
}

/** Whether a stage refers to objects an earlier stage may create whose ids the tenant assigns (not only to realm-wide ones or ids known at synth). */
function refersToCreated(stage: readonly Spec["kind"][]): boolean {
  return stage.some((kind) => unitOf(kind).dependsOn.some((d) => !unitOf(d).realmWide && !unitOf(d).idsKnownAtSynth));
}

/**
 * A step's write by its kind's unit; a rotated secret and a recognized object say so (in the
 * engine's wording: `wording.ts` imports the kinds, so a unit does not import it).
 */
async function writeStep(api: AdminApi, step: Step, snapshot: TenantSnapshot, context: WriteContext): Promise<ObjectResult> {
  const r = await unitOf(step.spec.kind).write(api, step, snapshot, context);
  const { spec } = step;
  const rotated = step.rotating && hasEnvSecret(spec) ? [rotatedNote(spec.kind, step.previous?.secret, spec.secret.version)] : [];
  const notes = [...rotated, ...r.notes, ...(step.recognized ? [RECOGNIZED_NOTE] : [])];
  return notes.length === r.notes.length ? r : { ...r, notes };
}

/** Said of an object the journal did not list and that the stack proved its own. */
export const RECOGNIZED_NOTE = "recognized as this stack's own (created by an apply that did not finish): managed again";

/** Undoes what this sync created, dependents first, each kind in parallel; what cannot be undone is reported as failed. */
async function rollback(api: AdminApi, created: Created[], report: (r: ObjectResult) => void, fail: (r: ObjectResult) => void, stopped: boolean): Promise<void> {
  const why = stopped ? "this apply was stopped" : "this apply failed";
  const NOTE = `rolled back: ${why} before any deletion, so what it created is removed (the next apply creates it again)`;
  await byDeleteOrder(
    created.map((c) => c.identity),
    async (identity) => {
      try {
        const r = await deleteIdentity(api, identity);
        report({ ...r, notes: [NOTE] });
      } catch (e) {
        fail(result(identity.kind, identity.id, "failed", [], [`could not roll back (${(e as Error).message}); the next apply recognizes it as this stack's own when its secret is set`]));
      }
    },
    () => false,
  );
}
