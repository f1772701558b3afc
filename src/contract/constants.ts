/**
 * Names shared by the constructs, the CLI and the embedded tenant, so that an env var or a
 * command is written once and checked by the compiler everywhere it is used.
 */

/** Resource kinds a spec can describe. */
export const KINDS = ["oauth2-provider-grants", "script", "web-app", "spa", "native-app", "service-app", "ai-agent", "agent-grant", "esv-secret", "esv-variable", "secret-mapping"] as const;
export type Kind = (typeof KINDS)[number];

/** Kinds whose id is an OAuth2 client id: applications and AI agents share the realm's one namespace. */
export const CLIENT_KINDS = ["web-app", "spa", "native-app", "service-app", "ai-agent"] as const satisfies readonly Kind[];
export type ClientKind = (typeof CLIENT_KINDS)[number];

/** Kinds whose objects belong to the whole tenant, not to a realm (ESVs): one id per base URL. */
export const TENANT_WIDE_KINDS: readonly Kind[] = ["esv-secret", "esv-variable"];

/** CLI sub-commands run by the Terraform provisioners and by people. */
export const COMMANDS = {
  sync: "sync",
  reconcile: "reconcile",
  plan: "plan",
  export: "export",
  verify: "verify",
  tenant: "tenant",
  init: "init",
} as const;

/** Environment variables the provisioners pass to the CLI (never argv). */
export const PROVISIONER_ENV = {
  /** The journal applied last (sync); unset on a stack's first apply. */
  previous: "CDKTF_AIC_PREVIOUS",
  /** The journal of code (sync). */
  desired: "CDKTF_AIC_DESIRED",
  /** The journal of code, from the Origin's destroy (sync): what to delete when `terraform destroy` cannot be told from its argv. */
  teardown: "CDKTF_AIC_TEARDOWN",
  /** The tenant `{baseUrl, realm, auth}` whose objects to re-apply (reconcile). */
  tenant: "CDKTF_AIC_TENANT",
} as const;

/** Default credential env var names; every name is configurable on the tenant construct. */
export const DEFAULT_CREDENTIAL_ENV = {
  serviceAccountId: "AIC_SERVICE_ACCOUNT_ID",
  serviceAccountJwk: "AIC_SERVICE_ACCOUNT_JWK",
  serviceAccountScope: "AIC_SERVICE_ACCOUNT_SCOPE",
  amAdminUsername: "AM_ADMIN_USERNAME",
  amAdminPassword: "AM_ADMIN_PASSWORD",
  bearerToken: "AIC_BEARER_TOKEN",
} as const;

/** Process-level settings of the CLI. */
export const CLI_ENV = {
  /** Where the shared admin-token cache lives (default: the user's cache dir). */
  tokenCacheDir: "CDKTF_AIC_TOKEN_CACHE_DIR",
  /** Set to 1 for one JSON log line per admin call on stderr (no secrets, no tokens). */
  debug: "CDKTF_AIC_DEBUG",
} as const;

/** A valid environment variable name (POSIX portable). */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An OAuth2 client id as the AIC console accepts it. */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

/** A scope name: printable characters without spaces, quotes or backslashes (RFC 6749 §3.3). */
export const SCOPE_TOKEN_PATTERN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** The default scope of a service-account token. */
export const SERVICE_ACCOUNT_SCOPE = "fr:am:* fr:idm:*";

/** IDM's feature that the AI agents switch installs (`GET /openidm/feature`). */
export const AI_AGENT_FEATURE = "aiagent";

export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
export const ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";

/** Friendly grant-type names → the exact strings AM stores. Any other AM string is accepted as is. */
export const GRANT_TYPES = {
  password: "password",
  "token-exchange": TOKEN_EXCHANGE_GRANT,
  "authorization-code": "authorization_code",
  "client-credentials": "client_credentials",
  "refresh-token": "refresh_token",
  implicit: "implicit",
  "device-code": "urn:ietf:params:oauth:grant-type:device_code",
  "jwt-bearer": JWT_BEARER_GRANT,
  ciba: "urn:openid:params:grant-type:ciba",
  "saml2-bearer": "urn:ietf:params:oauth:grant-type:saml2-bearer",
  "uma-ticket": "urn:ietf:params:oauth:grant-type:uma-ticket",
} as const;
export type FriendlyGrantType = keyof typeof GRANT_TYPES;

/** Resolves a friendly grant name to AM's string; AM strings pass through. */
export function amGrantType(name: string): string {
  return (GRANT_TYPES as Record<string, string>)[name] ?? name;
}

export const TOKEN_ENDPOINT_AUTH_METHODS = [
  "client_secret_basic",
  "client_secret_post",
  "private_key_jwt",
  "tls_client_auth",
  "self_signed_tls_client_auth",
  "none",
] as const;
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

/** The methods by which a client proves itself with its secret (the ones a secret, from the environment or the store, serves). */
export const CLIENT_SECRET_METHODS = ["client_secret_basic", "client_secret_post"] as const satisfies readonly TokenEndpointAuthMethod[];

/**
 * OAuth2 clients the platform itself ships in an Advanced Identity Cloud tenant (the remote
 * connector server's client, the admin and end-user UIs, IDM's own clients): never reported as
 * unmanaged, never exported. The embedded tenant seeds none of them.
 */
export const PLATFORM_CLIENT_IDS: readonly string[] = [
  "RCSClient",
  "admin-ui",
  "autoid-resource-server",
  "end-user-ui",
  "idm-admin-ui",
  "idm-provisioning",
  "idm-resource-server",
  "resource-server",
  "ui",
];

/** Where `npm start` and `cdktf-aic tenant` run the embedded tenant; the default target of `main.ts`. */
export const EMBEDDED_TENANT_URL = "http://127.0.0.1:18443";

/**
 * The folder beside `cdktf.json` (the directory synth and the CLI run in) for what belongs to one
 * checkout and never to git: a `TenantStack`'s default Terraform state (`state/<stack>.tfstate`)
 * and the embedded tenant's connection file and state. It holds a `.gitignore` of its own (`*`).
 */
export const LOCAL_DIR = ".cdktf-aic";

/** Where `cdktf-aic tenant` writes its connection file and keeps its state, by default (in LOCAL_DIR). */
export const TENANT_FILES = { connection: `${LOCAL_DIR}/tenant.json`, state: `${LOCAL_DIR}/tenant-state.json` } as const;

/** The path prefix of the embedded tenant's control endpoints (reset, faults, audit). */
export const CONTROL_PREFIX = "/__emulator";
