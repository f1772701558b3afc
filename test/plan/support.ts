/**
 * What the plan tests share: the seed's configuration with knobs, an admin client that writes to
 * the tenant behind the stack's back (drift), and the scans of every output.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentApplicationGrant, AiAgent, ConfidentialWebApp, OAuth2ProviderGrants, Secret, TenantStack } from "../../constructs";
import { createAdminApi, type AdminClient } from "../../src/client/admin-api";
import { DEFAULT_CREDENTIAL_ENV } from "../../src/contract/constants";
import type { Workspace } from "../e2e/harness";

export interface SeedKnobs {
  appName?: string;
  grantScopes?: string[];
  withGrant?: boolean;
  appSecretVersion?: number;
  /** A second web app, not applied yet. */
  extraApp?: boolean;
}

export const APP = "digital-assistant-web-app";
export const AGENT = "digital-assistant-ai-agent";

/** The configuration of main.ts, with the knobs the scenarios turn. */
export function seed(stack: TenantStack, k: SeedKnobs = {}): void {
  new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["password", "token-exchange"] });
  const webApp = new ConfidentialWebApp(stack, "web-app", {
    name: k.appName ?? "Digital Assistant Web App",
    clientId: APP,
    clientSecret: Secret.fromEnv("WEB_APP_CLIENT_SECRET", { version: k.appSecretVersion ?? 1 }),
    owners: ["barbara.jensen"],
    scopes: ["openid", "read-data", "write-data", "admin-action"],
    grantTypes: ["password"],
    tokenEndpointAuthMethod: "client_secret_post",
  });
  const agent = new AiAgent(stack, "agent", {
    name: "Digital Assistant AI Agent",
    clientId: AGENT,
    clientSecret: Secret.fromEnv("AI_AGENT_CLIENT_SECRET"),
  });
  if (k.withGrant ?? true) {
    new AgentApplicationGrant(stack, "grant", { agent, application: webApp, subjects: ["barbara.jensen"], scopes: k.grantScopes ?? ["read-data"] });
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

/** An admin client of the workspace's tenant, for writes made outside code. */
export function directClient(ws: Workspace): AdminClient {
  const env = ws.env();
  return createAdminApi({
    baseUrl: ws.tenant.baseUrl,
    realm: "alpha",
    auth: { method: "service-account", idEnv: DEFAULT_CREDENTIAL_ENV.serviceAccountId, jwkEnv: DEFAULT_CREDENTIAL_ENV.serviceAccountJwk },
    env,
    tokenCacheDir: mkdtempSync(join(tmpdir(), "cdktf-aic-plan-direct-")),
  });
}

/** The lines of the plan's stdout that start with a symbol, for readable assertions. */
export function symbolLines(stdout: string): string[] {
  return stdout.split("\n").map((l) => l.trim()).filter((l) => /^[+~\-!=]/.test(l));
}
