/**
 * An AM script of the realm (`MayActRule`, an agent's `scopeLimit`): created and replaced whole
 * through the scripts API, deleted when it leaves the code. Its id is derived from its name
 * (`scriptId`), so the clients that run it name it in their own specs. Pure planning is
 * `src/engine/script.ts`.
 */
import { ScriptSpec as schema, type SpecOf } from "../contract/spec";
import { result, upsertAction } from "../engine/apply";
import { planScript } from "../engine/script";
import type { Action } from "../engine/result";
import type { KindUnit } from "./unit";

type ScriptSpec = SpecOf<"script">;

export const script: KindUnit<ScriptSpec> = {
  kind: "script",
  schema,
  dependsOn: [],
  realmWide: false,
  // Derived from realm and name (`scriptId`): clients name it without reading it back.
  idsKnownAtSynth: true,
  props: {
    name: { name: "name" },
    description: { name: "description" },
    language: { name: "language" },
    context: { name: "context" },
    script: { name: "source" },
  },

  readsFor: (r, spec) => void r.scripts.push(spec.id),
  readsForRemoved: (r, identity) => void r.scripts.push(identity.id),
  exists: (identity, s) => s.scripts.has(identity.id),
  present: (spec, s) => s.scripts.has(spec.id),
  diff: (spec, s) => planScript(spec, s.scripts.get(spec.id)).changes,
  async write(api, step, s, context) {
    const { spec } = step;
    const plan = planScript(spec, s.scripts.get(spec.id));
    if (plan.write !== "none") await api.putScript(spec.id, plan.body);
    if (plan.write === "create") context.created({ kind: spec.kind, tenant: spec.tenant, id: spec.id });
    const action: Action = plan.write === "create" ? "created" : step.adopting ? "adopted" : plan.write === "update" ? "updated" : "unchanged";
    return result(spec.kind, spec.id, action, plan.changes);
  },
  async apply(api, spec) {
    const plan = planScript(spec, await api.getScript(spec.id));
    if (plan.write !== "none") await api.putScript(spec.id, plan.body);
    return result(spec.kind, spec.id, upsertAction(plan.write === "create", plan.write !== "none"), plan.changes);
  },
  async delete(api, { kind, id }) {
    const deleted = await api.deleteScript(id);
    return result(kind, id, deleted ? "deleted" : "absent", [], deleted ? [] : ["already gone"]);
  },
};
