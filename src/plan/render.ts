/**
 * The plan report as text (Terraform-like symbols, colour when asked), as markdown (a pull-request
 * comment or CI job summary: one collapsible section per stack) and as JSON (the schema in
 * schema.ts). Text and markdown say each change in the constructs' words, as the apply's lines do
 * (the engine's wording.ts: `name: Old → New`, `scopes +write`), on lines of at most 160 columns.
 * The report holds no secret value, so no format can print one. Text and markdown escape control
 * characters in every line before it is painted (JSON escapes them itself), so a live value
 * cannot start a line or recolour a terminal.
 */
import { escapeControl } from "../contract/text";
import type { FieldChange as EngineChange } from "../engine/fields";
import { describeChange, describeChanges, describeRotation, MAX_COLUMNS, wrapLines } from "../engine/wording";
import { secretWriteOf, unitOf } from "../kinds";
import type { DriftChange, FieldChange, PlannedObject, PlanReport, StackPlan, Summary, UnmanagedInTenant } from "./schema";

export type Colour = "green" | "yellow" | "red" | "dim" | "bold";
/** Paints a piece of text; the identity when colour is off. */
export type Painter = (colour: Colour, text: string) => string;
const plain: Painter = (_c, text) => text;

const SYMBOL: Record<PlannedObject["action"], string> = { create: "+", update: "~", adopt: "~", rotate: "~", delete: "-", forget: "=", "no-change": "=" };
const COLOUR: Record<PlannedObject["action"], Colour> = { create: "green", update: "yellow", adopt: "yellow", rotate: "yellow", delete: "red", forget: "yellow", "no-change": "dim" };
/** Said after the title: what happens to the object as a whole. */
const VERB: Partial<Record<PlannedObject["action"], string>> = { delete: " will be deleted", adopt: " will be adopted", forget: " will be forgotten" };

/** The lines of a stack's body are indented by two columns in text: they wrap two short of MAX_COLUMNS. */
const BODY_COLUMNS = MAX_COLUMNS - 2;
const width = (s: string) => [...s].length;

/**
 * `text` after `lead`, on lines of at most BODY_COLUMNS: continuation lines start with `next` (the
 * sign first, so that a markdown `diff` block colours them too). Control characters are escaped
 * before the text is measured.
 */
function wrapped(paint: Painter, colour: Colour, lead: string, text: string, next: string): string[] {
  const columns = BODY_COLUMNS - Math.max(width(lead), width(next));
  return wrapLines(escapeControl(text), "", columns)
    .split("\n")
    .map((l, i) => paint(colour, (i === 0 ? lead : next) + l));
}

/** A change of the report as the engine's wording reads it: `from` → `to`, a list as its removed → added items. */
function asEngineChange(c: Exclude<FieldChange, { type: "rotate" }>): EngineChange {
  switch (c.type) {
    case "sensitive":
      return { field: c.field, from: undefined, to: undefined, sensitive: true };
    case "set":
      return { field: c.field, from: c.live, to: c.desired };
    case "list":
      return { field: c.field, from: c.removed, to: c.added };
    case "ensure-present":
      return { field: c.field, from: [], to: c.added };
  }
}

/**
 * The changes of one object in the constructs' words, as the apply's line says them (wording.ts),
 * in full: each once, the secret once, on create only what code sets.
 */
function changeTexts(o: Pick<PlannedObject, "kind" | "action" | "changes" | "notes">): string[] {
  const rotations = o.changes.flatMap((c) => (c.type === "rotate" ? [describeRotation(o.kind, c.appliedVersion, c.desiredVersion)] : []));
  const others = o.changes.flatMap((c) => (c.type === "rotate" ? [] : [asEngineChange(c)]));
  return [...rotations, ...describeChanges(o.kind, others, o.action === "create", [...o.notes, ...rotations], "full")];
}

/** Drift in the constructs' words: applied → live. */
function driftTexts(kind: PlannedObject["kind"], changes: readonly DriftChange[]): string[] {
  const said = changes.map((c) =>
    describeChange(kind, c.type === "list" ? { field: c.field, from: c.removed, to: c.added } : { field: c.field, from: c.applied, to: c.live }, "full"),
  );
  return [...new Set(said)].map((s) => `${s} (applied → live)`);
}

function title(o: PlannedObject): string {
  return `${o.kind} ${o.id}${o.construct ? ` (${o.construct})` : ""}`;
}

/** The lines of one object's planned change (none for an object without change or note). */
function objectLines(o: PlannedObject, paint: Painter): string[] {
  if (o.action === "no-change" && o.notes.length === 0 && o.problems.length === 0) return [];
  const sign = SYMBOL[o.action];
  const colour = COLOUR[o.action];
  const lines = wrapped(paint, colour, `${sign} `, `${title(o)}${o.action === "rotate" ? ` will get ${secretWriteOf(o.kind).rotation}` : (VERB[o.action] ?? "")}`, `${sign}   `);
  // The sign leads each line, so a markdown `diff` block colours it.
  for (const text of changeTexts(o)) lines.push(...wrapped(paint, colour, `${sign}     `, text, `${sign}       `));
  // Realm-wide notes repeat for every provider plan: say them only when something changes.
  for (const n of o.notes) if (o.action !== "no-change" || !unitOf(o.kind).realmWide) lines.push(...wrapped(paint, "dim", "      # ", n, "        "));
  for (const p of o.problems) lines.push(...wrapped(paint, "red", "!     apply would fail: ", p, "!       "));
  return lines;
}

function driftLines(o: PlannedObject, paint: Painter): string[] {
  const d = o.drift!;
  const lines = wrapped(paint, "yellow", "! ", `${title(o)}${d.status === "deleted" ? " was deleted outside code" : ""}`, "!   ");
  for (const text of driftTexts(o.kind, d.changes)) lines.push(...wrapped(paint, "yellow", "!     ", text, "!       "));
  const note = d.overwrittenByApply
    ? "the next apply writes the code's values back"
    : `terraform apply leaves this as is (the object's spec is unchanged)${d.restore ? `; to restore: ${d.restore}` : ""}`;
  lines.push(...wrapped(paint, "dim", "      # ", note, "        "));
  return lines;
}

/** `1 to create, 2 to update, 1 to adopt, 0 to delete`: adopt, rotate and forget only when there are any. */
function counts(s: Summary): string {
  const more = [s.adopt > 0 ? `${s.adopt} to adopt` : "", s.rotate > 0 ? `${s.rotate} to rotate` : ""].filter(Boolean);
  const forget = s.forget > 0 ? [`${s.forget} to forget`] : [];
  return [`${s.create} to create`, `${s.update} to update`, ...more, `${s.delete} to delete`, ...forget].join(", ");
}

export function summaryLine(s: Summary): string {
  if (s.create + s.update + s.adopt + s.rotate + s.delete + s.forget === 0) return "No changes. The tenant matches the code.";
  return `Plan: ${counts(s)}.`;
}

/** What follows the summary line: unchanged objects, drift, problems. */
function summaryExtras(s: Summary): string[] {
  return [
    `${s.noChange} unchanged.`,
    s.drifted > 0 ? `Drift: ${s.drifted} object${s.drifted === 1 ? "" : "s"} changed outside code.` : "",
    s.problems > 0 ? `${s.problems} object${s.problems === 1 ? "" : "s"} cannot be applied as written.` : "",
  ].filter(Boolean);
}

function tenantsLine(stack: StackPlan): string {
  return escapeControl(stack.tenants.map((t) => `${t.baseUrl} realm ${t.realm}`).join(", ") || "no objects");
}

/** The body of one stack: planned changes, then drift. */
function stackBody(stack: StackPlan, painter: Painter): string[] {
  const paint: Painter = (colour, text) => painter(colour, escapeControl(text));
  const changes = stack.objects.flatMap((o) => objectLines(o, paint));
  const drifted = stack.objects.filter((o) => o.drift);
  const lines = changes.length > 0 ? changes : [paint("dim", "(no changes)")];
  if (drifted.length > 0) {
    lines.push("", paint("bold", "Drift: changed in the tenant outside code"), ...drifted.flatMap((o) => driftLines(o, paint)));
  }
  return lines;
}

const UNMANAGED_TITLE = "Unmanaged: in the tenant, in no stack of the synth output (apply never deletes them)";

/** One line per tenant and kind: the count and the ids. */
function unmanagedLines(tenants: readonly UnmanagedInTenant[]): string[] {
  return tenants.flatMap((t) =>
    t.objects.length === 0
      ? [`${t.baseUrl} realm ${t.realm}: none`]
      : t.objects.map((o) => `${t.baseUrl} realm ${t.realm}: ${o.count} ${o.kind}${o.count === 1 ? "" : "s"}: ${o.ids.join(", ")}`),
  );
}

const unmanagedCount = (report: PlanReport) => report.unmanaged.reduce((n, t) => n + t.objects.reduce((m, o) => m + o.count, 0), 0);

export function renderText(report: PlanReport, paint: Painter = plain): string {
  const out: string[] = [];
  for (const stack of report.stacks) {
    out.push(paint("bold", escapeControl(`Stack ${stack.name}: ${tenantsLine(stack)}`)), ...wrapped(paint, "dim", "# ", stack.state.note, "  "), "");
    out.push(...stackBody(stack, paint).map((l) => (l ? `  ${l}` : l)), "");
  }
  if (report.unmanaged.length > 0) {
    const colour = unmanagedCount(report) > 0 ? "yellow" : "dim";
    out.push(paint("bold", UNMANAGED_TITLE), ...unmanagedLines(report.unmanaged).flatMap((l) => wrapped(paint, colour, "  ", l, "    ")), "");
  }
  out.push(paint("bold", summaryLine(report.summary)), ...summaryExtras(report.summary));
  return out.join("\n");
}

/** A code fence longer than any backtick run in `text`. */
function fenced(text: string, info: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${info}\n${text}\n${fence}`;
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const escapeMarkdown = (s: string) => s.replace(/([\\`*_[\]<>|])/g, "\\$1");

export function renderMarkdown(report: PlanReport): string {
  const out = ["### cdktf-aic plan", "", `**${summaryLine(report.summary)}** ${summaryExtras(report.summary).join(" ")}`, ""];
  for (const stack of report.stacks) {
    const s = stack.summary;
    const line = `${counts(s)}${s.drifted ? `, ${s.drifted} drifted` : ""}${s.problems ? `, ${s.problems} with problems` : ""}`;
    out.push(`<details><summary><b>${escapeHtml(escapeControl(stack.name))}</b>: ${line}</summary>`, "");
    const note = escapeControl(stack.state.note.charAt(0).toUpperCase() + stack.state.note.slice(1));
    out.push(`Tenant: ${escapeMarkdown(tenantsLine(stack))}. ${escapeMarkdown(note)}.`, "");
    out.push(fenced(stackBody(stack, plain).join("\n"), "diff"), "", "</details>", "");
  }
  const count = unmanagedCount(report);
  // A pull-request comment stays short: the section only when there is something to say.
  if (count > 0) {
    out.push(`<details><summary><b>Unmanaged</b>: ${count} object${count === 1 ? "" : "s"} in no stack</summary>`, "");
    out.push(`${UNMANAGED_TITLE}.`, "", ...unmanagedLines(report.unmanaged).map((l) => `- ${escapeMarkdown(l)}`), "", "</details>", "");
  }
  return out.join("\n");
}

export function renderJson(report: PlanReport): string {
  return JSON.stringify(report, null, 2);
}
