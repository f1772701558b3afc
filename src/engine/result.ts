import type { Kind } from "../contract/constants";
import { escapeControl } from "../contract/text";
import { formatChange, type FieldChange } from "./fields";

export type Action = "created" | "updated" | "adopted" | "unchanged" | "deleted" | "absent" | "failed";

/** What an apply or delete did to one object. */
export interface ObjectResult {
  readonly kind: Kind;
  readonly id: string;
  readonly action: Action;
  readonly changes: readonly FieldChange[];
  /** Things worth a log line that are not field changes (e.g. "application record already gone"). */
  readonly notes: readonly string[];
}

const SYMBOL: Record<Action, string> = { created: "+", updated: "~", adopted: "~", deleted: "-", unchanged: "=", absent: "=", failed: "!" };

/** One line per object (control characters escaped), e.g. `~ web-app my-app: coreOAuth2ClientConfig.scopes [a] → [a,b]`. Never a secret. */
export function formatResult(r: ObjectResult): string {
  const details = [...r.changes.map(formatChange), ...r.notes].join("; ");
  const text = r.action === "updated" && details ? details : [r.action, details].filter(Boolean).join(" — ");
  return escapeControl(`${SYMBOL[r.action]} ${r.kind} ${r.id}: ${text}`);
}
