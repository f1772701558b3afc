/**
 * Delegation: an HR agent acts for the users of the HR portal by presenting its own token as the
 * actor token. The portal's tokens carry a `may_act` naming the agent (a MayActRule, wired on the
 * portal); the agent's exchanges are limited to `read-data` (a scope-validation script) and to the
 * `hr-portal` audience (an allow-list). Beside it, the seed's flow: an assistant that acts for
 * Barbara through its grant, without an actor token (impersonation).
 *
 *   npx tsx examples/delegation/main.ts          # synthesizes into examples/delegation/cdktf.out
 *   cdktf-aic verify --out examples/delegation/cdktf.out
 *
 * verify runs both flows and the refusals: the assistant (not named by the portal's may_act)
 * presenting its own actor token, a scope outside the assistant's grant, a scope outside the HR
 * agent's limit, an audience outside its allow-list.
 */
import { join } from "node:path";
import { App } from "cdktf";
import { AgentApplicationGrant, AiAgent, ConfidentialWebApp, EMBEDDED_TENANT_URL, MayActRule, OAuth2ProviderGrants, Secret, TenantStack } from "../../constructs";

const app = new App({ outdir: join(__dirname, "cdktf.out") });
const stack = new TenantStack(app, "alpha", {
  tenant: { baseUrl: process.env.AIC_BASE_URL ?? EMBEDDED_TENANT_URL, realm: "alpha" },
});

new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["password", "token-exchange", "client-credentials"], enableAiAgents: true });

const portal = new ConfidentialWebApp(stack, "portal", {
  name: "HR Portal",
  clientId: "hr-portal",
  clientSecret: Secret.fromEnv("HR_PORTAL_CLIENT_SECRET"),
  scopes: ["openid", "read-data", "write-data"],
  grantTypes: ["password"],
  tokenEndpointAuthMethod: "client_secret_post",
});

// Delegation: its own token is the actor token; the issued token names it in `act`.
const hrAgent = new AiAgent(stack, "hr-agent", {
  name: "HR Agent",
  clientId: "hr-agent",
  clientSecret: Secret.fromEnv("HR_AGENT_CLIENT_SECRET"),
  actsBy: "delegation",
  scopes: ["read-data", "write-data"],
  scopeLimit: ["read-data"],
  allowedAudiences: ["hr-portal"],
});
new MayActRule(stack, "portal-may-act", { agent: hrAgent, subjectTokensOf: [portal] });

// Impersonation (the seed's Task 4): its grant decides whom it acts for.
const assistant = new AiAgent(stack, "hr-assistant", {
  name: "HR Assistant",
  clientId: "hr-assistant",
  clientSecret: Secret.fromEnv("HR_ASSISTANT_CLIENT_SECRET"),
  // Client credentials give it a token of its own: verify shows the portal's may_act refuses it as actor.
  grantTypes: ["token-exchange", "client-credentials"],
  scopes: ["read-data"],
});
new AgentApplicationGrant(stack, "assistant-grant", { agent: assistant, application: portal, subjects: ["barbara.jensen"], scopes: ["read-data"] });

app.synth();
