/**
 * `cdktf-aic`: the CLI the Terraform provisioners run (sync, reconcile: input only
 * through the environment) and people run (verify, tenant). Sub-commands are imported on demand so
 * that starting the CLI costs little when Terraform runs many provisioners at once.
 */
import { setFlagsFromString } from "node:v8";
import { CLI_ENV, COMMANDS } from "../contract/constants";
import { err, errorLine, out } from "./output";

// undici parses HTTP with WebAssembly, which V8 compiles twice: quickly (Liftoff), then again,
// optimized, in the background, which a process of a few requests never profits from but pays
// for (and waits for at exit). Liftoff alone halves the CPU of a provisioner run.
setFlagsFromString("--liftoff-only");

const USAGE = `Usage: cdktf-aic <command> [options]

Commands (run by Terraform provisioners; input from the environment only):
  ${COMMANDS.sync}         apply a tenant's change from the journal in CDKTF_AIC_PREVIOUS to the one in CDKTF_AIC_DESIRED
  ${COMMANDS.reconcile}    re-apply what differs from code in the tenant of CDKTF_AIC_TENANT (restoreDrift)

Commands for people:
  ${COMMANDS.plan}         show what apply would change, field by field, and drift (reads only)
  ${COMMANDS.export}       write a TypeScript stack that adopts a live realm's apps, agents and grants (reads only)
  ${COMMANDS.verify}       run the on-behalf-of token exchange (the seed's Task 4) against a tenant
  ${COMMANDS.tenant}       run the embedded tenant (local AM/IDM for development and tests)
  ${COMMANDS.init}         scaffold a project of your own that uses this package

Options: --help, --version.
Run 'cdktf-aic <command> --help' for a command's options and exit codes. Every command exits 0
when it succeeds and 1 on an error; plan adds 2 (changes present, with --detailed-exitcode) and
3 (unmanaged objects, with --fail-on-unmanaged).`;

/** The package's version, put in by the bundler (scripts/build.mjs). */
declare const CDKTF_AIC_VERSION: string;

type Handler = (argv: string[]) => Promise<number>;

const HANDLERS: Record<string, () => Promise<Handler>> = {
  [COMMANDS.sync]: async () => (await import("./provision")).syncCommand,
  [COMMANDS.reconcile]: async () => (await import("./provision")).reconcileCommand,
  [COMMANDS.plan]: async () => (await import("./plan")).planCommand,
  [COMMANDS.export]: async () => (await import("./export")).exportCommand,
  [COMMANDS.verify]: async () => (await import("./verify")).verifyCommand,
  [COMMANDS.tenant]: async () => (await import("./tenant")).tenantCommand,
  [COMMANDS.init]: async () => (await import("./init")).initCommand,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    out(USAGE);
    return 0;
  }
  if (command === "--version" || command === "-v") {
    out(CDKTF_AIC_VERSION);
    return 0;
  }
  const load = Object.hasOwn(HANDLERS, command) ? HANDLERS[command] : undefined;
  if (!load) {
    const what = command.startsWith("-") ? "option" : "command";
    err(`cdktf-aic: unknown ${what} "${command}"; commands: ${Object.keys(HANDLERS).join(", ")}; options: --help, --version (see cdktf-aic --help)`);
    return 1;
  }
  try {
    return await (await load())(rest);
  } catch (e) {
    err(errorLine(command, e));
    if (process.env[CLI_ENV.debug] === "1" && e instanceof Error && e.stack) err(e.stack);
    return 1;
  }
}

/**
 * Exits as soon as the command is done: Node would otherwise linger for background work (the
 * HTTP parser's WebAssembly being optimized) that a short-lived provisioner process never uses.
 * stdout and stderr are flushed first. The tenant command returns only when it has shut down.
 */
function exit(code: number): void {
  let pending = 2;
  const done = () => --pending === 0 && process.exit(code);
  process.stdout.write("", done);
  process.stderr.write("", done);
}

main(process.argv.slice(2)).then(exit, (e) => {
  err(errorLine("", e));
  exit(1);
});
