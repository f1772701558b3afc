/**
 * Which Terraform (or OpenTofu) `npm start`, `npm test`, `npm run bench` and the e2e harness run, in
 * this order:
 *
 *   1. CDKTF_AIC_TERRAFORM: a path, or a command name looked up on PATH (`terraform`, `tofu`);
 *   2. a `terraform`, else a `tofu`, on PATH;
 *   3. the offline build of scripts/install-terraform.sh (Terraform 1.5.7 from the Go module proxy,
 *      cached): the only case that needs Go.
 *
 * Any engine must be version 1.5 or later (`terraform_data`). A CDKTF_AIC_TERRAFORM that does not
 * work is an error, never a silent fall-back.
 *
 *   tsx scripts/engine.ts --shell   prints `export NAME='value'` lines for the chosen engine (stdout)
 *                                   and announces it on stderr; scripts/with-tools.sh evals them.
 */
import { execFileSync } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, resolve } from "node:path";

export const MIN_VERSION = [1, 5] as const;
/** Set once the engine has been announced, so child processes (jest workers) stay quiet. */
export const ANNOUNCED_ENV = "CDKTF_AIC_ENGINE_ANNOUNCED";
const INSTALL_SCRIPT = resolve(__dirname, "install-terraform.sh");
/** What scripts/install-terraform.sh's env.sh sets. */
const OFFLINE_ENV_KEYS = ["PATH", "TF_CLI_CONFIG_FILE", "TF_CLI_ARGS_providers_lock", "CHECKPOINT_DISABLE", "CDKTF_AIC_TERRAFORM"];

export interface Engine {
  /** Absolute path of the binary. */
  binary: string;
  product: "Terraform" | "OpenTofu";
  /** e.g. "1.11.4" */
  version: string;
  /** Where the choice came from. */
  source: "CDKTF_AIC_TERRAFORM" | "PATH" | "offline build";
  /** Variables to add to a child's environment (always CDKTF_AIC_TERRAFORM and CHECKPOINT_DISABLE). */
  env: Record<string, string>;
}

/** `Terraform v1.11.4` or `OpenTofu v1.6.3` on the first line of `<binary> version`. */
export function parseVersionOutput(text: string): { product: Engine["product"]; version: string } | undefined {
  const m = /^(Terraform|OpenTofu) v(\d+\.\d+\.\d+\S*)/m.exec(text);
  return m ? { product: m[1] as Engine["product"], version: m[2] } : undefined;
}

export function isSupportedVersion(version: string): boolean {
  const [major, minor] = version.split(".").map((n) => Number.parseInt(n, 10));
  return major > MIN_VERSION[0] || (major === MIN_VERSION[0] && minor >= MIN_VERSION[1]);
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on `searchPath`, like `command -v`. */
export function findOnPath(name: string, searchPath: string | undefined): string | undefined {
  for (const dir of (searchPath ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = resolve(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** Runs `<binary> version`; undefined when it does not run or does not say what it is. */
export function probe(binary: string, env: NodeJS.ProcessEnv = process.env): { product: Engine["product"]; version: string } | undefined {
  try {
    const out = execFileSync(binary, ["version"], {
      env: { ...env, CHECKPOINT_DISABLE: "1" },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 30_000,
    });
    return parseVersionOutput(out);
  } catch {
    return undefined;
  }
}

function engineOf(binary: string, source: Engine["source"], env: NodeJS.ProcessEnv, extraEnv: Record<string, string> = {}): Engine | undefined {
  const found = probe(binary, { ...env, ...extraEnv });
  if (!found) return undefined;
  return { binary, ...found, source, env: { ...extraEnv, CHECKPOINT_DISABLE: "1", CDKTF_AIC_TERRAFORM: binary } };
}

export interface ChooseOptions {
  /** Build with install-terraform.sh when nothing usable is installed (default true). */
  build?: boolean;
}

/**
 * The engine to use. Throws when CDKTF_AIC_TERRAFORM names something unusable, or (with `build`)
 * when the offline build fails; returns undefined only when `build` is false and nothing is installed.
 */
export function chooseEngine(env: NodeJS.ProcessEnv = process.env, options: ChooseOptions = {}): Engine | undefined {
  const requested = env.CDKTF_AIC_TERRAFORM;
  if (requested !== undefined && requested !== "") {
    const binary = requested.includes("/") ? resolve(requested) : findOnPath(requested, env.PATH);
    if (binary === undefined) throw new Error(`CDKTF_AIC_TERRAFORM=${requested}: no such command on PATH`);
    const engine = engineOf(binary, "CDKTF_AIC_TERRAFORM", env);
    if (!engine) throw new Error(`CDKTF_AIC_TERRAFORM=${requested}: \`${binary} version\` does not run or is neither Terraform nor OpenTofu`);
    if (!isSupportedVersion(engine.version)) {
      throw new Error(`CDKTF_AIC_TERRAFORM=${requested} is ${engine.product} v${engine.version}; version ${MIN_VERSION.join(".")} or later is needed`);
    }
    return engine;
  }

  for (const name of ["terraform", "tofu"]) {
    const binary = findOnPath(name, env.PATH);
    if (binary === undefined) continue;
    const engine = engineOf(binary, "PATH", env);
    if (engine && isSupportedVersion(engine.version)) return engine;
    process.stderr.write(
      `engine: skipping ${binary}: ${engine ? `${engine.product} v${engine.version} is older than ${MIN_VERSION.join(".")}` : "`version` does not run"}\n`,
    );
  }

  if (options.build === false) return undefined;
  return offlineBuild(env);
}

/** scripts/install-terraform.sh (builds once, then only checks the cache), then what its env.sh sets. */
function offlineBuild(env: NodeJS.ProcessEnv): Engine {
  process.stderr.write("engine: no terraform or tofu >= 1.5 on PATH; using the offline build (scripts/install-terraform.sh, needs Go)\n");
  const envFile = execFileSync("bash", [INSTALL_SCRIPT], { env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
    .trim()
    .split("\n")
    .pop()!;
  const dump = execFileSync("bash", ["-c", `. "$1" && printf '%s\\0' ${OFFLINE_ENV_KEYS.map((k) => `"${k}=\${${k}-}"`).join(" ")}`, "bash", envFile], {
    env,
    encoding: "utf8",
  });
  const extra: Record<string, string> = {};
  for (const entry of dump.split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0 && entry.length > eq + 1) extra[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  const binary = extra.CDKTF_AIC_TERRAFORM;
  if (!binary || !isAbsolute(binary)) throw new Error(`${envFile} sets no CDKTF_AIC_TERRAFORM`);
  const engine = engineOf(binary, "offline build", env, extra);
  if (!engine) throw new Error(`the offline build ${binary} does not run`);
  return engine;
}

export function describeEngine(engine: Engine): string {
  const from = engine.source === "PATH" ? "found on PATH" : engine.source === "offline build" ? "offline build" : "from CDKTF_AIC_TERRAFORM";
  return `engine: ${engine.product} v${engine.version} (${engine.binary}, ${from})`;
}

/** Announces the engine on stderr unless a parent process already did. */
export function announce(engine: Engine, env: NodeJS.ProcessEnv = process.env): void {
  if (env[ANNOUNCED_ENV] === engine.binary) return;
  process.stderr.write(`${describeEngine(engine)}\n`);
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function shellExports(engine: Engine): string {
  const vars = { ...engine.env, [ANNOUNCED_ENV]: engine.binary };
  return Object.entries(vars)
    .map(([k, v]) => `export ${k}=${shellQuote(v)}\n`)
    .join("");
}

if (require.main === module) {
  const args = process.argv.slice(2);
  try {
    const engine = chooseEngine()!;
    announce(engine);
    if (args.includes("--shell")) process.stdout.write(shellExports(engine));
    else if (args.includes("--json")) process.stdout.write(`${JSON.stringify(engine)}\n`);
  } catch (e) {
    process.stderr.write(`engine: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
