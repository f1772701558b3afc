/** Shared fixtures of the construct tests: a stack with a tenant, synth helpers, seed props. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Construct, IConstruct } from "constructs";
import { App, TerraformElement, TerraformStack, Testing } from "cdktf";
import { AicTenant, ConfidentialWebAppProps, AiAgentProps, Secret, ValidationError } from "../../constructs";

export const TENANT_URL = "https://tenant.example.com";

/** Synthesizes a stack with an AicTenant (`Tenant`) and whatever `fn` adds (no validations). */
export function synthTenantScope(fn: (stack: Construct) => void): string {
  return Testing.synthScope((stack) => {
    new AicTenant(stack, "Tenant", { baseUrl: TENANT_URL });
    fn(stack);
  });
}

/** A test app and stack with an AicTenant, for tests that run validations or a full synth. */
export function tenantStack(): { app: App; stack: TerraformStack; tenant: AicTenant } {
  const app = Testing.app();
  const stack = new TerraformStack(app, "stack");
  const tenant = new AicTenant(stack, "Tenant", { baseUrl: TENANT_URL });
  return { app, stack, tenant };
}

/** Synthesizes with the stack's validations, as `cdktf synth` does. */
export function synthValidated(stack: TerraformStack): string {
  return Testing.synth(stack, true);
}

/** The null_resources of a synthesized stack, by logical id. */
export function nullResources(synth: string): Record<string, NullResourceJson> {
  return (JSON.parse(synth).resource?.null_resource ?? {}) as Record<string, NullResourceJson>;
}

export interface NullResourceJson {
  triggers: Record<string, string>;
  depends_on?: string[];
  provisioner: { "local-exec": { command: string; environment: Record<string, string>; when?: string } }[];
}

/** The synthesized null_resource `childId` (e.g. `Config`) of `construct`. */
export function resourceOf(synth: string, construct: IConstruct, childId: string): NullResourceJson {
  const element = construct.node.findChild(childId) as TerraformElement;
  const logicalId = TerraformStack.of(element).getLogicalId(element);
  const found = nullResources(synth)[logicalId];
  if (!found) throw new Error(`no null_resource ${logicalId} for ${element.node.path}`);
  return found;
}

/** `null_resource.<logical id>` of the child `childId` of `construct`, as depends_on names it. */
export function addressOf(construct: IConstruct, childId: string): string {
  const element = construct.node.findChild(childId) as TerraformElement;
  return `null_resource.${TerraformStack.of(element).getLogicalId(element)}`;
}

/** Every file below `dir` with its text. */
export function filesBelow(dir: string): { path: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesBelow(path) : [{ path, text: readFileSync(path, "utf8") }];
  });
}

export const webAppProps = (overrides: Partial<ConfidentialWebAppProps> = {}): ConfidentialWebAppProps => ({
  name: "Digital Assistant Web App",
  clientId: "digital-assistant-web-app",
  clientSecret: Secret.fromEnv("WEB_APP_CLIENT_SECRET"),
  owners: ["barbara.jensen"],
  scopes: ["openid", "read-data", "write-data", "admin-action"],
  grantTypes: ["password"],
  tokenEndpointAuthMethod: "client_secret_post",
  ...overrides,
});

export const agentProps = (overrides: Partial<AiAgentProps> = {}): AiAgentProps => ({
  name: "Digital Assistant AI Agent",
  clientId: "digital-assistant-ai-agent",
  clientSecret: Secret.fromEnv("AI_AGENT_CLIENT_SECRET"),
  ...overrides,
});

/** The ValidationError `fn` throws. */
export function captureError(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error("expected a ValidationError");
}
