/**
 * The engine's writes, shared by the kinds (`src/kinds/`): their apply (upsert, secret included;
 * `reconcile` uses it) and delete (the sync's removals and rollbacks). Each apply reads live
 * state, plans with the pure modules, checks every precondition, and only then writes.
 */
import { isAicApiError, MIN_SECRET_LENGTH, registerSecret } from "../client/errors";
import type { AdminApi } from "../client/types";
import type { OAuth2Provider } from "../contract/schemas";
import type { ClientKind } from "../contract/constants";
import { hasEnvSecret, type SecretRef, type Spec, type SpecOf } from "../contract/spec";
import { secretNotSet, secretTooShort } from "./errors";
import { setIn, type FieldChange } from "./fields";
import { SECRET_CHANGE, SECRET_FIELD, type AmClientPlan, type IdmPlan } from "./owned";
import type { ProviderPlan } from "./provider-grants";
import type { Action, ObjectResult } from "./result";

export interface EngineOptions {
  /** Where secret values are read from (default `process.env`). */
  readonly env?: Record<string, string | undefined>;
  /**
   * When a secret is written: on create and whenever its variable is set (`when-set`, a
   * provisioner's apply, which runs only when the spec changed), or on create only (`on-create`,
   * reconcile, which runs on every apply).
   * @default "when-set"
   */
  readonly secrets?: "when-set" | "on-create";
  /**
   * The secret version applied last (the journal's), for kinds whose secret write is not
   * idempotent (an environment secret adds a version): another version in the spec is a version
   * bump, written when `secrets` is `when-set`. Undefined: no bump is known, none is written.
   */
  readonly appliedSecretVersion?: string;
  /** The IDM id of a new AI agent's identity (default: a random uuid). */
  readonly newUid?: () => string;
}

/** The secret a client write carries (undefined: none), and what the result says about it. */
interface SecretWrite {
  readonly value: string | undefined;
  readonly changes: FieldChange[];
  readonly notes: string[];
}

/**
 * A create needs the secret (checked before any write). An update writes it whenever its
 * variable is set: AM never returns a secret, so it cannot be compared, and a version bump
 * (which re-runs apply) is how a rotation reaches here.
 */
function secretWrite(options: EngineOptions, secret: SecretRef | undefined, id: string, creating: boolean): SecretWrite {
  // In the tenant's store (Secret.fromEsv): AM reads it there, nothing is written here.
  if (secret === undefined) return { value: undefined, changes: [], notes: [] };
  const value = (options.env ?? process.env)[secret.env] || undefined;
  if (value && value.length < MIN_SECRET_LENGTH) throw secretTooShort(secret.env, id, MIN_SECRET_LENGTH);
  if (value) registerSecret(value);
  if (creating) {
    if (!value) throw secretNotSet(secret.env, id);
    return { value, changes: [], notes: [] };
  }
  if (options.secrets === "on-create") return { value: undefined, changes: [], notes: [] };
  return value
    ? { value, changes: [SECRET_CHANGE], notes: [`secret written (version ${secret.version})`] }
    : { value, changes: [], notes: [`secret not written: ${secret.env} is not set (set it to rotate)`] };
}

function withSecret(body: Record<string, unknown>, secret: string): Record<string, unknown> {
  const copy = structuredClone(body);
  setIn(copy, SECRET_FIELD, secret);
  return copy;
}

/** One object's line of an apply or delete. */
export function result(kind: Spec["kind"], id: string, action: Action, changes: readonly FieldChange[] = [], notes: readonly string[] = []): ObjectResult {
  return { kind, id, action, changes, notes };
}

/** `created` when the primary object was created, else `updated` when anything was written. */
export function upsertAction(created: boolean, wrote: boolean): Action {
  return created ? "created" : wrote ? "updated" : "unchanged";
}

export async function writeIdm(api: AdminApi, plan: IdmPlan): Promise<boolean> {
  if (plan.write === "create") await api.createManaged(plan.object, plan.id, plan.body!);
  else if (plan.write === "patch") await api.patchManaged(plan.object, plan.id, plan.patch!);
  return plan.write !== "none";
}

export type ClientWriter = (id: string, body: Record<string, unknown>, options?: { createOnly?: boolean }) => Promise<unknown>;

/** PUT an AM client (web app or agent) per its plan, and whenever there is a secret to write. */
export async function writeAmClient(put: ClientWriter, id: string, plan: AmClientPlan, secret: string | undefined): Promise<boolean> {
  if (plan.write === "none" && secret === undefined) return false;
  const body = secret === undefined ? plan.body : withSecret(plan.body, secret);
  await put(id, body, plan.write === "create" ? { createOnly: true } : undefined);
  return true;
}

async function writeProvider(api: AdminApi, plan: ProviderPlan): Promise<boolean> {
  let aiAgentsOn = false;
  if (plan.write === "create") aiAgentsOn = (await api.createProvider(plan.body!)).aiAgentsConfig?.aiAgentsEnabled === true;
  else if (plan.write === "update") await api.putProvider(plan.body!, { ifMatch: plan.rev });
  if (plan.enableAiAgents && !aiAgentsOn) await api.enableAiAgents();
  return plan.write !== "none" || plan.enableAiAgents;
}

/** Attempts at the realm-wide provider's read-modify-write before giving up on concurrent writers. */
const PROVIDER_ATTEMPTS = 5;

/**
 * Reads the provider, plans, writes under `If-Match`; when another writer (another stack, the
 * console) changed it meanwhile, reads and plans again, so that neither write is lost.
 */
export async function updateProvider<P extends ProviderPlan>(api: AdminApi, planFor: (live: OAuth2Provider | undefined) => P) {
  for (let attempt = 1; ; attempt++) {
    const plan = planFor(await api.getProvider());
    try {
      return { plan, wrote: await writeProvider(api, plan) };
    } catch (e) {
      if (attempt >= PROVIDER_ATTEMPTS || !isAicApiError(e, "PRECONDITION_FAILED")) throw e;
    }
  }
}

/**
 * An application or an agent: the AM client (with its secret when one is to be written), then its IDM
 * side (the application record, or the identity's owners).
 */
export async function applyClient(
  spec: SpecOf<ClientKind>,
  options: EngineOptions,
  client: AmClientPlan,
  idm: IdmPlan,
  put: ClientWriter,
  api: AdminApi,
): Promise<ObjectResult> {
  const creating = client.write === "create";
  const secret = secretWrite(options, hasEnvSecret(spec) ? spec.secret : undefined, spec.id, creating);
  const wroteClient = await writeAmClient(put, spec.id, client, secret.value);
  const wroteIdm = await writeIdm(api, idm);
  const changes = [...client.changes, ...secret.changes, ...idm.changes];
  return result(spec.kind, spec.id, upsertAction(creating, wroteClient || wroteIdm), changes, secret.notes);
}
