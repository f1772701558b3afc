/**
 * Changes in the constructs' words, for the apply's lines and the plan's text: a field of an AM or
 * IDM object is named by the construct prop that sets it (`coreOAuth2ClientConfig.clientName =
 * [CRM]` reads `name: CRM`), a list shows what it adds and removes (`grantTypes +password`), a
 * secret is `secret (sensitive)`. A field no prop sets keeps its path. Each kind's unit maps its
 * fields to props (`KindUnit.props`, `src/kinds/`).
 */
import type { Kind } from "../contract/constants";
import { escapeControl } from "../contract/text";
import { unitOf } from "../kinds";
import { formatValue, isListChange, minus, SENSITIVE, type FieldChange } from "./fields";

/** The longest line a change report prints (a terminal, a CI log). */
export const MAX_COLUMNS = 160;
/** Items of a list shown before `… (+N more)`. */
const LIST_ITEMS = 6;
/** Columns of one value before it is cut with `…`. */
const VALUE_COLUMNS = 48;

/** The prop a field is set by, or undefined when no prop sets it. */
export function propOf(kind: Kind, field: string): string | undefined {
  return unitOf(kind).props[field]?.name;
}

/** Text cut to `columns` with a trailing `…`. */
function cut(text: string, columns: number): string {
  const chars = [...text];
  return chars.length <= columns ? text : `${chars.slice(0, columns - 1).join("")}…`;
}

function shortValue(v: unknown): string {
  return cut(escapeControl(formatValue(v)), VALUE_COLUMNS);
}

/** `+a +b −c`, at most LIST_ITEMS items, then `… (+N more)`. */
function listItems(added: readonly unknown[], removed: readonly unknown[]): string {
  const all = [...added.map((v) => `+${shortValue(v)}`), ...removed.map((v) => `−${shortValue(v)}`)];
  const shown = all.slice(0, LIST_ITEMS).join(" ");
  return all.length > LIST_ITEMS ? `${shown} … (+${all.length - LIST_ITEMS} more)` : shown;
}

const unwrapSingle = (v: unknown) => (Array.isArray(v) && v.length <= 1 ? v[0] : v);

/**
 * One change in the construct's words: `scopes +a −b`, `name: Old → New`, `secret (sensitive)`;
 * a field no prop sets keeps its path. Values are cut short; a secret is never shown.
 */
export function describeChange(kind: Kind, c: FieldChange): string {
  const prop = unitOf(kind).props[c.field];
  const name = escapeControl(prop?.name ?? c.field);
  if (c.sensitive) return `${name} ${SENSITIVE}`;
  const [from, to] = prop?.single ? [unwrapSingle(c.from), unwrapSingle(c.to)] : [c.from, c.to];
  if (isListChange({ from, to })) {
    const added = minus(to, from);
    const removed = minus(from, to);
    if (added.length + removed.length > 0) return `${name} ${listItems(added, removed)}`;
  }
  return from === undefined ? `${name}: ${shortValue(to)}` : `${name}: ${shortValue(from)} → ${shortValue(to)}`;
}

/**
 * The changes of one object, each said once. On a create only what code sets is said (the fields
 * the tool fills in itself, like the client type, would only add noise). A secret write comes
 * first; one a note already mentions (`secret rotated …`) is not said again.
 */
export function describeChanges(kind: Kind, changes: readonly FieldChange[], creating: boolean, notes: readonly string[] = []): string[] {
  const secretInNotes = notes.some((n) => n.startsWith("secret "));
  const said = changes
    .filter((c) => !creating || propOf(kind, c.field) !== undefined)
    .filter((c) => !(c.sensitive && secretInNotes))
    .map((c) => describeChange(kind, c));
  // A secret write leads: a short line cut for room must still say it.
  const secretFirst = [...said.filter((s) => s.endsWith(SENSITIVE)), ...said.filter((s) => !s.endsWith(SENSITIVE))];
  return [...new Set(secretFirst)];
}

/**
 * `head` followed by `parts` joined with `; `, on one line of at most MAX_COLUMNS: the parts that
 * do not fit give way to `… (+N more)`. The first part is cut rather than dropped.
 */
export function fitLine(head: string, parts: readonly string[]): string {
  const width = (s: string) => [...s].length;
  const more = (n: number) => (n > 0 ? `; … (+${n} more)` : "");
  for (let keep = parts.length; keep > 0; keep--) {
    const line = head + parts.slice(0, keep).join("; ") + more(parts.length - keep);
    if (width(line) <= MAX_COLUMNS) return line;
  }
  const tail = more(parts.length - 1);
  return head + cut(parts[0] ?? "", Math.max(1, MAX_COLUMNS - width(head) - width(tail))) + tail;
}

/** Text on lines of at most MAX_COLUMNS, broken at spaces; continuation lines are indented. */
export function wrapLines(text: string, indent = "    "): string {
  const lines: string[] = [];
  let current = "";
  for (const word of text.split(" ")) {
    const candidate = current === "" ? word : `${current} ${word}`;
    if ([...candidate].length <= MAX_COLUMNS || current === "") {
      current = candidate;
      continue;
    }
    lines.push(current);
    current = indent + word;
  }
  lines.push(current);
  // A single word longer than a line (a URL, say) is cut into pieces.
  return lines.flatMap((l) => chunks(l, MAX_COLUMNS)).join("\n");
}

function chunks(line: string, columns: number): string[] {
  const chars = [...line];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += columns) out.push(chars.slice(i, i + columns).join(""));
  return out.length > 0 ? out : [""];
}
