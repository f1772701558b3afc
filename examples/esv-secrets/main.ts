/**
 * The seed's "on behalf of" flow with both client secrets in the tenant's secret store: each secret
 * is an ESV secret (its value read from WEB_APP_CLIENT_SECRET / AI_AGENT_CLIENT_SECRET at apply, the
 * one time it passes through the pipeline), and each client reads it through its secret label, which
 * the realm maps to the ESV. Rotate a client's secret by bumping its ESV's version: a new ESV
 * version, no client write, no tenant restart.
 *
 *   npx tsx examples/esv-secrets/main.ts          # synthesizes into examples/esv-secrets/cdktf.out
 *   cdktf-aic verify --out examples/esv-secrets/cdktf.out
 */
import { join } from "node:path";
import { App } from "cdktf";
import {
  AgentApplicationGrant,
  AiAgent,
  ConfidentialWebApp,
  EMBEDDED_TENANT_URL,
  EnvironmentSecret,
  OAuth2ProviderGrants,
  Secret,
  TenantStack,
} from "../../constructs";

const app = new App({ outdir: join(__dirname, "cdktf.out") });
const stack = new TenantStack(app, "alpha", {
  tenant: { baseUrl: process.env.AIC_BASE_URL ?? EMBEDDED_TENANT_URL, realm: "alpha" },
});

new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["password", "token-exchange"], enableAiAgents: true });

const webAppSecret = new EnvironmentSecret(stack, "web-app-secret", {
  esvId: "esv-digital-assistant-web-app-secret",
  value: Secret.fromEnv("WEB_APP_CLIENT_SECRET"),
  description: "Client secret of the Digital Assistant Web App",
  useInPlaceholders: false, // read through the client's secret label only: nothing waits for a restart
});
const agentSecret = new EnvironmentSecret(stack, "agent-secret", {
  esvId: "esv-digital-assistant-ai-agent-secret",
  value: Secret.fromEnv("AI_AGENT_CLIENT_SECRET"),
  description: "Client secret of the Digital Assistant AI Agent",
  useInPlaceholders: false,
});

const webApp = new ConfidentialWebApp(stack, "web-app", {
  name: "Digital Assistant Web App",
  clientId: "digital-assistant-web-app",
  clientSecret: Secret.fromEsv(webAppSecret),
  owners: ["barbara.jensen"],
  scopes: ["openid", "read-data", "write-data", "admin-action"],
  grantTypes: ["password"],
  tokenEndpointAuthMethod: "client_secret_post",
});
const agent = new AiAgent(stack, "agent", {
  name: "Digital Assistant AI Agent",
  clientId: "digital-assistant-ai-agent",
  clientSecret: Secret.fromEsv(agentSecret),
});
new AgentApplicationGrant(stack, "grant", {
  agent,
  application: webApp,
  subjects: ["barbara.jensen"],
  scopes: ["read-data"],
});

app.synth();
