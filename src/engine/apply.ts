/**
 * The engine's writes for one object: apply (upsert, secret included; `reconcile` uses it) and
 * delete (the sync's removals and rollbacks). Each reads live state,
 * plans with the pure modules, checks every precondition, and only then writes.
 */
import { randomUUID } from "node:crypto";
import { isAicApiError, MIN_SECRET_LENGTH, registerSecret } from "../client/errors";
import type { AdminApi } from "../client/types";
import type { OAuth2Provider } from "../contract/schemas";
import type { Identity, SecretRef, Spec, SpecOf } from "../contract/spec";
import { planAgentGrant } from "./agent-grant";
import { planAiAgent } from "./ai-agent";
import { secretNotSet, secretTooShort } from "./errors";
import { setIn, type FieldChange } from "./fields";
import { readAgentGrants, readAiAgents, readWebApps, findApplication, findPrivilegeByPair } from "./live";
import { SECRET_CHANGE, SECRET_FIELD, type AmClientPlan, type IdmPlan } from "./owned";
import { planProviderGrants, planProviderRemoval, type ProviderPlan } from "./provider-grants";
import { privilegeId } from "./refs";
import type { Action, ObjectResult } from "./result";
import { planWebApp } from "./web-app";

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
function secretWrite(options: EngineOptions, secret: SecretRef, id: string, creating: boolean): SecretWrite {
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

function result(kind: Spec["kind"], id: string, action: Action, changes: readonly FieldChange[], notes: string[] = []): ObjectResult {
  return { kind, id, action, changes, notes };
}

/** `created` when the primary object was created, else `updated` when anything was written. */
function upsertAction(created: boolean, wrote: boolean): Action {
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
export async function updateProvider(api: AdminApi, planFor: (live: OAuth2Provider | undefined) => ProviderPlan) {
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
 * A web app or an agent: the AM client (with its secret when one is to be written), then its IDM
 * side (the application record, or the identity's owners).
 */
async function applyClient(
  spec: SpecOf<"web-app"> | SpecOf<"ai-agent">,
  options: EngineOptions,
  client: AmClientPlan,
  idm: IdmPlan,
  put: ClientWriter,
  api: AdminApi,
): Promise<ObjectResult> {
  const creating = client.write === "create";
  const secret = secretWrite(options, spec.secret, spec.id, creating);
  const wroteClient = await writeAmClient(put, spec.id, client, secret.value);
  const wroteIdm = await writeIdm(api, idm);
  const changes = [...client.changes, ...secret.changes, ...idm.changes];
  return result(spec.kind, spec.id, upsertAction(creating, wroteClient || wroteIdm), changes, secret.notes);
}

/** Creates or updates the object a spec describes, in place. */
export async function applySpec(api: AdminApi, spec: Spec, options: EngineOptions = {}): Promise<ObjectResult> {
  switch (spec.kind) {
    case "oauth2-provider-grants": {
      const { plan, wrote } = await updateProvider(api, (live) => planProviderGrants(spec, live));
      return result(spec.kind, spec.id, upsertAction(plan.write === "create", wrote), plan.changes);
    }
    case "web-app": {
      const live = (await readWebApps(api, [spec])).get(spec.id)!;
      const plan = planWebApp(spec, live);
      return applyClient(spec, options, plan.client, plan.application, (id, b, o) => api.putOAuth2Client(id, b, o), api);
    }
    case "ai-agent": {
      const live = (await readAiAgents(api, [spec])).get(spec.id)!;
      const plan = planAiAgent(spec, live, (options.newUid ?? randomUUID)());
      return applyClient(spec, options, plan.agent, plan.owners, (id, b, o) => api.putAiAgent(id, b, o), api);
    }
    case "agent-grant": {
      const live = (await readAgentGrants(api, [spec])).get(spec.id)!;
      const plan = planAgentGrant(spec, live);
      const wrote = await writeIdm(api, plan);
      return result(spec.kind, spec.id, upsertAction(plan.write === "create", wrote), plan.changes);
    }
  }
}

/** Deletes the object an identity names; an object already gone is fine. Dependents first is the caller's order. */
export async function deleteIdentity(api: AdminApi, identity: Identity): Promise<ObjectResult> {
  const { kind, id } = identity;
  switch (kind) {
    case "oauth2-provider-grants": {
      if (!identity.removal || identity.removal.policy === "retain") {
        return result(kind, id, "unchanged", [], ["retained (removal policy retain): grant types left on"]);
      }
      const removal = identity.removal;
      const { plan, wrote } = await updateProvider(api, (live) => planProviderRemoval(removal, live));
      return result(kind, id, wrote ? "deleted" : "absent", plan.changes, wrote ? [] : ["declared grant types already off"]);
    }
    case "web-app": {
      // The IDM record names the client, so it goes first.
      const application = await findApplication(api, id);
      const appDeleted = application ? await api.deleteManaged("application", application._id) : false;
      const clientDeleted = await api.deleteOAuth2Client(id);
      const notes = [
        ...(appDeleted ? [] : ["application record already gone"]),
        ...(clientDeleted ? [] : ["OAuth2 client already gone"]),
      ];
      return result(kind, id, appDeleted || clientDeleted ? "deleted" : "absent", [], notes);
    }
    case "ai-agent": {
      // AM removes the IDM identity with the agent.
      const deleted = await api.deleteAiAgent(id);
      return result(kind, id, deleted ? "deleted" : "absent", [], deleted ? [] : ["already gone"]);
    }
    case "agent-grant": {
      const [agent, application] = id.split("/");
      let deleted = await api.deleteManaged("aiagentprivilege", privilegeId(identity.tenant.realm, agent, application));
      if (!deleted) {
        // Made elsewhere (the console, then adopted): it has an id of its own; found by its pair.
        const made = await findPrivilegeByPair(api, agent, (await findApplication(api, application))?._id);
        if (made) deleted = await api.deleteManaged("aiagentprivilege", made._id);
      }
      return result(kind, id, deleted ? "deleted" : "absent", [], deleted ? [] : ["already gone"]);
    }
  }
}
