/**
 * Objects that exist in a tenant and that no stack in the synth output manages: web apps, AI agents
 * and agent privileges, without the platform's own clients. Reported, never deleted. The listing is
 * read with paged list calls (`src/export/read.ts`); what is managed comes from every stack's code and
 * last applied state.
 */
import { KINDS, PLATFORM_CLIENT_IDS } from "../contract/constants";
import { identityKey, type Identity } from "../contract/spec";
import type { TenantListing } from "../export/read";
import { unitOf } from "../kinds";
import type { UnmanagedInTenant, UnmanagedObjects } from "./schema";
import type { StackContents } from "./stack";

/** Identity keys of every object that code or the applied state of any stack names. */
export function managedKeys(contents: Iterable<StackContents | undefined>): Set<string> {
  const keys = new Set<string>();
  for (const c of contents) {
    if (!c) continue;
    for (const key of c.objects.keys()) keys.add(key);
    for (const identity of c.inventory) keys.add(identityKey(identity));
  }
  return keys;
}

/** The unmanaged objects of one tenant, pure. `tenant` is the one the listing was read from. */
export function unmanagedObjects(tenant: Identity["tenant"], listing: TenantListing, managed: ReadonlySet<string>): UnmanagedInTenant {
  const isManaged = (kind: Identity["kind"], id: string) => managed.has(identityKey({ kind, tenant, id }));
  const platform = (id: string) => PLATFORM_CLIENT_IDS.includes(id);
  const kinds = KINDS.flatMap((kind) => {
    const listed = unitOf(kind).listed;
    return listed ? [[kind as UnmanagedObjects["kind"], listed(listing).filter((id) => !platform(id) && !isManaged(kind, id))] as const] : [];
  });
  return {
    baseUrl: tenant.baseUrl,
    realm: tenant.realm,
    objects: kinds.filter(([, ids]) => ids.length > 0).map(([kind, ids]) => ({ kind, count: ids.length, ids: ids.sort() })),
  };
}
