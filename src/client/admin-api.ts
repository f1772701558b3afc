/**
 * The AM/IDM admin API, one method per endpoint of the contract's table. Each call is built as a
 * plain `HttpRequest` (path from `fillPath`, `Accept-API-Version` from the table, JSON content
 * type, auth added by the transport), sent under the transport's retry policy, and its response
 * parsed with the endpoint's schema.
 *
 * Writes retried after a dropped connection land once:
 * - a PUT is a full replace, so sending it twice leaves the same object;
 * - a create-only PUT (`If-None-Match: *`) whose first attempt may have reached the server gets
 *   412 on the retry *because of its own first attempt*: when the object is now there, that is
 *   the success we were waiting for, so it is re-read and returned. (Another writer creating the
 *   same id within that second is indistinguishable, and is the same object id either way.)
 * - likewise a DELETE answered 404 after such an attempt deleted it, and the provider's
 *   `_action=create` answered with a conflict.
 */
import type { z } from "zod";
import { AI_AGENT_FEATURE } from "../contract/constants";
import { ENDPOINTS, fillPath, type Endpoint } from "../contract/endpoints";
import { toValueBase64 } from "../contract/esv";
import type { AmClientListItem, AmScript, IdmFeature, IdmPatch } from "../contract/schemas";
import { createCredentials } from "./auth";
import { defaultTokenCacheDir } from "./token-cache";
import {
  foreignNotFound,
  httpError,
  isTenantNotFound,
  parseBody,
  queryString,
  Transport,
  type Credentials,
  type HttpRequest,
  type HttpResponse,
} from "./transport";
import { AicApiError, registerSecret } from "./errors";
import type { AdminApi, AdminClientOptions, EsvSecretInput, EsvVariableInput, ManagedObject, QueryOptions } from "./types";

/** The admin API plus the release of its connections. */
export interface AdminClient extends AdminApi {
  /** Closes the keep-alive connections (idle ones never keep a process alive anyway). */
  close(): Promise<void>;
}

/** Top-level keys AM refuses or ignores on a PUT (reference §4). */
const AM_READ_ONLY_KEYS = new Set(["_id", "_rev", "_type", "_provider"]);

/** A body fit for an AM PUT: no `_id`/`_rev`/`_type`/`_provider`, no `*-encrypted` key at any level. */
export function stripForAmPut(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (!AM_READ_ONLY_KEYS.has(key) && !key.endsWith("-encrypted")) out[key] = withoutEncrypted(value);
  }
  return out;
}

function withoutEncrypted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEncrypted);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !key.endsWith("-encrypted"))
        .map(([key, v]) => [key, withoutEncrypted(v)]),
    );
  }
  return value;
}

/** A CREST string literal: `"a \"b\""`. */
export function crestString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** `field eq "value"`, the value escaped. */
export function crestEq(field: string, value: string): string {
  return `${field} eq ${crestString(value)}`;
}

const MANAGED = {
  application: ["application", ENDPOINTS.application],
  user: ["user", ENDPOINTS.user],
  group: ["group", ENDPOINTS.group],
  aiagent: ["aiAgentIdentity", ENDPOINTS.aiAgentIdentity],
  aiagentprivilege: ["privilege", ENDPOINTS.privilege],
} as const satisfies Record<ManagedObject, readonly [string, unknown]>;

/** A value about to be sent: registered for redaction (as text and as sent), then encoded. */
function esvValue(value: string): string {
  const valueBase64 = toValueBase64(value);
  registerSecret(value);
  registerSecret(valueBase64);
  return valueBase64;
}

interface Call {
  /** The endpoint-table name, for errors. */
  name: string;
  endpoint: Endpoint;
  id?: string;
  /** An ESV secret version (`{version}` in the path). */
  version?: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  idempotent?: boolean;
}

export function createAdminApi(options: AdminClientOptions): AdminClient {
  const env = options.env ?? process.env;
  const transport = new Transport({
    baseUrl: options.baseUrl,
    dispatcher: options.dispatcher,
    retry: options.retry,
    timeouts: options.timeouts,
    onRequest: options.onRequest,
  });
  const credentials = createCredentials(options.auth, {
    baseUrl: options.baseUrl,
    env,
    transport,
    tokenCacheDir: options.tokenCacheDir ?? defaultTokenCacheDir(env),
  });
  return new AdminClientImpl(options.realm, transport, credentials);
}

class AdminClientImpl implements AdminClient {
  constructor(
    readonly realm: string,
    private readonly transport: Transport,
    private readonly credentials: Credentials,
  ) {}

  close(): Promise<void> {
    return this.transport.close();
  }

  // ---------- building and processing ----------

  private build(call: Call): HttpRequest {
    const { endpoint } = call;
    const headers: Record<string, string> = { "content-type": "application/json", ...call.headers };
    if (endpoint.apiVersion) headers["accept-api-version"] = endpoint.apiVersion;
    return {
      method: endpoint.method,
      path: fillPath(endpoint.path, { realm: this.realm, id: call.id, version: call.version }) + queryString({ ...endpoint.query, ...call.query }),
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      idempotent: call.idempotent,
      endpoint: call.name,
    };
  }

  private async send(call: Call): Promise<{ req: HttpRequest; res: HttpResponse }> {
    const req = this.build(call);
    return { req, res: await this.transport.send(req, this.credentials) };
  }

  /** A 2xx parsed with the endpoint's schema; anything else is an `AicApiError`. */
  private expect<T>(req: HttpRequest, res: HttpResponse, schema: z.ZodType<T>): T {
    if (res.status >= 200 && res.status < 300) return parseBody(req, res, schema);
    throw httpError(req, res, res.status === 401 ? { fix: this.credentials.unauthorizedFix } : undefined);
  }

  /** A 404 means absent only when the tenant itself says so; any other 404 fails the call. */
  private absent(req: HttpRequest, res: HttpResponse): boolean {
    if (res.status !== 404) return false;
    if (isTenantNotFound(res, req.path)) return true;
    throw foreignNotFound(req, res);
  }

  private async read<T>(call: Call): Promise<T | undefined> {
    const { req, res } = await this.send(call);
    if (this.absent(req, res)) return undefined;
    return this.expect(req, res, call.endpoint.response as z.ZodType<T>);
  }

  /** A call whose answer must be a 2xx: a write, or a read of what always exists (a list, a status). */
  private async write<T>(call: Call): Promise<T> {
    const { req, res } = await this.send(call);
    return this.expect(req, res, call.endpoint.response as z.ZodType<T>);
  }

  /** A create-only PUT; a 412 caused by our own earlier attempt is success (see the file comment). */
  private async createOnly<T>(call: Call, reread: () => Promise<T | undefined>): Promise<T> {
    const { req, res } = await this.send({ ...call, headers: { ...call.headers, "if-none-match": "*" } });
    if (res.status === 412 && res.mayHaveLanded) {
      const now = await reread();
      if (now !== undefined) return now;
    }
    return this.expect(req, res, call.endpoint.response as z.ZodType<T>);
  }

  /** true when deleted, false when it was not there (the tenant's own 404, see `absent`). */
  private async remove(call: Call): Promise<boolean> {
    const { req, res } = await this.send(call);
    if (this.absent(req, res)) return res.mayHaveLanded;
    this.expect(req, res, call.endpoint.response);
    return true;
  }

  /** Every page of a CREST query. */
  private async query<T>(call: Call, options: QueryOptions = {}): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let cookie: string | undefined;
    for (;;) {
      const query = {
        _queryFilter: options.filter ?? "true",
        _fields: options.fields?.join(","),
        _pageSize: options.pageSize,
        _pagedResultsCookie: cookie,
      };
      const { req, res } = await this.send({ ...call, query });
      const page = this.expect(req, res, call.endpoint.response as z.ZodType<{ result: T[]; pagedResultsCookie: string | null }>);
      items.push(...page.result);
      cookie = page.pagedResultsCookie ?? undefined;
      if (!cookie || page.result.length === 0) return items;
      if (seen.has(cookie)) {
        throw new AicApiError({
          code: "UNEXPECTED_RESPONSE",
          message: `${call.name} returned the same pagedResultsCookie twice`,
          method: req.method,
          path: req.path,
          endpoint: call.name,
          fieldPath: "pagedResultsCookie",
        });
      }
      seen.add(cookie);
    }
  }

  // ---------- the realm ----------

  private realmChecked?: Promise<boolean>;

  realmExists(): Promise<boolean> {
    // AM answers a path below a realm it does not have with its own 404 [inf: as for a missing object].
    this.realmChecked ??= (async () => {
      const { req, res } = await this.send({ name: "oauth2ClientQuery", endpoint: ENDPOINTS.oauth2ClientQuery, query: { _queryFilter: "false", _fields: "_id" } });
      if (this.absent(req, res)) return false;
      this.expect(req, res, ENDPOINTS.oauth2ClientQuery.response);
      return true;
    })();
    return this.realmChecked;
  }

  // ---------- §3 provider ----------

  getProvider() {
    return this.read<z.infer<typeof ENDPOINTS.providerRead.response>>({ name: "providerRead", endpoint: ENDPOINTS.providerRead });
  }

  putProvider(body: Record<string, unknown>, options: { ifMatch?: string } = {}) {
    return this.write<z.infer<typeof ENDPOINTS.providerUpdate.response>>({
      name: "providerUpdate",
      endpoint: ENDPOINTS.providerUpdate,
      body: stripForAmPut(body),
      ...(options.ifMatch === undefined ? {} : { headers: { "if-match": `"${options.ifMatch}"` } }),
    });
  }

  async createProvider(body: Record<string, unknown>) {
    // Creating the realm singleton twice leaves one: retried like a PUT, a conflict then re-read.
    const call: Call = { name: "providerCreate", endpoint: ENDPOINTS.providerCreate, body: stripForAmPut(body), idempotent: true };
    const { req, res } = await this.send(call);
    if ((res.status === 409 || res.status === 412) && res.mayHaveLanded) {
      const now = await this.getProvider();
      if (now) return now;
    }
    return this.expect(req, res, ENDPOINTS.providerCreate.response);
  }

  async enableAiAgents(): Promise<void> {
    // Switching on twice is harmless, so a retry after a dropped connection is fine.
    await this.write({ name: "aiAgentsEnable", endpoint: ENDPOINTS.aiAgentsEnable, idempotent: true });
  }

  async aiAgentsInstalled(): Promise<boolean> {
    const features = await this.query<IdmFeature>({ name: "aiAgentFeature", endpoint: ENDPOINTS.aiAgentFeature });
    return features.some((f) => f._id === AI_AGENT_FEATURE && typeof f.installedVersion === "string");
  }

  // ---------- scripts ----------

  getScript(id: string) {
    return this.read<AmScript>({ name: "scriptRead", endpoint: ENDPOINTS.scriptRead, id });
  }

  queryScripts(options?: QueryOptions) {
    return this.query<AmScript>({ name: "scriptQuery", endpoint: ENDPOINTS.scriptQuery }, options);
  }

  putScript(id: string, body: Record<string, unknown>) {
    return this.write<AmScript>({ name: "scriptPut", endpoint: ENDPOINTS.scriptPut, id, body: stripForAmPut(body) });
  }

  deleteScript(id: string) {
    return this.remove({ name: "scriptDelete", endpoint: ENDPOINTS.scriptDelete, id });
  }

  // ---------- §4 OAuth2 clients ----------

  getOAuth2Client(id: string) {
    return this.read<z.infer<typeof ENDPOINTS.oauth2ClientRead.response>>({ name: "oauth2ClientRead", endpoint: ENDPOINTS.oauth2ClientRead, id });
  }

  queryOAuth2Clients(options?: QueryOptions) {
    return this.query<AmClientListItem>({ name: "oauth2ClientQuery", endpoint: ENDPOINTS.oauth2ClientQuery }, options);
  }

  putOAuth2Client(id: string, body: Record<string, unknown>, options?: { createOnly?: boolean }) {
    const call: Call = { name: "oauth2ClientPut", endpoint: ENDPOINTS.oauth2ClientPut, id, body: stripForAmPut(body) };
    type Client = z.infer<typeof ENDPOINTS.oauth2ClientPut.response>;
    return options?.createOnly ? this.createOnly<Client>(call, () => this.getOAuth2Client(id)) : this.write<Client>(call);
  }

  deleteOAuth2Client(id: string) {
    return this.remove({ name: "oauth2ClientDelete", endpoint: ENDPOINTS.oauth2ClientDelete, id });
  }

  // ---------- §6 AI agents ----------

  getAiAgent(id: string) {
    return this.read<z.infer<typeof ENDPOINTS.aiAgentRead.response>>({ name: "aiAgentRead", endpoint: ENDPOINTS.aiAgentRead, id });
  }

  queryAiAgents(options?: QueryOptions) {
    return this.query<AmClientListItem>({ name: "aiAgentQuery", endpoint: ENDPOINTS.aiAgentQuery }, options);
  }

  putAiAgent(id: string, body: Record<string, unknown>, options?: { createOnly?: boolean }) {
    const call: Call = { name: "aiAgentPut", endpoint: ENDPOINTS.aiAgentPut, id, body: stripForAmPut(body) };
    type Agent = z.infer<typeof ENDPOINTS.aiAgentPut.response>;
    return options?.createOnly ? this.createOnly<Agent>(call, () => this.getAiAgent(id)) : this.write<Agent>(call);
  }

  deleteAiAgent(id: string) {
    return this.remove({ name: "aiAgentDelete", endpoint: ENDPOINTS.aiAgentDelete, id });
  }

  // ---------- §5–§7 IDM ----------

  private managed(object: ManagedObject, op: "query" | "read" | "create" | "patch" | "delete"): Call {
    const [name, endpoints] = MANAGED[object];
    return { name: `${name}.${op}`, endpoint: endpoints[op] };
  }

  queryManaged<T = Record<string, unknown>>(object: ManagedObject, options?: QueryOptions): Promise<T[]> {
    return this.query<T>(this.managed(object, "query"), options);
  }

  readManaged<T = Record<string, unknown>>(object: ManagedObject, id: string, fields?: string[]): Promise<T | undefined> {
    return this.read<T>({ ...this.managed(object, "read"), id, query: { _fields: fields?.join(",") } });
  }

  createManaged<T = Record<string, unknown>>(object: ManagedObject, id: string, body: Record<string, unknown>): Promise<T> {
    return this.createOnly<T>({ ...this.managed(object, "create"), id, body }, () => this.readManaged<T>(object, id));
  }

  patchManaged<T = Record<string, unknown>>(object: ManagedObject, id: string, patch: IdmPatch): Promise<T> {
    // Replacing or removing a field twice gives the same object; adding to a list does not.
    const idempotent = patch.every((op) => op.operation === "replace" || op.operation === "remove");
    return this.write<T>({ ...this.managed(object, "patch"), id, body: patch, idempotent });
  }

  deleteManaged(object: ManagedObject, id: string): Promise<boolean> {
    return this.remove({ ...this.managed(object, "delete"), id });
  }

  async findUser(userName: string): Promise<{ _id: string; userName: string } | undefined> {
    const [user] = await this.queryManaged<{ _id: string; userName?: string }>("user", {
      filter: crestEq("userName", userName),
      fields: ["_id", "userName"],
    });
    return user && { _id: user._id, userName: user.userName ?? userName };
  }

  async findGroup(name: string): Promise<{ _id: string; name: string } | undefined> {
    const [group] = await this.queryManaged<{ _id: string; name?: string }>("group", { filter: crestEq("name", name), fields: ["_id", "name"] });
    return group && { _id: group._id, name: group.name ?? name };
  }

  // ---------- ESVs ----------

  private async esvList<T>(name: string, endpoint: Endpoint): Promise<T[]> {
    // resource=1.0 answers every item in one page (reference §2).
    return (await this.write<{ result: T[] }>({ name, endpoint })).result;
  }

  listEsvSecrets() {
    return this.esvList<z.infer<typeof ENDPOINTS.esvSecretRead.response>>("esvSecretQuery", ENDPOINTS.esvSecretQuery);
  }

  getEsvSecret(id: string) {
    return this.read<z.infer<typeof ENDPOINTS.esvSecretRead.response>>({ name: "esvSecretRead", endpoint: ENDPOINTS.esvSecretRead, id });
  }

  async createEsvSecret(id: string, secret: EsvSecretInput) {
    const { value, ...rest } = secret;
    const call: Call = { name: "esvSecretCreate", endpoint: ENDPOINTS.esvSecretCreate, id, body: { valueBase64: esvValue(value), ...rest } };
    const { req, res } = await this.send(call);
    // A PUT that creates only: "already exists" after our own attempt may have landed is that attempt.
    if (res.status === 400 && res.mayHaveLanded) {
      const now = await this.getEsvSecret(id);
      if (now) return now;
    }
    return this.expect(req, res, ENDPOINTS.esvSecretCreate.response);
  }

  async setEsvSecretDescription(id: string, description: string) {
    await this.write({ name: "esvSecretSetDescription", endpoint: ENDPOINTS.esvSecretSetDescription, id, body: { description }, idempotent: true });
  }

  deleteEsvSecret(id: string) {
    return this.remove({ name: "esvSecretDelete", endpoint: ENDPOINTS.esvSecretDelete, id });
  }

  listEsvSecretVersions(id: string) {
    return this.read<z.infer<typeof ENDPOINTS.esvVersionQuery.response>>({ name: "esvVersionQuery", endpoint: ENDPOINTS.esvVersionQuery, id });
  }

  createEsvSecretVersion(id: string, value: string) {
    // Not idempotent (a second attempt adds a second version): retried only when it cannot have landed.
    return this.write<z.infer<typeof ENDPOINTS.esvVersionCreate.response>>({
      name: "esvVersionCreate",
      endpoint: ENDPOINTS.esvVersionCreate,
      id,
      body: { valueBase64: esvValue(value) },
    });
  }

  setEsvSecretVersionStatus(id: string, version: string, status: "ENABLED" | "DISABLED") {
    return this.write<z.infer<typeof ENDPOINTS.esvVersionSetStatus.response>>({
      name: "esvVersionSetStatus",
      endpoint: ENDPOINTS.esvVersionSetStatus,
      id,
      version,
      body: { status },
      idempotent: true,
    });
  }

  destroyEsvSecretVersion(id: string, version: string) {
    return this.write<z.infer<typeof ENDPOINTS.esvVersionDestroy.response>>({ name: "esvVersionDestroy", endpoint: ENDPOINTS.esvVersionDestroy, id, version });
  }

  listEsvVariables() {
    return this.esvList<z.infer<typeof ENDPOINTS.esvVariableRead.response>>("esvVariableQuery", ENDPOINTS.esvVariableQuery);
  }

  getEsvVariable(id: string) {
    return this.read<z.infer<typeof ENDPOINTS.esvVariableRead.response>>({ name: "esvVariableRead", endpoint: ENDPOINTS.esvVariableRead, id });
  }

  putEsvVariable(id: string, variable: EsvVariableInput) {
    const { value, ...rest } = variable;
    return this.write<z.infer<typeof ENDPOINTS.esvVariablePut.response>>({
      name: "esvVariablePut",
      endpoint: ENDPOINTS.esvVariablePut,
      id,
      body: { valueBase64: esvValue(value), ...rest },
    });
  }

  async setEsvVariableDescription(id: string, description: string) {
    await this.write({ name: "esvVariableSetDescription", endpoint: ENDPOINTS.esvVariableSetDescription, id, body: { description }, idempotent: true });
  }

  deleteEsvVariable(id: string) {
    return this.remove({ name: "esvVariableDelete", endpoint: ENDPOINTS.esvVariableDelete, id });
  }

  async getEsvRestartStatus() {
    return (await this.write<z.infer<typeof ENDPOINTS.esvStartupRead.response>>({ name: "esvStartupRead", endpoint: ENDPOINTS.esvStartupRead })).restartStatus;
  }

  async restartEsvs() {
    await this.write({ name: "esvRestart", endpoint: ENDPOINTS.esvRestart });
  }

  countPendingEsvs() {
    return this.write<z.infer<typeof ENDPOINTS.esvPendingCount.response>>({ name: "esvPendingCount", endpoint: ENDPOINTS.esvPendingCount });
  }

  // ---------- the realm's ESV secret store ----------

  listSecretMappings() {
    return this.query<z.infer<typeof ENDPOINTS.secretMappingRead.response>>({ name: "secretMappingQuery", endpoint: ENDPOINTS.secretMappingQuery });
  }

  getSecretMapping(label: string) {
    return this.read<z.infer<typeof ENDPOINTS.secretMappingRead.response>>({ name: "secretMappingRead", endpoint: ENDPOINTS.secretMappingRead, id: label });
  }

  putSecretMapping(label: string, esvId: string) {
    return this.write<z.infer<typeof ENDPOINTS.secretMappingPut.response>>({
      name: "secretMappingPut",
      endpoint: ENDPOINTS.secretMappingPut,
      id: label,
      body: { _id: label, secretId: label, aliases: [esvId] },
    });
  }

  deleteSecretMapping(label: string) {
    return this.remove({ name: "secretMappingDelete", endpoint: ENDPOINTS.secretMappingDelete, id: label });
  }
}
