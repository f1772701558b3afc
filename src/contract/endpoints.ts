/**
 * The one endpoint table of the AM/IDM admin API and the OAuth2 endpoints that the client and the
 * embedded tenant both import. Paths are templates: `{realmPath}` is `/realms/root/realms/<realm>`
 * (`/realms/root` for the root realm), `{realm}` the bare realm name (IDM object names are
 * `<realm>_user`, ...), `{id}` a URL-encoded identifier, `{version}` an ESV secret version.
 */
import { canonicalRealm } from "./tenant";
import { z } from "zod";
import * as S from "./schemas";
import { ESV_SECRET_STORE } from "./esv";

export type HttpMethod = "GET" | "PUT" | "POST" | "PATCH" | "DELETE";

export interface Endpoint {
  readonly method: HttpMethod;
  readonly path: string;
  /** `Accept-API-Version` header; a wrong one gives 400 on AM endpoints. IDM takes none. */
  readonly apiVersion?: string;
  /** Fixed query parameters, e.g. `_action=create`. */
  readonly query?: Readonly<Record<string, string>>;
  /** The request body: JSON unless `form` is set. */
  readonly request?: z.ZodType;
  readonly form?: boolean;
  readonly response: z.ZodType;
}

export const API_VERSION = {
  oauth2Provider: "protocol=2.0,resource=1.0",
  oauth2Client: "protocol=2.1,resource=1.0",
  aiAgent: "protocol=2.1,resource=2.0",
  authenticate: "resource=2.0, protocol=1.0",
  serverInfo: "resource=1.1",
  /** ESVs and the AI agents switch; every recorded ESV call sends it (one page, values listed). */
  environment: "protocol=1.0,resource=1.0",
  script: "protocol=2.0,resource=1.0",
  /** ESV lists with paging, `_queryFilter`, `_onlyPending`; the only version `/environment/count` has. */
  environmentPaged: "resource=2.0",
  /** A realm's secret stores and mappings, as recorded (frodo). */
  secretStore: "protocol=2.1,resource=2.0",
} as const;

const AM = "/am/json{realmPath}";
const PROVIDER = `${AM}/realm-config/services/oauth-oidc`;
const OAUTH2_CLIENT = `${AM}/realm-config/agents/OAuth2Client`;
const AI_AGENT = `${AM}/realm-config/agents/AIAgent`;
const OAUTH2 = "/am/oauth2{realmPath}";
const SCRIPTS = `${AM}/scripts`;
const SECRETS = "/environment/secrets";
const VERSIONS = `${SECRETS}/{id}/versions`;
const VARIABLES = "/environment/variables";
const ESV_STORE = `${AM}/realm-config/secrets/stores/${ESV_SECRET_STORE.type}/${ESV_SECRET_STORE.id}`;
const MAPPINGS = `${ESV_STORE}/mappings`;

const idm = <T extends z.ZodType>(object: string, schema: T) => ({
  query: { method: "GET", path: `/openidm/managed/{realm}_${object}`, response: S.queryResult(schema) },
  read: { method: "GET", path: `/openidm/managed/{realm}_${object}/{id}`, response: schema },
  create: { method: "PUT", path: `/openidm/managed/{realm}_${object}/{id}`, request: schema, response: schema },
  createWithServerId: {
    method: "POST",
    path: `/openidm/managed/{realm}_${object}`,
    query: { _action: "create" },
    request: schema,
    response: schema,
  },
  patch: { method: "PATCH", path: `/openidm/managed/{realm}_${object}/{id}`, request: S.IdmPatch, response: schema },
  delete: { method: "DELETE", path: `/openidm/managed/{realm}_${object}/{id}`, response: schema },
} satisfies Record<string, Endpoint>);

export const ENDPOINTS = {
  // §1 admin authentication
  serviceAccountToken: { method: "POST", path: "/am/oauth2/access_token", form: true, response: S.ServiceAccountTokenResponse },
  amAuthenticate: { method: "POST", path: "/am/json/realms/root/authenticate", apiVersion: API_VERSION.authenticate, response: S.AmAuthenticateResponse },
  amServerInfo: { method: "GET", path: "/am/json/serverinfo/*", apiVersion: API_VERSION.serverInfo, response: S.AmServerInfo },

  // §3 OAuth2 provider
  providerRead: { method: "GET", path: PROVIDER, apiVersion: API_VERSION.oauth2Provider, response: S.OAuth2Provider },
  providerUpdate: { method: "PUT", path: PROVIDER, apiVersion: API_VERSION.oauth2Provider, request: S.OAuth2Provider, response: S.OAuth2Provider },
  providerCreate: { method: "POST", path: PROVIDER, query: { _action: "create" }, apiVersion: API_VERSION.oauth2Provider, request: S.OAuth2Provider, response: S.OAuth2Provider },
  aiAgentsEnable: { method: "POST", path: "/environment/aiagent", query: { _action: "enable" }, apiVersion: API_VERSION.environment, response: S.EnvironmentActionResponse },

  aiAgentFeature: { method: "GET", path: "/openidm/feature", response: S.queryResult(S.IdmFeature) },

  // scripts (ai-agent-delegation.md §10)
  scriptQuery: { method: "GET", path: SCRIPTS, apiVersion: API_VERSION.script, response: S.queryResult(S.AmScript) },
  scriptRead: { method: "GET", path: `${SCRIPTS}/{id}`, apiVersion: API_VERSION.script, response: S.AmScript },
  scriptPut: { method: "PUT", path: `${SCRIPTS}/{id}`, apiVersion: API_VERSION.script, request: S.AmScript, response: S.AmScript },
  scriptDelete: { method: "DELETE", path: `${SCRIPTS}/{id}`, apiVersion: API_VERSION.script, response: S.AmScriptDeleted },

  // §4 OAuth2 clients
  oauth2ClientQuery: { method: "GET", path: OAUTH2_CLIENT, apiVersion: API_VERSION.oauth2Client, response: S.queryResult(S.AmClientListItem) },
  oauth2ClientRead: { method: "GET", path: `${OAUTH2_CLIENT}/{id}`, apiVersion: API_VERSION.oauth2Client, response: S.OAuth2Client },
  oauth2ClientPut: { method: "PUT", path: `${OAUTH2_CLIENT}/{id}`, apiVersion: API_VERSION.oauth2Client, request: S.AmClientWriteBody, response: S.OAuth2Client },
  oauth2ClientDelete: { method: "DELETE", path: `${OAUTH2_CLIENT}/{id}`, apiVersion: API_VERSION.oauth2Client, response: S.OAuth2Client },

  // §6 AI agents (AM side)
  aiAgentQuery: { method: "GET", path: AI_AGENT, apiVersion: API_VERSION.aiAgent, response: S.queryResult(S.AmClientListItem) },
  aiAgentRead: { method: "GET", path: `${AI_AGENT}/{id}`, apiVersion: API_VERSION.aiAgent, response: S.AIAgent },
  aiAgentPut: { method: "PUT", path: `${AI_AGENT}/{id}`, apiVersion: API_VERSION.aiAgent, request: S.AmClientWriteBody, response: S.AIAgent },
  aiAgentDelete: { method: "DELETE", path: `${AI_AGENT}/{id}`, apiVersion: API_VERSION.aiAgent, response: S.AIAgent },

  // §5–§7 IDM managed objects
  application: idm("application", S.IdmApplication),
  user: idm("user", S.IdmUser),
  group: idm("group", S.IdmGroup),
  aiAgentIdentity: idm("aiagent", S.IdmAiAgent),
  privilege: idm("aiagentprivilege", S.IdmAiAgentPrivilege),
  groupMembers: { method: "GET", path: "/openidm/managed/{realm}_group/{id}/members", response: S.queryResult(S.Ref) },

  // ESVs (tenant-wide: no realm). Secrets: PUT creates only; values are never returned.
  esvSecretQuery: { method: "GET", path: SECRETS, apiVersion: API_VERSION.environment, response: S.queryResult(S.EsvSecret) },
  esvSecretRead: { method: "GET", path: `${SECRETS}/{id}`, apiVersion: API_VERSION.environment, response: S.EsvSecret },
  esvSecretCreate: { method: "PUT", path: `${SECRETS}/{id}`, apiVersion: API_VERSION.environment, request: S.EsvSecretCreate, response: S.EsvSecret },
  esvSecretSetDescription: { method: "POST", path: `${SECRETS}/{id}`, query: { _action: "setDescription" }, apiVersion: API_VERSION.environment, request: S.EsvDescription, response: S.EsvEmptyAnswer },
  esvSecretDelete: { method: "DELETE", path: `${SECRETS}/{id}`, apiVersion: API_VERSION.environment, response: S.EsvSecret },
  esvVersionQuery: { method: "GET", path: VERSIONS, apiVersion: API_VERSION.environment, response: S.EsvSecretVersions },
  esvVersionRead: { method: "GET", path: `${VERSIONS}/{version}`, apiVersion: API_VERSION.environment, response: S.EsvSecretVersion },
  esvVersionCreate: { method: "POST", path: VERSIONS, query: { _action: "create" }, apiVersion: API_VERSION.environment, request: S.EsvVersionCreate, response: S.EsvSecretVersion },
  esvVersionSetStatus: { method: "POST", path: `${VERSIONS}/{version}`, query: { _action: "changestatus" }, apiVersion: API_VERSION.environment, request: S.EsvVersionStatusChange, response: S.EsvSecretVersion },
  esvVersionDestroy: { method: "DELETE", path: `${VERSIONS}/{version}`, apiVersion: API_VERSION.environment, response: S.EsvSecretVersion },
  esvVariableQuery: { method: "GET", path: VARIABLES, apiVersion: API_VERSION.environment, response: S.queryResult(S.EsvVariable) },
  esvVariableRead: { method: "GET", path: `${VARIABLES}/{id}`, apiVersion: API_VERSION.environment, response: S.EsvVariable },
  esvVariablePut: { method: "PUT", path: `${VARIABLES}/{id}`, apiVersion: API_VERSION.environment, request: S.EsvVariableWrite, response: S.EsvVariable },
  esvVariableSetDescription: { method: "POST", path: `${VARIABLES}/{id}`, query: { _action: "setDescription" }, apiVersion: API_VERSION.environment, request: S.EsvDescription, response: S.EsvEmptyAnswer },
  esvVariableDelete: { method: "DELETE", path: `${VARIABLES}/{id}`, apiVersion: API_VERSION.environment, response: S.EsvVariable },
  esvStartupRead: { method: "GET", path: "/environment/startup", apiVersion: API_VERSION.environment, response: S.EsvStartup },
  esvRestart: { method: "POST", path: "/environment/startup", query: { _action: "restart" }, apiVersion: API_VERSION.environment, response: S.EsvStartup },
  esvPendingCount: { method: "GET", path: "/environment/count", query: { _onlyPending: "true" }, apiVersion: API_VERSION.environmentPaged, response: S.EsvCount },

  // The realm's ESV secret store: label → ESV mappings (AM configuration, no restart needed)
  esvSecretStoreRead: { method: "GET", path: ESV_STORE, apiVersion: API_VERSION.secretStore, response: S.EsvSecretStore },
  secretMappingQuery: { method: "GET", path: MAPPINGS, apiVersion: API_VERSION.secretStore, response: S.queryResult(S.SecretStoreMapping) },
  secretMappingRead: { method: "GET", path: `${MAPPINGS}/{id}`, apiVersion: API_VERSION.secretStore, response: S.SecretStoreMapping },
  secretMappingCreate: { method: "POST", path: MAPPINGS, query: { _action: "create" }, apiVersion: API_VERSION.secretStore, request: S.SecretStoreMappingWrite, response: S.SecretStoreMapping },
  secretMappingPut: { method: "PUT", path: `${MAPPINGS}/{id}`, apiVersion: API_VERSION.secretStore, request: S.SecretStoreMappingWrite, response: S.SecretStoreMapping },
  secretMappingDelete: { method: "DELETE", path: `${MAPPINGS}/{id}`, apiVersion: API_VERSION.secretStore, response: S.SecretStoreMapping },

  // §8 OAuth2 runtime endpoints of the realm
  accessToken: { method: "POST", path: `${OAUTH2}/access_token`, form: true, response: S.TokenResponse },
  introspect: { method: "POST", path: `${OAUTH2}/introspect`, form: true, response: S.IntrospectionResponse },
  tokenInfo: { method: "GET", path: `${OAUTH2}/tokeninfo`, response: S.TokenInfoResponse },
  jwks: { method: "GET", path: `${OAUTH2}/connect/jwk_uri`, response: S.Jwks },
} as const satisfies Record<string, Endpoint | Record<string, Endpoint>>;

/** `/realms/root/realms/alpha` for `alpha`, `/realms/root` for the root realm (`/`, `root` or ""). */
export function realmPath(realm: string): string {
  const canonical = canonicalRealm(realm);
  const parts = canonical === "root" ? [] : canonical.split("/");
  return "/realms/root" + parts.map((p) => `/realms/${encodeURIComponent(p)}`).join("");
}

/** The IDM object-name prefix of a realm: `alpha` → `alpha`. */
export function idmRealm(realm: string): string {
  return canonicalRealm(realm).split("/").pop()!;
}

/** Fills a path template. */
export function fillPath(template: string, params: { realm: string; id?: string; version?: string }): string {
  return template
    .replace("{realmPath}", realmPath(params.realm))
    .replace("{realm}", idmRealm(params.realm))
    .replace("{id}", params.id === undefined ? "{id}" : encodeURIComponent(params.id))
    .replace("{version}", params.version === undefined ? "{version}" : encodeURIComponent(params.version));
}
