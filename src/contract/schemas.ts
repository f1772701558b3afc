/**
 * zod schemas of every AM/IDM object and response this tool reads or writes. Objects are loose:
 * keys we do not own pass through untouched, so a read-merge-write never drops a field.
 * The client parses every response with these; the embedded tenant builds its answers from them.
 */
import { z } from "zod";
import {
  BASE64_PATTERN,
  ESV_EXPRESSION_TYPES,
  ESV_MAX_DESCRIPTION_LENGTH,
  ESV_RESTART_STATUSES,
  ESV_SECRET_ENCODINGS,
  ESV_SETTABLE_STATUSES,
  ESV_VERSION_STATUSES,
} from "./esv";

// ---------- AM: wrapped values ----------

/** AM wraps most client attributes on read: `{inherited, value}`; an unset one has no `value`. */
export const wrapped = <T extends z.ZodType>(value: T) =>
  z.object({ inherited: z.boolean(), value: value.optional() });
export type Wrapped<T> = { inherited: boolean; value?: T };

const wStrings = wrapped(z.array(z.string()));
const wString = wrapped(z.string().nullable());
const wBool = wrapped(z.boolean());

export const CoreOAuth2ClientConfig = z.looseObject({
  /** Write-only: reads back null or absent. */
  userpassword: z.union([z.string(), z.null(), wString]).optional(),
  clientType: wrapped(z.enum(["Confidential", "Public"])).optional(),
  status: wrapped(z.enum(["Active", "Inactive"])).optional(),
  scopes: wStrings.optional(),
  defaultScopes: wStrings.optional(),
  redirectionUris: wStrings.optional(),
  clientName: wStrings.optional(),
});

export const AdvancedOAuth2ClientConfig = z.looseObject({
  grantTypes: wStrings.optional(),
  tokenEndpointAuthMethod: wString.optional(),
  responseTypes: wStrings.optional(),
  descriptions: wStrings.optional(),
  allowedResourceServerAudienceValues: wStrings.optional(),
  isConsentImplied: wBool.optional(),
});

/** Raw (not wrapped) on read and write. */
export const OverrideOAuth2ClientConfig = z.looseObject({
  providerOverridesEnabled: z.boolean().optional(),
  statelessTokensEnabled: z.boolean().optional(),
  acceptAudienceParametersInTokenExchangeRequests: z.boolean().optional(),
  accessTokenMayActScript: z.string().nullable().optional(),
  oidcMayActScript: z.string().nullable().optional(),
});

export const AmType = z.looseObject({ _id: z.string(), name: z.string(), collection: z.boolean() });

export const OAuth2Client = z.looseObject({
  _id: z.string(),
  _rev: z.string().optional(),
  coreOAuth2ClientConfig: CoreOAuth2ClientConfig.optional(),
  advancedOAuth2ClientConfig: AdvancedOAuth2ClientConfig.optional(),
  overrideOAuth2ClientConfig: OverrideOAuth2ClientConfig.optional(),
  signEncOAuth2ClientConfig: z.looseObject({}).optional(),
  coreOpenIDClientConfig: z.looseObject({}).optional(),
  coreUmaClientConfig: z.looseObject({}).optional(),
  _type: AmType.optional(),
});
export type OAuth2Client = z.infer<typeof OAuth2Client>;

export const AiAgentIdentityAttributes = z.looseObject({
  _id: z.string().optional(),
  _rev: z.string().optional(),
  oauth2ClientId: z.string().optional(),
  name: z.string().optional(),
  description: z.string().nullable().optional(),
  customAttributes: z.unknown().optional(),
});

export const AIAgent = OAuth2Client.extend({
  aiAgentIdentityAttributes: wrapped(AiAgentIdentityAttributes).optional(),
  aiAgentIdentityUid: wrapped(z.string()).optional(),
});
export type AIAgent = z.infer<typeof AIAgent>;

/**
 * An OAuth2 client or AI agent as a query (`?_queryFilter=`) lists it: AIC returns plain values
 * in lists, not the wrapped ones of a single GET [rec: aiagent-delete.json]. Read one object
 * with GET to merge and PUT it.
 */
export const AmClientListItem = z.looseObject({
  _id: z.string(),
  _rev: z.string().optional(),
  coreOAuth2ClientConfig: z.looseObject({}).optional(),
  advancedOAuth2ClientConfig: z.looseObject({}).optional(),
  overrideOAuth2ClientConfig: z.looseObject({}).optional(),
});
export type AmClientListItem = z.infer<typeof AmClientListItem>;

/** A body to PUT: wrapped or raw values, no `_id`/`_rev`/`_type`/`*-encrypted` (the client strips them). */
export const AmClientWriteBody = z.record(z.string(), z.unknown());

// ---------- AM: OAuth2 provider (realm singleton, plain values) ----------

export const OAuth2Provider = z.looseObject({
  _id: z.string().optional(),
  _rev: z.string().optional(),
  advancedOAuth2Config: z
    .looseObject({
      grantTypes: z.array(z.string()).optional(),
      acceptAudienceParametersInTokenExchangeRequests: z.boolean().optional(),
      tokenExchangeClasses: z.array(z.string()).optional(),
    })
    .optional(),
  coreOAuth2Config: z
    .looseObject({
      statelessTokensEnabled: z.boolean().optional(),
      accessTokenLifetime: z.number().optional(),
    })
    .optional(),
  aiAgentsConfig: z.looseObject({ aiAgentsEnabled: z.boolean().optional() }).optional(),
  _type: AmType.optional(),
});
export type OAuth2Provider = z.infer<typeof OAuth2Provider>;

// ---------- AM: sessions ----------

export const AmAuthenticateResponse = z.looseObject({
  tokenId: z.string(),
  successUrl: z.string().optional(),
  realm: z.string().optional(),
});
export const AmServerInfo = z.looseObject({ cookieName: z.string() });

// ---------- IDM ----------

/** A relationship reference as IDM writes and reads it. */
export const Ref = z.looseObject({
  _ref: z.string(),
  _refResourceCollection: z.string().optional(),
  _refResourceId: z.string().optional(),
  _refProperties: z.looseObject({ _id: z.string().optional(), _rev: z.string().optional() }).optional(),
});
export type Ref = z.infer<typeof Ref>;

const idmBase = { _id: z.string(), _rev: z.string().optional() };

export const IdmApplication = z.looseObject({
  ...idmBase,
  name: z.string().optional(),
  description: z.string().nullable().optional(),
  templateName: z.string().nullable().optional(),
  templateVersion: z.string().nullable().optional(),
  ssoEntities: z.looseObject({ oidcId: z.string().optional() }).nullable().optional(),
  owners: z.array(Ref).optional(),
  aiagentprivileges: z.array(Ref).optional(),
});
export type IdmApplication = z.infer<typeof IdmApplication>;

export const IdmUser = z.looseObject({
  ...idmBase,
  userName: z.string().optional(),
  givenName: z.string().optional(),
  sn: z.string().optional(),
  mail: z.string().optional(),
  accountStatus: z.string().optional(),
});
export type IdmUser = z.infer<typeof IdmUser>;

export const IdmGroup = z.looseObject({
  ...idmBase,
  name: z.string().optional(),
  description: z.string().nullable().optional(),
  members: z.array(Ref).optional(),
});
export type IdmGroup = z.infer<typeof IdmGroup>;

export const IdmAiAgent = z.looseObject({
  ...idmBase,
  name: z.string().optional(),
  oauth2ClientId: z.string().optional(),
  description: z.string().nullable().optional(),
  customAttributes: z.unknown().optional(),
  owners: z.array(Ref).optional(),
  privileges: z.array(Ref).optional(),
});
export type IdmAiAgent = z.infer<typeof IdmAiAgent>;

export const Permission = z.looseObject({ type: z.string(), values: z.array(z.string()) });

export const IdmAiAgentPrivilege = z.looseObject({
  ...idmBase,
  description: z.string().nullable().optional(),
  permissions: z.array(Permission).optional(),
  agent: Ref.nullable().optional(),
  resource: Ref.nullable().optional(),
  subjects: z.array(Ref).optional(),
  subjectGroups: z.array(Ref).optional(),
  // Read-only virtual fields, computed by IDM.
  agentID: z.string().nullable().optional(),
  agentOAuth2ClientId: z.string().nullable().optional(),
  subjectIDs: z.array(z.string()).optional(),
  resourceData: z.looseObject({}).nullable().optional(),
});
export type IdmAiAgentPrivilege = z.infer<typeof IdmAiAgentPrivilege>;

/** One JSON Patch-like operation of IDM's PATCH. */
export const IdmPatchOperation = z.object({
  operation: z.enum(["add", "remove", "replace", "increment", "move", "copy", "transform"]),
  field: z.string(),
  value: z.unknown().optional(),
});
export const IdmPatch = z.array(IdmPatchOperation);
export type IdmPatch = z.infer<typeof IdmPatch>;

// ---------- CREST ----------

export const queryResult = <T extends z.ZodType>(item: T) =>
  z.looseObject({
    result: z.array(item),
    resultCount: z.number(),
    pagedResultsCookie: z.string().nullable(),
    totalPagedResultsPolicy: z.string().optional(),
    totalPagedResults: z.number().optional(),
    remainingPagedResults: z.number().optional(),
  });
export type QueryResult<T> = {
  result: T[];
  resultCount: number;
  pagedResultsCookie: string | null;
  totalPagedResultsPolicy?: string;
  totalPagedResults?: number;
  remainingPagedResults?: number;
};

/** The error body of AM's JSON API and of IDM. */
export const CrestError = z.looseObject({
  code: z.number(),
  reason: z.string().optional(),
  message: z.string(),
  detail: z.unknown().optional(),
});
export type CrestError = z.infer<typeof CrestError>;

// ---------- OAuth2 endpoints ----------

export const OAuth2Error = z.looseObject({ error: z.string(), error_description: z.string().optional() });
export type OAuth2Error = z.infer<typeof OAuth2Error>;

export const TokenResponse = z.looseObject({
  access_token: z.string(),
  refresh_token: z.string().nullable().optional(),
  id_token: z.string().optional(),
  scope: z.string().optional(),
  token_type: z.string(),
  expires_in: z.number(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export const TokenExchangeResponse = TokenResponse.extend({
  issued_token_type: z.string(),
  refresh_token: z.string().nullable(),
});
export type TokenExchangeResponse = z.infer<typeof TokenExchangeResponse>;

/** The service-account token (jwt-bearer grant). */
export const ServiceAccountTokenResponse = z.looseObject({
  access_token: z.string(),
  scope: z.string().optional(),
  token_type: z.string(),
  expires_in: z.number(),
});

export const IntrospectionResponse = z.union([
  z.looseObject({
    active: z.literal(true),
    scope: z.string(),
    realm: z.string(),
    client_id: z.string(),
    user_id: z.string().optional(),
    username: z.string().optional(),
    token_type: z.string(),
    exp: z.number(),
    sub: z.string(),
    iss: z.string(),
    subname: z.string().optional(),
    auth_level: z.number().optional(),
    authGrantId: z.string().optional(),
    auditTrackingId: z.string().optional(),
    expires_in: z.number().optional(),
    act: z.looseObject({ sub: z.string() }).optional(),
  }),
  z.looseObject({ active: z.literal(false) }),
]);
export type IntrospectionResponse = z.infer<typeof IntrospectionResponse>;

export const TokenInfoResponse = z.looseObject({
  scope: z.array(z.string()),
  sub: z.string().optional(),
  client_id: z.string().optional(),
  expires_in: z.number(),
});

export const Jwks = z.object({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string().optional() })) });

/** The AI agents feature switch answer. */
export const EnvironmentActionResponse = z.looseObject({});

/** An AM script (reference §10): the source base64-encoded, the server's bookkeeping read-only. */
export const AmScript = z.looseObject({
  _id: z.string(),
  name: z.string(),
  description: z.string().nullable().optional(),
  script: z.string(),
  language: z.string(),
  context: z.string(),
  evaluatorVersion: z.string().optional(),
  default: z.boolean().optional(),
  createdBy: z.string().optional(),
  creationDate: z.number().optional(),
  lastModifiedBy: z.string().optional(),
  lastModifiedDate: z.number().optional(),
});
export type AmScript = z.infer<typeof AmScript>;

/** `DELETE …/scripts/{id}` answers only the id [rec]. */
export const AmScriptDeleted = z.looseObject({ _id: z.string() });

/** `GET /openidm/feature?_queryFilter=true`: IDM's installable features (`aiagent` among them). */
export const IdmFeature = z.looseObject({ _id: z.string(), installedVersion: z.string().nullable().optional() });
export type IdmFeature = z.infer<typeof IdmFeature>;
// ---------- ESVs: /environment/{secrets,variables,startup,count} (no realm, no `/am`) ----------

/** An ESV answer's error body: `{code, message}`, no `reason` (unlike AM's and IDM's). */
export const EsvError = z.looseObject({ code: z.number(), message: z.string() });

/** A secret as read and listed: never its value. `loadedVersion` is "" until a restart loads it. */
export const EsvSecret = z.looseObject({
  _id: z.string(),
  activeVersion: z.string(),
  description: z.string(),
  encoding: z.enum(ESV_SECRET_ENCODINGS),
  lastChangeDate: z.string(),
  lastChangedBy: z.string(),
  loaded: z.boolean(),
  loadedVersion: z.string(),
  useInPlaceholders: z.boolean(),
});
export type EsvSecret = z.infer<typeof EsvSecret>;

/** PUT of a new secret (creates it with version 1; PUT never updates a secret). */
export const EsvSecretCreate = z.object({
  valueBase64: z.string().regex(BASE64_PATTERN),
  encoding: z.enum(ESV_SECRET_ENCODINGS),
  useInPlaceholders: z.boolean(),
  description: z.string().max(ESV_MAX_DESCRIPTION_LENGTH).optional(),
});
export type EsvSecretCreate = z.infer<typeof EsvSecretCreate>;

/** A secret version: no `_id`, the number as a string. */
export const EsvSecretVersion = z.looseObject({
  version: z.string(),
  createDate: z.string(),
  loaded: z.boolean(),
  status: z.enum(ESV_VERSION_STATUSES),
});
export type EsvSecretVersion = z.infer<typeof EsvSecretVersion>;

/** The version list is a bare array, newest first. */
export const EsvSecretVersions = z.array(EsvSecretVersion);
export const EsvVersionCreate = z.object({ valueBase64: z.string().regex(BASE64_PATTERN) });
export const EsvVersionStatusChange = z.object({ status: z.enum(ESV_SETTABLE_STATUSES) });

/** A variable; lists asked with `resource=2.0` leave out `valueBase64`. */
export const EsvVariable = z.looseObject({
  _id: z.string(),
  description: z.string(),
  expressionType: z.enum(ESV_EXPRESSION_TYPES),
  lastChangeDate: z.string(),
  lastChangedBy: z.string(),
  loaded: z.boolean(),
  valueBase64: z.string().optional(),
});
export type EsvVariable = z.infer<typeof EsvVariable>;

/** PUT of a variable (an upsert): `expressionType` is required on create and cannot change. */
export const EsvVariableWrite = z.object({
  valueBase64: z.string().regex(BASE64_PATTERN),
  expressionType: z.enum(ESV_EXPRESSION_TYPES).optional(),
  description: z.string().max(ESV_MAX_DESCRIPTION_LENGTH).optional(),
});
export type EsvVariableWrite = z.infer<typeof EsvVariableWrite>;

export const EsvDescription = z.object({ description: z.string().max(ESV_MAX_DESCRIPTION_LENGTH) });

/** `setDescription` answers 200 with an empty body. */
export const EsvEmptyAnswer = z.looseObject({});

export const EsvStartup = z.looseObject({ restartStatus: z.enum(ESV_RESTART_STATUSES) });
export type EsvStartup = z.infer<typeof EsvStartup>;

/** `/environment/count`: ESVs in all, or with `_onlyPending=true` those a restart would load. */
export const EsvCount = z.looseObject({ secrets: z.number(), variables: z.number() });
export type EsvCount = z.infer<typeof EsvCount>;

// ---------- AM: the realm's ESV secret store and its mappings ----------

/** A mapping of a secret label to one ESV secret (`aliases: ["esv-…"]`). */
export const SecretStoreMapping = z.looseObject({
  _id: z.string(),
  _rev: z.string().optional(),
  secretId: z.string(),
  aliases: z.array(z.string()),
  _type: AmType.optional(),
});
export type SecretStoreMapping = z.infer<typeof SecretStoreMapping>;

export const SecretStoreMappingWrite = z.object({
  _id: z.string().optional(),
  secretId: z.string(),
  aliases: z.array(z.string()),
});
export type SecretStoreMappingWrite = z.infer<typeof SecretStoreMappingWrite>;

/** The realm's ESV secret store itself (read-only in AIC). */
export const EsvSecretStore = z.looseObject({
  _id: z.string(),
  expiryDurationSeconds: z.number().optional(),
  _type: AmType.optional(),
});
