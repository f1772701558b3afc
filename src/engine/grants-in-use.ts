/**
 * Grants that would dangle: a stack that deletes an app or an agent another stack's grant (or one
 * made in the console) still uses would leave that privilege pointing at nothing, and neither
 * stack would say so. The sync refuses such a delete before any write, naming the grant, the stack
 * that declares it (from the synth output, when the caller knows it: `GrantDeclarer`) and the fix;
 * `plan` shows the same refusal. [inf] Refusing rather than deleting the privilege: the grant
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

/** The stack of the synth output that declares a grant, and its construct path when known. */
export interface GrantDeclaration {
  readonly stack: string;
  readonly construct?: string;
}

/**
 * Which stack declares grant `agent/application` in `tenant`: undefined when no stack of the synth
 * output does (a grant made in the console or by another tool, or one its stack removed from code
 * and has not applied yet).
 */
export type GrantDeclarer = (tenant: TenantRef, grantId: string) => GrantDeclaration | undefined;

/** A grant that uses the object, and where it is declared: a stack, none (`console`), or not known here (no synth output). */
type Using = { readonly id: string; readonly declared: GrantDeclaration | "console" | "unknown" };

function describeGrant({ id, declared }: Using): string {
  if (declared === "unknown") return `agent-grant ${id}, which this stack does not declare`;
  if (declared === "console") return `agent-grant ${id}, which no stack of the synth output declares (made in the console or by another tool, or removed from its stack's code and not applied yet)`;
  return `agent-grant ${id} of stack ${declared.stack}${declared.construct ? ` (${declared.construct})` : ""}`;
}

function fixFor(grants: readonly Using[]): string[] {
  const stacks = [...new Set(grants.flatMap((g) => (typeof g.declared === "object" ? [g.declared.stack] : [])))];
  const unclaimed = grants.filter((g) => g.declared === "console").map((g) => `agent-grant ${g.id}`);
  return [
    ...stacks.map((s) => `remove the grant from stack ${s} and apply stack ${s} first`),
    ...(unclaimed.length > 0 ? [`delete ${unclaimed.join(", ")} in the tenant (or apply the stack that removed it) first`] : []),
    ...(grants.some((g) => g.declared === "unknown") ? ["remove the grant from its stack and apply that stack first"] : []),
  ];
}

/** Why the delete is refused, naming who declares each grant, and the fix. */
function grantInUse(identity: Identity, grants: readonly Using[]): string {
  const what = `${identity.kind} ${identity.id}`;
  return `${what} is used by ${grants.map(describeGrant).join("; ")}: deleting it would leave the grant pointing at nothing; ${fixFor(grants).join("; ")}, or keep ${what} in code`;
}

/**
 * The removed apps and agents that a privilege still uses, other than the grants the same sync
 * removes (read with one list call per tenant): one failed result each, naming the grants and,
 * with `declarer` (the synth output's stacks), the stack that declares each.
 */
export async function grantsInUse(apiFor: (tenant: TenantRef) => AdminApi, removed: readonly Identity[], declarer?: GrantDeclarer): Promise<ObjectResult[]> {
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
      const using = [...new Set(grants)].map((id): Using => ({ id, declared: declarer ? (declarer(identity.tenant, id) ?? "console") : "unknown" }));
      out.push({ kind: identity.kind, id: identity.id, action: "failed", changes: [], notes: [grantInUse(identity, using)] });
    }
  }
  return out;
}
