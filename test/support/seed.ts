/**
 * The seed's configuration (main.ts) for tests, with the knobs their scenarios turn. main.ts itself
 * stays the literal example users read.
 */
import {
  AgentApplicationGrant,
  AiAgent,
  ConfidentialWebApp,
  OAuth2ProviderGrants,
  Secret,
  type AiAgentProps,
  type ConfidentialWebAppProps,
  type TenantStack,
} from "../../constructs";

export const APP = "digital-assistant-web-app";
export const AGENT = "digital-assistant-ai-agent";

export const webAppProps = (overrides: Partial<ConfidentialWebAppProps> = {}): ConfidentialWebAppProps => ({
  name: "Digital Assistant Web App",
  clientId: APP,
  clientSecret: Secret.fromEnv("WEB_APP_CLIENT_SECRET"),
  owners: ["barbara.jensen"],
  scopes: ["openid", "read-data", "write-data", "admin-action"],
  grantTypes: ["password"],
  tokenEndpointAuthMethod: "client_secret_post",
  ...overrides,
});

export const agentProps = (overrides: Partial<AiAgentProps> = {}): AiAgentProps => ({
  name: "Digital Assistant AI Agent",
  clientId: AGENT,
  clientSecret: Secret.fromEnv("AI_AGENT_CLIENT_SECRET"),
  ...overrides,
});

export interface SeedKnobs {
  appName?: string;
  appSecretVersion?: number;
  agentClientId?: string;
  grantScopes?: string[];
  withGrant?: boolean;
  /** A second web app. */
  extraApp?: boolean;
}

/** main.ts's four constructs in `stack`, turned by `k`. */
export function seed(stack: TenantStack, k: SeedKnobs = {}): void {
  new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["password", "token-exchange"], enableAiAgents: true });
  const webApp = new ConfidentialWebApp(
    stack,
    "web-app",
    webAppProps({
      ...(k.appName ? { name: k.appName } : {}),
      clientSecret: Secret.fromEnv("WEB_APP_CLIENT_SECRET", { version: k.appSecretVersion ?? 1 }),
    }),
  );
  const agent = new AiAgent(stack, "agent", agentProps(k.agentClientId ? { clientId: k.agentClientId } : {}));
  if (k.withGrant ?? true) {
    new AgentApplicationGrant(stack, "grant", {
      agent,
      application: webApp,
      subjects: ["barbara.jensen"],
      scopes: k.grantScopes ?? ["read-data"],
    });
  }
  if (k.extraApp) {
    new ConfidentialWebApp(stack, "reporting-app", {
      name: "Reporting",
      clientId: "reporting-app",
      clientSecret: Secret.fromEnv("WEB_APP_CLIENT_SECRET"),
      scopes: ["openid"],
      grantTypes: ["password"],
      redirectUris: ["https://reporting.example.com/cb"],
    });
  }
}
