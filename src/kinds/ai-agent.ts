/**
 * An AI agent (`AiAgent`): an AM agent client, whose IDM identity AM creates with it, and that
 * identity's owners. Pure planning is `src/engine/ai-agent.ts`.
 */
import { randomUUID } from "node:crypto";
import { AiAgentSpec as schema, type SpecOf } from "../contract/spec";
import { applyClient, result } from "../engine/apply";
import { aiAgentLive } from "../engine/batch";
import { readAiAgents } from "../engine/live";
import { aiAgentExport } from "../export/ai-agent";
import { planAiAgent } from "../engine/ai-agent";
import { CLIENT_PROPS, MAY_ACT_PROPS, writeClient } from "./client";
import type { KindUnit } from "./unit";

type AiAgentSpec = SpecOf<"ai-agent">;

export const aiAgent: KindUnit<AiAgentSpec> = {
  kind: "ai-agent",
  schema,
  // Its grant types (token exchange) and the AI agents feature must be on in the realm first, and the scripts it runs must exist.
  dependsOn: ["oauth2-provider-grants", "script"],
  realmWide: false,
  props: {
    ...CLIENT_PROPS,
    ...MAY_ACT_PROPS,
    "overrideOAuth2ClientConfig.providerOverridesEnabled": { name: "providerOverrides.enabled" },
    "overrideOAuth2ClientConfig.statelessTokensEnabled": { name: "providerOverrides.clientSideTokens" },
    "overrideOAuth2ClientConfig.acceptAudienceParametersInTokenExchangeRequests": { name: "providerOverrides.acceptAudienceInTokenExchange" },
    "overrideOAuth2ClientConfig.validateScopePluginType": { name: "scopeLimit" },
    "overrideOAuth2ClientConfig.validateScopeScript": { name: "scopeLimit" },
    "advancedOAuth2ClientConfig.allowedResourceServerAudienceValues": { name: "allowedAudiences" },
    "aiAgentIdentityAttributes.name": { name: "name" },
    "aiAgentIdentityAttributes.description": { name: "description" },
    "aiagent.owners": { name: "owners" },
  },
  secret: { liveClient: (s, id) => s.agents.get(id) },
  grantedBy: { field: "agentOAuth2ClientId", of: (p) => p.agentOAuth2ClientId },

  readsFor(r, spec) {
    r.aiAgents.push(spec.id);
    r.userNames.push(...spec.owned.owners);
  },
  readsForRemoved(r, identity) {
    r.aiAgents.push(identity.id);
  },
  exists: (identity, s) => s.agents.has(identity.id),
  present: (spec, s) => s.agents.has(spec.id),
  diff(spec, s, pending) {
    const plan = planAiAgent(spec, aiAgentLive(s, spec), pending.placeholder);
    return [...plan.agent.changes, ...plan.owners.changes];
  },
  write(api, step, s, context) {
    const plan = planAiAgent(step.spec, aiAgentLive(s, step.spec), context.newUid());
    return writeClient(api, step, { client: plan.agent, idm: plan.owners, put: (id, b, o) => api.putAiAgent(id, b, o) }, context, aiAgent.delete);
  },
  async apply(api, spec, options) {
    const live = (await readAiAgents(api, [spec])).get(spec.id)!;
    const plan = planAiAgent(spec, live, (options.newUid ?? randomUUID)());
    return applyClient(spec, options, plan.agent, plan.owners, (id, b, o) => api.putAiAgent(id, b, o), api);
  },
  async delete(api, { kind, id }) {
    // AM removes the IDM identity with the agent.
    const deleted = await api.deleteAiAgent(id);
    return result(kind, id, deleted ? "deleted" : "absent", [], deleted ? [] : ["already gone"]);
  },
  listed: (listing) => [...listing.agents.keys()],
  export: aiAgentExport,
};
