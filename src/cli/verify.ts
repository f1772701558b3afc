/**
 * `cdktf-aic verify`: the seed's Task 4 against any tenant. A user token by the password grant
 * with the app, its introspection, the agent's token exchange for that user towards the app, and
 * the new token's introspection (sub = the user, act.sub = the agent, scope = the grant's scopes).
 * Prints the introspection essentials of each step, never a token or a secret.
 */
import { isAicApiError } from "../client/errors";
import { createOAuth2Api } from "../client/oauth2-api";
import type { ClientCredentials, OAuth2Api } from "../client/types";
import { ACCESS_TOKEN_TYPE, CLIENT_SECRET_METHODS, TOKEN_EXCHANGE_GRANT } from "../contract/constants";
import { clientSecretLabel } from "../contract/esv";
import type { IntrospectionResponse } from "../contract/schemas";
import type { Spec, SpecOf } from "../contract/spec";
import { CliError } from "../contract/errors";
import { formatOption, parseOptions } from "./args";
import { err, out, paint } from "./output";
import { specsOfStack } from "../plan/stack";
import { runFlows, StackFlows, type FlowCheck } from "./verify-flows";
import { appsToVerify, pairs, verifyApps, type AppCheck } from "./verify-apps";

const HELP = `Usage: cdktf-aic verify [options]
Runs the on-behalf-of flow (password grant → introspect → token exchange → introspect) and prints
PASS or FAIL. The app, the agent, their secret env var names, the scopes, the base URL and the realm
come from the synthesized stack (the agent grant in it), unless given here. Each client authenticates
with its token endpoint auth method in the stack (client_secret_post for a client not in it).
Then signs in to each application of the stack: the test user through the login journey with the
authorization code and PKCE for SPAs, native apps and web apps of the code flow, a client-credentials
token for service apps (private_key_jwt: the key in $<CLIENT_ID>_PRIVATE_KEY, --key-env, --key-file or
.cdktf-aic/keys/<client id>.private.jwk.json beside the synth output folder). A stack without agents
checks only its applications.

A stack that says who may act for whom (a MayActRule, an autonomous agent's grant) is verified flow
by flow without --app and --agent: impersonation (each grant), delegation with an actor token,
agent-to-agent, autonomous, and the refusals (an agent the may_act does not name, a scope outside
the grant or the scope limit, an audience outside the allow-list); each line shows the claims.

  --stack NAME             a stack in the synth output folder (default: the only one)
  --out DIR                the synth output folder (default: cdktf.out)
  --app CLIENT_ID          the application's client id
  --agent CLIENT_ID        the AI agent's client id
  --scope SCOPE            a scope to exchange for (repeatable; default: the grant's scopes)
  --base-url URL           the tenant (default: from the stack)
  --realm REALM            the realm (default: from the stack)
  --app-secret-env NAME    env var with the app's secret (default: $VERIFY_APP_SECRET_ENV, then the stack)
  --agent-secret-env NAME  env var with the agent's secret (default: $VERIFY_AGENT_SECRET_ENV, then the stack)
  --username-env NAME      env var with the user's name (default: VERIFY_USERNAME)
  --password-env NAME      env var with the user's password (default: VERIFY_PASSWORD)
  --key-env ID=NAME        env var with the private key of service app ID (repeatable)
  --key-file ID=PATH       file with the private key of service app ID (repeatable)
  --format FORMAT          text (default) or json (one object: result, tenant, steps, apps)
  --json                   deprecated: --format json

Exit codes: 0 PASS; 1 FAIL or error.`;

export interface VerifyTarget {
  baseUrl: string;
  realm: string;
  app: string;
  agent: string;
  /** Scopes asked for in the exchange; empty = whatever the privilege allows. */
  scopes: string[];
  /** The scope of the user's token: `openid`, or the app's first scope. */
  userScope: string;
  appSecretEnv: string;
  agentSecretEnv: string;
  /** How each client authenticates: its `tokenEndpointAuthMethod` in the stack. */
  appAuthMethod: SecretAuthMethod;
  agentAuthMethod: SecretAuthMethod;
  usernameEnv: string;
  passwordEnv: string;
}

type SecretAuthMethod = ClientCredentials["method"];
const SECRET_AUTH_METHODS: readonly string[] = CLIENT_SECRET_METHODS satisfies readonly SecretAuthMethod[];
/** A client that is not in the stack: the method verify always used [the seed's clients use it]. */
const UNKNOWN_CLIENT_AUTH_METHOD: SecretAuthMethod = "client_secret_post";

/** The method a client of the stack authenticates with; verify proves secrets, so only the secret methods. */
function secretAuthMethod(clientId: string, spec: { owned: { tokenEndpointAuthMethod: string } } | undefined): SecretAuthMethod {
  const method = spec?.owned.tokenEndpointAuthMethod ?? UNKNOWN_CLIENT_AUTH_METHOD;
  if (!SECRET_AUTH_METHODS.includes(method)) {
    throw new CliError(`${clientId} authenticates with ${method}: verify signs clients in with their secret (client_secret_basic or client_secret_post)`);
  }
  return method as SecretAuthMethod;
}

type Flags = Partial<Record<"stack" | "out" | "app" | "agent" | "base-url" | "realm" | "app-secret-env" | "agent-secret-env" | "username-env" | "password-env", string>> & {
  scope?: string[];
};

/** Combines flags, the environment and the stack's specs into what to verify. */
export function resolveTarget(flags: Flags, specs: readonly Spec[], env: Record<string, string | undefined>): VerifyTarget {
  const of = <K extends Spec["kind"]>(kind: K) => specs.filter((s): s is SpecOf<K> => s.kind === kind);
  const grants = of("agent-grant").filter(
    (g) => (!flags.app || g.owned.application === flags.app) && (!flags.agent || g.owned.agent === flags.agent),
  );
  const grant = grants.length === 1 ? grants[0] : undefined;
  const app = flags.app ?? grant?.owned.application ?? only(of("web-app"))?.id;
  const agent = flags.agent ?? grant?.owned.agent ?? only(of("ai-agent"))?.id;
  if (!app || !agent) {
    throw new CliError(
      grants.length > 1
        ? `the stack grants several agent/application pairs (${grants.map((g) => g.id).join(", ")}): pass --app and --agent`
        : "no agent grant found to verify: pass --app and --agent (and --scope), or --stack with a synthesized stack",
    );
  }
  const appSpec = of("web-app").find((s) => s.id === app);
  const agentSpec = of("ai-agent").find((s) => s.id === agent);
  const anySpec = grant ?? appSpec ?? agentSpec ?? specs[0];
  const baseUrl = flags["base-url"] ?? anySpec?.tenant.baseUrl;
  const realm = flags.realm ?? anySpec?.tenant.realm;
  if (!baseUrl || !realm) throw new CliError("the tenant is unknown: pass --base-url and --realm, or --stack with a synthesized stack");
  const secretEnv = (flag: string | undefined, envName: string, spec: SpecOf<"web-app"> | SpecOf<"ai-agent"> | undefined, what: string) => {
    const name = flag ?? env[envName] ?? spec?.secret?.env ?? storeSecretEnv(spec, specs);
    if (name) return name;
    const identifier = spec?.owned.secretLabelIdentifier;
    throw new CliError(
      identifier
        ? `the ${what}'s secret is in the tenant's secret store (${clientSecretLabel(identifier)}) and no EnvironmentSecret of the stack holds its value: pass --${what}-secret-env NAME, a variable that holds it`
        : `no env var known for the ${what} secret: pass --${what}-secret-env NAME`,
    );
  };
  const appScopes = appSpec?.owned.scopes ?? [];
  return {
    baseUrl,
    realm,
    app,
    agent,
    scopes: flags.scope ?? grant?.owned.scopes ?? [],
    userScope: appScopes.length === 0 || appScopes.includes("openid") ? "openid" : appScopes[0],
    appSecretEnv: secretEnv(flags["app-secret-env"], "VERIFY_APP_SECRET_ENV", appSpec, "app"),
    agentSecretEnv: secretEnv(flags["agent-secret-env"], "VERIFY_AGENT_SECRET_ENV", agentSpec, "agent"),
    appAuthMethod: secretAuthMethod(app, appSpec),
    agentAuthMethod: secretAuthMethod(agent, agentSpec),
    usernameEnv: flags["username-env"] ?? "VERIFY_USERNAME",
    passwordEnv: flags["password-env"] ?? "VERIFY_PASSWORD",
  };
}

/**
 * The variable that holds a client's secret when AM reads it from the tenant's store: the stack maps
 * the client's label to an ESV secret that the stack declares, whose value comes from that variable.
 */
export function storeSecretEnv(spec: SpecOf<"web-app"> | SpecOf<"ai-agent"> | undefined, specs: readonly Spec[]): string | undefined {
  const identifier = spec?.owned.secretLabelIdentifier;
  if (!identifier) return undefined;
  const label = clientSecretLabel(identifier);
  const mapping = specs.find((s): s is SpecOf<"secret-mapping"> => s.kind === "secret-mapping" && s.id === label);
  const esv = mapping && specs.find((s): s is SpecOf<"esv-secret"> => s.kind === "esv-secret" && s.id === mapping.owned.esv);
  return esv?.secret.env;
}

function only<T>(list: T[]): T | undefined {
  return list.length === 1 ? list[0] : undefined;
}

type Step = 1 | 2 | 3 | 4;

export interface StepReport {
  step: Step;
  name: string;
  ok: boolean;
  /** Introspection essentials (never a token). */
  sub?: string;
  scope?: string;
  client_id?: string;
  act?: { sub: string };
  /** The OAuth2 error, or what did not match. */
  error?: string;
  /** The likely misconfiguration. */
  hint?: string;
}

export interface VerifyReport {
  result: "PASS" | "FAIL";
  tenant: { baseUrl: string; realm: string };
  /** The on-behalf-of flow's clients and scopes (absent when the stack has no agent). */
  app?: string;
  agent?: string;
  scopes?: string[];
  steps: StepReport[];
  /** The applications' checks, when the stack has any. */
  apps?: AppCheck[];
}

const EXCHANGE_PREREQUISITES =
  "AM refuses a token exchange with this one message for every missing prerequisite; check: the agent lists the token-exchange grant type and uses client_secret_post; its provider overrides are on with client-side tokens and accept-audience; a grant (privilege) links the agent to the application whose client id is the audience; the user is among the grant's subjects or in one of its subject groups; every requested scope is among the grant's scopes (or, when those are empty, the application's)";

/** The likely misconfiguration behind an OAuth2 error at a step. */
export function hintFor(step: Step, error: string, description: string | undefined, t: VerifyTarget): string {
  // Introspection authenticates the same client as the step before it.
  if (step === 2 || step === 4) {
    return error === "invalid_client" ? hintFor(step === 2 ? 1 : 3, error, description, t) : "the tenant refused the introspection";
  }
  if (step === 1) {
    switch (error) {
      case "unsupported_grant_type":
        return "the provider does not allow the password grant: add 'password' to OAuth2ProviderGrants";
      case "unauthorized_client":
        return `the app ${t.app} does not list the password grant type`;
      case "invalid_client":
        return `the app ${t.app} rejected its credentials: check the secret in ${t.appSecretEnv} and that the app's token endpoint auth method is ${t.appAuthMethod}`;
      case "invalid_grant":
        return `the user's credentials were refused: check ${t.usernameEnv} and ${t.passwordEnv}`;
      case "invalid_scope":
        return `the app ${t.app} does not have the scope ${t.userScope}`;
    }
  } else {
    switch (error) {
      case "unsupported_grant_type":
        return "the provider does not allow token exchange: add 'token-exchange' to OAuth2ProviderGrants";
      case "invalid_client":
        return `the agent ${t.agent} rejected its credentials: check the secret in ${t.agentSecretEnv} and that the agent's token endpoint auth method is ${t.agentAuthMethod}`;
      case "unauthorized_client":
        return `the agent ${t.agent} does not list the token-exchange grant type`;
      case "invalid_scope":
        return `a requested scope (${t.scopes.join(" ") || "none"}) is not granted: add it to the grant's scopes (and the app's)`;
      case "invalid_request":
        if (description === "Invalid token exchange.") return EXCHANGE_PREREQUISITES;
    }
  }
  return "see the error above";
}

/** Compares the exchanged token's introspection with what the flow promises. */
export function checkExchanged(i: IntrospectionResponse, userSub: string, t: VerifyTarget): string[] {
  if (!i.active) return ["the exchanged token is not active"];
  const problems: string[] = [];
  if (i.sub !== userSub) problems.push(`sub is ${i.sub}, expected the user ${userSub}`);
  if (i.act?.sub !== t.agent) problems.push(`act.sub is ${i.act?.sub ?? "(none)"}, expected the agent ${t.agent}`);
  const got = i.scope.split(" ").filter(Boolean).sort();
  if (t.scopes.length > 0 && got.join(" ") !== [...t.scopes].sort().join(" ")) {
    problems.push(`scope is "${i.scope}", expected "${t.scopes.join(" ")}"`);
  }
  return problems;
}

function essentials(i: IntrospectionResponse): Pick<StepReport, "sub" | "scope" | "client_id" | "act"> {
  if (!i.active) return {};
  return { sub: i.sub, scope: i.scope, client_id: i.client_id, ...(i.act ? { act: { sub: i.act.sub } } : {}) };
}

/** An env var verify needs (the user's name or password), or an error naming it. */
export function requireEnv(env: Record<string, string | undefined>, name: string, what: string): string {
  const value = env[name];
  if (!value) throw new CliError(`${name} is not set: it must hold the ${what}`);
  return value;
}

/** Runs the four steps; stops at the first failure. */
export async function runVerify(api: OAuth2Api, t: VerifyTarget, env: Record<string, string | undefined>): Promise<StepReport[]> {
  const username = requireEnv(env, t.usernameEnv, "user's name");
  const password = requireEnv(env, t.passwordEnv, "user's password");
  const app: ClientCredentials = { clientId: t.app, secret: requireEnv(env, t.appSecretEnv, `client secret of ${t.app}`), method: t.appAuthMethod };
  const agent: ClientCredentials = { clientId: t.agent, secret: requireEnv(env, t.agentSecretEnv, `client secret of ${t.agent}`), method: t.agentAuthMethod };
  const steps: StepReport[] = [];
  const oauthFailure = (step: Step, name: string, e: unknown): StepReport => {
    if (!isAicApiError(e) || !e.apiMessage) throw e;
    const error = e.apiDescription ? `${e.apiMessage}: ${e.apiDescription}` : e.apiMessage;
    return { step, name, ok: false, error, hint: hintFor(step, e.apiMessage, e.apiDescription, t) };
  };

  const step1 = `password grant for ${username} with ${t.app} (scope ${t.userScope})`;
  let userToken: string;
  try {
    const r = await api.token({ grant_type: "password", username, password, scope: t.userScope }, app);
    userToken = r.access_token;
    steps.push({ step: 1, name: step1, ok: true, scope: r.scope });
  } catch (e) {
    return [oauthFailure(1, step1, e)];
  }

  const step2 = "introspect the user's token";
  let user: IntrospectionResponse;
  try {
    user = await api.introspect({ token: userToken }, app);
  } catch (e) {
    return [...steps, oauthFailure(2, step2, e)];
  }
  if (!user.active) {
    steps.push({ step: 2, name: step2, ok: false, error: "token not active", hint: "the tenant did not accept the token it just issued" });
    return steps;
  }
  steps.push({ step: 2, name: step2, ok: true, ...essentials(user) });

  const step3 = `token exchange by ${t.agent} for audience ${t.app}${t.scopes.length ? ` (scope ${t.scopes.join(" ")})` : ""}`;
  let agentToken: string;
  try {
    const r = await api.token({
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: userToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      audience: t.app,
      ...(t.scopes.length ? { scope: t.scopes.join(" ") } : {}),
    }, agent);
    agentToken = r.access_token;
    steps.push({ step: 3, name: step3, ok: true, scope: r.scope });
  } catch (e) {
    steps.push(oauthFailure(3, step3, e));
    return steps;
  }

  const step4 = "introspect the exchanged token";
  let exchanged: IntrospectionResponse;
  try {
    exchanged = await api.introspect({ token: agentToken }, agent);
  } catch (e) {
    return [...steps, oauthFailure(4, step4, e)];
  }
  const problems = checkExchanged(exchanged, user.sub, t);
  steps.push({
    step: 4,
    name: step4,
    ok: problems.length === 0,
    ...essentials(exchanged),
    ...(problems.length ? { error: problems.join("; "), hint: "the token does not represent the user acting through the agent" } : {}),
  });
  return steps;
}

function printText(report: VerifyReport): void {
  if (report.steps.length === 0) return;
  out(`verify: ${report.agent} on behalf of a user towards ${report.app} (${report.tenant.baseUrl}, realm ${report.tenant.realm})`);
  for (const s of report.steps) {
    const facts = [
      s.sub && `sub=${s.sub}`,
      s.act && `act.sub=${s.act.sub}`,
      s.scope !== undefined && `scope=${s.scope}`,
      s.client_id && `client_id=${s.client_id}`,
    ].filter(Boolean);
    const status = s.ok ? paint(process.stdout, "green", "ok") : paint(process.stdout, "red", "FAIL");
    out(`  ${s.step} ${s.name}: ${status}${facts.length ? ` ${facts.join(" ")}` : ""}${s.error ? ` — ${s.error}` : ""}`);
  }
  const failed = report.steps.find((s) => !s.ok);
  if (failed) out(paint(process.stdout, "red", `FAIL at step ${failed.step}: ${failed.hint}`));
  else out(paint(process.stdout, "green", "PASS"));
}

/** The applications' checks: one line each, then PASS or FAIL. */
function printApps(tenant: VerifyReport["tenant"], apps: readonly AppCheck[]): void {
  out(`verify: ${apps.length} application(s) (${tenant.baseUrl}, realm ${tenant.realm})`);
  for (const a of apps) {
    const facts = [a.sub && `sub=${a.sub}`, a.scope !== undefined && `scope=${a.scope}`, a.client_id && `client_id=${a.client_id}`].filter(Boolean);
    const status = a.ok ? paint(process.stdout, "green", "ok") : paint(process.stdout, "red", "FAIL");
    out(`  ${a.kind} ${a.id}: ${a.name}: ${status}${facts.length ? ` ${facts.join(" ")}` : ""}${a.error ? ` — ${a.error}` : ""}`);
  }
  const failed = apps.find((a) => !a.ok);
  if (failed) out(paint(process.stdout, "red", `FAIL at ${failed.kind} ${failed.id}: ${failed.hint}`));
  else out(paint(process.stdout, "green", "PASS"));
}

/** Whether the on-behalf-of flow is asked for: flags name its clients, or the stack has an agent. */
function wantsOnBehalfOf(flags: Flags, specs: readonly Spec[]): boolean {
  return Boolean(flags.app || flags.agent) || specs.some((s) => s.kind === "agent-grant" || s.kind === "ai-agent");
}

export async function verifyCommand(argv: string[]): Promise<number> {
  const values = parseOptions("verify", argv, {
    help: { type: "boolean", short: "h" },
    format: { type: "string" },
    json: { type: "boolean" },
    stack: { type: "string" },
    out: { type: "string" },
    app: { type: "string" },
    agent: { type: "string" },
    scope: { type: "string", multiple: true },
    "base-url": { type: "string" },
    realm: { type: "string" },
    "app-secret-env": { type: "string" },
    "agent-secret-env": { type: "string" },
    "username-env": { type: "string" },
    "password-env": { type: "string" },
    "key-env": { type: "string", multiple: true },
    "key-file": { type: "string", multiple: true },
  });
  if (values.help) {
    out(HELP);
    return 0;
  }
  if (values.json) err("cdktf-aic verify: --json is deprecated, use --format json");
  const format = formatOption(values.format ?? (values.json ? "json" : undefined), ["text", "json"]);
  const outDir = values.out ?? "cdktf.out";
  const specs = specsOfStack(outDir, values.stack);
  const flows = new StackFlows(specs);
  if (!values.app && !values.agent && flows.declaresFlows) return verifyFlows(flows, values, format);
  const apps = appsToVerify(specs);
  const onBehalfOf = apps.length === 0 || wantsOnBehalfOf(values, specs);
  const target = onBehalfOf ? resolveTarget(values, specs, process.env) : undefined;
  const tenant = target ?? { baseUrl: values["base-url"] ?? apps[0].tenant.baseUrl, realm: values.realm ?? apps[0].tenant.realm };
  const api = createOAuth2Api({ baseUrl: tenant.baseUrl, realm: tenant.realm });
  let steps: StepReport[] = [];
  let checks: AppCheck[] = [];
  try {
    if (target) steps = await runVerify(api, target, process.env);
    checks = await verifyApps(api, apps, {
      baseUrl: tenant.baseUrl,
      realm: tenant.realm,
      env: process.env,
      usernameEnv: values["username-env"] ?? "VERIFY_USERNAME",
      passwordEnv: values["password-env"] ?? "VERIFY_PASSWORD",
      outDir,
      keyFiles: pairs("key-file", values["key-file"]),
      keyEnvs: pairs("key-env", values["key-env"]),
    });
  } finally {
    await api.close();
  }
  const passed = (!target || (steps.length === 4 && steps.every((s) => s.ok))) && checks.every((c) => c.ok);
  const report: VerifyReport = {
    result: passed ? "PASS" : "FAIL",
    tenant: { baseUrl: tenant.baseUrl, realm: tenant.realm },
    ...(target ? { app: target.app, agent: target.agent, scopes: target.scopes } : {}),
    steps,
    ...(checks.length > 0 ? { apps: checks } : {}),
  };
  if (format === "json") out(JSON.stringify(report, null, 2));
  else {
    printText(report);
    if (checks.length > 0) printApps(report.tenant, checks);
  }
  return report.result === "PASS" ? 0 : 1;
}

/** Verifies every flow of a stack that says who may act for whom (`verify-flows.ts`). */
async function verifyFlows(flows: StackFlows, values: { "base-url"?: string; realm?: string; "username-env"?: string; "password-env"?: string }, format: string): Promise<number> {
  const tenant = flows.specs[0].tenant;
  const baseUrl = values["base-url"] ?? tenant.baseUrl;
  const realm = values.realm ?? tenant.realm;
  const api = createOAuth2Api({ baseUrl, realm });
  let checks: FlowCheck[];
  try {
    checks = await runFlows(api, flows, { env: process.env, usernameEnv: values["username-env"] ?? "VERIFY_USERNAME", passwordEnv: values["password-env"] ?? "VERIFY_PASSWORD" });
  } finally {
    await api.close();
  }
  const result = checks.length > 0 && checks.every((c) => c.ok) ? "PASS" : "FAIL";
  if (format === "json") {
    out(JSON.stringify({ result, tenant: { baseUrl, realm }, checks }, null, 2));
  } else {
    out(`verify: who may act for whom (${baseUrl}, realm ${realm})`);
    for (const c of checks) {
      const facts = Object.entries(c.claims ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
      const status = c.ok ? paint(process.stdout, "green", "ok") : paint(process.stdout, "red", "FAIL");
      out(`  ${status} ${c.flow}: ${c.name}${facts.length ? ` ${facts.join(" ")}` : ""}${c.error ? ` — ${c.error}` : ""}`);
    }
    out(result === "PASS" ? paint(process.stdout, "green", "PASS") : paint(process.stdout, "red", "FAIL"));
  }
  return result === "PASS" ? 0 : 1;
}
