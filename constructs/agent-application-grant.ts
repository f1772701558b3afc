import { TerraformStack, Token } from "cdktf";
import { adoptField, checkObjectRemovalPolicy, providerGrantErrors, type ObjectRemovalPolicy } from "./private/client";
import { Construct } from "constructs";
import { TOKEN_EXCHANGE_GRANT } from "../src/contract";
import type { IAiAgent } from "./ai-agent";
import { AicTenant } from "./aic-tenant";
import type { IConfidentialWebApp } from "./confidential-web-app";
import { VALIDATION_CODES as C, propError, validationMessage } from "./errors";
import { checkKnownProps, checkNames, checkScopes, type PropNames } from "./private/checks";
import { ManagedObject } from "./private/custom-resource";

/** Props of {@link AgentApplicationGrant}. */
export interface AgentApplicationGrantProps {
  /** The agent that acts on behalf of users. */
  readonly agent: IAiAgent;
  /** The application the agent may call for them (the token exchange `audience`). */
  readonly application: IConfidentialWebApp;
  /**
   * User names the agent may act for. At least one subject or subject group.
   *
   * @default []
   */
  readonly subjects?: readonly string[];
  /**
   * Group names whose members the agent may act for. At least one subject or subject group.
   *
   * @default []
   */
  readonly subjectGroups?: readonly string[];
  /**
   * The scopes the agent may request; each must be a scope of the application.
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
}

/** The props, for the check of unknown ones at run time (checkKnownProps). */
const PROPS: PropNames<AgentApplicationGrantProps> = {
  agent: true, application: true, subjects: true, subjectGroups: true, scopes: true, description: true, adopt: true, removalPolicy: true,
};

/**
 * Lets an AI agent act on behalf of chosen users of an application with chosen scopes (the
 * console's AI agent "Applications" tab: one privilege per agent and application).
 */
export class AgentApplicationGrant extends Construct {
  public readonly agent: IAiAgent;
  public readonly application: IConfidentialWebApp;
  public readonly scopes: readonly string[];

  constructor(scope: Construct, id: string, props: AgentApplicationGrantProps) {
    super(scope, id);
    checkKnownProps(this, "AgentApplicationGrantProps", props, PROPS);
    const subjects = [...(props.subjects ?? [])];
    const subjectGroups = [...(props.subjectGroups ?? [])];
    const scopes = [...(props.scopes ?? [])];
    checkNames(this, "subjects", subjects);
    checkNames(this, "subjectGroups", subjectGroups);
    // An autonomous agent's grant names no one: the agent acts for itself (AIC's autonomous flow).
    if (subjects.length === 0 && subjectGroups.length === 0 && props.agent.autonomous !== true) {
      propError(this, C.noSubjects, {
        problem: "the grant names no user the agent may act for",
        received: { subjects, subjectGroups },
        allowed: "at least one user name in subjects or one group name in subjectGroups (none only for an autonomous agent)",
        fix: `add e.g. subjects: ["bjensen"] or subjectGroups: ["assistant-users"], or make the agent autonomous: true when it acts for itself`,
      });
    }
    checkScopes(this, "scopes", scopes, false);

    this.agent = props.agent;
    this.application = props.application;
    this.scopes = scopes;
    const tenant = AicTenant.of(this);
    const object = tenant._manage(this, {
      kind: "agent-grant",
      tenant: tenant.tenantRef,
      id: `${props.agent.clientId}/${props.application.clientId}`,
      owned: {
        agent: props.agent.clientId,
        application: props.application.clientId,
        subjects,
        subjectGroups,
        scopes,
        ...(props.description === undefined ? {} : { description: props.description }),
      },
      ...adoptField(props.adopt, checkObjectRemovalPolicy(this, props.removalPolicy)),
    });
    // A grant may link an agent or an application of another stack (of the same tenant): that
    // stack is deployed first, and the grant's apply finds them by client id.
    for (const linked of [props.agent, props.application]) {
      const stack = TerraformStack.of(this);
      const other = TerraformStack.of(linked);
      if (other !== stack && ManagedObject.of(linked)) stack.addDependency(other);
    }
    this.node.addValidation({ validate: () => this.crossChecks(tenant) });
    // A managed agent checks its own grant types against the provider; an imported one cannot,
    // and the exchange this grant serves needs token exchange on the provider all the same.
    if (!ManagedObject.of(props.agent)) {
      this.node.addValidation({ validate: () => providerGrantErrors(object, [TOKEN_EXCHANGE_GRANT]) });
    }
  }

  /** Checks that need the agent and the application as the whole stack has them. */
  private crossChecks(tenant: AicTenant): string[] {
    const errors: string[] = [];
    const { agent, application } = this;
    for (const linked of [agent, application]) {
      const other = AicTenant.of(linked);
      if (other.tenantKey === tenant.tenantKey) continue;
      errors.push(
        validationMessage(C.grantAcrossTenants, {
          problem: `${linked.node.path} belongs to another tenant or realm than the grant`,
          received: other.tenantKey,
          allowed: `an agent and an application of ${tenant.tenantKey}`,
          fix: "create the grant, the agent and the application in the same AicTenant",
        }),
      );
    }
    // Unresolved tokens are known only when Terraform runs: neither side is checked then.
    if (application.scopes !== undefined && ![...this.scopes, ...application.scopes].some((s) => Token.isUnresolved(s))) {
      const outside = this.scopes.filter((s) => !application.scopes!.includes(s));
      if (outside.length > 0) {
        errors.push(
          validationMessage(C.grantScopeOutsideApplication, {
            problem: `scopes ${JSON.stringify(outside)} are not scopes of ${application.node.path}, so the exchange would fail with invalid_scope`,
            received: this.scopes,
            allowed: `scopes of the application: ${JSON.stringify(application.scopes)} (or [] for any of them)`,
            fix: `remove ${JSON.stringify(outside)} from the grant, or add them to the application's scopes`,
          }),
        );
      }
    }
    errors.push(...limitErrors(agent, application, this.scopes));
    if (agent.grantTypes !== undefined && !agent.grantTypes.includes(TOKEN_EXCHANGE_GRANT)) {
      errors.push(
        validationMessage(C.agentWithoutTokenExchange, {
          problem: `${agent.node.path} cannot use this grant: it lacks the token-exchange grant type the on-behalf-of flow uses`,
          received: agent.grantTypes,
          allowed: `grant types that include "token-exchange" (${TOKEN_EXCHANGE_GRANT})`,
          fix: `add "token-exchange" to the agent's grantTypes (or leave grantTypes at its default)`,
        }),
      );
    }
    return errors;
  }
}

/** A grant outside the agent's own limits: its application not on the audience allow-list, a scope outside the scope limit. */
function limitErrors(agent: IAiAgent, application: IConfidentialWebApp, scopes: readonly string[]): string[] {
  const errors: string[] = [];
  const audiences = agent.allowedAudiences;
  if (audiences && !Token.isUnresolved(application.clientId) && !audiences.includes(application.clientId)) {
    errors.push(
      validationMessage(C.audienceOutsideAllowList, {
        problem: `the grant's application ${application.clientId} (the exchange's audience) is not on the allowed audiences of ${agent.node.path}, so AM answers "Invalid audience requested."`,
        received: application.clientId,
        allowed: `an application among ${JSON.stringify(audiences)}`,
        fix: `add "${application.clientId}" to the agent's allowedAudiences`,
      }),
    );
  }
  const limit = agent.scopeLimit;
  if (limit && ![...scopes, ...limit].some((s) => Token.isUnresolved(s))) {
    const outside = scopes.filter((s) => !limit.includes(s));
    if (outside.length > 0) {
      errors.push(
        validationMessage(C.grantScopeOutsideLimit, {
          problem: `scopes ${JSON.stringify(outside)} are outside the scope limit of ${agent.node.path}, so its script refuses them with invalid_scope`,
          received: scopes,
          allowed: `scopes within the limit ${JSON.stringify(limit)}`,
          fix: `remove ${JSON.stringify(outside)} from the grant, or add them to the agent's scopeLimit`,
        }),
      );
    }
  }
  return errors;
}
