/**
 * The "on behalf of" flow for AI agents (the seed): provider grant types, a confidential web app,
 * an AI agent and the grant that lets the agent act for a chosen user. Points at the embedded
 * tenant (`npm start`) unless AIC_BASE_URL says otherwise.
 */
import { App } from "cdktf";
import {
  AgentApplicationGrant,
  AiAgent,
  ConfidentialWebApp,
  EMBEDDED_TENANT_URL,
  OAuth2ProviderGrants,
  Secret,
  TenantStack,
} from "./constructs";

/** Builds the app; `cdktf synth` runs this file, tests call it with their own output directory. */
export function buildApp(outdir?: string): App {
  const app = new App(outdir === undefined ? {} : { outdir });
  const stack = new TenantStack(app, "alpha", {
    tenant: { baseUrl: process.env.AIC_BASE_URL ?? EMBEDDED_TENANT_URL, realm: "alpha" },
  });
  new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["password", "token-exchange"], enableAiAgents: true });
  const webApp = new ConfidentialWebApp(stack, "web-app", {
    name: "Digital Assistant Web App",
    clientId: "digital-assistant-web-app",
    clientSecret: Secret.fromEnv("WEB_APP_CLIENT_SECRET"),
    owners: ["barbara.jensen"],
    scopes: ["openid", "read-data", "write-data", "admin-action"],
    grantTypes: ["password"],
    tokenEndpointAuthMethod: "client_secret_post",
  });
  const agent = new AiAgent(stack, "agent", {
    name: "Digital Assistant AI Agent",
    clientId: "digital-assistant-ai-agent",
    clientSecret: Secret.fromEnv("AI_AGENT_CLIENT_SECRET"),
  });
  new AgentApplicationGrant(stack, "grant", {
    agent,
    application: webApp,
    subjects: ["barbara.jensen"],
    scopes: ["read-data"],
  });
  return app;
}

if (require.main === module) buildApp().synth();
