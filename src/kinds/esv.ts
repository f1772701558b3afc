/**
 * Environment secrets and variables (`EnvironmentSecret`, `EnvironmentVariable`): AIC's ESVs,
 * tenant-wide objects of `/environment`. Pure planning is `src/engine/esv.ts`.
 *
 * A secret's value comes from the environment variable its spec names, read by the sync only on
 * create and on a version bump; a bump adds a secret version and leaves the older ones ENABLED
 * (the tenant never disables the latest). A change that the running configuration has yet to load
 * is said once after the writes (`restartNotice`): no restart is done.
 */
import { MIN_SECRET_LENGTH, registerSecret } from "../client/errors";
import type { AdminApi } from "../client/types";
import { EsvSecretSpec as secretSchema, EsvVariableSpec as variableSchema } from "../contract/spec";
import { result, upsertAction, type EngineOptions } from "../engine/apply";
import { rotationPending, secretNotSet, secretTooShort } from "../engine/errors";
import { checkFixedOnCreate, ESV_VALUE_CHANGE, ESV_VALUE_FIELD, planEsvSecret, planEsvVariable, type EsvPlan, type EsvSecretSpec, type EsvVariableSpec } from "../engine/esv";
import { rotatedWords, type FieldChange } from "../engine/fields";
import type { Action } from "../engine/result";
import type { KindUnit } from "./unit";

/**
 * The line said once after ESVs were written when the tenant counts changes its running
 * configuration has not loaded (a restart loads them); undefined when none waits.
 */
export async function restartNotice(api: AdminApi): Promise<string | undefined> {
  const pending = await api.countPendingEsvs();
  if (pending.secrets + pending.variables === 0) return undefined;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  return `ESV changes are pending until the tenant restarts (${count(pending.secrets, "secret")}, ${count(pending.variables, "variable")} not yet loaded); no restart was done: restart the tenant's environment when ready`;
}

/**
 * What the two ESV kinds share: how they are read (the tenant's list of their kind, filtered to
 * the requested ids), found in a snapshot and deleted (secret with all its versions).
 */
function esvCommon<S extends EsvSecretSpec | EsvVariableSpec>(key: "esvSecrets" | "esvVariables", remove: (api: AdminApi, id: string) => Promise<boolean>) {
  return {
    dependsOn: [],
    realmWide: false,
    afterWrites: restartNotice,
    readsFor: (r, spec) => void r[key].push(spec.id),
    readsForRemoved: (r, identity) => void r[key].push(identity.id),
    exists: (identity, s) => s[key].has(identity.id),
    present: (spec, s) => s[key].has(spec.id),
    async delete(api, { kind, id }) {
      const deleted = await remove(api, id);
      return result(kind, id, deleted ? "deleted" : "absent", [], deleted ? [] : ["already gone"]);
    },
  } satisfies Partial<KindUnit<S>>;
}

const action = (created: boolean, adopting: boolean, wrote: boolean): Action => (created ? "created" : adopting ? "adopted" : wrote ? "updated" : "unchanged");

/** The prop that holds an environment secret's value. */
const VALUE_PROP = { name: "value" };

export const esvSecret: KindUnit<EsvSecretSpec> = {
  kind: "esv-secret",
  schema: secretSchema,
  ...esvCommon<EsvSecretSpec>("esvSecrets", (api, id) => api.deleteEsvSecret(id)),
  props: {
    [ESV_VALUE_FIELD]: VALUE_PROP,
    description: { name: "description" },
    encoding: { name: "encoding" },
  },
  secretWrite: { field: ESV_VALUE_FIELD, rotation: "a new secret version" },
  diff: (spec, s) => planEsvSecret(spec, s.esvSecrets.get(spec.id)).changes,
  check(spec, _previous, s) {
    const live = s.esvSecrets.get(spec.id);
    checkFixedOnCreate(spec.kind, spec.id, "encoding", live?.encoding, spec.owned.encoding);
    checkFixedOnCreate(spec.kind, spec.id, "useInPlaceholders", live?.useInPlaceholders, spec.owned.useInPlaceholders);
  },
  async write(api, step, s, context) {
    const { spec } = step;
    const plan = planEsvSecret(spec, s.esvSecrets.get(spec.id));
    if (plan.write === "create") {
      // prepare() refused a create without its value.
      await api.createEsvSecret(spec.id, { value: step.secret!, ...spec.owned });
      context.created({ kind: spec.kind, tenant: spec.tenant, id: spec.id });
      return result(spec.kind, spec.id, "created", plan.changes);
    }
    const changes = await writeExisting(api, spec, plan, step.secret);
    return result(spec.kind, spec.id, action(false, step.adopting, changes.length > 0), changes);
  },
  async apply(api, spec, options) {
    const plan = planEsvSecret(spec, await api.getEsvSecret(spec.id));
    if (plan.write === "create") {
      await api.createEsvSecret(spec.id, { value: secretFromEnv(spec, options), ...spec.owned });
      return result(spec.kind, spec.id, "created", plan.changes);
    }
    // A version bump outside the sync: the caller says which version was applied last.
    const applied = options.appliedSecretVersion;
    const bump = options.secrets !== "on-create" && applied !== undefined && applied !== String(spec.secret.version);
    const changes = await writeExisting(api, spec, plan, bump ? secretFromEnv(spec, options, applied) : undefined);
    const notes = bump ? [rotatedWords(VALUE_PROP.name, applied, spec.secret.version)] : [];
    return result(spec.kind, spec.id, upsertAction(false, changes.length > 0), changes, notes);
  },
};

/**
 * An existing secret's write: a new version when `value` is given (a version bump; it becomes the
 * active one, the older ones stay ENABLED), then its description when it differs.
 */
async function writeExisting(api: AdminApi, spec: EsvSecretSpec, plan: EsvPlan, value: string | undefined): Promise<FieldChange[]> {
  if (value !== undefined) await api.createEsvSecretVersion(spec.id, value);
  if (plan.write === "update") await api.setEsvSecretDescription(spec.id, spec.owned.description);
  return [...(value !== undefined ? [ESV_VALUE_CHANGE] : []), ...plan.changes];
}

/**
 * The value to create a secret with, or (with `rotatingFrom`, the version applied last) to add as
 * a new version: checked and registered for redaction before any write.
 */
function secretFromEnv(spec: EsvSecretSpec, options: EngineOptions, rotatingFrom?: string): string {
  const value = (options.env ?? process.env)[spec.secret.env] || undefined;
  const id = `${spec.kind} ${spec.id}`;
  if (!value) throw rotatingFrom === undefined ? secretNotSet(spec.secret.env, id) : rotationPending(spec.secret.env, id, rotatingFrom, spec.secret.version);
  if (value.length < MIN_SECRET_LENGTH) throw secretTooShort(spec.secret.env, id, MIN_SECRET_LENGTH);
  registerSecret(value);
  return value;
}

export const esvVariable: KindUnit<EsvVariableSpec> = {
  kind: "esv-variable",
  schema: variableSchema,
  ...esvCommon<EsvVariableSpec>("esvVariables", (api, id) => api.deleteEsvVariable(id)),
  props: {
    value: { name: "value" },
    expressionType: { name: "expressionType" },
    description: { name: "description" },
  },
  diff: (spec, s) => planEsvVariable(spec, s.esvVariables.get(spec.id)).changes,
  check(spec, _previous, s) {
    checkFixedOnCreate(spec.kind, spec.id, "expressionType", s.esvVariables.get(spec.id)?.expressionType, spec.owned.expressionType);
  },
  async write(api, step, s, context) {
    const { spec } = step;
    const wrote = await writeVariable(api, spec, planEsvVariable(spec, s.esvVariables.get(spec.id)));
    if (wrote.created) context.created({ kind: spec.kind, tenant: spec.tenant, id: spec.id });
    return result(spec.kind, spec.id, action(wrote.created, step.adopting, wrote.changes.length > 0), wrote.changes);
  },
  async apply(api, spec) {
    const wrote = await writeVariable(api, spec, planEsvVariable(spec, await api.getEsvVariable(spec.id)));
    return result(spec.kind, spec.id, upsertAction(wrote.created, wrote.changes.length > 0), wrote.changes);
  },
};

/** A create or a value change is one PUT (with the description); a description alone is `setDescription`. */
async function writeVariable(api: AdminApi, spec: EsvVariableSpec, plan: ReturnType<typeof planEsvVariable>) {
  const created = plan.write === "create";
  if (created || plan.value) await api.putEsvVariable(spec.id, { value: spec.owned.value, expressionType: spec.owned.expressionType, description: spec.owned.description });
  else if (plan.description) await api.setEsvVariableDescription(spec.id, spec.owned.description);
  return { created, changes: plan.changes };
}
