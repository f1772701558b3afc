/** How the CLI talks: results on stdout, progress on stderr, colour only on a TTY, errors as one line. */
import { escapeControl } from "../contract/text";

function colourful(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== "dumb";
}

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
export type Colour = keyof typeof CODES;

export function paint(stream: NodeJS.WriteStream, colour: Colour, text: string): string {
  return colourful(stream) ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text;
}

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
