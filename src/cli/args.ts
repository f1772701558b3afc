/**
 * Option parsing shared by the commands: strict (an unknown option is an error that names it, the
 * options there are, the likely one meant, and `--help`), and `--format` checked against the
 * formats a command prints.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { CliError } from "../contract/errors";
import { closestName } from "../contract/text";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; strict: true; allowPositionals: false; options: O }>>["values"];

/** `parseArgs` with every mistake as a CliError pointing at `cdktf-aic <command> --help`. */
export function parseOptions<O extends Options>(command: string, argv: string[], options: O): Values<O> {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options }).values;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (!code?.startsWith("ERR_PARSE_ARGS_")) throw e;
    const names = Object.keys(options).map((o) => `--${o}`);
    const given = /'(-[^' =]*)/.exec((e as Error).message)?.[1];
    const meant = code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && given ? closestName(given, names) : undefined;
    const what = code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? `unknown option "${given}"` : (e as Error).message.replace(/\.[^.]*$|\.$/, "");
    throw new CliError(`${what}${meant ? ` (did you mean ${meant}?)` : ""}; cdktf-aic ${command} takes ${names.join(", ")} (see cdktf-aic ${command} --help)`);
  }
}

/** The `--format` value, one of `formats` (the first is the default). */
export function formatOption<F extends string>(given: string | undefined, formats: readonly [F, ...F[]]): F {
  if (given === undefined) return formats[0];
  if ((formats as readonly string[]).includes(given)) return given as F;
  throw new CliError(`--format "${given}" is not one of ${formats.join(", ")}`);
}
