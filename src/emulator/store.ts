/**
 * The embedded tenant's store: typed access to the state and its state file. The file holds the
 * tenant state and the seed credentials (the service account's private JWK included), so a tenant
 * restarted on the same file answers to the same credentials.
 *
 * The file is a journal: its first line is a snapshot of the whole state, each further line the
 * records one write changed (their new values, or their removal). A write appends one line before
 * it is answered, so its cost follows the records it touched, not the size of the store; when the
 * lines outgrow the snapshot, the file is rewritten as a new snapshot (a temporary file in the same
 * folder, then a rename). A kill at any moment leaves the old file, the new one, or the old one
 * with part of a line at its end: that line belongs to a write that was never answered, and is
 * dropped on load. [inf: no fsync, as before: the file survives the process, not the machine.]
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { SeedCredentials } from "./seed";
import type { AmClientRecord, RealmState, TenantState } from "./types";

/** A managed object as stored: plain fields plus forward relationships as refs. */
export type ManagedRecord = TenantState["managed"][string][string];

export const STATE_FILE_FORMAT = "cdktf-aic-tenant-state/2";
/** Format 1 is a snapshot without journal lines: read as such. */
const READABLE_FORMATS: readonly string[] = [STATE_FILE_FORMAT, "cdktf-aic-tenant-state/1"];

export interface StateFile {
  format: typeof STATE_FILE_FORMAT;
  tenant: TenantState;
  /** Read by the emulator only: the credentials the seed was built from. */
  seed: SeedCredentials;
}

/** Where one record lives in the state: what a journal line sets or removes. */
export type RecordPath =
  | readonly ["managed", collection: string, id: string]
  | readonly ["passwords", userId: string]
  | readonly ["realms", realm: string, "oauth2Clients" | "aiAgents", clientId: string]
  | readonly ["realms", realm: string, "provider" | "providerRev"];

/** One journal line: the records one write changed, and the revision counter after it. */
interface JournalLine {
  counter: number;
  set: [RecordPath, unknown][];
  delete: RecordPath[];
}

/** Rewrite the file once its journal lines exceed the snapshot and this many bytes. */
const MIN_JOURNAL_BYTES = 1024 * 1024;

export function readStateFile(path: string): StateFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  // Every complete line ends with a newline: what follows the last one is a cut write (dropped).
  const lines = text.split("\n").slice(0, -1);
  const file = JSON.parse(lines[0] ?? text) as StateFile;
  if (!READABLE_FORMATS.includes(file.format)) {
    throw new Error(`state file ${path} has format ${JSON.stringify(file.format)}, expected ${STATE_FILE_FORMAT}`);
  }
  for (const line of lines.slice(1)) replay(file.tenant, JSON.parse(line) as JournalLine);
  // Files saved before the tenant kept ESVs: the same tenant with none.
  file.tenant.esv ??= { secrets: {}, variables: {}, restart: null };
  for (const realm of Object.values(file.tenant.realms)) realm.esvMappings ??= {};
  return { ...file, format: STATE_FILE_FORMAT };
}

function replay(state: TenantState, line: JournalLine): void {
  state.counter = line.counter;
  for (const [path, value] of line.set) {
    let node = state as unknown as Record<string, Record<string, unknown>>;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, Record<string, unknown>>;
    node[path[path.length - 1]] = value as Record<string, unknown>;
  }
  for (const path of line.delete) {
    const parent = lookup(state, path.slice(0, -1));
    if (parent !== undefined) delete (parent as Record<string, unknown>)[path[path.length - 1]];
  }
}

/** The value at `path`, undefined when any step is missing. */
function lookup(state: TenantState, path: readonly string[]): unknown {
  let node: unknown = state;
  for (const key of path) {
    if (node === null || typeof node !== "object" || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The state file of a running tenant: records are marked as they change and written as one line per write. */
export class StateFileWriter {
  private readonly changed = new Map<string, RecordPath>();
  private fd: number | undefined;
  private snapshotBytes = 0;
  private journalBytes = 0;

  constructor(
    private readonly path: string,
    private readonly seed: SeedCredentials,
  ) {}

  /** `path` changed (or was removed) in the write being handled. */
  mark(path: RecordPath): void {
    this.changed.set(JSON.stringify(path), path);
  }

  /** Appends the records marked since the last call as one line (the whole state when the journal is due for a rewrite). */
  save(state: TenantState): void {
    // A write that marked nothing (ESVs, scripts, secret mappings: rare, and not record paths) is kept by a snapshot.
    if (this.fd === undefined || this.changed.size === 0 || this.journalBytes > Math.max(this.snapshotBytes, MIN_JOURNAL_BYTES)) return this.snapshot(state);
    const line: JournalLine = { counter: state.counter, set: [], delete: [] };
    for (const path of this.changed.values()) {
      const value = lookup(state, path);
      if (value === undefined) line.delete.push(path);
      else line.set.push([path, value]);
    }
    this.changed.clear();
    this.journalBytes += writeAll(this.fd, `${JSON.stringify(line)}\n`);
  }

  /** Rewrites the file as one snapshot of `state`, atomically. */
  snapshot(state: TenantState): void {
    this.close();
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    const text = `${JSON.stringify({ format: STATE_FILE_FORMAT, tenant: state, seed: this.seed } satisfies StateFile)}\n`;
    // The file holds a private key and passwords: owner-only.
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, this.path);
    this.changed.clear();
    this.snapshotBytes = Buffer.byteLength(text);
    this.journalBytes = 0;
    this.fd = openSync(this.path, "a");
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Writes the whole text (a write may take part of it); returns its bytes. */
function writeAll(fd: number, text: string): number {
  const bytes = Buffer.from(text);
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
  return bytes.length;
}

export function realmState(state: TenantState, realm: string): RealmState | undefined {
  return Object.prototype.hasOwnProperty.call(state.realms, realm) ? state.realms[realm] : undefined;
}

/** Which AM client collection: OAuth2 clients and AI agents are stored apart. */
export type AmClientKind = "OAuth2Client" | "AIAgent";

const amClientsKey = (kind: AmClientKind) => (kind === "AIAgent" ? "aiAgents" : "oauth2Clients");

export function amClients(realm: RealmState, kind: AmClientKind): Record<string, AmClientRecord> {
  return realm[amClientsKey(kind)];
}

export const amClientPath = (realm: string, kind: AmClientKind, id: string): RecordPath => ["realms", realm, amClientsKey(kind), id];

const managedName = (realm: string, type: string) => `${realm}_${type}`;

/** The managed objects of `<realm>_<type>`, created empty on first use. */
export function managedCollection(state: TenantState, realm: string, type: string): Record<string, ManagedRecord> {
  const name = managedName(realm, type);
  state.managed[name] ??= {};
  return state.managed[name];
}

export const managedPath = (realm: string, type: string, id: string): RecordPath => ["managed", managedName(realm, type), id];

export function findManaged(state: TenantState, realm: string, type: string, id: string): ManagedRecord | undefined {
  const collection = managedCollection(state, realm, type);
  return Object.prototype.hasOwnProperty.call(collection, id) ? collection[id] : undefined;
}

export function deepClone<T>(value: T): T {
  return structuredClone(value);
}
