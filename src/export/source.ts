/**
 * How the exported file spells things: the names it derives from ids (variables, construct ids,
 * secret env vars), each handed out once, and TypeScript literals.
 */

/** `digital-assistant-web-app` → `digitalAssistantWebApp`; never a reserved word or a name the file uses. */
export function camelName(id: string): string {
  const parts = id.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = parts.map((p, i) => (i === 0 ? p.charAt(0).toLowerCase() + p.slice(1) : p.charAt(0).toUpperCase() + p.slice(1))).join("") || "client";
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/** `digital-assistant-web-app` → `DIGITAL_ASSISTANT_WEB_APP`. */
export function upperSnake(id: string): string {
  return id.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "").toUpperCase();
}

/** Names the file itself uses, and words TypeScript reserves: no variable takes them. */
export const TAKEN_VARIABLES: ReadonlySet<string> = new Set(
  "app stack provider process require module exports undefined break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with as implements interface let package private protected public static yield await any boolean number string symbol type of".split(" "),
);

/** Hands out each name once, suffixing `2`, `3`, … on a clash (callers go in sorted order). */
export class Names {
  private readonly used = new Set<string>();
  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.used.add(r);
  }
  take(name: string): string {
    let candidate = name;
    for (let i = 2; this.used.has(candidate); i++) candidate = `${name}${i}`;
    this.used.add(candidate);
    return candidate;
  }
}

/** Sorts strings by code unit, whatever the locale. */
export const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A string literal. */
export const q = (s: string): string => JSON.stringify(s);

/** A string list literal. */
export const list = (values: readonly string[]): string => `[${values.map(q).join(", ")}]`;

/** A prop of an object literal as `[key, value source]`; undefined: left out (at the construct's default). */
export type Entry = readonly [string, string] | undefined;

/** `key: value,` lines of an object literal, indented. */
export function props(entries: readonly Entry[], indent: string): string[] {
  return entries.filter((e): e is readonly [string, string] => e !== undefined).map(([k, v]) => `${indent}${k}: ${v},`);
}
