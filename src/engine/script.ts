/**
 * An AM script of the realm (`script` kind): pure planning. The source is compared as text (AM
 * holds it base64-encoded); `evaluatorVersion` follows the context, as AM decides it (reference
 * ai-agent-delegation.md §3.1), so it is written but never compared.
 */
import type { AmScript } from "../contract/schemas";
import { evaluatorVersionOf } from "../contract/scripts";
import type { SpecOf } from "../contract/spec";
import { sameValue, type FieldChange } from "./fields";

export type ScriptSpec = SpecOf<"script">;

export interface ScriptPlan {
  readonly write: "create" | "update" | "none";
  /** The full body to PUT (AM replaces a script whole). */
  readonly body: Record<string, unknown>;
  readonly changes: FieldChange[];
}

const decode = (base64: string) => Buffer.from(base64, "base64").toString("utf8");

/** The script's owned fields as AM names them, from the spec and from a live script. */
function fieldsOf(o: ScriptSpec["owned"]): Record<string, unknown> {
  return { name: o.name, description: o.description ?? null, language: o.language, context: o.context, script: o.source };
}

function liveFields(live: AmScript): Record<string, unknown> {
  return { name: live.name, description: live.description ?? null, language: live.language, context: live.context, script: decode(live.script) };
}

export function planScript(spec: ScriptSpec, live: AmScript | undefined): ScriptPlan {
  const wanted = fieldsOf(spec.owned);
  const current = live ? liveFields(live) : {};
  const changes = Object.entries(wanted)
    .filter(([field, value]) => !sameValue(current[field], value))
    .map(([field, to]) => ({ field, from: current[field], to }));
  const body = {
    ...wanted,
    script: Buffer.from(spec.owned.source, "utf8").toString("base64"),
    evaluatorVersion: evaluatorVersionOf(spec.owned.context),
    default: false,
  };
  return { write: !live ? "create" : changes.length > 0 ? "update" : "none", body, changes };
}
