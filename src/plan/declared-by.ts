/**
 * A grant to an agent or app of another stack fails when it is applied before that stack: the
 * refusal then names the stack of the synth output (cdktf.out/stacks/*) that declares the missing
 * object, and the fix. Plan and the sync (which runs in cdktf.out/stacks/<name>) say it alike. What
 * an object refers to is its kind's (`KindUnit.references`).
 */
import { basename, dirname } from "node:path";
import type { Kind } from "../contract/constants";
import { tenantKey, type TenantRef } from "../contract/spec";
import { unitOf } from "../kinds";
import { readStacks, type SynthesizedStack } from "./stack";

/** The refusal of object `kind` `objectId` in `tenant` of stack `self`, with the stack to apply first when another declares what it refers to and is missing. */
export function withDeclaringStack(message: string, tenant: TenantRef, objectKind: Kind, objectId: string, self: string, stacks: readonly SynthesizedStack[]): string {
  const hints: string[] = [];
  for (const [kind, id] of unitOf(objectKind).references?.(objectId) ?? []) {
    if (!message.includes(`"${id}" `) && !message.includes(`"${id}",`)) continue;
    const owner = stacks.find((s) => s.name !== self && [...s.code.objects.values()].some((o) => o.spec?.kind === kind && o.spec.id === id && tenantKey(o.spec.tenant) === tenantKey(tenant)));
    if (owner) hints.push(`${kind} ${id} is declared by stack ${owner.name}: apply stack ${owner.name} first (cdktf deploy ${owner.name}), then ${self}`);
  }
  return hints.length > 0 ? `${message}; ${hints.join("; ")}` : message;
}

/** The stacks next to the one whose folder `stackDir` is (cdktf.out/stacks/<name>); none when it is not in a synth output. */
export function siblingStacks(stackDir: string): { self: string; stacks: SynthesizedStack[] } {
  try {
    return { self: basename(stackDir), stacks: readStacks(dirname(dirname(stackDir))) };
  } catch {
    return { self: basename(stackDir), stacks: [] };
  }
}
