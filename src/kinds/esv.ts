/**
 * Environment secrets and variables (`EnvironmentSecret`, `EnvironmentVariable`): AIC's ESVs,
 * tenant-wide objects of `/environment`. Pure planning is `src/engine/esv.ts`.
 *
 * A secret's value comes from the environment variable its spec names, read by the sync only on
 * create and on a version bump; a bump adds a secret version, then keeps, disables or destroys
 * the older ones as the spec's `previousVersions` says (never the new, latest one). A change that
 * the running configuration has yet to load is said after the writes, or loaded by a restart when
 * the tenant's policy says so (`afterEsvWrites`).
 */
import type { AdminApi } from "../client/types";
import type { EsvPreviousVersions } from "../contract/esv";
import { EsvSecretSpec as secretSchema, EsvVariableSpec as variableSchema } from "../contract/spec";
import { result, upsertAction, type EngineOptions } from "../engine/apply";
import { afterEsvWrites, restartPlanNote } from "../engine/esv-restart";
import { rotationPending, secretNotSet } from "../engine/errors";
import { checkFixedOnCreate, ESV_VALUE_CHANGE, ESV_VALUE_FIELD, planEsvSecret, planEsvVariable, type EsvPlan, type EsvSecretSpec, type EsvVariableSpec } from "../engine/esv";
import { rotatedWords, type FieldChange } from "../engine/fields";
import type { Action } from "../engine/result";
import { secretValue } from "../engine/sync";
import { esvSecretExport, esvVariableExport } from "../export/esv";
import type { KindUnit } from "./unit";

/**
 * What the two ESV kinds share: how they are read (the tenant's list of their kind, filtered to
 * the requested ids), found in a snapshot and deleted (secret with all its versions).
 */
function esvCommon<S extends EsvSecretSpec | EsvVariableSpec>(key: "esvSecrets" | "esvVariables", remove: (api: AdminApi, id: string) => Promise<boolean>) {
  return {
    dependsOn: [],
    realmWide: false,
    afterWrites: afterEsvWrites,
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

/** What a version bump does to the older versions, as plan says it (`previousVersions`). */
const PREVIOUS_VERSIONS_WORDS: Record<EsvPreviousVersions, string> = {
  keep: "the older versions stay enabled (previousVersions \"keep\")",
  disable: "the older versions are disabled (previousVersions \"disable\")",
  destroy: "the older versions are destroyed, one-way (previousVersions \"destroy\")",
};

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
  export: esvSecretExport,
  diff: (spec, s) => planEsvSecret(spec, s.esvSecrets.get(spec.id)).changes,
  planNotes(spec, step) {
    const rotation = step.rotating ? [`rotate: a new secret version becomes the active one; ${PREVIOUS_VERSIONS_WORDS[spec.previousVersions ?? "keep"]}`] : [];
    const loads = (!step.exists || step.rotating) && spec.owned.useInPlaceholders;
    return [...rotation, ...(loads ? [restartPlanNote(spec)] : [])];
  },
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
    const { changes, notes } = await writeExisting(api, spec, plan, step.secret);
    return result(spec.kind, spec.id, action(false, step.adopting, changes.length > 0), changes, notes);
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
    const { changes, notes } = await writeExisting(api, spec, plan, bump ? secretFromEnv(spec, options, applied) : undefined);
    const rotated = bump ? [rotatedWords(VALUE_PROP.name, applied, spec.secret.version)] : [];
    return result(spec.kind, spec.id, upsertAction(false, changes.length > 0), changes, [...rotated, ...notes]);
  },
};

/**
 * An existing secret's write: a new version when `value` is given (a version bump; it becomes the
 * active one, the older ones as `previousVersions` says), then its description when it differs.
 */
async function writeExisting(api: AdminApi, spec: EsvSecretSpec, plan: EsvPlan, value: string | undefined): Promise<{ changes: FieldChange[]; notes: string[] }> {
  const notes = value === undefined ? [] : await addVersion(api, spec, value);
  if (plan.write === "update") await api.setEsvSecretDescription(spec.id, spec.owned.description);
  return { changes: [...(value !== undefined ? [ESV_VALUE_CHANGE] : []), ...plan.changes], notes };
}

/**
 * Adds the new version, then disables or destroys the older ones that are not already (the new,
 * latest one never): what the result notes say of them.
 */
async function addVersion(api: AdminApi, spec: EsvSecretSpec, value: string): Promise<string[]> {
  const added = await api.createEsvSecretVersion(spec.id, value);
  const policy = spec.previousVersions ?? "keep";
  if (policy === "keep") return [];
  const older = ((await api.listEsvSecretVersions(spec.id)) ?? []).filter((v) => v.version !== added.version);
  const touched: string[] = [];
  for (const v of older) {
    if (policy === "disable" && v.status === "ENABLED") await api.setEsvSecretVersionStatus(spec.id, v.version, "DISABLED");
    else if (policy === "destroy" && v.status !== "DESTROYED") await api.destroyEsvSecretVersion(spec.id, v.version);
    else continue;
    touched.push(v.version);
  }
  return touched.length === 0 ? [] : [`older version${touched.length === 1 ? "" : "s"} ${touched.sort((a, b) => Number(a) - Number(b)).join(", ")} ${policy === "disable" ? "disabled" : "destroyed"}`];
}

/**
 * The value to create a secret with, or (with `rotatingFrom`, the version applied last) to add as
 * a new version: checked and registered for redaction before any write.
 */
function secretFromEnv(spec: EsvSecretSpec, options: EngineOptions, rotatingFrom?: string): string {
  // Checked (long enough to be redacted) and registered for redaction as the sync reads every secret.
  const value = secretValue(spec, options.env ?? process.env);
  const id = `${spec.kind} ${spec.id}`;
  if (!value) throw rotatingFrom === undefined ? secretNotSet(spec.secret.env, id) : rotationPending(spec.secret.env, id, rotatingFrom, spec.secret.version);
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
  export: esvVariableExport,
  diff: (spec, s) => planEsvVariable(spec, s.esvVariables.get(spec.id)).changes,
  planNotes: (spec, step) => (!step.exists || step.changes.some((c) => c.field === "value") ? [restartPlanNote(spec)] : []),
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
