/**
 * The journal: what one stack manages in one tenant, as the Terraform state records it. It is the
 * value of the tenant's `Journal` resource, which Terraform replaces whenever the journal of code
 * differs from the one in state; the destroy provisioner of the old one runs `cdktf-aic sync` with
 * both, so the CLI knows exactly what was applied last (the old journal, from `self`) and what
 * code wants now (the new journal, a literal). Compact, because it travels in a provisioner's
 * environment: per object its kind, id, a hash of its spec, its secret's version and, for the
 * realm's provider grants, what removing them means.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { KINDS } from "./constants";
import { canonicalJson, Identity, identityOf, Spec, TenantRef } from "./spec";

export const JournalEntry = z.object({
  kind: z.enum(KINDS),
  id: z.string().min(1),
  /** `specHash` of the spec applied (or to apply). */
  hash: z.string().min(1),
  /** The secret's version, as a string (clients only). */
  secret: z.string().optional(),
  /** The provider grants' removal policy and declared grant types. */
  removal: Identity.shape.removal,
});
export type JournalEntry = z.infer<typeof JournalEntry>;

export const Journal = z.object({
  tenant: TenantRef,
  /** By `journalKey`. */
  objects: z.record(z.string(), JournalEntry),
});
export type Journal = z.infer<typeof Journal>;

/** `<kind>/<id>`: unique within one tenant. */
export function journalKey(object: { kind: string; id: string }): string {
  return `${object.kind}/${object.id}`;
}

/** A short, stable hash of a spec's canonical JSON: equal hashes, equal specs. */
export function specHash(spec: Spec): string {
  return createHash("sha256").update(canonicalJson(spec)).digest("hex").slice(0, 16);
}

export function journalEntry(spec: Spec): JournalEntry {
  const identity = identityOf(spec);
  return {
    kind: spec.kind,
    id: spec.id,
    hash: specHash(spec),
    ...("secret" in spec && spec.secret ? { secret: String(spec.secret.version) } : {}),
    ...(identity.removal ? { removal: identity.removal } : {}),
  };
}

/** The journal of a tenant's specs, keys sorted so that the order in code does not matter. */
export function journalOf(tenant: TenantRef, specs: readonly Spec[]): Journal {
  const entries = specs.map((s) => [journalKey(s), journalEntry(s)] as const);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { tenant, objects: Object.fromEntries(entries) };
}

/** The identity of a journal entry. */
export function journalIdentity(journal: Journal, entry: JournalEntry): Identity {
  return { kind: entry.kind, tenant: journal.tenant, id: entry.id, ...(entry.removal ? { removal: entry.removal } : {}) };
}

/** Parses a journal from a provisioner's environment, with a message that names the field. */
export function parseJournal(name: string, text: string): Journal {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${name} is not valid JSON (${(e as Error).message})`);
  }
  // A null_resource trigger carries the journal as a JSON string inside the JSON.
  if (typeof raw === "string") raw = JSON.parse(raw);
  const result = Journal.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`${name} is not a journal at ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return result.data;
}
