/**
 * The resource spec: what a construct hands to Terraform and the CLI applies. Canonical JSON
 * (sorted keys) so that the same desired state always synthesizes to the same string and
 * `terraform plan` shows only real changes. A spec never holds a secret value: only the name of
 * the env var that carries it and a version to bump for rotation.
 */
import { z } from "zod";
import { CLIENT_ID_PATTERN, ENV_NAME_PATTERN, KINDS, TOKEN_ENDPOINT_AUTH_METHODS } from "./constants";
import { ESV_EXPRESSION_TYPES, ESV_ID_PATTERN, ESV_MAX_DESCRIPTION_LENGTH, ESV_PREVIOUS_VERSIONS, ESV_SECRET_ENCODINGS, ESV_UNCONFIRMED } from "./esv";
import { SCRIPT_CONTEXTS, SCRIPT_LANGUAGES } from "./scripts";
import { normalizeTenant } from "./tenant";

const envName = z.string().regex(ENV_NAME_PATTERN, "must be a valid environment variable name");
const clientId = z.string().regex(CLIENT_ID_PATTERN, "may contain only letters, digits, '-' and '_'");
const nonEmptyUnique = z
  .array(z.string().min(1))
  .refine((a) => new Set(a).size === a.length, "must not contain duplicates");

export const AuthConfig = z.discriminatedUnion("method", [
  z.object({
    method: z.literal("service-account"),
    idEnv: envName,
    jwkEnv: envName,
    scopeEnv: envName.optional(),
  }),
  z.object({ method: z.literal("am-session"), usernameEnv: envName, passwordEnv: envName }),
  z.object({ method: z.literal("bearer"), tokenEnv: envName }),
]);
export type AuthConfig = z.infer<typeof AuthConfig>;

export const TenantRef = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }),
  realm: z.string().min(1),
  auth: AuthConfig,
});
export type TenantRef = z.infer<typeof TenantRef>;

/** The variable that holds the value when apply runs, and the label to bump to rotate it. */
export const SecretRef = z.object({ env: envName, version: z.union([z.number().int(), z.string().min(1)]) });
export type SecretRef = z.infer<typeof SecretRef>;

const base = { tenant: TenantRef };
/**
 * The object may already exist in the tenant (brought under code by `cdktf-aic export`): the apply
 * takes it over instead of refusing. Present only when true.
 */
const adopt = {
  adopt: z.literal(true).optional(),
  /**
   * `retain`: when the construct leaves the code, the object is forgotten (left in the tenant, no
   * longer managed) instead of deleted. Present only when set, so specs without it hash as before.
   */
  removalPolicy: z.literal("retain").optional(),
};

export const ProviderGrantsSpec = z.object({
  ...base,
  kind: z.literal("oauth2-provider-grants"),
  /** The realm singleton. */
  id: z.literal("oauth2-provider"),
  owned: z.object({
    /** AM grant strings that must be on; others are left alone. */
    grantTypes: nonEmptyUnique,
    /** Switch the AI agents feature on (never off). */
    aiAgentsEnabled: z.boolean().optional(),
    /**
     * AM's "Code Verifier Parameter Required": `public` for public clients, `true` for every client.
     * Ensured, never relaxed (`true` already covers `public`); present only when set.
     */
    codeVerifierEnforced: z.enum(["public", "true"]).optional(),
  }),
  removalPolicy: z.enum(["retain", "destroy"]),
});

const clientOwned = {
  name: z.string().min(1),
  description: z.string().optional(),
  /** Usernames of `<realm>_user`. */
  owners: z.array(z.string().min(1)),
  scopes: nonEmptyUnique,
  grantTypes: nonEmptyUnique,
  tokenEndpointAuthMethod: z.enum(TOKEN_ENDPOINT_AUTH_METHODS),
  /**
   * The client's secret comes from the tenant's secret store: AM reads the ESV that the realm maps to
   * `am.applications.oauth2.client.<identifier>.secret` (a `secret-mapping` of the stack). Present
   * only then; the spec has no `secret` (no pipeline holds the value).
   */
  secretLabelIdentifier: z.string().regex(ESV_UNCONFIRMED.secretLabelIdentifierPattern, "may contain letters, digits and single dots, not at either end").optional(),
};

/**
 * The OAuth2 May Act script (a `script` object's id) that stamps `may_act` on the tokens a client
 * issues: who may exchange them (`MayActRule`). Owned when present, cleared when it leaves the code.
 */
const mayActScript = z.uuid().optional();

export const WebAppSpec = z.object({
  ...base,
  kind: z.literal("web-app"),
  id: clientId,
  owned: z.object({
    ...clientOwned,
    mayActScript,
    redirectUris: z.array(z.string()),
    /** Owned only when present: stacks that never set them leave the tenant's values alone. */
    defaultScopes: z.array(z.string().min(1)).optional(),
    /** Seconds; 0 is the provider's lifetime. Owned only when present. */
    accessTokenLifetime: z.number().int().nonnegative().optional(),
  }),
  /** Absent when the secret comes from the tenant's store (`owned.secretLabelIdentifier`). */
  secret: SecretRef.optional(),
  ...adopt,
});

export const AiAgentSpec = z.object({
  ...base,
  kind: z.literal("ai-agent"),
  id: clientId,
  owned: z.object({
    ...clientOwned,
    mayActScript,
    scopes: z.array(z.string().min(1)),
    providerOverrides: z.object({
      enabled: z.boolean(),
      statelessTokens: z.boolean(),
      acceptAudienceInTokenExchange: z.boolean(),
    }),
    /** The scope-validation script (a `script` object's id) that limits what its exchanges yield. Owned only when present. */
    scopeLimitScript: z.uuid().optional(),
    /** The audiences its token exchanges may request (AM's exact-match allow-list). Owned only when present. */
    audiences: nonEmptyUnique.optional(),
  }),
  /** Absent when the secret comes from the tenant's store (`owned.secretLabelIdentifier`). */
  secret: SecretRef.optional(),
  ...adopt,
});

/**
 * What the console's application templates other than Web own of their client, as a web app does:
 * each kind says its token endpoint auth method (public clients: `none`).
 */
const applicationOwned = {
  ...clientOwned,
  /** Owned only when present, as a web app's. */
  defaultScopes: z.array(z.string().min(1)).optional(),
  accessTokenLifetime: z.number().int().nonnegative().optional(),
};

/** A public client's owned fields: no secret, `none` at the token endpoint, code + PKCE through its redirect URIs. */
const publicClientOwned = {
  ...applicationOwned,
  tokenEndpointAuthMethod: z.literal("none"),
  redirectUris: z.array(z.string()).min(1),
  /** The user is not asked for consent (AM's "Implied consent"). */
  impliedConsent: z.boolean(),
};

/** A single-page application (template `spa`): a public client whose browser origins may call the tenant. */
export const SpaSpec = z.object({
  ...base,
  kind: z.literal("spa"),
  id: clientId,
  owned: z.object({
    ...publicClientOwned,
    /** Origins (`https://app.example.com`) allowed to call the token endpoint from a browser: AM's JavaScript origins. */
    corsOrigins: z.array(z.string()),
  }),
  ...adopt,
});

/** A native (mobile or desktop) application (template `native`): a public client with custom-scheme or loopback redirects. */
export const NativeAppSpec = z.object({
  ...base,
  kind: z.literal("native-app"),
  id: clientId,
  owned: z.object(publicClientOwned),
  ...adopt,
});

/**
 * A service application (template `service`): a confidential client of the client-credentials
 * grant that authenticates with a secret (`secret`) or with `private_key_jwt` against the public
 * keys in `owned.jwks` (never a private key).
 */
export const ServiceAppSpec = z.object({
  ...base,
  kind: z.literal("service-app"),
  id: clientId,
  owned: z.object({
    ...applicationOwned,
    tokenEndpointAuthMethod: z.enum(["client_secret_basic", "client_secret_post", "private_key_jwt"]),
    /** The JWK set AM verifies the client's assertions with (`private_key_jwt` only): public keys. */
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }).optional(),
  }),
  /** Present for the secret methods; absent for `private_key_jwt`. */
  secret: SecretRef.optional(),
  ...adopt,
});

export const AgentGrantSpec = z.object({
  ...base,
  kind: z.literal("agent-grant"),
  /** `<agent client id>/<application client id>`: one privilege per pair. */
  id: z.string().regex(/^[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+$/),
  owned: z.object({
    agent: clientId,
    application: clientId,
    subjects: z.array(z.string().min(1)),
    subjectGroups: z.array(z.string().min(1)),
    /** Empty: any scope of the application. */
    scopes: z.array(z.string().min(1)),
    description: z.string().optional(),
  }),
  ...adopt,
});

/**
 * An AM script of the realm (the scripts API). Its id is derived from the realm and the name at
 * synth (`scriptId`), so that the clients wired to it can name it before it exists.
 */
export const ScriptSpec = z.object({
  ...base,
  kind: z.literal("script"),
  id: z.uuid(),
  owned: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    language: z.enum(SCRIPT_LANGUAGES),
    context: z.enum(Object.values(SCRIPT_CONTEXTS) as [string, ...string[]]),
    /** The source as text; AM holds it base64-encoded. */
    source: z.string().min(1),
  }),
  ...adopt,
});

const esvId = z.string().regex(ESV_ID_PATTERN, "must be esv- and then lower-case letters, digits, '_' or '-'");
const esvDescription = z.string().max(ESV_MAX_DESCRIPTION_LENGTH);
/**
 * The tenant's restart policy (its `esvRestart`): present, the apply restarts the tenant's
 * environment when ESV changes it wrote wait for a restart, and waits up to `timeoutSeconds` for
 * ready; absent, it restarts nothing (the changes stay pending).
 */
const esvRestart = { restart: z.object({ timeoutSeconds: z.number().int().positive() }).optional() };

/**
 * An environment secret (ESV) of the tenant (ESVs are tenant-wide: the realm of `tenant` only says
 * which admin session writes it). Its value is `secret`: the env var read at apply time, never the
 * value; a version bump adds a secret version.
 */
export const EsvSecretSpec = z.object({
  ...base,
  kind: z.literal("esv-secret"),
  id: esvId,
  owned: z.object({
    description: esvDescription,
    /** Fixed on create: a change is refused by the tenant. */
    encoding: z.enum(ESV_SECRET_ENCODINGS),
    useInPlaceholders: z.boolean(),
  }),
  secret: SecretRef,
  /** What a version bump does to the older versions (absent: `keep`, they stay ENABLED). */
  previousVersions: z.enum(ESV_PREVIOUS_VERSIONS).optional(),
  ...esvRestart,
  ...adopt,
});

/** An environment variable (ESV) of the tenant: its value is in code (variables are not secret). */
export const EsvVariableSpec = z.object({
  ...base,
  kind: z.literal("esv-variable"),
  id: esvId,
  owned: z.object({
    value: z.string(),
    /** Fixed on create: a change is refused by the tenant. */
    expressionType: z.enum(ESV_EXPRESSION_TYPES),
    description: esvDescription,
  }),
  ...esvRestart,
  ...adopt,
});

/**
 * A mapping of the realm's ESV secret store: AM reads the secret `label` (the id, e.g.
 * `am.applications.oauth2.client.<identifier>.secret`) from the ESV secret `owned.esv`. Mapped
 * secrets need no tenant restart.
 */
export const SecretMappingSpec = z.object({
  ...base,
  kind: z.literal("secret-mapping"),
  id: z.string().regex(/^[A-Za-z0-9]+([.-][A-Za-z0-9]+)*$/, "must be a secret label: letters, digits, dots and dashes"),
  owned: z.object({ esv: esvId }),
  ...adopt,
});

export const Spec = z.discriminatedUnion("kind", [ProviderGrantsSpec, ScriptSpec, WebAppSpec, SpaSpec, NativeAppSpec, ServiceAppSpec, AiAgentSpec, AgentGrantSpec, EsvSecretSpec, EsvVariableSpec, SecretMappingSpec]);
export type Spec = z.infer<typeof Spec>;
export type SpecOf<K extends Spec["kind"]> = Extract<Spec, { kind: K }>;

/** A spec that names a secret in the environment: a client whose secret the pipeline holds, an environment secret. */
export type WithEnvSecret = Extract<Spec, { secret?: unknown }> & { readonly secret: SecretRef };

/** Whether the spec names a secret in the environment (a client whose secret is in the tenant's store does not). */
export function hasEnvSecret(spec: Spec): spec is WithEnvSecret {
  return "secret" in spec && spec.secret !== undefined;
}

/**
 * What names an object in a tenant: a change of any of it means another object. For the realm's
 * provider grants it also says what deleting means (`removal`), since that object is never deleted.
 */
export const Identity = z.object({
  kind: z.enum(KINDS),
  tenant: TenantRef,
  id: z.string(),
  removal: z.object({ policy: z.enum(["retain", "destroy"]), grantTypes: z.array(z.string()) }).optional(),
});
export type Identity = z.infer<typeof Identity>;

export function identityOf(spec: Spec): Identity {
  const identity: Identity = { kind: spec.kind, tenant: spec.tenant, id: spec.id };
  if (spec.kind === "oauth2-provider-grants") {
    identity.removal = { policy: spec.removalPolicy, grantTypes: spec.owned.grantTypes };
  }
  return identity;
}

/**
 * The realm of a tenant, as a key: `baseUrl|realm`, both normalised (`normalizeTenant`), so
 * objects with one key live in one realm however the tenant was spelled.
 */
export function tenantKey(tenant: Pick<TenantRef, "baseUrl" | "realm">): string {
  const { baseUrl, realm } = normalizeTenant({ baseUrl: tenant.baseUrl, realm: tenant.realm });
  return `${baseUrl}|${realm}`;
}

/** A stable key of an identity, for journals, maps and the object's resource: `<kind>|<baseUrl>|<realm>|<id>`. */
export function identityKey(i: Pick<Identity, "kind" | "tenant" | "id">): string {
  return [i.kind, tenantKey(i.tenant), i.id].join("|");
}

/** The tenant key (`baseUrl|realm`) inside an identity key. */
export function tenantKeyOfIdentityKey(key: string): string {
  return key.split("|").slice(1, 3).join("|");
}

/**
 * A spec as an object's resource records it: without its tenant, which the tenant's journal holds
 * once (a third less state per object, and Terraform rewrites the whole state after every resource).
 */
export function specWithoutTenant(spec: Spec): Omit<Spec, "tenant"> {
  const { tenant: _tenant, ...rest } = spec;
  return rest;
}

/** JSON with object keys sorted at every level; arrays keep their order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** Parses a spec string (from a provisioner's environment) with a message that names the field. */
export function parseSpec(json: string): Spec {
  const result = Spec.safeParse(JSON.parse(json));
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`invalid spec at ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return result.data;
}
