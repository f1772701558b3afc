/**
 * The surface of the admin client that the engine, the CLI and the tests use. `src/client/admin-api.ts`
 * implements it over the transport; every method parses its response with the contract.
 */
import type { Dispatcher } from "undici";
import type { EsvExpressionType, EsvRestartStatus, EsvSecretEncoding } from "../contract/esv";
import type {
  AIAgent,
  AmClientListItem,
  AmScript,
  EsvCount,
  EsvSecret,
  EsvSecretVersion,
  EsvVariable,
  SecretStoreMapping,
  IdmPatch,
  IntrospectionResponse,
  OAuth2Client,
  OAuth2Provider,
  TokenResponse,
} from "../contract/schemas";
import type { AuthConfig } from "../contract/spec";

/** IDM managed object types this tool touches (prefixed with the realm on the wire). */
export type ManagedObject = "application" | "user" | "group" | "aiagent" | "aiagentprivilege";

export interface QueryOptions {
  /** CREST `_queryFilter`; default `true`. */
  filter?: string;
  fields?: string[];
  /** Page size; the client follows `pagedResultsCookie` until the last page. */
  pageSize?: number;
}

export interface AdminClientOptions {
  baseUrl: string;
  realm: string;
  auth: AuthConfig;
  /** Where credentials are read from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Injected transport (tests, proxies). */
  dispatcher?: Dispatcher;
  /** Shared token cache directory; default from CDKTF_AIC_TOKEN_CACHE_DIR or the user's cache dir. */
  tokenCacheDir?: string;
  /** Retry policy; defaults in the transport. */
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number; maxRetryAfterMs?: number };
  timeouts?: { connectMs?: number; requestMs?: number };
  /** Called once per HTTP request made (for progress and call counting). No secrets. */
  onRequest?: (info: { method: string; path: string; status: number; durationMs: number }) => void;
}

export interface AdminApi {
  readonly realm: string;
  /**
   * Whether the realm exists: one query of its OAuth2 clients (`_queryFilter=false`), answered
   * 404 by the tenant for a realm it does not have; asked once per client.
   */
  realmExists(): Promise<boolean>;
  // §3 provider
  getProvider(): Promise<OAuth2Provider | undefined>;
  /**
   * Full-replace PUT. With `ifMatch` (the `_rev` read), a write by anyone else since that read
   * fails with PRECONDITION_FAILED instead of being overwritten.
   */
  putProvider(body: Record<string, unknown>, options?: { ifMatch?: string }): Promise<OAuth2Provider>;
  createProvider(body: Record<string, unknown>): Promise<OAuth2Provider>;
  enableAiAgents(): Promise<void>;
  /** Whether IDM's `aiagent` feature is installed (what the enable action turns on, one way). */
  aiAgentsInstalled(): Promise<boolean>;
  // scripts (undefined on 404); the source is base64 in `script`, as AM stores it
  getScript(id: string): Promise<AmScript | undefined>;
  queryScripts(options?: QueryOptions): Promise<AmScript[]>;
  /** Create or full replace under `id` (AM answers 201 to both). */
  putScript(id: string, body: Record<string, unknown>): Promise<AmScript>;
  /** Returns false when the script did not exist. */
  deleteScript(id: string): Promise<boolean>;
  // §4 OAuth2 clients (undefined on 404)
  getOAuth2Client(id: string): Promise<OAuth2Client | undefined>;
  /** Lists hold plain values, not the wrapped ones of a GET (see `AmClientListItem`). */
  queryOAuth2Clients(options?: QueryOptions): Promise<AmClientListItem[]>;
  /** Full-replace PUT; the body is stripped of `_id`, `_rev`, `_type`, `_provider`, `*-encrypted`. */
  putOAuth2Client(id: string, body: Record<string, unknown>, options?: { createOnly?: boolean }): Promise<OAuth2Client>;
  /** Returns false when the client did not exist. */
  deleteOAuth2Client(id: string): Promise<boolean>;
  // §6 AI agents (AM side)
  getAiAgent(id: string): Promise<AIAgent | undefined>;
  queryAiAgents(options?: QueryOptions): Promise<AmClientListItem[]>;
  putAiAgent(id: string, body: Record<string, unknown>, options?: { createOnly?: boolean }): Promise<AIAgent>;
  deleteAiAgent(id: string): Promise<boolean>;
  // §5–§7 IDM
  queryManaged<T = Record<string, unknown>>(object: ManagedObject, options?: QueryOptions): Promise<T[]>;
  readManaged<T = Record<string, unknown>>(object: ManagedObject, id: string, fields?: string[]): Promise<T | undefined>;
  /** PUT with `If-None-Match: *` (412 when it exists). */
  createManaged<T = Record<string, unknown>>(object: ManagedObject, id: string, body: Record<string, unknown>): Promise<T>;
  patchManaged<T = Record<string, unknown>>(object: ManagedObject, id: string, patch: IdmPatch): Promise<T>;
  deleteManaged(object: ManagedObject, id: string): Promise<boolean>;
  /** `userName eq "<name>"`; undefined when absent. */
  findUser(userName: string): Promise<{ _id: string; userName: string } | undefined>;
  /** `name eq "<name>"`; undefined when absent. */
  findGroup(name: string): Promise<{ _id: string; name: string } | undefined>;

  // ESVs: tenant-wide (no realm). Values go in as plain text, are sent base64-encoded, are
  // registered for redaction, and are never answered back for secrets.
  /** Every secret, without values. */
  listEsvSecrets(): Promise<EsvSecret[]>;
  getEsvSecret(id: string): Promise<EsvSecret | undefined>;
  /**
   * Creates a secret with its version 1. AIC's PUT creates only: an existing secret is BAD_REQUEST,
   * except when our own earlier attempt of this call landed (then the secret is re-read).
   */
  createEsvSecret(id: string, secret: EsvSecretInput): Promise<EsvSecret>;
  setEsvSecretDescription(id: string, description: string): Promise<void>;
  /** Deletes the secret with all its versions; false when it did not exist. */
  deleteEsvSecret(id: string): Promise<boolean>;
  /** Newest first; undefined when the secret does not exist. */
  listEsvSecretVersions(id: string): Promise<EsvSecretVersion[] | undefined>;
  /** A new ENABLED version, which becomes the active one (a rotation). */
  createEsvSecretVersion(id: string, value: string): Promise<EsvSecretVersion>;
  /** The latest version cannot be DISABLED (BAD_REQUEST). */
  setEsvSecretVersionStatus(id: string, version: string, status: "ENABLED" | "DISABLED"): Promise<EsvSecretVersion>;
  /** Destroys a version for good (it stays listed as DESTROYED). */
  destroyEsvSecretVersion(id: string, version: string): Promise<EsvSecretVersion>;
  /** Every variable with its value. */
  listEsvVariables(): Promise<EsvVariable[]>;
  getEsvVariable(id: string): Promise<EsvVariable | undefined>;
  /** Creates or replaces; `expressionType` is required on create and cannot change. */
  putEsvVariable(id: string, variable: EsvVariableInput): Promise<EsvVariable>;
  setEsvVariableDescription(id: string, description: string): Promise<void>;
  deleteEsvVariable(id: string): Promise<boolean>;
  /** `ready`, or `restarting` while a restart loads pending ESVs (or Ping rolls out an upgrade). */
  getEsvRestartStatus(): Promise<EsvRestartStatus>;
  /** Starts the restart that loads pending ESVs; poll `getEsvRestartStatus` until `ready`. */
  restartEsvs(): Promise<void>;
  /** ESVs a restart would load: variables and placeholder secrets changed since the last one. */
  countPendingEsvs(): Promise<EsvCount>;
  // The realm's ESV secret store: secret label → ESV secret mappings (no restart needed)
  listSecretMappings(): Promise<SecretStoreMapping[]>;
  getSecretMapping(label: string): Promise<SecretStoreMapping | undefined>;
  /** Creates or replaces the mapping of `label` to the ESV secret `esvId`. */
  putSecretMapping(label: string, esvId: string): Promise<SecretStoreMapping>;
  deleteSecretMapping(label: string): Promise<boolean>;
}

export interface EsvSecretInput {
  /** The secret's value as text (for `base64hmac`/`base64aes`, the base64 key). Never logged. */
  readonly value: string;
  readonly encoding: EsvSecretEncoding;
  /** Usable as a `&{esv.…}` placeholder (then a change waits for a restart). */
  readonly useInPlaceholders: boolean;
  readonly description?: string;
}

export interface EsvVariableInput {
  /** The variable's text (e.g. `1389`, `a,b`, a JSON object). */
  readonly value: string;
  /** Required on create; left out, the existing type stays. */
  readonly expressionType?: EsvExpressionType;
  /** Left out, the existing description stays ("" on create). */
  readonly description?: string;
}

/** How a client proves itself with its secret at the token and introspection endpoints. */
export interface ClientCredentials {
  readonly clientId: string;
  readonly secret: string;
  /** `client_secret_basic`: an Authorization header (RFC 6749 §2.3.1); `client_secret_post`: form fields. */
  readonly method: "client_secret_basic" | "client_secret_post";
}

/** The realm's OAuth2 runtime endpoints (no admin credentials: client and user credentials). */
export interface OAuth2Api {
  /** `client` adds the client's credentials as its method sends them (else put them in `form`). */
  token(form: Record<string, string>, client?: ClientCredentials): Promise<TokenResponse & Record<string, unknown>>;
  introspect(form: Record<string, string>, client?: ClientCredentials): Promise<IntrospectionResponse>;
  tokenInfo(accessToken: string): Promise<Record<string, unknown>>;
}
