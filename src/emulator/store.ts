/**
 * The embedded tenant's store: typed access to the state and its state file. The file holds the
 * tenant state and the seed credentials (the service account's private JWK included), so a tenant
 * restarted on the same file answers to the same credentials. Writes are atomic: a temporary file
 * in the same folder, then a rename.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { SeedCredentials } from "./seed";
import type { AmClientRecord, RealmState, TenantState } from "./types";

/** A managed object as stored: plain fields plus forward relationships as refs. */
export type ManagedRecord = TenantState["managed"][string][string];

export const STATE_FILE_FORMAT = "cdktf-aic-tenant-state/1";

export interface StateFile {
  format: typeof STATE_FILE_FORMAT;
  tenant: TenantState;
  /** Read by the emulator only: the credentials the seed was built from. */
  seed: SeedCredentials;
}

export function readStateFile(path: string): StateFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  const file = JSON.parse(text) as StateFile;
  if (file.format !== STATE_FILE_FORMAT) {
    throw new Error(`state file ${path} has format ${JSON.stringify(file.format)}, expected ${STATE_FILE_FORMAT}`);
  }
  // Files saved before the tenant kept ESVs: the same tenant with none.
  file.tenant.esv ??= { secrets: {}, variables: {}, restart: null };
  for (const realm of Object.values(file.tenant.realms)) realm.esvMappings ??= {};
  return file;
}

export function writeStateFile(path: string, file: StateFile): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  // The file holds a private key and passwords: owner-only.
  writeFileSync(tmp, JSON.stringify(file), { mode: 0o600 });
  renameSync(tmp, path);
}

export function realmState(state: TenantState, realm: string): RealmState | undefined {
  return Object.prototype.hasOwnProperty.call(state.realms, realm) ? state.realms[realm] : undefined;
}

/** Which AM client collection: OAuth2 clients and AI agents are stored apart. */
export type AmClientKind = "OAuth2Client" | "AIAgent";

export function amClients(realm: RealmState, kind: AmClientKind): Record<string, AmClientRecord> {
  return kind === "AIAgent" ? realm.aiAgents : realm.oauth2Clients;
}

/** The managed objects of `<realm>_<type>`, created empty on first use. */
export function managedCollection(state: TenantState, realm: string, type: string): Record<string, ManagedRecord> {
  const name = `${realm}_${type}`;
  state.managed[name] ??= {};
  return state.managed[name];
}

export function findManaged(state: TenantState, realm: string, type: string, id: string): ManagedRecord | undefined {
  const collection = managedCollection(state, realm, type);
  return Object.prototype.hasOwnProperty.call(collection, id) ? collection[id] : undefined;
}

export function deepClone<T>(value: T): T {
  return structuredClone(value);
}
