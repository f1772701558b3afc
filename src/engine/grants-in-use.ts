/**
 * Grants that would dangle: a stack that deletes an app or an agent another stack's grant (or one
 * made in the console) still uses would leave that privilege pointing at nothing, and neither
 * stack would say so. The sync refuses such a delete before any write, naming the grant and the
 * fix; `plan` shows the same refusal. [inf] Refusing rather than deleting the privilege: the grant
 * belongs to the other stack, whose journal would still list it.
 */
import { crestEq } from "../client/admin-api";
import type { AdminApi } from "../client/types";
import { tenantKey, type Identity, type TenantRef } from "../contract/spec";
import { unitOf, type PrivilegeView } from "../kinds";
import { orFilters, queryChunks } from "./batch";
import type { ObjectResult } from "./result";

/**
 * A privilege's computed ids (IDM's virtual fields, `PrivilegeView`): who the agent is, which
 * application it is for. Both are searchable in the recorded IDM schema (`resourceData`: "for
 * querying privileges by application"); the kinds a privilege refers to say which (`grantedBy`).
 */

const FIELDS = ["_id", "agentOAuth2ClientId", "resourceData"];

/** The grant id (`agent/application`) of a privilege, or its IDM id when one side is unknown. */
function grantOf(p: PrivilegeView): string {
  const agent = p.agentOAuth2ClientId;
  const application = p.resourceData?.ssoEntities?.oidcId;
  return agent && application ? `${agent}/${application}` : `(privilege ${p._id})`;
}

/** Why the delete is refused, and the fix. */
function grantInUse(identity: Identity, grants: readonly string[]): string {
  const what = `${identity.kind} ${identity.id}`;
  const list = grants.map((g) => `agent-grant ${g}`).join(", ");
  return (
    `${what} is used by ${list}, which this stack does not declare: deleting it would leave the grant pointing at nothing; ` +
    `remove the grant from its stack and apply that stack first, or keep ${what} in code`
  );
}

/**
 * The removed apps and agents that a privilege still uses, other than the grants the same sync
 * removes (read with one list call per tenant): one failed result each, naming the grants.
 */
export async function grantsInUse(apiFor: (tenant: TenantRef) => AdminApi, removed: readonly Identity[]): Promise<ObjectResult[]> {
  const clients = removed.filter((i) => unitOf(i.kind).grantedBy);
  if (clients.length === 0) return [];
  const removedGrants = new Set(removed.filter((i) => i.kind === "agent-grant").map((i) => `${tenantKey(i.tenant)}|${i.id}`));
  const out: ObjectResult[] = [];
  for (const key of new Set(clients.map((i) => tenantKey(i.tenant)))) {
    const own = clients.filter((i) => tenantKey(i.tenant) === key);
    const api = apiFor(own[0].tenant);
    const term = (i: Identity) => crestEq(unitOf(i.kind).grantedBy!.field, i.id);
    const privileges = await queryChunks(orFilters(own.map(term), (t) => t), (o) => api.queryManaged<PrivilegeView>("aiagentprivilege", o), FIELDS);
    for (const identity of own) {
      const uses = (p: PrivilegeView) => unitOf(identity.kind).grantedBy!.of(p) === identity.id;
      const grants = privileges.filter(uses).map(grantOf).filter((g) => !removedGrants.has(`${key}|${g}`));
      if (grants.length === 0) continue;
      out.push({ kind: identity.kind, id: identity.id, action: "failed", changes: [], notes: [grantInUse(identity, [...new Set(grants)])] });
    }
  }
  return out;
}
