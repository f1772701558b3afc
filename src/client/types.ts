/**
 * The surface of the admin client that the engine, the CLI and the tests use. `src/client/admin-api.ts`
 * implements it over the transport; every method parses its response with the contract.
 */
import type { Dispatcher } from "undici";
import type {
  AIAgent,
  AmClientListItem,
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
}

/** A client's id and secret for HTTP Basic authentication. */
export interface BasicCredentials {
  readonly id: string;
  readonly secret: string;
}

/** The realm's OAuth2 runtime endpoints (no admin credentials: client and user credentials). */
export interface OAuth2Api {
  token(form: Record<string, string>): Promise<TokenResponse & Record<string, unknown>>;
  /** With `basic`, the client authenticates with `client_secret_basic` instead of form fields. */
  introspect(form: Record<string, string>, basic?: BasicCredentials): Promise<IntrospectionResponse>;
  tokenInfo(accessToken: string): Promise<Record<string, unknown>>;
}
