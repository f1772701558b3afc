/**
 * The embedded tenant's script engine: it runs the AM scripts this project's constructs generate
 * (the dialect declared in contract/scripts.ts) and nothing else. A script is run only when its
 * source is exactly what the dialect would generate for the values it carries, in the context that
 * dialect targets; any other script wired to a client is a ScriptRunError, which the token endpoint
 * answers with a 500 naming the script and the reason, never a silent pass.
 */
import { mayActOfSource, mayActScriptSource, SCOPE_LIMIT_MESSAGE, SCRIPT_CONTEXTS, scopeLimitOfSource, scopeLimitScriptSource, type MayAct } from "../contract/scripts";
import { effectiveSetting, own } from "./token-exchange";
import type { TenantState } from "./types";

type Json = Record<string, unknown>;

/** A wired script the engine cannot run; `message` is AM's wording, `detail` the emulator's reason. */
export class ScriptRunError extends Error {
  constructor(
    message: string,
    readonly detail: string,
  ) {
    super(message);
  }
}

/** AM's "no script" value of a script attribute. */
const NO_SCRIPT = "[Empty]";

interface Dialect<T> {
  /** AM's wording when the script fails [PAM-22 for may_act; the scope one is inf]. */
  failure: string;
  context: string;
  /** The values a source carries, when it has the dialect's form (still to be checked by regenerating). */
  read(source: string): T | undefined;
  generate(values: T): string;
}

const MAY_ACT: Dialect<MayAct> = {
  failure: "Error running may_act script",
  context: SCRIPT_CONTEXTS.mayAct,
  read: mayActOfSource,
  generate: mayActScriptSource,
};

const SCOPE_LIMIT: Dialect<string[]> = {
  failure: "Error running scope validation script",
  context: SCRIPT_CONTEXTS.validateScope,
  read: scopeLimitOfSource,
  generate: scopeLimitScriptSource,
};

/** Runs the script `id` of the realm under `dialect`, or throws ScriptRunError saying why it cannot. */
function run<T>(state: TenantState, realm: string, id: string, dialect: Dialect<T>): T {
  const record = own(own(state.realms, realm)?.scripts, id)?.body;
  if (!record) throw new ScriptRunError(dialect.failure, `no script ${id} in realm ${realm}`);
  const name = `script "${String(record.name)}" (${id})`;
  if (record.context !== dialect.context || record.language !== "JAVASCRIPT") {
    throw new ScriptRunError(dialect.failure, `${name} is a ${String(record.language)} ${String(record.context)} script; the embedded tenant runs ${dialect.context} JavaScript only`);
  }
  const source = Buffer.from(String(record.script), "base64").toString("utf8").replace(/\r\n/g, "\n");
  const values = dialect.read(source);
  if (values === undefined || dialect.generate(values) !== source) {
    throw new ScriptRunError(dialect.failure, `${name} is not in the dialect the embedded tenant runs (contract/scripts.ts); it cannot tell what AM would do with it`);
  }
  return values;
}

/** The script id a client's (or, without overrides, the provider's) attribute names; undefined for none. */
function wiredScript(provider: Json | null, client: Json, group: string, key: string): string | undefined {
  const id = effectiveSetting(provider, client, group, key);
  return typeof id === "string" && id !== "" && id !== NO_SCRIPT ? id : undefined;
}

/**
 * The `may_act` claim the issuing client's May Act script stamps on a token it issues (reference
 * §3.4: `accessTokenMayActScript` for access and refresh tokens, `oidcMayActScript` for ID tokens);
 * undefined when no script is wired.
 */
export function mayActClaim(state: TenantState, realm: string, provider: Json | null, client: Json, token: "access" | "id"): MayAct | undefined {
  const id = wiredScript(provider, client, "coreOAuth2Config", token === "access" ? "accessTokenMayActScript" : "oidcMayActScript");
  return id === undefined ? undefined : run(state, realm, id, MAY_ACT);
}

/**
 * Runs the acting client's scope-validation script on an exchange's scopes (reference §5: the
 * client's `validateScopeScript` with `validateScopePluginType: SCRIPTED`). Returns the scopes it
 * lets through, or the `invalid_scope` message of `throwInvalidScope`; undefined when no script
 * is wired.
 */
export function validateScopes(state: TenantState, realm: string, provider: Json | null, client: Json, scopes: string[]): { refused: string } | undefined {
  if (effectiveSetting(provider, client, "pluginsConfig", "validateScopePluginType") !== "SCRIPTED") return undefined;
  const id = wiredScript(provider, client, "pluginsConfig", "validateScopeScript");
  if (id === undefined) return undefined;
  const allowed = run(state, realm, id, SCOPE_LIMIT);
  const outside = scopes.filter((s) => !allowed.includes(s));
  return outside.length > 0 ? { refused: `${SCOPE_LIMIT_MESSAGE} ${outside.join(" ")}` } : undefined;
}
