/**
 * Shared types of the embedded tenant: the state it keeps (plain JSON, so `--state FILE` can save
 * and reload it) and the request/response shapes its handlers use. Handlers are pure over
 * (request, state): the HTTP server, the control endpoints and fault injection wrap them.
 */

/** One AM OAuth2 client or AI agent, stored as AM returns it (wrapped values) plus its secret. */
export interface AmClientRecord {
  /** The full object as a GET returns it (without `_rev`, which is `rev`). */
  body: Record<string, unknown>;
  /** The client secret (write-only in the API). */
  secret: string | null;
  rev: number;
}

export interface RealmState {
  /** The oauth-oidc service (plain values), or null when not created. */
  provider: Record<string, unknown> | null;
  providerRev: number;
  oauth2Clients: Record<string, AmClientRecord>;
  aiAgents: Record<string, AmClientRecord>;
  /** AM scripts by `_id`, as a GET returns them (without `_rev`, which is `rev`); absent in older state files. */
  scripts?: Record<string, { body: Record<string, unknown>; rev: number }>;
  /** The ESV secret store's mappings by secret label: the one ESV secret each label reads. */
  esvMappings: Record<string, { secretId: string; aliases: string[] }>;
}

/** One version of an ESV secret; its value is dropped when it is destroyed. */
export interface EsvVersionRecord {
  version: number;
  createDate: string;
  status: "ENABLED" | "DISABLED" | "DESTROYED";
  valueBase64: string | null;
}

export interface EsvSecretRecord {
  description: string;
  encoding: string;
  useInPlaceholders: boolean;
  lastChangeDate: string;
  lastChangedBy: string;
  /** Oldest first; never empty. */
  versions: EsvVersionRecord[];
  /** The version the running configuration has ("" before the first restart that loaded one). */
  loadedVersion: string;
}

export interface EsvVariableRecord {
  valueBase64: string;
  expressionType: string;
  description: string;
  lastChangeDate: string;
  lastChangedBy: string;
  /** Whether the running configuration has this value (a restart loads it). */
  loaded: boolean;
  /** Which write this value came from, so a restart loads only what it saw when it began. */
  change: number;
}

/** Environment secrets and variables (tenant-wide, no realm) and the restart that loads them. */
export interface EsvState {
  secrets: Record<string, EsvSecretRecord>;
  variables: Record<string, EsvVariableRecord>;
  /** A running restart: when it is done, and what it loads (secret → version, variable → change). */
  restart: { readyAtMs: number; secrets: Record<string, string>; variables: Record<string, number> } | null;
}

export interface TenantState {
  /** AM realms by name (`alpha`). */
  realms: Record<string, RealmState>;
  /** IDM managed objects by object name (`alpha_user`) then `_id`. Relationships stored as refs. */
  managed: Record<string, Record<string, Record<string, unknown> & { _id: string; _rev: string }>>;
  /** User passwords by user `_id` (never returned by the API). */
  passwords: Record<string, string>;
  /** Service accounts by id: the public JWK that verifies their assertions. */
  serviceAccounts: Record<string, { publicJwk: Record<string, unknown>; scope: string }>;
  /** AM admin users (self-managed AM style authentication). */
  amAdmins: Record<string, string>;
  esv: EsvState;
  /** A counter for `_rev` values and generated ids. */
  counter: number;
}

export interface EmulatorRequest {
  method: string;
  /** Path without the query string, URL-decoded per segment is NOT applied (raw). */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  /** The raw body text ("" when none). */
  body: string;
}

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialized unless a string. */
  body?: unknown;
}
