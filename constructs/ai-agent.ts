import { Construct, IConstruct } from "constructs";
import { TokenEndpointAuthMethod } from "../src/contract";
import { AgentApplicationGrant } from "./agent-application-grant";
import type { IConfidentialWebApp } from "./confidential-web-app";
import { checkClientId, checkKnownProps, type PropNames } from "./private/checks";
import { manageClient, type ObjectRemovalPolicy } from "./private/client";
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
}

abstract class AiAgentBase extends Construct implements IAiAgent {
  public abstract readonly clientId: string;
  public abstract readonly grantTypes?: readonly string[];

  public grantAccessTo(application: IConfidentialWebApp, options: GrantAccessOptions = {}): AgentApplicationGrant {
    return new AgentApplicationGrant(this, `Grant-${application.clientId}`, { ...options, agent: this, application });
  }
}

/** The props, for the check of unknown ones at run time (checkKnownProps). */
const PROPS: PropNames<AiAgentProps> = {
  name: true, clientId: true, clientSecret: true, owners: true, description: true, adopt: true, removalPolicy: true, scopes: true, grantTypes: true,
  tokenEndpointAuthMethod: true, providerOverrides: true,
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

  constructor(scope: Construct, id: string, props: AiAgentProps) {
    super(scope, id);
    checkKnownProps(this, "AiAgentProps", props, PROPS);
    checkKnownProps(this, "AiAgentProviderOverrides", props.providerOverrides, OVERRIDES, "providerOverrides.");
    const overrides = props.providerOverrides ?? {};
    const client = manageClient(
      this,
      "ai-agent",
      props,
      { scopesRequired: false, grantTypes: ["token-exchange"], tokenEndpointAuthMethod: "client_secret_post" },
      (checked) => ({
        ...checked,
        providerOverrides: {
          enabled: overrides.enabled ?? true,
          statelessTokens: overrides.clientSideTokens ?? true,
          acceptAudienceInTokenExchange: overrides.acceptAudienceInTokenExchange ?? true,
        },
      }),
    );
    this.clientId = props.clientId;
    this.scopes = client.scopes;
    this.grantTypes = client.grantTypes;
  }
}

class ImportedAiAgent extends AiAgentBase {
  public readonly grantTypes = undefined;

  constructor(
    scope: Construct,
    id: string,
    public readonly clientId: string,
  ) {
    super(scope, id);
    checkClientId(this, "clientId", clientId);
  }
}
