/** How the CLI talks: results on stdout, progress on stderr, colour only on a TTY, errors as one line. */
import { escapeControl } from "../contract/text";

/**
 * Whether to colour what goes to `stream`: `FORCE_COLOR` (set, not "0" or "false") forces it on, as
 * in Node.js; else `NO_COLOR` (set, not empty) turns it off; else only on a terminal that is not "dumb".
 */
export function colourful(stream: { isTTY?: boolean }, env: Record<string, string | undefined> = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "0" && force !== "false") return true;
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== "dumb";
}

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
export type Colour = keyof typeof CODES;

export function paint(stream: NodeJS.WriteStream, colour: Colour, text: string): string {
  return colourful(stream) ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text;
}

/**
 * Output that outlives its reader: once stdout or stderr is closed (EPIPE: the Terraform that read a
 * provisioner's output is gone), lines are dropped instead of the error ending the process (Node's
 * default for a stream error nobody handles), so that a sync still finishes or rolls back.
 */
let closed = false;
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    closed = true;
  });
}

/** Whether a write found stdout or stderr closed (their reader is gone). */
export const outputClosed = (): boolean => closed;

export function out(line: string): void {
  process.stdout.write(line + "\n");
}

export function err(line: string): void {
  process.stderr.write(line + "\n");
}

/**
 * The one-line error of a failed command: `cdktf-aic apply: <what happened, value, fix>`; control
 * characters an API message may hold are escaped, so it stays one line and cannot drive a terminal.
 */
export function errorLine(command: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `${["cdktf-aic", command].filter(Boolean).join(" ")}: ${escapeControl(message.replace(/\s*\n\s*/g, " "))}`;
}
