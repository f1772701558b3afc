/**
 * The benchmark's stacks: N objects made with the real constructs, in the seed's proportions
 * (one web app, one AI agent and one grant between them), plus the realm's provider grants that
 * the clients need.
 */
import { App } from "cdktf";
import { AgentApplicationGrant, AiAgent, ConfidentialWebApp, OAuth2ProviderGrants, Secret, TenantStack } from "../../constructs";

export const BENCH_STACK = "bench";
export const SECRET_ENV = { webApp: "BENCH_WEB_APP_CLIENT_SECRET", agent: "BENCH_AI_AGENT_CLIENT_SECRET" } as const;
/** The user every grant lets the agents act for (seeded in the embedded tenant). */
const SUBJECT = "barbara.jensen";

/** How N objects split into web apps, agents and grants (1:1:1, the remainder to apps, then agents). */
export function objectMix(n: number): { webApps: number; agents: number; grants: number } {
  const webApps = Math.ceil(n / 3);
  const agents = Math.ceil((n - webApps) / 2);
  return { webApps, agents, grants: n - webApps - agents };
}

/** The client id of web app `i`; the one-field change touches web app 0. */
export const webAppId = (i: number) => `bench-web-app-${i}`;

export interface BenchStackOptions {
  outdir: string;
  baseUrl: string;
  objects: number;
  /** Sets the description of web app 0: the "one field changed on one object" case. */
  changed?: boolean;
  /** N web apps and nothing else (no agents, grants or provider grants): the frodo comparison. */
  webAppsOnly?: boolean;
}

export function synthBenchStack(opts: BenchStackOptions): void {
  const app = new App({ outdir: opts.outdir });
  const stack = new TenantStack(app, BENCH_STACK, { tenant: { baseUrl: opts.baseUrl, realm: "alpha" } });
  if (!opts.webAppsOnly) new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["password", "token-exchange"] });
  const mix = opts.webAppsOnly ? { webApps: opts.objects, agents: 0, grants: 0 } : objectMix(opts.objects);
  const webApps = Array.from(
    { length: mix.webApps },
    (_, i) =>
      new ConfidentialWebApp(stack, `web-app-${i}`, {
        name: `Bench Web App ${i}`,
        clientId: webAppId(i),
        clientSecret: Secret.fromEnv(SECRET_ENV.webApp),
        owners: [SUBJECT],
        scopes: ["openid", "read-data", "write-data"],
        grantTypes: ["password"],
        tokenEndpointAuthMethod: "client_secret_post",
        ...(opts.changed && i === 0 ? { description: "changed by the benchmark" } : {}),
      }),
  );
  const agents = Array.from(
    { length: mix.agents },
    (_, i) =>
      new AiAgent(stack, `agent-${i}`, {
        name: `Bench AI Agent ${i}`,
        clientId: `bench-ai-agent-${i}`,
        clientSecret: Secret.fromEnv(SECRET_ENV.agent),
      }),
  );
  for (let i = 0; i < mix.grants; i++) {
    new AgentApplicationGrant(stack, `grant-${i}`, {
      agent: agents[i],
      application: webApps[i],
      subjects: [SUBJECT],
      scopes: ["read-data"],
    });
  }
  app.synth();
}
