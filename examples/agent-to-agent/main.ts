/**
 * Agent-to-agent: a research agent acts for the users of the research portal (delegation with its
 * own actor token), and a summary agent acts for the research agent acting for a user. The
 * portal's tokens name the research agent in `may_act`; the research agent's tokens name the
 * summary agent. The summary agent's token carries the chain: `act: {sub: summary-agent, act:
 * {sub: research-agent}}` (RFC 8693 §4.1: only the outermost actor is current).
 *
 *   npx tsx examples/agent-to-agent/main.ts      # synthesizes into examples/agent-to-agent/cdktf.out
 *   cdktf-aic verify --out examples/agent-to-agent/cdktf.out
 *
 * verify runs the chain and the refusal of the summary agent exchanging a user's portal token
 * directly (the portal's may_act does not name it).
 */
import { join } from "node:path";
import { App } from "cdktf";
import { AiAgent, ConfidentialWebApp, EMBEDDED_TENANT_URL, MayActRule, OAuth2ProviderGrants, Secret, TenantStack } from "../../constructs";

const app = new App({ outdir: join(__dirname, "cdktf.out") });
const stack = new TenantStack(app, "alpha", {
  tenant: { baseUrl: process.env.AIC_BASE_URL ?? EMBEDDED_TENANT_URL, realm: "alpha" },
});

new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["password", "token-exchange", "client-credentials"], enableAiAgents: true });

const portal = new ConfidentialWebApp(stack, "portal", {
  name: "Research Portal",
  clientId: "research-portal",
  clientSecret: Secret.fromEnv("RESEARCH_PORTAL_CLIENT_SECRET"),
  scopes: ["openid", "read-data"],
  grantTypes: ["password"],
  tokenEndpointAuthMethod: "client_secret_post",
});
const research = new AiAgent(stack, "research-agent", {
  name: "Research Agent",
  clientId: "research-agent",
  clientSecret: Secret.fromEnv("RESEARCH_AGENT_CLIENT_SECRET"),
  actsBy: "delegation",
  scopes: ["read-data"],
});
const summary = new AiAgent(stack, "summary-agent", {
  name: "Summary Agent",
  clientId: "summary-agent",
  clientSecret: Secret.fromEnv("SUMMARY_AGENT_CLIENT_SECRET"),
  actsBy: "delegation",
  scopes: ["read-data"],
});

new MayActRule(stack, "portal-may-act", { agent: research, subjectTokensOf: [portal] });
new MayActRule(stack, "research-may-act", { agent: summary, subjectTokensOf: [research] });

app.synth();
