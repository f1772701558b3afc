/**
 * Every synth-time error of the construct library is made here, so each one has the same shape:
 * the construct path, what is wrong, the value received, what is allowed and the fix, plus a
 * stable code that tests and tooling can match on.
 */
import { IConstruct } from "constructs";
import { Token } from "cdktf";
import { CLI_ENV } from "../src/contract/constants";

/** Stable codes of the construct library's validation errors. */
export const VALIDATION_CODES = {
  invalidTenantUrl: "AIC_INVALID_TENANT_URL",
  insecureTenantUrl: "AIC_INSECURE_TENANT_URL",
  tenantUrlCredentials: "AIC_TENANT_URL_CREDENTIALS",
  invalidRealm: "AIC_INVALID_REALM",
  invalidEnvName: "AIC_INVALID_ENV_NAME",
  invalidSecretVersion: "AIC_INVALID_SECRET_VERSION",
  noTenant: "AIC_NO_TENANT",
  ambiguousTenant: "AIC_AMBIGUOUS_TENANT",
  invalidClientId: "AIC_INVALID_CLIENT_ID",
  invalidName: "AIC_INVALID_NAME",
  noScopes: "AIC_NO_SCOPES",
  invalidScope: "AIC_INVALID_SCOPE",
  duplicateScopes: "AIC_DUPLICATE_SCOPES",
  noGrantTypes: "AIC_NO_GRANT_TYPES",
  duplicateGrantTypes: "AIC_DUPLICATE_GRANT_TYPES",
  invalidTokenEndpointAuthMethod: "AIC_INVALID_TOKEN_ENDPOINT_AUTH_METHOD",
  invalidRemovalPolicy: "AIC_INVALID_REMOVAL_POLICY",
  invalidUsername: "AIC_INVALID_USERNAME",
  duplicateNames: "AIC_DUPLICATE_NAMES",
  noSubjects: "AIC_NO_SUBJECTS",
  grantScopeOutsideApplication: "AIC_GRANT_SCOPE_OUTSIDE_APPLICATION",
  defaultScopeOutsideScopes: "AIC_DEFAULT_SCOPE_OUTSIDE_SCOPES",
  invalidLifetime: "AIC_INVALID_LIFETIME",
  agentWithoutTokenExchange: "AIC_AGENT_WITHOUT_TOKEN_EXCHANGE",
  providerGrantTypeMissing: "AIC_PROVIDER_GRANT_TYPE_MISSING",
  duplicateClientId: "AIC_DUPLICATE_CLIENT_ID",
  duplicateObject: "AIC_DUPLICATE_OBJECT",
  grantTypesShared: "AIC_GRANT_TYPES_SHARED",
  grantAcrossTenants: "AIC_GRANT_ACROSS_TENANTS",
  invalidSpec: "AIC_INVALID_SPEC",
  cliNotBuilt: "AIC_CLI_NOT_BUILT",
  journalTooLarge: "AIC_JOURNAL_TOO_LARGE",
  unknownProp: "AIC_UNKNOWN_PROP",
  terraformOnlyValue: "AIC_TERRAFORM_ONLY_VALUE",
  invalidEsvId: "AIC_INVALID_ESV_ID",
  esvDescriptionTooLong: "AIC_ESV_DESCRIPTION_TOO_LONG",
  esvValueTooLarge: "AIC_ESV_VALUE_TOO_LARGE",
  invalidEsvOption: "AIC_INVALID_ESV_OPTION",
  invalidActsBy: "AIC_INVALID_ACTS_BY",
  mayActNoClients: "AIC_MAY_ACT_NO_CLIENTS",
  mayActUnmanagedClient: "AIC_MAY_ACT_UNMANAGED_CLIENT",
  mayActConflict: "AIC_MAY_ACT_CONFLICT",
  mayActSourceWithoutAgent: "AIC_MAY_ACT_SOURCE_WITHOUT_AGENT",
  delegationWithoutMayAct: "AIC_DELEGATION_WITHOUT_MAY_ACT",
  agentGrantTypeMissing: "AIC_AGENT_GRANT_TYPE_MISSING",
  providerOverridesOff: "AIC_PROVIDER_OVERRIDES_OFF",
  audienceOutsideAllowList: "AIC_AUDIENCE_OUTSIDE_ALLOW_LIST",
  grantScopeOutsideLimit: "AIC_GRANT_SCOPE_OUTSIDE_LIMIT",
  aiAgentsNotEnabled: "AIC_AI_AGENTS_NOT_ENABLED",
  esvNotOnPingAm: "AIC_ESV_NOT_ON_PINGAM",
  secretNotInEnv: "AIC_SECRET_NOT_IN_ENV",
  invalidLabelIdentifier: "AIC_INVALID_LABEL_IDENTIFIER",
  invalidSecretLabel: "AIC_INVALID_SECRET_LABEL",
  secretStoreClientAuthMethod: "AIC_SECRET_STORE_CLIENT_AUTH_METHOD",
  noRedirectUris: "AIC_NO_REDIRECT_URIS",
  invalidRedirectUri: "AIC_INVALID_REDIRECT_URI",
  invalidCorsOrigin: "AIC_INVALID_CORS_ORIGIN",
  publicClientSecret: "AIC_PUBLIC_CLIENT_SECRET",
  publicClientGrantType: "AIC_PUBLIC_CLIENT_GRANT_TYPE",
  serviceAppCredentials: "AIC_SERVICE_APP_CREDENTIALS",
  invalidPublicKeys: "AIC_INVALID_PUBLIC_KEYS",
  privateKeyMaterial: "AIC_PRIVATE_KEY_MATERIAL",
  invalidPkceSetting: "AIC_INVALID_PKCE_SETTING",
  pkceNotRequired: "AIC_PKCE_NOT_REQUIRED",
} as const;
export type ValidationCode = (typeof VALIDATION_CODES)[keyof typeof VALIDATION_CODES];

/** The parts of every message, in the order a reader needs them. */
export interface Problem {
  /** What is wrong, e.g. `clientId may contain only letters, digits, '-' and '_'`. */
  readonly problem: string;
  /** The value the construct received (rendered as JSON). */
  readonly received: unknown;
  /** What would have been accepted. */
  readonly allowed: string;
  /** What to change. */
  readonly fix: string;
}

/** `problem. Received: …. Allowed: …. Fix: …` */
export function describeProblem(p: Problem): string {
  return `${p.problem}. Received: ${render(p.received)}. Allowed: ${p.allowed}. Fix: ${p.fix}`;
}

/**
 * A message for `node.addValidation`: cdktf prefixes it with the construct path and fails the
 * synth with every such message of the stack.
 */
export function validationMessage(code: ValidationCode, p: Problem): string {
  return `[${code}] ${describeProblem(p)}`;
}

/** Stacks that collect prop errors (TenantStack): each is reported at synth with every other, once. */
const collecting = new WeakSet<IConstruct>();
/** Constructs with a prop error recorded: checks of what they make (their spec) would only repeat it. */
const withPropErrors = new WeakSet<IConstruct>();

/** Makes `stack` collect the prop errors of its constructs instead of throwing the first (TenantStack). */
export function collectPropErrors(stack: IConstruct): void {
  collecting.add(stack);
}

/** Whether a prop error was recorded on `scope` (so that its spec's own check can stay silent). */
export function hasPropErrors(scope: IConstruct): boolean {
  return withPropErrors.has(scope);
}

/**
 * A prop error of `scope`. In a stack that collects them (a TenantStack) it is recorded on the
 * construct, which goes on being built, and synth reports it with every other error of the stack at
 * once; elsewhere it is thrown where the construct is made.
 */
export function propError(scope: IConstruct, code: ValidationCode, problem: Problem): void {
  const stack = scope.node.scopes.find((c) => collecting.has(c));
  if (!stack) throw ValidationError.of(scope, code, problem);
  withPropErrors.add(scope);
  const message = validationMessage(code, problem);
  scope.node.addValidation({ validate: () => [message] });
}

/** A props or configuration error, thrown at synth time with the path of the construct at fault. */
export class ValidationError extends Error {
  /** A ValidationError in the standard shape. */
  static of(scope: IConstruct, code: ValidationCode, problem: Problem): ValidationError {
    return new ValidationError(scope, code, describeProblem(problem));
  }

  /** Stable code, one per rule. */
  public readonly code: ValidationCode;
  /** The path of the construct at fault (`stack/construct`). */
  public readonly constructPath: string;

  constructor(scope: IConstruct, code: ValidationCode, message: string) {
    const constructPath = scope.node.path || "(app)";
    super(`${constructPath}: [${code}] ${message}`);
    this.name = "ValidationError";
    this.code = code;
    this.constructPath = constructPath;
    withoutFrames(this);
  }
}

/**
 * Every validation error of a stack at once, each once: what `TenantStack` throws at synth in
 * place of cdktf's error, which repeats no line and shows no stack trace.
 */
export class StackValidationError extends Error {
  /** `[construct path] [code] message`, one per problem, in construct order. */
  public declare readonly problems: readonly string[];

  constructor(stackPath: string, problems: readonly string[]) {
    const unique = [...new Set(problems)];
    const count = unique.length === 1 ? "1 error" : `${unique.length} errors`;
    super(`stack ${stackPath} has ${count}; fix them and synthesize again:\n  ${unique.join("\n  ")}`);
    this.name = "StackValidationError";
    // Not enumerable: Node would print the list a second time after the message.
    Object.defineProperty(this, "problems", { value: unique, enumerable: false });
    withoutFrames(this);
  }
}

/**
 * A mistake in props is the user's to fix, not ours to debug: its stack trace points into the
 * library and buries the message, so it is left out unless CDKTF_AIC_DEBUG=1.
 */
function withoutFrames(error: Error): void {
  if (process.env[CLI_ENV.debug] !== "1") error.stack = `${error.name}: ${error.message}`;
}

function render(value: unknown): string {
  if (typeof value === "string" && Token.isUnresolved(value)) return "(a token, resolved at deploy time)";
  return JSON.stringify(value) ?? String(value);
}
