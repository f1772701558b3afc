/** Printing text that came from a tenant (names, API messages) on a terminal or in a report. */

/**
 * Control characters (C0, DEL, C1), line and paragraph separators and bidi overrides, which a
 * value set in the console may hold: printed raw they start a new line, move the cursor or
 * recolour a terminal, so a live value could forge a line of a report.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const SHORT_ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** The text with every control character written as an escape (`\n`, `\u001b`): one printable line. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
