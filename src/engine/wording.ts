/**
 * Changes in the constructs' words, for the apply's lines and the plan's text (one module decides
 * how a field is named and shown, so a reviewer reads in plan what apply then says): a field of an
 * AM or IDM object is named by the construct prop that sets it (`coreOAuth2ClientConfig.clientName
 * = [CRM]` reads `name: CRM`), a list shows what it adds and removes (`grantTypes +password`), a
 * secret is `secret (sensitive)`. A field no prop sets keeps its path. The apply says an object on
 * one line, so values and lists are cut short there; the plan gives each change a line of its
 * own and shows them in full (`Detail`). Each kind's unit maps its fields to props
 * (`KindUnit.props`, `src/kinds/`).
 */
import type { Kind } from "../contract/constants";
import { escapeControl } from "../contract/text";
import { secretWriteOf, unitOf } from "../kinds";
import { formatValue, isListChange, minus, rotatedWords, SENSITIVE, type FieldChange } from "./fields";

/**
 * How much of a change is shown: `short` cuts values and lists (the apply's one line per object),
 * `full` shows every item (the plan's line per change, wrapped rather than cut).
 */
export type Detail = "short" | "full";

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

function valueText(v: unknown, detail: Detail): string {
  const text = escapeControl(formatValue(v));
  return detail === "full" ? text : cut(text, VALUE_COLUMNS);
}

/** `+a +b −c`; short: at most LIST_ITEMS items, then `… (+N more)`. */
function listItems(added: readonly unknown[], removed: readonly unknown[], detail: Detail): string {
  const all = [...added.map((v) => `+${valueText(v, detail)}`), ...removed.map((v) => `−${valueText(v, detail)}`)];
  if (detail === "full") return all.join(" ");
  const shown = all.slice(0, LIST_ITEMS).join(" ");
  return all.length > LIST_ITEMS ? `${shown} … (+${all.length - LIST_ITEMS} more)` : shown;
}

const unwrapSingle = (v: unknown) => (Array.isArray(v) && v.length <= 1 ? v[0] : v);

/**
 * One change in the construct's words: `scopes +a −b`, `name: Old → New`, `secret (sensitive)`;
 * a field no prop sets keeps its path. Values are cut short unless `detail` is `full`; a secret is
 * never shown.
 */
export function describeChange(kind: Kind, c: FieldChange, detail: Detail = "short"): string {
  const prop = unitOf(kind).props[c.field];
  const name = escapeControl(prop?.name ?? c.field);
  if (c.sensitive) return `${name} ${SENSITIVE}`;
  const [from, to] = prop?.single ? [unwrapSingle(c.from), unwrapSingle(c.to)] : [c.from, c.to];
  if (isListChange({ from, to })) {
    const added = minus(to, from);
    const removed = minus(from, to);
    if (added.length + removed.length > 0) return `${name} ${listItems(added, removed, detail)}`;
  }
  return from === undefined ? `${name}: ${valueText(to, detail)}` : `${name}: ${valueText(from, detail)} → ${valueText(to, detail)}`;
}

/** The prop that holds a kind's secret (a client's `secret`, an environment secret's `value`). */
const secretProp = (kind: Kind): string => propOf(kind, secretWriteOf(kind).field) ?? "secret";

/** A bumped secret version as the plan says it (the versions are not secret, the value is never shown). */
export function describeRotation(kind: Kind, appliedVersion: unknown, desiredVersion: unknown): string {
  return `${secretProp(kind)} ${SENSITIVE}: version ${formatValue(appliedVersion)} → ${formatValue(desiredVersion)}`;
}

/** A rotation as the apply reports it, once the secret is written. */
export function rotatedNote(kind: Kind, appliedVersion: unknown, desiredVersion: unknown): string {
  return rotatedWords(secretProp(kind), appliedVersion, desiredVersion);
}

/** A note that already says what happens to the secret (a rotation): its change is not said again. */
const saysSecret = (kind: Kind, note: string) => note.startsWith(`${secretProp(kind)} `);

/**
 * The changes of one object, each said once. On a create only what code sets is said (the fields
 * the tool fills in itself, like the client type, would only add noise). A secret write comes
 * first; one a note already mentions (`secret rotated …`) is not said again.
 */
export function describeChanges(kind: Kind, changes: readonly FieldChange[], creating: boolean, notes: readonly string[] = [], detail: Detail = "short"): string[] {
  const secretInNotes = notes.some((n) => saysSecret(kind, n));
  const said = changes
    .filter((c) => !creating || propOf(kind, c.field) !== undefined)
    .filter((c) => !(c.sensitive && secretInNotes))
    .map((c) => describeChange(kind, c, detail));
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

/** Text on lines of at most `columns`, broken at spaces; continuation lines start with `indent`. */
export function wrapLines(text: string, indent = "    ", columns = MAX_COLUMNS): string {
  const lines: string[] = [];
  let current = "";
  for (const word of text.split(" ")) {
    const candidate = current === "" ? word : `${current} ${word}`;
    if ([...candidate].length <= columns || current === "") {
      current = candidate;
      continue;
    }
    lines.push(current);
    current = indent + word;
  }
  lines.push(current);
  // A single word longer than a line (a URL, say) is cut into pieces.
  return lines.flatMap((l) => chunks(l, columns)).join("\n");
}

function chunks(line: string, columns: number): string[] {
  const chars = [...line];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += columns) out.push(chars.slice(i, i + columns).join(""));
  return out.length > 0 ? out : [""];
}
