/**
 * The sync: one process applies a whole tenant's change, from the journal applied last to the
 * journal of code. Only objects whose spec hash changed are read (with batched list calls) and
 * written (in parallel, one admin session); removed objects are deleted after everything else
 * succeeded. Its guarantees, which the README's "How changes, removals and renames behave" states:
 *
 * - Every precondition of every object is checked before the first write: unknown users and
 *   groups, a secret missing for a create or a rotation, a secret too short to be redacted, an
 *   object that exists but that this stack never created (unless the construct says `adopt`),
 *   provider grant types that `removalPolicy: "destroy"` would take from the realm.
 * - New objects are created before old ones are deleted (a renamed client id, a moved tenant).
 * - An apply that fails, or whose Terraform is gone, leaves nothing it created: creations (and
 *   grant types it turned on) are undone, deletions are not started, and the caller keeps the old
 *   journal so that the next apply does the same work again.
 */
import { randomUUID } from "node:crypto";
import { MIN_SECRET_LENGTH, registerSecret } from "../client/errors";
import type { AdminApi } from "../client/types";
import { journalIdentity, journalKey, specHash, type Journal, type JournalEntry } from "../contract/journal";
import { DELETE_ORDER, identityOf, tenantKey, type Identity, type Spec, type SpecOf, type TenantRef } from "../contract/spec";
import { grantPrivilegeId, planAgentGrant } from "./agent-grant";
import { planAiAgent } from "./ai-agent";
import { deleteIdentity, updateProvider, writeAmClient, writeIdm, type ClientWriter } from "./apply";
import { agentGrantLive, aiAgentLive, done, emptyRequest, existsLive, readSnapshot, readsFor, webAppLive, type BatchRequest, type TenantSnapshot } from "./batch";
import { EngineError, realmNotFound, secretNotSet, secretTooShort } from "./errors";
import type { FieldChange } from "./fields";
import { SECRET_CHANGE, type AmClientPlan, type IdmPlan } from "./owned";
import { planProviderGrants, planProviderRemoval } from "./provider-grants";
import type { Action, ObjectResult } from "./result";
import { planWebApp } from "./web-app";

/** Objects written at once (each a few calls); the admin client shares one session. */
const WRITE_CONCURRENCY = 16;
/** The order of creation: what others refer to first. */
const APPLY_ORDER: readonly Spec["kind"][] = [...DELETE_ORDER].reverse();

export interface SyncInput {
  /** The journal applied last; undefined on the first apply of a stack. */
  readonly previous: Journal | undefined;
  /** The journal of code (no objects: delete everything the previous one lists). */
  readonly desired: Journal;
  /** The specs of the desired objects, by journal key (at least those whose hash changed). */
  readonly specs: ReadonlyMap<string, Spec>;
}

export interface SyncOptions {
  /** Where secret values are read from (default `process.env`). */
  readonly env?: Record<string, string | undefined>;
  /** One line per object, as soon as it is known. */
  readonly onResult?: (r: ObjectResult) => void;
  /** True once the sync must stop and undo what it created (its Terraform is gone, say). */
  readonly aborted?: () => boolean;
  readonly newUid?: () => string;
}

export interface SyncOutcome {
  readonly results: readonly ObjectResult[];
  readonly failed: number;
  /** No object changed in code: nothing was read or written. */
  readonly nothingToDo: boolean;
  /** Stopped before the end because `aborted()` said so (what it created was undone). */
  readonly aborted: boolean;
}

/** What the sync does to one changed object, worked out before any write. */
interface Step {
  readonly spec: Spec;
  readonly previous: JournalEntry | undefined;
  /** The object exists in the tenant and was not created by this stack: taken over (`adopt`). */
  readonly adopting: boolean;
  /** The client secret to write with the client (undefined: none). */
  readonly secret?: string;
}

function result(kind: Spec["kind"], id: string, action: Action, changes: readonly FieldChange[] = [], notes: string[] = []): ObjectResult {
  return { kind, id, action, changes, notes };
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
      `or choose another id`,
  );
}

/** The secret checks of a client: all before any write. */
function clientSecret(spec: SpecOf<"web-app"> | SpecOf<"ai-agent">, previous: JournalEntry | undefined, exists: boolean, env: Record<string, string | undefined>): string | undefined {
  const value = env[spec.secret.env] || undefined;
  if (value !== undefined && value.length < MIN_SECRET_LENGTH) throw secretTooShort(spec.secret.env, `${spec.kind} ${spec.id}`, MIN_SECRET_LENGTH);
  if (value) registerSecret(value);
  if (!exists && !value) throw secretNotSet(spec.secret.env, `${spec.kind} ${spec.id}`);
  const version = String(spec.secret.version);
  if (previous?.secret !== undefined && previous.secret !== version && !value) {
    throw new EngineError(
      "ROTATION_PENDING",
      `${spec.secret.env} is not set: ${spec.kind} ${spec.id} rotates its secret (version ${previous.secret} → ${version}); export the new secret in the environment Terraform runs in and apply again`,
    );
  }
  return value;
}

/** Grant types that `removalPolicy: "destroy"` would own although the realm had them before. */
function providerOwnership(spec: SpecOf<"oauth2-provider-grants">, previous: JournalEntry | undefined, live: string[]): void {
  if (spec.removalPolicy !== "destroy") return;
  const owned = previous?.removal?.policy === "destroy" ? previous.removal.grantTypes : [];
  const preexisting = spec.owned.grantTypes.filter((g) => live.includes(g) && !owned.includes(g));
  if (preexisting.length === 0) return;
  throw new EngineError(
    "OWNED_ELSEWHERE",
    `grant types ${JSON.stringify(preexisting)} are already on in realm ${spec.tenant.realm}, not turned on by this stack; with removalPolicy "destroy" the stack would take them off when it goes. ` +
      `Use removalPolicy "retain", or turn them off first so that this stack owns them`,
  );
}

/** Pending creations a grant may refer to before they exist. */
const PENDING_ID = "(created by this apply)";

/**
 * Checks every changed object against one snapshot and returns the steps, or throws nothing and
 * returns the errors: both lists are complete, so one run names every problem.
 */
function prepare(changed: readonly { spec: Spec; previous: JournalEntry | undefined }[], snapshot: TenantSnapshot, tenant: TenantRef, env: Record<string, string | undefined>) {
  const steps: Step[] = [];
  const errors: ObjectResult[] = [];
  const creating = new Set(changed.filter(({ spec }) => !existsLive(identityOf(spec), snapshot)).map(({ spec }) => journalKey(spec)));
  for (const { spec, previous } of changed) {
    try {
      const exists = existsLive(identityOf(spec), snapshot);
      const adopting = exists && previous === undefined && spec.kind !== "oauth2-provider-grants";
      if (adopting && !("adopt" in spec && spec.adopt)) throw notOurs(spec, tenant);
      let secret: string | undefined;
      switch (spec.kind) {
        case "oauth2-provider-grants":
          providerOwnership(spec, previous, snapshot.provider?.advancedOAuth2Config?.grantTypes ?? []);
          break;
        case "web-app":
          secret = clientSecret(spec, previous, exists, env);
          planWebApp(spec, webAppLive(snapshot, spec));
          break;
        case "ai-agent":
          secret = clientSecret(spec, previous, exists, env);
          planAiAgent(spec, aiAgentLive(snapshot, spec), PENDING_ID);
          break;
        case "agent-grant": {
          const found = agentGrantLive(snapshot, spec, grantPrivilegeId(spec));
          const pending = (kind: string, id: string) => (creating.has(`${kind}/${id}`) ? PENDING_ID : undefined);
          planAgentGrant(spec, {
            ...found,
            agentUid: found.agentUid ?? pending("ai-agent", spec.owned.agent),
            applicationId: found.applicationId ?? pending("web-app", spec.owned.application),
          });
          break;
        }
      }
      steps.push({ spec, previous, adopting, secret });
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      errors.push(failed(spec, e));
    }
  }
  return { steps, errors };
}

/** Undo information for what a sync created. */
type Created = { identity: Identity } | { addedGrantTypes: string[] };

/** Applies the change from `input.previous` to `input.desired` (see the module comment). */
export async function syncTenant(apiFor: (tenant: TenantRef) => AdminApi, input: SyncInput, options: SyncOptions = {}): Promise<SyncOutcome> {
  const env = options.env ?? process.env;
  const aborted = options.aborted ?? (() => false);
  const results: ObjectResult[] = [];
  const report = (r: ObjectResult) => {
    results.push(r);
    options.onResult?.(r);
  };
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
  const removed: Identity[] = previous
    ? Object.entries(previous.objects)
        .filter(([key]) => !(sameTenant && key in desired.objects))
        .map(([, entry]) => journalIdentity(previous, entry))
        .sort((a, b) => DELETE_ORDER.indexOf(a.kind) - DELETE_ORDER.indexOf(b.kind))
    : [];
  if (changed.length === 0 && removed.length === 0) return { results, failed: 0, nothingToDo: true, aborted: false };

  const api = apiFor(desired.tenant);
  const created: Created[] = [];
  let failures = 0;
  const fail = (r: ObjectResult) => {
    failures++;
    report(r);
  };

  if (changed.length > 0) {
    if (!(await api.realmExists())) throw realmNotFound(desired.tenant.realm, desired.tenant.baseUrl);
    const snapshot = await readSnapshot(api, batchRequest(changed.map((c) => c.spec)));
    const { steps, errors } = prepare(changed, snapshot, desired.tenant, env);
    if (errors.length > 0) {
      errors.forEach(fail);
      return { results, failed: failures, nothingToDo: false, aborted: false };
    }
    const run = async (step: Step, write: () => Promise<ObjectResult>) => {
      if (failures > 0 || aborted()) return;
      try {
        report(await write());
      } catch (e) {
        fail(failed(step.spec, e));
      }
    };
    const byKind = (kind: Spec["kind"]) => steps.filter((s) => s.spec.kind === kind);
    for (const step of byKind("oauth2-provider-grants")) await run(step, () => applyProvider(api, step, created));
    await eachLimited([...byKind("web-app"), ...byKind("ai-agent")], WRITE_CONCURRENCY, (step) =>
      run(step, () => applyClient(api, step, snapshot, created, options.newUid ?? randomUUID)),
    );
    const grants = byKind("agent-grant");
    if (grants.length > 0 && failures === 0 && !aborted()) {
      // Agents and applications this sync created are found by a second read.
      const fresh = created.length > 0 ? await readSnapshot(api, batchRequest(grants.map((g) => g.spec))) : snapshot;
      await eachLimited(grants, WRITE_CONCURRENCY, (step) => run(step, () => applyGrant(api, step, fresh, created)));
    }
  }

  if (failures === 0 && !aborted()) {
    for (const identity of removed) {
      try {
        report(await deleteIdentity(apiFor(identity.tenant), identity));
      } catch (e) {
        fail(failed(identity, e));
        break;
      }
    }
  }

  const stopped = aborted();
  if (failures > 0 || stopped) await rollback(api, created, report, fail);
  return { results, failed: failures, nothingToDo: false, aborted: stopped };
}

async function applyProvider(api: AdminApi, step: Step, created: Created[]): Promise<ObjectResult> {
  const spec = step.spec as SpecOf<"oauth2-provider-grants">;
  let added: string[] = [];
  const { plan, wrote } = await updateProvider(api, (live) => {
    const before = live?.advancedOAuth2Config?.grantTypes ?? [];
    added = spec.owned.grantTypes.filter((g) => !before.includes(g));
    return planProviderGrants(spec, live);
  });
  if (added.length > 0) created.push({ addedGrantTypes: added });
  return result(spec.kind, spec.id, plan.write === "create" ? "created" : wrote ? "updated" : "unchanged", plan.changes);
}

/** The AM client (with its secret), then its IDM side; a client created here is removed again if its IDM side fails. */
async function applyClient(api: AdminApi, step: Step, snapshot: TenantSnapshot, created: Created[], newUid: () => string): Promise<ObjectResult> {
  const spec = step.spec as SpecOf<"web-app"> | SpecOf<"ai-agent">;
  let client: AmClientPlan;
  let idm: IdmPlan;
  let put: ClientWriter;
  if (spec.kind === "web-app") {
    const plan = planWebApp(spec, webAppLive(snapshot, spec));
    [client, idm, put] = [plan.client, plan.application, (id, b, o) => api.putOAuth2Client(id, b, o)];
  } else {
    const plan = planAiAgent(spec, aiAgentLive(snapshot, spec), newUid());
    [client, idm, put] = [plan.agent, plan.owners, (id, b, o) => api.putAiAgent(id, b, o)];
  }
  const creating = client.write === "create";
  const identity: Identity = { kind: spec.kind, tenant: spec.tenant, id: spec.id };
  const wroteClient = await writeAmClient(put, spec.id, client, step.secret);
  let wroteIdm: boolean;
  try {
    wroteIdm = await writeIdm(api, idm);
  } catch (e) {
    if (creating || idm.write === "create") await deleteIdentity(api, identity).catch(() => undefined);
    throw e;
  }
  if (creating || idm.write === "create") created.push({ identity });
  const changes = [...client.changes, ...(step.secret ? [SECRET_CHANGE] : []), ...idm.changes];
  const notes = step.secret && !creating ? [`secret written (version ${spec.secret.version})`] : [];
  const action: Action = creating ? "created" : step.adopting ? "adopted" : wroteClient || wroteIdm ? "updated" : "unchanged";
  return result(spec.kind, spec.id, action, changes, notes);
}

async function applyGrant(api: AdminApi, step: Step, snapshot: TenantSnapshot, created: Created[]): Promise<ObjectResult> {
  const spec = step.spec as SpecOf<"agent-grant">;
  const plan = planAgentGrant(spec, agentGrantLive(snapshot, spec, grantPrivilegeId(spec)));
  const wrote = await writeIdm(api, plan);
  if (plan.write === "create") created.push({ identity: { kind: spec.kind, tenant: spec.tenant, id: spec.id } });
  const action: Action = plan.write === "create" ? "created" : step.adopting ? "adopted" : wrote ? "updated" : "unchanged";
  return result(spec.kind, spec.id, action, plan.changes);
}

/** Undoes what this sync created, dependents first; what cannot be undone is reported as failed. */
async function rollback(api: AdminApi, created: Created[], report: (r: ObjectResult) => void, fail: (r: ObjectResult) => void): Promise<void> {
  const NOTE = "rolled back: this apply failed, so what it created is removed (the next apply creates it again)";
  const identities = created.flatMap((c) => ("identity" in c ? [c.identity] : []));
  identities.sort((a, b) => DELETE_ORDER.indexOf(a.kind) - DELETE_ORDER.indexOf(b.kind));
  for (const identity of identities) {
    try {
      const r = await deleteIdentity(api, identity);
      report({ ...r, notes: [NOTE] });
    } catch (e) {
      fail(result(identity.kind, identity.id, "failed", [], [`could not roll back (${(e as Error).message}); the next apply reports it as not created by this stack: delete it, or set adopt: true`]));
    }
  }
  const added = created.flatMap((c) => ("addedGrantTypes" in c ? c.addedGrantTypes : []));
  if (added.length > 0) {
    try {
      const { plan } = await updateProvider(api, (live) => planProviderRemoval({ policy: "destroy", grantTypes: added }, live));
      report(result("oauth2-provider-grants", "oauth2-provider", "updated", plan.changes, [NOTE]));
    } catch (e) {
      fail(result("oauth2-provider-grants", "oauth2-provider", "failed", [], [`could not take grant types ${JSON.stringify(added)} off again: ${(e as Error).message}`]));
    }
  }
}
