import { Token } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { mayActScriptSource, SCRIPT_CONTEXTS, scriptId, type MayAct } from "../src/contract";
import type { IAiAgent } from "./ai-agent";
import { AicTenant } from "./aic-tenant";
import type { IConfidentialWebApp } from "./confidential-web-app";
import { VALIDATION_CODES as C, propError, validationMessage } from "./errors";
import { checkKnownProps, checkNonEmpty, type PropNames } from "./private/checks";
import { adoptField, checkObjectRemovalPolicy, type ObjectRemovalPolicy } from "./private/client";
import { ManagedObject } from "./private/custom-resource";

/** Props of {@link MayActRule}. */
export interface MayActRuleProps {
  /** The agent that may exchange the tokens (`may_act.client_id`). */
  readonly agent: IAiAgent;
  /**
   * The clients whose tokens the agent may exchange: the app users sign in to (the agent acts
   * for its users), or another agent (agent-to-agent: the agent acts for that agent acting for a
   * user, and the issued token nests the first actor in `act`). Each must be managed by this
   * stack: the rule is wired on it, and a client runs one May Act script.
   */
  readonly subjectTokensOf: readonly (IConfidentialWebApp | IAiAgent)[];
  /**
   * The script's name in the realm (names are unique in a realm; the script's id derives from it).
   *
   * @default - `May act: <agent> for <client>, …`
   */
  readonly scriptName?: string;
  /**
   * A description of the script.
   *
   * @default - none
   */
  readonly description?: string;
  /**
   * Your own OAUTH2_MAY_ACT_NEXT_GEN JavaScript instead of the generated one; it must name the
   * agent's client id. The embedded tenant runs only the generated form and fails a token request
   * whose client runs any other script (a 500 naming it), so test custom scripts on a real tenant.
   *
   * @default - generated from `agent` and the agent's `actsBy`
   */
  readonly source?: string;
  /**
   * Take over the script when it already exists in the tenant but was not created by this stack.
   *
   * @default false
   */
  readonly adopt?: boolean;
  /**
   * What happens to the script when this construct leaves the code: `"destroy"` deletes it (after
   * unwiring it from the clients), `"retain"` forgets it.
   *
   * @default "destroy"
   */
  readonly removalPolicy?: ObjectRemovalPolicy;
}

/** The props, for the check of unknown ones at run time (checkKnownProps). */
const PROPS: PropNames<MayActRuleProps> = {
  agent: true, subjectTokensOf: true, scriptName: true, description: true, source: true, adopt: true, removalPolicy: true,
};

/** The rules of an app, as they are made (a stack's checks look for the ones naming an agent). */
const rulesOf = new WeakMap<Construct, MayActRule[]>();

/**
 * Which agent may act for the subjects of which clients' tokens: an OAuth2 May Act script (AM
 * runs it when a client issues a token and stamps `may_act` on it), stored through the scripts
 * API and wired on those clients (`accessTokenMayActScript`, `oidcMayActScript`, overrides on).
 * With an agent that `actsBy: "delegation"`, `may_act` also names the agent as the actor
 * (`sub: "(age!<agent>)"`): the exchange needs its own token as the actor token.
 */
export class MayActRule extends Construct {
  /** The rules that name `agent`, in the whole app. */
  static naming(agent: IAiAgent): readonly MayActRule[] {
    return (rulesOf.get(agent.node.root as Construct) ?? []).filter((r) => r.agent === agent);
  }

  public readonly agent: IAiAgent;
  public readonly subjectTokensOf: readonly (IConfidentialWebApp | IAiAgent)[];
  /** The script's id in the realm (known at synth). */
  public readonly scriptId: string;
  /** The `may_act` claim the generated script stamps; undefined with your own `source`. */
  public readonly mayAct?: MayAct;

  constructor(scope: Construct, id: string, props: MayActRuleProps) {
    super(scope, id);
    checkKnownProps(this, "MayActRuleProps", props, PROPS);
    const clients = [...(props.subjectTokensOf ?? [])];
    if (clients.length === 0) {
      propError(this, C.mayActNoClients, {
        problem: "subjectTokensOf names no client, so no token would carry this may_act",
        received: clients.map((c) => c.clientId),
        allowed: "one or more apps or agents managed by this stack",
        fix: "add the app users sign in to (or, agent-to-agent, the agent whose tokens this agent exchanges)",
      });
    }
    if (props.scriptName !== undefined) checkNonEmpty(this, "scriptName", props.scriptName);
    const agent = props.agent;
    const name = props.scriptName ?? `May act: ${agent.clientId} for ${clients.map((c) => c.clientId).join(", ")}`;
    this.mayAct = props.source === undefined ? { client_id: agent.clientId, ...(agent.actsBy === "delegation" ? { sub: `(age!${agent.clientId})` } : {}) } : undefined;
    const source = props.source ?? mayActScriptSource(this.mayAct!);
    if (props.source !== undefined && !Token.isUnresolved(props.source) && !props.source.includes(agent.clientId)) {
      propError(this, C.mayActSourceWithoutAgent, {
        problem: `source never names the agent ${agent.clientId}, so its may_act cannot let that agent exchange the tokens`,
        received: props.source.slice(0, 80),
        allowed: `a May Act script whose claim names "${agent.clientId}" in client_id`,
        fix: "name the agent in the script, or leave source out to generate it",
      });
    }
    this.agent = agent;
    this.subjectTokensOf = clients;
    const tenant = AicTenant.of(this);
    this.scriptId = scriptId(tenant.tenantRef.realm, name);
    tenant._manage(this, {
      kind: "script",
      tenant: tenant.tenantRef,
      id: this.scriptId,
      owned: { name, ...(props.description === undefined ? {} : { description: props.description }), language: "JAVASCRIPT", context: SCRIPT_CONTEXTS.mayAct, source },
      ...adoptField(props.adopt, checkObjectRemovalPolicy(this, props.removalPolicy)),
    });
    for (const client of clients) this.wire(client);
    const root = this.node.root as Construct;
    rulesOf.set(root, [...(rulesOf.get(root) ?? []), this]);
  }

  /** Names the script on a client whose tokens it stamps; a client runs one May Act script. */
  private wire(client: IConfidentialWebApp | IAiAgent): void {
    const object = ManagedObject.of(client);
    if (!object || (object.spec.kind !== "web-app" && object.spec.kind !== "ai-agent")) {
      propError(this, C.mayActUnmanagedClient, {
        problem: `${client.node.path} is not managed by this stack, so the May Act script cannot be wired on it`,
        received: client.clientId,
        allowed: "a ConfidentialWebApp or AiAgent of this stack",
        fix: "manage the client here, or wire the script on it where it is managed",
      });
      return;
    }
    const wired = object.spec.owned.mayActScript;
    if (wired !== undefined && wired !== this.scriptId) {
      propError(this, C.mayActConflict, {
        problem: `${client.node.path} already runs another May Act script, and a token carries one may_act`,
        received: client.clientId,
        allowed: "one MayActRule per client",
        fix: "keep one rule for this client (AM's may_act names one client)",
      });
      return;
    }
    if (client === this.agent) {
      propError(this, C.mayActConflict, {
        problem: `the agent ${client.clientId} is among the clients whose tokens it may exchange`,
        received: client.clientId,
        allowed: "clients other than the agent",
        fix: "name the app (or the other agent) whose tokens the agent exchanges",
      });
      return;
    }
    object.amendOwned({ mayActScript: this.scriptId });
    this.node.addValidation({ validate: () => (object.tenantKey === AicTenant.of(this).tenantKey ? [] : [crossRealm(client, object.tenantKey)]) });
  }
}

function crossRealm(client: IConstruct, tenantKey: string): string {
  return validationMessage(C.mayActUnmanagedClient, {
    problem: `${client.node.path} belongs to another tenant or realm than the rule`,
    received: tenantKey,
    allowed: "a client of the rule's realm (a script runs in its own realm only)",
    fix: "create the rule in the client's AicTenant",
  });
}
