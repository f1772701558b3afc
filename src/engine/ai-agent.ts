/**
 * An AI agent = AM AIAgent (an OAuth2 client with identity attributes) + the IDM identity AM
 * creates for it (owners are set there): pure planning.
 */
import type { AIAgent } from "../contract/schemas";
import { hasEnvSecret, type SpecOf } from "../contract/spec";
import { plainField, wrappedField, type OwnedField } from "./fields";
import {
  clientFields,
  mayActFields,
  namesById,
  NO_SCRIPT,
  optionalField,
  OVERRIDES,
  ownerRefs,
  planAmClient,
  planIdmRecord,
  refListField,
  type AmClientPlan,
  type IdmPlan,
  type Resolved,
} from "./owned";

export type AiAgentSpec = SpecOf<"ai-agent">;

export interface AiAgentLive {
  readonly agent: AIAgent | undefined;
  /** The owners of the IDM identity (read with `_fields=owners`); undefined when there is no agent. */
  readonly identityOwners: unknown[] | undefined;
  readonly users: Resolved;
}

export interface AiAgentPlan {
  readonly agent: AmClientPlan;
  /** The IDM identity id (`aiAgentIdentityUid`). */
  readonly uid: string;
  readonly owners: IdmPlan;
}

const IDENTITY = "aiAgentIdentityAttributes";

export function aiAgentFields(spec: AiAgentSpec, live: AIAgent | undefined): OwnedField[] {
  const o = spec.owned;
  return [
    ...clientFields(o),
    ...mayActFields(o.mayActScript, live),
    plainField([OVERRIDES, "providerOverridesEnabled"], o.providerOverrides.enabled),
    plainField([OVERRIDES, "statelessTokensEnabled"], o.providerOverrides.statelessTokens),
    plainField([OVERRIDES, "acceptAudienceParametersInTokenExchangeRequests"], o.providerOverrides.acceptAudienceInTokenExchange),
    plainField([IDENTITY, "value", "name"], o.name),
    plainField([IDENTITY, "value", "description"], o.description ?? null),
    // The limits of its exchanges, read from the acting client (reference §5, §6).
    ...(o.scopeLimitScript === undefined ? [] : [plainField([OVERRIDES, "validateScopePluginType"], "SCRIPTED")]),
    ...optionalField(live, (v) => plainField([OVERRIDES, "validateScopeScript"], v), o.scopeLimitScript, NO_SCRIPT),
    ...optionalField(live, (v) => wrappedField("advancedOAuth2ClientConfig", "allowedResourceServerAudienceValues", v), o.audiences, []),
  ];
}

/** Set once, when AM creates the agent and its IDM identity under this uid. */
function identityFields(spec: AiAgentSpec, uid: string): OwnedField[] {
  return [
    plainField([IDENTITY, "value", "_id"], uid),
    plainField([IDENTITY, "value", "oauth2ClientId"], spec.id),
    plainField(["aiAgentIdentityUid", "value"], uid),
  ];
}

export function agentUid(agent: AIAgent | undefined): string | undefined {
  return agent?.aiAgentIdentityUid?.value ?? agent?.aiAgentIdentityAttributes?.value?._id;
}

/** The identity's own revision is IDM's business: AM's writes do not take it back. Mutates and returns `body`. */
export function stripIdentityRev(body: Record<string, unknown>): Record<string, unknown> {
  const identity = (body[IDENTITY] as { value?: Record<string, unknown> } | undefined)?.value;
  if (identity) delete identity._rev;
  return body;
}

/**
 * `newUid` names the identity when the agent is created. The body is always the merged full
 * object: AM answers a PUT with only what it was sent.
 */
export function planAiAgent(spec: AiAgentSpec, live: AiAgentLive, newUid: string): AiAgentPlan {
  const owners = ownerRefs(spec.tenant.realm, spec.owned.owners, live.users);
  const uid = agentUid(live.agent) ?? newUid;
  const fields = live.agent ? aiAgentFields(spec, live.agent) : [...identityFields(spec, uid), ...aiAgentFields(spec, undefined)];
  const agent = planAmClient(live.agent, fields, hasEnvSecret(spec));
  stripIdentityRev(agent.body);
  const ownersPlan = planIdmRecord(
    "aiagent",
    uid,
    { owners: live.identityOwners ?? [] },
    [refListField("owners", owners, namesById(live.users))],
    "identity",
  );
  return { agent, uid, owners: ownersPlan };
}
