import { Construct, IConstruct } from "constructs";
import { GRANT_TYPES, SCRIPT_CONTEXTS, scopeLimitScriptSource, scriptId, TokenEndpointAuthMethod, type SpecOf } from "../src/contract";
import { AgentApplicationGrant } from "./agent-application-grant";
import { AicTenant } from "./aic-tenant";
import type { IConfidentialWebApp } from "./confidential-web-app";
import { VALIDATION_CODES as C, propError, validationMessage } from "./errors";
import { MayActRule } from "./may-act-rule";
import { checkClientId, checkKnownProps, checkScopes, type PropNames } from "./private/checks";
import { adoptField, checkObjectRemovalPolicy, manageClient, realmProviders, type ObjectRemovalPolicy } from "./private/client";
import { ManagedObject } from "./private/custom-resource";
import type { Secret } from "./secret";

/** Options of {@link IAiAgent.grantAccessTo}. */
export interface GrantAccessOptions {
  /**
   * User names the agent may act for.
   *
   * @default []
   */
  readonly subjects?: readonly string[];
  /**
   * Group names whose members the agent may act for.
   *
   * @default []
   */
  readonly subjectGroups?: readonly string[];
  /**
   * The scopes the agent may request.
   *
   * @default [] (any scope of the application)
   */
  readonly scopes?: readonly string[];
  /**
   * A description of the grant.
   *
   * @default - none
   */
  readonly description?: string;
}

/** An AI agent of the realm, managed here or imported. */
export interface IAiAgent extends IConstruct {
  /** The agent's OAuth2 client id. */
  readonly clientId: string;
  /** The agent's grant types as AM's strings; `undefined` when unknown (an imported agent). */
  readonly grantTypes?: readonly string[];
  /** How it acts for someone (see {@link AiAgentProps.actsBy}); `undefined` when unknown (an imported agent). */
  readonly actsBy?: AgentActsBy;
  /** Whether it acts for itself (see {@link AiAgentProps.autonomous}). */
  readonly autonomous?: boolean;
  /** The only scopes its exchanges may yield; `undefined`: no limit (or unknown). */
  readonly scopeLimit?: readonly string[];
  /** The audiences its exchanges may request; `undefined`: no allow-list (or unknown). */
  readonly allowedAudiences?: readonly string[];
  /**
   * Lets the agent act on behalf of users of `application` (token exchange).
   *
   * @returns the grant, a child of the agent with the id `Grant-<application client id>`
   */
  grantAccessTo(application: IConfidentialWebApp, options?: GrantAccessOptions): AgentApplicationGrant;
}

/** The AI agent's OAuth2 provider overrides. */
export interface AiAgentProviderOverrides {
  /**
   * The master switch ("Enable OAuth2 Provider Overrides"); the other two need it.
   *
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * "Use Client-Side Access & Refresh Tokens": the agent gets JWT access tokens.
   *
   * @default true
   */
  readonly clientSideTokens?: boolean;
  /**
   * "Accept Audience Parameters in Token Exchange Requests": needed for the `audience` of the
   * on-behalf-of exchange.
   *
   * @default true
   */
  readonly acceptAudienceInTokenExchange?: boolean;
}

/**
 * How an agent acts for someone whose token it exchanges:
 * - `"impersonation"`: with its own credentials only (the seed's flow; in AIC its grants decide
 *   whom for, and the issued token names it in `act`);
 * - `"delegation"`: it also presents its own client-credentials token as the actor token; a
 *   {@link MayActRule} must name it, and the issued token names it in `act`.
 */
export type AgentActsBy = "impersonation" | "delegation";

/** Props of {@link AiAgent}. */
export interface AiAgentProps {
  /** The agent's display name, e.g. `Digital Assistant AI Agent`. */
  readonly name: string;
  /** The OAuth2 client id: letters, digits, `-` and `_`. Unique in the realm among apps and agents. */
  readonly clientId: string;
  /** The client secret, a reference, never the value: `Secret.fromEnv("NAME")` (the apply writes it), or `Secret.fromEsv(esv)` (AM reads it from the tenant's secret store; no pipeline holds it). */
  readonly clientSecret: Secret;
  /**
   * User names of the agent's owners.
   *
   * @default []
   */
  readonly owners?: readonly string[];
  /**
   * A description shown in the admin console.
   *
   * @default - none
   */
  readonly description?: string;
  /**
   * Take over the object when it already exists in the tenant but was not created by this stack
   * (made in the console, say). Without it such an apply fails before any write. Adopting
   * reconciles the owned fields (writing nothing when they already match) and needs no secret;
   * from then on the object is managed like any other (deleted when it leaves the code).
   *
   * @default false
   */
  readonly adopt?: boolean;
  /**
   * What happens to the object when this construct leaves the code: `"destroy"` deletes it from the
   * tenant on the next apply; `"retain"` forgets it (it stays in the tenant, no longer managed).
   * Set `"retain"` and apply before removing the construct, since the last applied journal is what
   * the removal reads (a way to stop managing an object, or to move it to another stack).
   *
   * @default "destroy"
   */
  readonly removalPolicy?: ObjectRemovalPolicy;
  /**
   * The agent client's own scopes. The scopes it may request for a user come from its grants.
   *
   * @default []
   */
  readonly scopes?: readonly string[];
  /**
   * The grant types the agent may use: friendly names (see `GRANT_TYPES`) or AM's strings.
   *
   * @default ["token-exchange"]
   */
  readonly grantTypes?: readonly string[];
  /**
   * How the agent authenticates at the token endpoint.
   *
   * @default "client_secret_post" (what the on-behalf-of flow uses)
   */
  readonly tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /**
   * The OAuth2 provider overrides of the agent's client.
   *
   * @default - all three on, as the on-behalf-of flow needs
   */
  readonly providerOverrides?: AiAgentProviderOverrides;
  /**
   * How the agent acts for someone whose token it exchanges (see {@link AgentActsBy}). With
   * `"delegation"` the default grant types add client credentials (for its actor token).
   *
   * @default "impersonation"
   */
  readonly actsBy?: AgentActsBy;
  /**
   * The agent acts for itself (AIC's autonomous flow): it exchanges its own client-credentials
   * token at the applications of grants that name no subjects. The default grant types add
   * client credentials.
   *
   * @default false
   */
  readonly autonomous?: boolean;
  /**
   * The only scopes the agent's token exchanges may yield: a scope-validation script on the agent
   * (named `Scope limit: <clientId>`) refuses any other with `invalid_scope`. A grant of the agent
   * may not name a scope outside it.
   *
   * @default - no limit beyond its grants and its scopes
   */
  readonly scopeLimit?: readonly string[];
  /**
   * The audiences the agent's token exchanges may request (AM's exact-match allow-list; another
   * value is refused with "Invalid audience requested."). Needs `acceptAudienceInTokenExchange`;
   * the application of each of its grants must be listed.
   *
   * @default - no allow-list is set
   */
  readonly allowedAudiences?: readonly string[];
}

abstract class AiAgentBase extends Construct implements IAiAgent {
  public abstract readonly clientId: string;
  public abstract readonly grantTypes?: readonly string[];
  public abstract readonly actsBy?: AgentActsBy;
  public abstract readonly autonomous?: boolean;
  public abstract readonly scopeLimit?: readonly string[];
  public abstract readonly allowedAudiences?: readonly string[];

  public grantAccessTo(application: IConfidentialWebApp, options: GrantAccessOptions = {}): AgentApplicationGrant {
    return new AgentApplicationGrant(this, `Grant-${application.clientId}`, { ...options, agent: this, application });
  }
}

/** The props, for the check of unknown ones at run time (checkKnownProps). */
const PROPS: PropNames<AiAgentProps> = {
  name: true, clientId: true, clientSecret: true, owners: true, description: true, adopt: true, removalPolicy: true, scopes: true, grantTypes: true,
  tokenEndpointAuthMethod: true, providerOverrides: true, actsBy: true, autonomous: true, scopeLimit: true, allowedAudiences: true,
};
const OVERRIDES: PropNames<AiAgentProviderOverrides> = { enabled: true, clientSideTokens: true, acceptAudienceInTokenExchange: true };

/**
 * An AI agent (AIC "AI Agents"): the AM AIAgent client and the IDM identity AM creates for it,
 * set up for the on-behalf-of flow by default (token exchange, `client_secret_post`, provider
 * overrides on).
 */
export class AiAgent extends AiAgentBase {
  /**
   * An agent that exists in the tenant and is not managed by this stack. Nothing is created; its
   * grant types are unknown, so grants from it are not checked against them.
   */
  static fromClientId(scope: Construct, id: string, clientId: string): IAiAgent {
    return new ImportedAiAgent(scope, id, clientId);
  }

  public readonly clientId: string;
  public readonly scopes: readonly string[];
  public readonly grantTypes: readonly string[];
  public readonly actsBy: AgentActsBy;
  public readonly autonomous: boolean;
  public readonly scopeLimit?: readonly string[];
  public readonly allowedAudiences?: readonly string[];

  constructor(scope: Construct, id: string, props: AiAgentProps) {
    super(scope, id);
    checkKnownProps(this, "AiAgentProps", props, PROPS);
    checkKnownProps(this, "AiAgentProviderOverrides", props.providerOverrides, OVERRIDES, "providerOverrides.");
    const overrides = props.providerOverrides ?? {};
    this.actsBy = checkActsBy(this, props.actsBy);
    this.autonomous = props.autonomous === true;
    // Its own token: the actor token of a delegation, the subject token of an autonomous exchange.
    const ownToken = this.actsBy === "delegation" || this.autonomous;
    if (props.scopeLimit !== undefined) checkScopes(this, "scopeLimit", props.scopeLimit, true);
    if (props.allowedAudiences !== undefined) checkScopes(this, "allowedAudiences", props.allowedAudiences, true);
    this.scopeLimit = props.scopeLimit && [...props.scopeLimit];
    this.allowedAudiences = props.allowedAudiences && [...props.allowedAudiences];
    const tenant = AicTenant.of(this);
    const limit = this.scopeLimit && new ScopeLimitScript(this, "ScopeLimit", { clientId: props.clientId, scopes: this.scopeLimit, adopt: props.adopt, removalPolicy: props.removalPolicy });
    const providerOverrides = {
      enabled: overrides.enabled ?? true,
      statelessTokens: overrides.clientSideTokens ?? true,
      acceptAudienceInTokenExchange: overrides.acceptAudienceInTokenExchange ?? true,
    };
    const client = manageClient(
      this,
      "ai-agent",
      props,
      { scopesRequired: false, grantTypes: ownToken ? ["token-exchange", "client-credentials"] : ["token-exchange"], tokenEndpointAuthMethod: "client_secret_post" },
      (checked) => ({
        ...checked,
        providerOverrides,
        ...(limit ? { scopeLimitScript: limit.scriptId } : {}),
        ...(this.allowedAudiences ? { audiences: [...this.allowedAudiences] } : {}),
      }),
    );
    this.clientId = props.clientId;
    this.scopes = client.scopes;
    this.grantTypes = client.grantTypes;
    this.node.addValidation({ validate: () => agentErrors(this, tenant, providerOverrides) });
  }
}

/** Checks the `actsBy` prop. */
function checkActsBy(scope: Construct, value: unknown): AgentActsBy {
  if (value === undefined || value === "impersonation" || value === "delegation") return value ?? "impersonation";
  propError(scope, C.invalidActsBy, {
    problem: "actsBy is not a way an agent acts",
    received: value,
    allowed: `"impersonation" or "delegation"`,
    fix: `use "delegation" when the agent presents its own token as the actor token`,
  });
  return "impersonation";
}

/** Props of {@link ScopeLimitScript}. */
interface ScopeLimitScriptProps {
  /** The agent's client id. */
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly adopt?: boolean;
  readonly removalPolicy?: ObjectRemovalPolicy;
}

/** The scope-validation script of an agent's `scopeLimit` (child `ScopeLimit` of the agent). */
class ScopeLimitScript extends Construct {
  public readonly scriptId: string;

  constructor(scope: Construct, id: string, props: ScopeLimitScriptProps) {
    super(scope, id);
    const tenant = AicTenant.of(this);
    const name = `Scope limit: ${props.clientId}`;
    this.scriptId = scriptId(tenant.tenantRef.realm, name);
    tenant._manage(this, {
      kind: "script",
      tenant: tenant.tenantRef,
      id: this.scriptId,
      owned: { name, language: "JAVASCRIPT", context: SCRIPT_CONTEXTS.validateScope, source: scopeLimitScriptSource(props.scopes) },
      ...adoptField(props.adopt, checkObjectRemovalPolicy(this, props.removalPolicy)),
    });
  }
}

/** The agent's contradictions, once the whole app exists. */
function agentErrors(agent: AiAgent, tenant: AicTenant, overrides: SpecOf<"ai-agent">["owned"]["providerOverrides"]): string[] {
  const errors: string[] = [];
  const ownToken = agent.actsBy === "delegation" || agent.autonomous;
  if (ownToken && !agent.grantTypes.includes(GRANT_TYPES["client-credentials"])) {
    errors.push(
      validationMessage(C.agentGrantTypeMissing, {
        problem: `the agent ${agent.actsBy === "delegation" ? "delegates (its own token is the actor token)" : "is autonomous (its own token is the subject token)"}, but it cannot get a token of its own`,
        received: agent.grantTypes,
        allowed: `grant types that include "client-credentials"`,
        fix: `add "client-credentials" to grantTypes (or leave grantTypes at its default)`,
      }),
    );
  }
  if (agent.actsBy === "delegation" && !MayActRule.naming(agent).some((r) => r.mayAct === undefined || r.mayAct.sub !== undefined)) {
    errors.push(
      validationMessage(C.delegationWithoutMayAct, {
        problem: "the agent acts by delegation, but no MayActRule names it, so no token it may exchange carries a may_act for it",
        received: agent.clientId,
        allowed: "a MayActRule whose agent is this agent",
        fix: `add new MayActRule(stack, "…", { agent, subjectTokensOf: [app] }) for the app whose users it acts for`,
      }),
    );
  }
  const needsOverrides = [agent.scopeLimit && "scopeLimit", agent.allowedAudiences && "allowedAudiences", MayActRule.naming(agent).length > 0 && ""].filter((x) => x);
  if (!overrides.enabled && needsOverrides.length > 0) {
    errors.push(
      validationMessage(C.providerOverridesOff, {
        problem: `${needsOverrides.join(" and ")} live in the agent's provider overrides, which are off, so AM would ignore them`,
        received: { providerOverrides: { enabled: false } },
        allowed: "providerOverrides.enabled true (the default)",
        fix: `remove providerOverrides.enabled: false, or the ${needsOverrides.join(" and ")}`,
      }),
    );
  }
  if (agent.allowedAudiences && !overrides.acceptAudienceInTokenExchange) {
    errors.push(
      validationMessage(C.audienceOutsideAllowList, {
        problem: "allowedAudiences is set, but the agent does not accept audience parameters, so AM ignores every audience it asks for",
        received: { allowedAudiences: agent.allowedAudiences, acceptAudienceInTokenExchange: false },
        allowed: "providerOverrides.acceptAudienceInTokenExchange true (the default) with allowedAudiences",
        fix: "remove acceptAudienceInTokenExchange: false, or allowedAudiences",
      }),
    );
  }
  // No OAuth2ProviderGrants in the realm: the provider (and the feature) is managed elsewhere.
  const providers = realmProviders(ManagedObject.of(agent)!);
  if (providers.length > 0 && !providers.some((p) => p.spec.kind === "oauth2-provider-grants" && p.spec.owned.aiAgentsEnabled)) {
    errors.push(
      validationMessage(C.aiAgentsNotEnabled, {
        problem: `the stack declares AI agents in realm ${tenant.tenantRef.realm}, but its OAuth2ProviderGrants does not turn the AI agents feature on`,
        received: providers.map((p) => p.owner.node.path),
        allowed: "an OAuth2ProviderGrants of the realm with enableAiAgents: true",
        fix: `add enableAiAgents: true to ${providers[0].owner.node.path}`,
      }),
    );
  }
  return errors;
}

class ImportedAiAgent extends AiAgentBase {
  public readonly grantTypes = undefined;
  public readonly actsBy = undefined;
  public readonly autonomous = undefined;
  public readonly scopeLimit = undefined;
  public readonly allowedAudiences = undefined;

  constructor(
    scope: Construct,
    id: string,
    public readonly clientId: string,
  ) {
    super(scope, id);
    checkClientId(this, "clientId", clientId);
  }
}
