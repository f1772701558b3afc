/**
 * Terraform reads every string of a JSON configuration as a template, so a literal `${` or `%{`
 * (say, in a description) is written doubled. The constructs escape; whoever reads a synthesized
 * stack back (verify, plan) unescapes. cdktf's own token markers (`${TfToken[...]}`) are left for
 * cdktf to resolve.
 */
export function escapeTemplate(literal: string): string {
  return literal.replace(/\$\{(?!TfToken\[)/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** The string Terraform makes of an escaped literal. */
export function unescapeTemplate(literal: string): string {
  return literal.replace(/\$\$\{/g, () => "${").replace(/%%\{/g, () => "%{");
}

/** Applies `f` to every string of a JSON value; other objects (lazy values, say) stay as they are. */
export function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === "string") return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value && typeof value === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
  }
  return value;
}
