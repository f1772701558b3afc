import type { Kind } from "../contract/constants";
import { escapeControl } from "../contract/text";
import type { FieldChange } from "./fields";
import { describeChanges, fitLine, wrapLines } from "./wording";

export type Action = "created" | "updated" | "adopted" | "unchanged" | "deleted" | "absent" | "forgotten" | "failed";

/** What an apply or delete did to one object. */
export interface ObjectResult {
  readonly kind: Kind;
  readonly id: string;
  readonly action: Action;
  readonly changes: readonly FieldChange[];
  /** Things worth a log line that are not field changes (e.g. "application record already gone"). */
  readonly notes: readonly string[];
}

const SYMBOL: Record<Action, string> = { created: "+", updated: "~", adopted: "~", deleted: "-", unchanged: "=", absent: "=", forgotten: "=", failed: "!" };

/**
 * One line per object in the constructs' words (wording.ts), control characters escaped and at
 * most 160 columns, e.g. `~ web-app crm: scopes +write; name: Old → New`. Never a secret. A
 * failure is wrapped onto indented lines instead: its message names the fix, so it is not cut.
 */
export function formatResult(r: ObjectResult): string {
  const changes = describeChanges(r.kind, r.changes, r.action === "created", r.notes);
  const parts = [...changes, ...r.notes.map(escapeControl)];
  const head = escapeControl(`${SYMBOL[r.action]} ${r.kind} ${r.id}: `);
  if (r.action === "failed") return wrapLines(`${head}failed — ${parts.join("; ")}`);
  if (r.action === "updated" && parts.length > 0) return fitLine(head, parts);
  return parts.length > 0 ? fitLine(`${head}${r.action} — `, parts) : `${head}${r.action}`;
}
