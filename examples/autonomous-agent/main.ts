/**
 * An autonomous agent: an operations agent acts for itself, with no user. It exchanges its own
 * client-credentials token at the operations console, under a grant that names no subjects and
 * bounds its scopes; the issued token has `sub` = `act.sub` = the agent and `aud` = [agent, console].
 *
 *   npx tsx examples/autonomous-agent/main.ts    # synthesizes into examples/autonomous-agent/cdktf.out
 *   cdktf-aic verify --out examples/autonomous-agent/cdktf.out
 *
 * verify runs the flow and the refusal of a scope of the console outside the grant.
 */
import { join } from "node:path";
import { App } from "cdktf";
import { AgentApplicationGrant, AiAgent, ConfidentialWebApp, EMBEDDED_TENANT_URL, OAuth2ProviderGrants, Secret, TenantStack } from "../../constructs";

const app = new App({ outdir: join(__dirname, "cdktf.out") });
const stack = new TenantStack(app, "alpha", {
  tenant: { baseUrl: process.env.AIC_BASE_URL ?? EMBEDDED_TENANT_URL, realm: "alpha" },
});

new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["token-exchange", "client-credentials"], enableAiAgents: true });

const console = new ConfidentialWebApp(stack, "ops-console", {
  name: "Operations Console",
  clientId: "ops-console",
  clientSecret: Secret.fromEnv("OPS_CONSOLE_CLIENT_SECRET"),
  scopes: ["logs-read", "logs-search", "logs-delete"],
  grantTypes: ["client-credentials"],
  tokenEndpointAuthMethod: "client_secret_post",
});
const agent = new AiAgent(stack, "ops-agent", {
  name: "Operations Agent",
  clientId: "ops-agent",
  clientSecret: Secret.fromEnv("OPS_AGENT_CLIENT_SECRET"),
  autonomous: true,
  scopes: ["monitor-system"],
});
new AgentApplicationGrant(stack, "grant", { agent, application: console, scopes: ["logs-read", "logs-search"] });

app.synth();
