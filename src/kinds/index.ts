/**
 * The registry of kinds: every kind of object the tool manages is one unit (`./unit.ts`), and the
 * sync, plan, reconcile, the change wording, the unmanaged listing and `export` dispatch through it
 * rather than switching on `kind`.
 *
 * Kinds. To add a kind:
 * 1. Add its name to `KINDS` (`src/contract/constants.ts`; the order there is the order of plan's
 *    listing) and its spec schema to the `Spec` union (`src/contract/spec.ts`).
 * 2. Write its pure planner beside the others (`src/engine/<kind>.ts`: owned fields, live → plan),
 *    and teach the batch read (`src/engine/batch.ts`) any record type it is the first to need.
 * 3. Write `src/kinds/<kind>.ts`: one `KindUnit` saying what it reads (`readsFor`), how it is found
 *    in a snapshot (`exists`, `present`), its diff, write, reconcile and delete, the kinds it
 *    depends on, its props' wording and, when the realm lists it, how (`listed`) and how `export`
 *    writes it (`export`: a `KindExport`, in `src/export/<kind>.ts`).
 * 4. Add it to `KIND_UNITS` below. The apply and delete orders follow from `dependsOn`.
 * `test/kinds/registry.test.ts` checks that every kind has a unit and that the orders agree.
 */
import type { AdminApi } from "../client/types";
import { KINDS, type Kind } from "../contract/constants";
import type { Identity, Spec, SpecOf } from "../contract/spec";
import type { EngineOptions } from "../engine/apply";
import type { RequestBuilder, TenantSnapshot } from "../engine/batch";
import { SECRET_FIELD } from "../engine/owned";
import type { ObjectResult } from "../engine/result";
import { agentGrant } from "./agent-grant";
import { nativeApp, serviceApp, spa } from "./application";
import { aiAgent } from "./ai-agent";
import { esvSecret, esvVariable } from "./esv";
import { providerGrants } from "./provider-grants";
import { script } from "./script";
import { secretMapping } from "./secret-mapping";
import type { KindUnit, SecretWrite } from "./unit";
import { webApp } from "./web-app";

export type { AfterWritesContext, ExportContext, ExportedObject, KindExport, KindUnit, Pending, PrivilegeView, Prop, SecretWrite, WriteContext } from "./unit";

export const KIND_UNITS: { readonly [K in Kind]: KindUnit<SpecOf<K>> } = {
  "oauth2-provider-grants": providerGrants,
  script,
  "web-app": webApp,
  spa,
  "native-app": nativeApp,
  "service-app": serviceApp,
  "ai-agent": aiAgent,
  "agent-grant": agentGrant,
  "esv-secret": esvSecret,
  "esv-variable": esvVariable,
  "secret-mapping": secretMapping,
};

/** The unit of a kind. */
export function unitOf(kind: Kind): KindUnit {
  return KIND_UNITS[kind] as KindUnit;
}

/** A client's secret write (`KindUnit.secretWrite`). */
const CLIENT_SECRET_WRITE: SecretWrite = { field: SECRET_FIELD.join("."), rotation: "a new secret" };

/** How the secret write of a kind shows in plan: its field and what a bump gives it. */
export function secretWriteOf(kind: Kind): SecretWrite {
  return unitOf(kind).secretWrite ?? CLIENT_SECRET_WRITE;
}

/** How many kinds lie below `kind` on its longest `dependsOn` chain (0: it depends on none). */
function depth(kind: Kind, seen: readonly Kind[] = []): number {
  if (seen.includes(kind)) throw new Error(`kinds depend on each other in a cycle: ${[...seen, kind].join(" → ")}`);
  return Math.max(-1, ...unitOf(kind).dependsOn.map((d) => depth(d, [...seen, kind]))) + 1;
}

/**
 * The sync's stages: the kinds of one stage are written together, after every earlier stage (what
 * others refer to first). A kind's stage is its `depth`.
 */
export const APPLY_STAGES: readonly (readonly Kind[])[] = (() => {
  const stages: Kind[][] = [];
  for (const kind of KINDS) (stages[depth(kind)] ??= []).push(kind);
  return stages;
})();

/** The order of creation: stage by stage, in `KINDS` order within a stage. */
export const APPLY_ORDER: readonly Kind[] = APPLY_STAGES.flat();

/** The order of deletion: dependents before what they depend on. */
export const DELETE_ORDER: readonly Kind[] = [...APPLY_ORDER].reverse();

/** Adds to a batch request what reading `spec` needs: the object and everything it refers to. */
export function readsFor(r: RequestBuilder, spec: Spec): void {
  unitOf(spec.kind).readsFor(r, spec);
}

/** Whether the object an identity names exists in the snapshot. */
export function existsLive(identity: Identity, s: TenantSnapshot): boolean {
  return unitOf(identity.kind).exists(identity, s);
}

/** Creates or updates the object a spec describes, in place (`reconcile`). */
export function applySpec(api: AdminApi, spec: Spec, options: EngineOptions = {}): Promise<ObjectResult> {
  return unitOf(spec.kind).apply(api, spec, options);
}

/** Deletes the object an identity names; an object already gone is fine. Dependents first is the caller's order. */
export function deleteIdentity(api: AdminApi, identity: Identity): Promise<ObjectResult> {
  return unitOf(identity.kind).delete(api, identity);
}
