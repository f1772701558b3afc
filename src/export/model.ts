/**
 * What `export` writes, decided purely from a realm's listing: which objects become which
 * construct with which props, which fields of them no construct can say, and which objects are
 * skipped and why. Each kind decides for its own objects (`KindUnit.export`); names (variables,
 * construct ids, secret variables) are derived from ids in sorted order, so the same tenant always
 * exports to the same file.
 */
import type { Kind } from "../contract/constants";
import type { AuthConfig } from "../contract/spec";
import { APPLY_ORDER, unitOf } from "../kinds";
import type { ExportContext, ExportedObject } from "../kinds/unit";
import type { TenantListing } from "./read";
import { byString, Names, TAKEN_VARIABLES } from "./source";

export interface ExportTenant {
  readonly baseUrl: string;
  readonly realm: string;
  readonly auth: AuthConfig;
}

/** An object of the listing the file leaves out. */
export interface Skipped {
  /** What the tenant calls it: `oauth2-client`, `application`, `ai-agent`, `privilege`, … */
  readonly kind: string;
  readonly id: string;
  readonly reason: string;
}

export interface ExportModel {
  readonly tenant: ExportTenant;
  readonly exportedAt: string;
  /** The file's constructs in file order: by kind in `FILE_ORDER`, each kind's in its own order. */
  readonly objects: readonly ExportedObject[];
  readonly skipped: readonly Skipped[];
}

export interface ModelInput {
  readonly tenant: ExportTenant;
  readonly listing: TenantListing;
  readonly exportedAt: string;
  /** Only these client ids; default: all. */
  readonly clientIds?: readonly string[];
}

/** The order of the file's sections: the apply order, each kind moved after the kinds its statements name (`KindExport.after`). */
const FILE_ORDER: readonly Kind[] = (() => {
  const order: Kind[] = [];
  const waiting = [...APPLY_ORDER];
  while (waiting.length > 0) {
    const next = waiting.findIndex((kind) => (unitOf(kind).export?.after ?? []).every((k) => order.includes(k)));
    if (next < 0) throw new Error(`kinds' exports name each other in a cycle: ${waiting.join(", ")}`);
    order.push(...waiting.splice(next, 1));
  }
  return order;
})();

/** The order kinds are exported in: the file's (what an object refers to first), realm-wide kinds last (they follow from the others). */
const EXPORT_ORDER: readonly Kind[] = [...FILE_ORDER].sort((a, b) => Number(unitOf(a).realmWide) - Number(unitOf(b).realmWide));

export function exportModel({ tenant, listing, exportedAt, clientIds }: ModelInput): ExportModel {
  const skipped: Skipped[] = [];
  const objects: ExportedObject[] = [];
  const byKey = new Map<string, ExportedObject>();
  const key = (kind: Kind, id: string) => `${kind}\u0000${id}`;
  const context: ExportContext = {
    realm: tenant.realm,
    clientIds,
    wanted: (id) => clientIds === undefined || clientIds.includes(id),
    variables: new Names(TAKEN_VARIABLES),
    secretEnvs: new Names(),
    exported: (kind, id) => byKey.get(key(kind, id)),
    objects,
    skip: (what, id, reason) => skipped.push({ kind: what, id, reason }),
  };
  for (const kind of EXPORT_ORDER) {
    for (const o of unitOf(kind).export?.objects(listing, context) ?? []) {
      objects.push(o);
      byKey.set(key(o.kind, o.id), o);
    }
  }
  return {
    tenant,
    exportedAt,
    objects: objects.sort((a, b) => FILE_ORDER.indexOf(a.kind) - FILE_ORDER.indexOf(b.kind)),
    skipped: skipped.sort((a, b) => byString(a.kind, b.kind) || byString(a.id, b.id)),
  };
}

/** What the header and stderr call an object: its kind's label, `web app`. */
export function labelOf(o: ExportedObject): string {
  return unitOf(o.kind).export?.label ?? o.kind;
}

/** How many objects of each counted kind the model exports, in the file's order: `2 web app(s), 1 AI agent(s), 0 grant(s)`. */
export function exportCounts(model: ExportModel): string {
  return FILE_ORDER.flatMap((kind) => {
    const kindExport = unitOf(kind).export;
    const count = model.objects.filter((o) => o.kind === kind).length;
    return kindExport?.label && (count > 0 || !kindExport.countedWhenAny) ? [`${count} ${kindExport.label}(s)`] : [];
  }).join(", ");
}
