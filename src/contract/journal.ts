/**
 * The journal: what one stack manages in one tenant, as the Terraform state records it. It is the
 * value of the tenant's `Journal` resource, which Terraform replaces whenever the journal of code
 * differs from the one in state; the destroy provisioner of the old one runs `cdktf-aic sync` with
 * both, so the CLI knows exactly what was applied last (the old journal, from `self`) and what
 * code wants now (the new journal, a literal). Compact, because it travels in a provisioner's
 * environment: per object its kind, id, a hash of its spec, its secret's version and, for the
 * realm's provider grants, what removing them means.
 *
 * An environment variable holds at most 128 KiB on Linux, so a large journal travels in parts
 * (`splitJournal`): each part is a journal of some of the objects, under its own key of the
 * Journal resource and its own environment variable (`partName`), and part 0 says how many there
 * are. `parseJournal` joins them again; a journal of one part is exactly what it always was.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { KINDS } from "./constants";
import { canonicalJson, Identity, identityOf, Spec, tenantKey, TenantRef } from "./spec";

export const JournalEntry = z.object({
  kind: z.enum(KINDS),
  id: z.string().min(1),
  /** `specHash` of the spec applied (or to apply). */
  hash: z.string().min(1),
  /** The secret's version, as a string (clients only). */
  secret: z.string().optional(),
  /** The provider grants' removal policy and declared grant types. */
  removal: Identity.shape.removal,
  /** An object whose construct has `removalPolicy: "retain"`: forgotten, not deleted, when it leaves the code. */
  retain: z.literal(true).optional(),
});
export type JournalEntry = z.infer<typeof JournalEntry>;

export const Journal = z.object({
  tenant: TenantRef,
  /** By `journalKey`. */
  objects: z.record(z.string(), JournalEntry),
  /** Part 0 of a journal split in parts: how many parts there are (absent: one). */
  parts: z.number().int().min(2).optional(),
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
    ...(spec.kind !== "oauth2-provider-grants" && spec.removalPolicy === "retain" ? { retain: true as const } : {}),
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

/** The most bytes of canonical JSON per part: under Linux's 128 KiB per variable, with room for the shell. */
export const JOURNAL_PART_BYTES = 96 * 1024;
/**
 * The most parts a journal may have (about 8,000 objects): the old and the new journal travel
 * together in one provisioner's environment, which Linux caps at 2 MiB with the arguments.
 */
export const MAX_JOURNAL_PARTS = 8;

/** The name of part `index` of the value or variable `base`: `base`, `base_1`, `base_2` … */
export function partName(base: string, index: number): string {
  return index === 0 ? base : `${base}_${index}`;
}

/**
 * The parts a journal travels in, each at most `partBytes` of canonical JSON (but at least one
 * object): the objects in key order, cut greedily. One part is the journal itself.
 */
export function splitJournal(journal: Journal, partBytes = JOURNAL_PART_BYTES): Journal[] {
  const overhead = Buffer.byteLength(canonicalJson({ tenant: journal.tenant, objects: {}, parts: MAX_JOURNAL_PARTS }));
  const groups: [string, JournalEntry][][] = [[]];
  let bytes = overhead;
  for (const [key, entry] of Object.entries(journal.objects)) {
    const size = Buffer.byteLength(canonicalJson({ [key]: entry }));
    if (bytes + size > partBytes && groups[groups.length - 1].length > 0) {
      groups.push([]);
      bytes = overhead;
    }
    groups[groups.length - 1].push([key, entry]);
    bytes += size;
  }
  if (groups.length === 1) return [journal];
  return groups.map((g, i) => ({ tenant: journal.tenant, objects: Object.fromEntries(g), ...(i === 0 ? { parts: groups.length } : {}) }));
}

/**
 * Parses a journal from the texts of its parts (the provisioner's `NAME`, `NAME_1` … variables;
 * a missing part may be `null`), with a message that names the variable at fault.
 */
export function parseJournal(name: string, texts: readonly (string | undefined)[]): Journal {
  if (texts[0] === undefined) throw new Error(`${name} is not set`);
  const parts: Journal[] = [];
  texts.forEach((text, i) => {
    if (text === undefined) return;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new Error(`${partName(name, i)} is not valid JSON (${(e as Error).message})`);
    }
    // A null_resource trigger carries the journal as a JSON string inside the JSON.
    if (typeof raw === "string") raw = JSON.parse(raw);
    if (raw === null && i > 0) return;
    const result = Journal.safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new Error(`${partName(name, i)} is not a journal at ${issue.path.join(".") || "(root)"}: ${issue.message}`);
    }
    parts.push(result.data);
  });
  const [first, ...rest] = parts;
  if (parts.length !== (first.parts ?? 1)) throw new Error(`${name} is a journal of ${first.parts ?? 1} parts, but ${parts.length} arrived: synthesize the stack again`);
  const objects = Object.assign({}, first.objects, ...rest.map((p) => p.objects)) as Journal["objects"];
  return { tenant: first.tenant, objects };
}

/** A short hash of a whole journal (tenant and credentials' names included): equal hashes, equal journals. */
export function journalHash(journal: Journal): string {
  return createHash("sha256").update(canonicalJson(journal)).digest("hex").slice(0, 16);
}

/**
 * The file a successful sync from the Journal's destroy provisioner leaves in the Terraform
 * working directory for the journal it applied, named by Terraform's pid (`terraform`: the shell
 * of the next provisioner reads it as `$PPID`), so that it counts only within one Terraform run:
 * the create provisioner of the new Journal, in the same apply, removes it and starts no second
 * sync. Without it (the journal was lost: removed from state, tainted, renamed; or Terraform's pid
 * was not known) the create provisioner runs the sync with no previous journal.
 */
export function syncedMarker(journal: Journal, terraform: number | "$PPID"): string {
  return `.cdktf-aic-synced-${journalHash(journal)}-${terraform}`;
}

/** The file `terraform destroy`'s sync of the Journal leaves for the Origin's destroy provisioner: the tenant's objects are gone. */
export function destroyedMarker(tenant: TenantRef, terraform: number | "$PPID"): string {
  return `.cdktf-aic-destroyed-${createHash("sha256").update(tenantKey(tenant)).digest("hex").slice(0, 16)}-${terraform}`;
}
