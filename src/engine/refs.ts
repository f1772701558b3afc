/** Pure helpers for IDM identifiers and relationship references. */
import { deterministicUuid } from "../contract/ids";
import { idmRealm } from "../contract/endpoints";
import type { ManagedObject } from "../client/types";

export { deterministicUuid };

/** The IDM id of the application record of an AM client. */
export function applicationId(realm: string, clientId: string): string {
  return deterministicUuid("application", idmRealm(realm), clientId);
}

/** The IDM id of the privilege linking an agent to an application. */
export function privilegeId(realm: string, agentClientId: string, applicationClientId: string): string {
  return deterministicUuid("aiagentprivilege", idmRealm(realm), agentClientId, applicationClientId);
}

export interface RefBody {
  _ref: string;
  _refResourceCollection: string;
  _refResourceId: string;
}

/** A relationship reference as the console writes it. */
export function refTo(realm: string, object: ManagedObject, id: string): RefBody {
  const collection = `managed/${idmRealm(realm)}_${object}`;
  return { _ref: `${collection}/${id}`, _refResourceCollection: collection, _refResourceId: id };
}

/** The id a reference points to (IDM adds `_refProperties`, which carry no meaning for us). */
export function refId(ref: unknown): string | undefined {
  if (!ref || typeof ref !== "object") return undefined;
  const r = ref as { _ref?: unknown; _refResourceId?: unknown };
  if (typeof r._refResourceId === "string") return r._refResourceId;
  return typeof r._ref === "string" ? r._ref.split("/").pop() : undefined;
}

/** The ids a list of references points to. */
export function refIds(refs: unknown): string[] {
  return Array.isArray(refs) ? refs.map(refId).filter((id): id is string => id !== undefined) : [];
}

/**
 * How a privilege is named for people: `<agent client id>/<application client id>` (the id of its
 * AgentApplicationGrant), or the raw ids when they name nothing known.
 */
export function privilegePair(
  p: { agent?: unknown; resource?: unknown; agentOAuth2ClientId?: unknown },
  agentIdByUid: ReadonlyMap<string, string>,
  clientIdByApplication: ReadonlyMap<string, string>,
): string {
  const agentUid = refId(p.agent) ?? "";
  const resource = refId(p.resource) ?? "";
  const agent = agentIdByUid.get(agentUid) ?? (typeof p.agentOAuth2ClientId === "string" ? p.agentOAuth2ClientId : agentUid || "(no agent)");
  return `${agent}/${clientIdByApplication.get(resource) ?? (resource || "(no application)")}`;
}
