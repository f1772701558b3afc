/**
 * `cdktf-aic verify` on a stack that says who may act for whom: every flow the stack declares, run
 * against the tenant, with the claims a person checks, then the refusals the stack promises.
 *
 * - impersonation: the seed's Task 4 for each grant that names subjects (`verify.ts`);
 * - delegation: a user's token from an app whose May Act script names the agent, exchanged by the
 *   agent with its own token as actor token (`act.sub` = the agent); without `sub` in `may_act`,
 *   by the agent alone (the issued token is the user's own);
 * - agent-to-agent: that token exchanged again by the agent the first agent's script names
 *   (`act` nests the first agent);
 * - autonomous: an agent's own client-credentials token exchanged at the application of a grant
 *   that names no subjects (`sub` = `act.sub` = the agent);
 * - refusals: an agent the `may_act` does not name, a scope outside the grant or the agent's
 *   scope limit, an audience outside its allow-list.
 *
 * Prints claims (from introspection, and `aud` from a JWT's payload), never a token or a secret.
 */
import { decodeJwt } from "jose";
import { isAicApiError } from "../client/errors";
import type { ClientCredentials, OAuth2Api } from "../client/types";
import { ACCESS_TOKEN_TYPE, GRANT_TYPES, TOKEN_EXCHANGE_GRANT } from "../contract/constants";
import { CliError } from "../contract/errors";
import { mayActOfSource, SCOPE_LIMIT_MESSAGE, SCRIPT_CONTEXTS, scopeLimitOfSource, type MayAct } from "../contract/scripts";
import type { Spec, SpecOf } from "../contract/spec";
import { resolveTarget, runVerify, storeSecretEnv } from "./verify";

type AgentSpec = SpecOf<"ai-agent">;
type AppSpec = SpecOf<"web-app">;

/** A May Act rule of the stack: its claim and the clients whose tokens carry it. */
interface Rule {
  readonly mayAct: MayAct;
  readonly subjectClients: readonly (AgentSpec | AppSpec)[];
}

/** What one check saw. */
export interface FlowCheck {
  readonly flow: "impersonation" | "delegation" | "agent-to-agent" | "autonomous" | "refusal";
  readonly name: string;
  readonly ok: boolean;
  /** The claims a person checks (never a token). */
  readonly claims?: Record<string, unknown>;
  /** What did not match, or the error. */
  readonly error?: string;
}

/** The stack's specs by kind, and its May Act rules read from their generated sources. */
export class StackFlows {
  readonly apps: Map<string, AppSpec>;
  readonly agents: Map<string, AgentSpec>;
  readonly grants: SpecOf<"agent-grant">[];
  readonly rules: Rule[];

  constructor(readonly specs: readonly Spec[]) {
    const of = <K extends Spec["kind"]>(kind: K) => specs.filter((s): s is SpecOf<K> => s.kind === kind);
    this.apps = new Map(of("web-app").map((s) => [s.id, s]));
    this.agents = new Map(of("ai-agent").map((s) => [s.id, s]));
    this.grants = of("agent-grant");
    const clients = [...this.apps.values(), ...this.agents.values()];
    this.rules = of("script").flatMap((script) => {
      const mayAct = script.owned.context === SCRIPT_CONTEXTS.mayAct ? mayActOfSource(script.owned.source) : undefined;
      return mayAct ? [{ mayAct, subjectClients: clients.filter((c) => c.owned.mayActScript === script.id) }] : [];
    });
  }

  /** Whether the stack declares more than the seed's flow: a May Act rule or an autonomous grant. */
  get declaresFlows(): boolean {
    return this.rules.length > 0 || this.autonomousGrants().length > 0;
  }

  autonomousGrants(): SpecOf<"agent-grant">[] {
    return this.grants.filter((g) => g.owned.subjects.length === 0 && g.owned.subjectGroups.length === 0 && ownsToken(this.agents.get(g.owned.agent)));
  }
}

/** Whether an agent can get a token of its own (client credentials). */
const ownsToken = (agent: AgentSpec | undefined) => agent?.owned.grantTypes.includes(GRANT_TYPES["client-credentials"]) === true;

/** Env names and values the flows need. */
export interface FlowEnv {
  readonly env: Record<string, string | undefined>;
  readonly usernameEnv: string;
  readonly passwordEnv: string;
}

/** A stand-in scope and audience no tenant grants, for refusals when the stack offers none to try. */
const OUTSIDE = "cdktf-aic-verify-outside";

/** Runs every flow the stack declares and every refusal it promises. */
export async function runFlows(api: OAuth2Api, flows: StackFlows, e: FlowEnv): Promise<FlowCheck[]> {
  const checks: FlowCheck[] = [];
  const secretOf = (spec: AgentSpec | AppSpec): ClientCredentials => {
    const name = spec.secret?.env ?? storeSecretEnv(spec, flows.specs);
    const secret = name && e.env[name];
    if (!secret) throw new CliError(`${name ?? "no env var known"}${name ? " is not set" : ""}: it must hold the client secret of ${spec.id}`);
    const method = spec.owned.tokenEndpointAuthMethod;
    if (method !== "client_secret_basic" && method !== "client_secret_post") throw new CliError(`${spec.id} authenticates with ${method}: verify signs clients in with their secret`);
    return { clientId: spec.id, secret, method };
  };
  // AM refuses a client-credentials request without a scope when the client has no default scopes.
  const ownToken = async (agent: AgentSpec) =>
    (await api.token({ grant_type: "client_credentials", ...(agent.owned.scopes.length ? { scope: agent.owned.scopes.join(" ") } : {}) }, secretOf(agent))).access_token;
  const userToken = async (app: AppSpec) => {
    const username = e.env[e.usernameEnv];
    const password = e.env[e.passwordEnv];
    if (!username || !password) throw new CliError(`${e.usernameEnv} and ${e.passwordEnv} must hold the user's name and password`);
    const scope = app.owned.scopes.includes("openid") ? "openid" : app.owned.scopes[0];
    return (await api.token({ grant_type: "password", username, password, scope }, secretOf(app))).access_token;
  };
  /** An exchange by `agent`: with its own token as actor token when `delegate`. */
  const exchange = async (agent: AgentSpec, subjectToken: string, o: { delegate: boolean; scope?: string[]; audience?: string }) =>
    (
      await api.token(
        {
          grant_type: TOKEN_EXCHANGE_GRANT,
          subject_token: subjectToken,
          subject_token_type: ACCESS_TOKEN_TYPE,
          ...(o.delegate ? { actor_token: await ownToken(agent), actor_token_type: ACCESS_TOKEN_TYPE } : {}),
          ...(o.scope?.length ? { scope: o.scope.join(" ") } : {}),
          ...(o.audience ? { audience: o.audience } : {}),
        },
        secretOf(agent),
      )
    ).access_token;
  const claimsOf = async (token: string, agent: AgentSpec) => {
    const i = await api.introspect({ token }, secretOf(agent));
    if (!i.active) return { active: false };
    return { sub: i.sub, act: i.act, scope: i.scope, client_id: i.client_id, aud: audOf(token) };
  };
  /** A step that must succeed and show `expected`; an OAuth2 error or a mismatch fails it. */
  const expectClaims = async (flow: FlowCheck["flow"], name: string, run: () => Promise<[string, AgentSpec]>, expected: (c: Record<string, unknown>) => string[]) => {
    try {
      const [token, agent] = await run();
      const claims = await claimsOf(token, agent);
      const problems = expected(claims);
      checks.push({ flow, name, ok: problems.length === 0, claims, ...(problems.length ? { error: problems.join("; ") } : {}) });
      return problems.length === 0 ? token : undefined;
    } catch (err) {
      checks.push({ flow, name, ok: false, error: oauthError(err) });
      return undefined;
    }
  };
  /** A step the tenant must refuse with `error` (and `description`, when given). */
  const expectRefusal = async (name: string, run: () => Promise<unknown>, error: string, description?: (d: string) => boolean) => {
    try {
      await run();
      checks.push({ flow: "refusal", name, ok: false, error: "the tenant granted it" });
    } catch (err) {
      if (!isAicApiError(err) || !err.apiMessage) throw err;
      const ok = err.apiMessage === error && (description === undefined || description(err.apiDescription ?? ""));
      checks.push({ flow: "refusal", name, ok, claims: { error: err.apiMessage, error_description: err.apiDescription }, ...(ok ? {} : { error: `expected ${error}` }) });
    }
  };

  // Impersonation: the seed's Task 4 for each grant that names users.
  for (const grant of flows.grants.filter((g) => g.owned.subjects.length + g.owned.subjectGroups.length > 0)) {
    const target = resolveTarget({ app: grant.owned.application, agent: grant.owned.agent }, flows.specs, e.env);
    const steps = await runVerify(api, { ...target, usernameEnv: e.usernameEnv, passwordEnv: e.passwordEnv }, e.env);
    const last = steps[steps.length - 1];
    const failed = steps.find((s) => !s.ok);
    checks.push({
      flow: "impersonation",
      name: `${grant.owned.agent} for a user at ${grant.owned.application} (its grant, no actor token)`,
      ok: steps.length === 4 && !failed,
      claims: { sub: last.sub, act: last.act, scope: last.scope, client_id: last.client_id },
      ...(failed ? { error: `step ${failed.step}: ${failed.error} — ${failed.hint}` } : {}),
    });
    const app = flows.apps.get(grant.owned.application);
    const agent = flows.agents.get(grant.owned.agent);
    if (app && agent && grant.owned.scopes.length > 0) {
      const outside = app.owned.scopes.find((s) => !grant.owned.scopes.includes(s) && s !== "openid") ?? OUTSIDE;
      await expectRefusal(`${agent.id} asks for scope ${outside}, outside its grant`, async () => exchange(agent, await userToken(app), { delegate: false, scope: [outside], audience: app.id }), "invalid_scope");
    }
  }

  for (const rule of flows.rules) {
    const agent = flows.agents.get(rule.mayAct.client_id);
    if (!agent) continue;
    const delegate = rule.mayAct.sub !== undefined;
    const scope = exchangeScopes(flows, agent);
    const audience = agent.owned.audiences?.[0];
    for (const app of rule.subjectClients.filter((c): c is AppSpec => c.kind === "web-app")) {
      const userSub = { value: "" };
      const name = `${agent.id} for a user of ${app.id} (${delegate ? "its own token as actor token" : "no actor token"}${audience ? `, audience ${audience}` : ""})`;
      const token = await expectClaims("delegation", name, async () => {
        const subject = await userToken(app);
        userSub.value = String((await api.introspect({ token: subject }, secretOf(app))).sub ?? "");
        return [await exchange(agent, subject, { delegate, scope, audience }), agent];
      }, (c) => [
        ...(c.sub === userSub.value ? [] : [`sub is ${String(c.sub)}, expected the user ${userSub.value}`]),
        ...(c.client_id === agent.id ? [] : [`client_id is ${String(c.client_id)}, expected ${agent.id}`]),
        ...(delegate ? ((c.act as { sub?: string } | undefined)?.sub === agent.id ? [] : [`act.sub is ${JSON.stringify(c.act)}, expected ${agent.id}`]) : []),
        ...(audience && !asList(c.aud).includes(audience) && c.aud !== undefined ? [`aud is ${JSON.stringify(c.aud)}, expected it to include ${audience}`] : []),
      ]);
      if (token) await agentToAgent(agent, token, userSub.value);
      await refusals(agent, app, delegate, scope);
    }
  }

  async function agentToAgent(first: AgentSpec, firstToken: string, userSub: string): Promise<void> {
    for (const rule of flows.rules.filter((r) => r.subjectClients.some((c) => c.id === first.id))) {
      const second = flows.agents.get(rule.mayAct.client_id);
      if (!second) continue;
      await expectClaims("agent-to-agent", `${second.id} for ${first.id} acting for the user`, async () => [
        await exchange(second, firstToken, { delegate: rule.mayAct.sub !== undefined, scope: exchangeScopes(flows, second) }),
        second,
      ], (c) => {
        const act = c.act as { sub?: string; act?: { sub?: string } } | undefined;
        return [
          ...(c.sub === userSub ? [] : [`sub is ${String(c.sub)}, expected the user ${userSub}`]),
          ...(act?.sub === second.id && act.act?.sub === first.id ? [] : [`act is ${JSON.stringify(act)}, expected ${second.id} with ${first.id} nested`]),
        ];
      });
    }
  }

  async function refusals(named: AgentSpec, app: AppSpec, delegate: boolean, scope: string[] | undefined): Promise<void> {
    const other = [...flows.agents.values()].find((a) => a.id !== named.id && ownsToken(a) && a.owned.grantTypes.includes(TOKEN_EXCHANGE_GRANT));
    if (other) {
      await expectRefusal(`${other.id}, not named by ${app.id}'s may_act, exchanges a user's token with its own actor token`, async () => exchange(other, await userToken(app), { delegate: true, scope }), "invalid_request");
    }
    const limit = limitOf(flows, named);
    if (limit) {
      const outside = named.owned.scopes.find((s) => !limit.includes(s)) ?? OUTSIDE;
      await expectRefusal(`${named.id} asks for scope ${outside}, outside its scope limit`, async () => exchange(named, await userToken(app), { delegate, scope: [outside] }), "invalid_scope", (d) => d.startsWith(SCOPE_LIMIT_MESSAGE) || outside === OUTSIDE);
    }
    if (named.owned.audiences) {
      await expectRefusal(`${named.id} asks for audience ${OUTSIDE}, outside its allow-list`, async () => exchange(named, await userToken(app), { delegate, scope, audience: OUTSIDE }), "invalid_request", (d) => d === "Invalid audience requested.");
    }
  }

  for (const grant of flows.autonomousGrants()) {
    const agent = flows.agents.get(grant.owned.agent)!;
    const app = grant.owned.application;
    await expectClaims("autonomous", `${agent.id} for itself at ${app} (its own client-credentials token)`, async () => [
      await exchange(agent, await ownToken(agent), { delegate: false, scope: grant.owned.scopes, audience: app }),
      agent,
    ], (c) => [
      ...(c.sub === agent.id ? [] : [`sub is ${String(c.sub)}, expected the agent ${agent.id}`]),
      ...((c.act as { sub?: string } | undefined)?.sub === agent.id ? [] : [`act.sub is ${JSON.stringify(c.act)}, expected ${agent.id}`]),
      ...(c.aud === undefined || asList(c.aud).includes(app) ? [] : [`aud is ${JSON.stringify(c.aud)}, expected it to include ${app}`]),
    ]);
    if (grant.owned.scopes.length > 0) {
      const outside = flows.apps.get(app)?.owned.scopes.find((s) => !grant.owned.scopes.includes(s) && s !== "openid") ?? OUTSIDE;
      await expectRefusal(`${agent.id} asks for scope ${outside}, outside its grant`, async () => exchange(agent, await ownToken(agent), { delegate: false, scope: [outside], audience: app }), "invalid_scope");
    }
  }
  return checks;
}

/** The scope an agent's delegated exchange asks for: its first own scope within its scope limit; none when it has none. */
function exchangeScopes(flows: StackFlows, agent: AgentSpec): string[] | undefined {
  const limit = limitOf(flows, agent);
  const scope = agent.owned.scopes.find((s) => !limit || limit.includes(s));
  return scope === undefined ? undefined : [scope];
}

/** The scope limit an agent's script holds, read back from the stack's scope-limit script. */
function limitOf(flows: StackFlows, agent: AgentSpec): string[] | undefined {
  const script = flows.specs.find((s): s is SpecOf<"script"> => s.kind === "script" && s.id === agent.owned.scopeLimitScript);
  return script && scopeLimitOfSource(script.owned.source);
}

const asList = (aud: unknown): unknown[] => (Array.isArray(aud) ? aud : [aud]);

/** A JWT's `aud` (introspection does not say it); undefined for an opaque token. */
function audOf(token: string): unknown {
  try {
    return decodeJwt(token).aud;
  } catch {
    return undefined;
  }
}

function oauthError(e: unknown): string {
  if (!isAicApiError(e) || !e.apiMessage) throw e;
  return e.apiDescription ? `${e.apiMessage}: ${e.apiDescription}` : e.apiMessage;
}
