/** The error type shared by every layer that a person drives (the CLI, plan, export). */

/**
 * A mistake in how a command was called or configured (a flag, a file, a missing variable): its
 * message says what and the fix, and the CLI prints it as is and exits 1. It lives here, below
 * the CLI, so that plan and export can raise it without importing the CLI.
 */
export class CliError extends Error {
  override readonly name = "CliError";
}
