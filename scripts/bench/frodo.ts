/**
 * frodo (the Ping community CLI, `@rockcarver/frodo-cli`, a dev dependency) for the benchmark's
 * comparison: `frodo oauth client export --all` from a tenant where the web apps exist, then
 * `frodo oauth client import --all --file F` on a fresh one.
 *
 * What frodo does by default, and what the benchmark sets instead:
 * - its state lives in ~/.frodo (connection profiles, token cache, master key, version cache): HOME
 *   is a temp folder per call, deleted afterwards;
 * - every start checks for a newer release (GitHub and the npm registry) unless ~/.frodo/Versions.json
 *   was written in the last 24 hours: the benchmark writes one, so frodo opens no connection but to
 *   the tenant;
 * - it logs in as amadmin (frodo 3.1 builds a service account's assertion audience as origin + ":" +
 *   port, doubling an explicit port), through FRODO_* variables, so that no password is in argv;
 * - `-m classic`: AM only (an OAuth2 client import needs no IDM token), which skips frodo's probe of
 *   the deployment type through /oauth2/authorize.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { run, type Ran } from "./process";

const LAUNCHER = resolve(__dirname, "..", "..", "node_modules", "@rockcarver", "frodo-cli", "dist", "launch.cjs");
/** frodo's launcher starts the CLI as a second Node.js process. */
export const FRODO_PROCESSES = 2;

export interface FrodoLogin {
  /** The tenant's base URL (frodo appends nothing: it is given `<base>/am`). */
  baseUrl: string;
  realm: string;
  username: string;
  password: string;
}

async function frodo(login: FrodoLogin, args: string[], cwd: string): Promise<Ran> {
  const home = mkdtempSync(join(tmpdir(), "cdktf-aic-bench-frodo-"));
  try {
    mkdirSync(join(home, ".frodo"));
    // The release check's cache: fresh, naming the installed release, so frodo asks no one.
    writeFileSync(join(home, ".frodo", "Versions.json"), JSON.stringify({ last_checked: Math.floor(Date.now() / 1000), github: "3.1.0", npm: "3.1.0" }));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      FRODO_HOST: `${login.baseUrl}/am`,
      FRODO_REALM: login.realm,
      FRODO_USERNAME: login.username,
      FRODO_PASSWORD: login.password,
      NO_COLOR: "1",
    };
    return await run(process.execPath, [LAUNCHER, ...args], { cwd, env });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Writes every OAuth2 client of the realm to `file` in frodo's export format. */
export async function exportWithFrodo(login: FrodoLogin, file: string): Promise<Ran> {
  return frodo(login, ["oauth", "client", "export", "-m", "classic", "--all", "--no-metadata", "--file", file], resolve(file, ".."));
}

/** Imports every client of `file` into the realm. */
export async function importWithFrodo(login: FrodoLogin, file: string): Promise<Ran> {
  return frodo(login, ["oauth", "client", "import", "-m", "classic", "--all", "--file", file], resolve(file, ".."));
}
