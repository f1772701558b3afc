/**
 * Who declares what across the stacks of a synth output (cdktf.out/stacks/*), so that a refusal
 * that involves another stack names it and the fix: an object (a grant) that refers to an agent or
 * app of another stack applied before that stack, and an app or agent deleted while another
 * stack's grant uses it. Plan and the sync (which runs in cdktf.out/stacks/<name>) say it alike.
 * What an object refers to is its kind's (`KindUnit.references`).
 */
import { basename, dirname } from "node:path";
import type { Kind } from "../contract/constants";
import { tenantKey, type TenantRef } from "../contract/spec";
import type { GrantDeclarer } from "../engine/grants-in-use";
import { unitOf } from "../kinds";
import { readStacks, type SynthesizedStack } from "./stack";

/** The stack (and construct) of `stacks` whose code declares a grant; undefined without stacks (nothing is known). */
export function grantDeclarer(stacks: readonly SynthesizedStack[]): GrantDeclarer | undefined {
  if (stacks.length === 0) return undefined;
  return (tenant, grantId) => {
    for (const s of stacks) {
      for (const o of s.code.objects.values()) {
        if (o.spec?.kind === "agent-grant" && o.spec.id === grantId && tenantKey(o.spec.tenant) === tenantKey(tenant)) {
          return { stack: s.name, ...(o.construct ? { construct: o.construct } : {}) };
        }
      }
    }
    return undefined;
  };
}

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
