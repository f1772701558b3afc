import { Construct, IConstruct } from "constructs";
import { Fn, TerraformStack, Token } from "cdktf";
import {
  AuthConfig,
  canonicalBaseUrl,
  canonicalRealm,
  CLIENT_KINDS,
  COMMANDS,
  DEFAULT_CREDENTIAL_ENV,
  EMBEDDED_TENANT_URL,
  ESV_RESTART_POLICIES,
  ESV_RESTART_TIMEOUT_SECONDS,
  type EsvRestartPolicy,
  LOOPBACK_HOSTS,
  PROVISIONER_ENV,
  Spec,
  TENANT_WIDE_KINDS,
  TenantRef,
  tenantKey,
} from "../src/contract";
import { VALIDATION_CODES as C, ValidationError, hasPropErrors, validationMessage } from "./errors";
import { checkEnvName, checkKnownProps, type PropNames } from "./private/checks";
import { cliAssetPath } from "./private/cli-asset";
import { tenantTerraformOnlyErrors, terraformOnlyErrors } from "./private/known-values";
import { CustomResourceType, ManagedObject, createCustomResource, managedObjectsByKey } from "./private/custom-resource";
import { TenantJournal } from "./private/journal";

/** Options of {@link TenantCredentials.serviceAccount}. */
export interface ServiceAccountCredentialsOptions {
  /**
   * The variable that holds the service account's id.
   *
   * @default "AIC_SERVICE_ACCOUNT_ID"
   */
  readonly idEnv?: string;
  /**
   * The variable that holds the service account's private JWK (JSON).
   *
   * @default "AIC_SERVICE_ACCOUNT_JWK"
   */
  readonly jwkEnv?: string;
  /**
   * The variable that may hold the scope to request; when it is unset the CLI requests
   * `fr:am:* fr:idm:*`.
   *
   * @default "AIC_SERVICE_ACCOUNT_SCOPE"
   */
  readonly scopeEnv?: string;
}

/** Options of {@link TenantCredentials.amAdmin}. */
export interface AmAdminCredentialsOptions {
  /**
   * The variable that holds the AM administrator's user name.
   *
   * @default "AM_ADMIN_USERNAME"
   */
  readonly usernameEnv?: string;
  /**
   * The variable that holds the AM administrator's password.
   *
   * @default "AM_ADMIN_PASSWORD"
   */
  readonly passwordEnv?: string;
}

/** Options of {@link TenantCredentials.bearerToken}. */
export interface BearerTokenCredentialsOptions {
  /**
   * The variable that holds an access token with the `fr:am:*` and `fr:idm:*` scopes.
   *
   * @default "AIC_BEARER_TOKEN"
   */
  readonly tokenEnv?: string;
}

/**
 * How the CLI authenticates to the tenant: the names of the environment variables that hold the
 * credentials when Terraform runs. Never the credentials themselves.
 */
export class TenantCredentials {
  /** An Advanced Identity Cloud service account (JWT bearer grant). The default. */
  static serviceAccount(options: ServiceAccountCredentialsOptions = {}): TenantCredentials {
    return new TenantCredentials({
      method: "service-account",
      idEnv: options.idEnv ?? DEFAULT_CREDENTIAL_ENV.serviceAccountId,
      jwkEnv: options.jwkEnv ?? DEFAULT_CREDENTIAL_ENV.serviceAccountJwk,
      scopeEnv: options.scopeEnv ?? DEFAULT_CREDENTIAL_ENV.serviceAccountScope,
    });
  }

  /** A self-managed PingAM administrator (AM session). */
  static amAdmin(options: AmAdminCredentialsOptions = {}): TenantCredentials {
    return new TenantCredentials({
      method: "am-session",
      usernameEnv: options.usernameEnv ?? DEFAULT_CREDENTIAL_ENV.amAdminUsername,
      passwordEnv: options.passwordEnv ?? DEFAULT_CREDENTIAL_ENV.amAdminPassword,
    });
  }

  /** A ready-made access token, e.g. minted by a CI step. */
  static bearerToken(options: BearerTokenCredentialsOptions = {}): TenantCredentials {
    return new TenantCredentials({ method: "bearer", tokenEnv: options.tokenEnv ?? DEFAULT_CREDENTIAL_ENV.bearerToken });
  }

  private constructor(
    /** The credential configuration as the spec carries it: env var names only. */
    public readonly authConfig: AuthConfig,
  ) {}

  /** The env var names, by the prop that set them. */
  envNames(): Record<string, string> {
    const { method: _method, ...names } = this.authConfig;
    return names as Record<string, string>;
  }
}

/** The tenant's ESV restart policy ({@link AicTenantProps.esvRestart}). */
export interface EsvRestartProps {
  /**
   * `"never"`: ESV changes that wait for a restart stay pending (plan and apply name them; restart
   * the tenant's environment yourself). `"after-apply"`: when the apply wrote ESVs and changes are
   * pending, it restarts the tenant's environment once (after checking it is ready) and waits
   * until it is ready again.
   */
  readonly policy: EsvRestartPolicy;
  /**
   * With `"after-apply"`: how long the apply waits for the tenant to be ready, in seconds; past it
   * the apply fails, naming the ESVs still pending.
   *
   * @default 600 (Ping's console: an update can take up to 10 minutes)
   */
  readonly timeoutSeconds?: number;
}

/** The longest restart wait a tenant may set, in seconds. */
const MAX_RESTART_TIMEOUT_SECONDS = 3600;

/** Props of {@link AicTenant}. */
export interface AicTenantProps {
  /**
   * The tenant's base URL, without `/am` (AIC: `https://<tenant host>`; self-managed AM: the URL the
   * `/json` endpoints sit under).
   */
  readonly baseUrl: string;
  /**
   * The realm the constructs configure.
   *
   * @default "alpha" (the Advanced Identity Cloud default realm)
   */
  readonly realm?: string;
  /**
   * How the CLI authenticates when Terraform runs.
   *
   * @default TenantCredentials.serviceAccount()
   */
  readonly credentials?: TenantCredentials;
  /**
   * The Terraform resource type that carries the custom resources.
   *
   * `terraform_data` is built into Terraform (1.4 and later) and OpenTofu: the stack needs no
   * provider, `terraform plan` shows each changed field of a spec, and changing the credential env
   * names updates in place. `null_resource` needs the hashicorp/null provider; its triggers are
   * JSON strings, and any change to them (credential env names too) deletes and re-creates.
   *
   * @default "terraform_data"
   */
  readonly customResourceType?: CustomResourceType;
  /**
   * Restore drift on every apply: changes made in the tenant outside code (in the console, say)
   * to objects this stack manages are overwritten by the next `terraform apply`.
   *
   * Terraform re-runs an object's apply only when its spec changes; with this on, a `Reconcile`
   * resource that Terraform replaces on every apply (so the plan always shows one change) runs
   * `cdktf-aic reconcile`: one batched read of the tenant, then a write to each object whose
   * owned fields differ from code. Client secrets are written only by the objects' own applies.
   * Off, `cdktf-aic plan` shows drift and the command that restores one object.
   *
   * @default false
   */
  readonly restoreDrift?: boolean;
  /**
   * Whether the apply restarts the tenant's environment to load the changes of its environment
   * secrets and variables (AIC only): see {@link EsvRestartProps}. Plan says which ESVs wait for a
   * restart and whether the apply does it.
   *
   * @default { policy: "never" }
   */
  readonly esvRestart?: EsvRestartProps;
}

const AIC_TENANT = Symbol.for("cdktf-aic.AicTenant");
/**
 * The AicTenants a construct holds as children, kept on the construct itself as each is made: `of()`
 * asks every ancestor, and scanning an ancestor's children for each construct made a stack of N
 * objects take O(N²) (the stack holds them all). A global symbol, like AIC_TENANT, so that two copies
 * of the library see each other's tenants.
 */
const TENANTS_HERE = Symbol.for("cdktf-aic.AicTenant.children");

/** The AicTenants among the children of `scope`. */
function tenantsIn(scope: IConstruct): readonly AicTenant[] {
  return (scope as unknown as { [TENANTS_HERE]?: AicTenant[] })[TENANTS_HERE] ?? [];
}

/** The props, for the check of unknown ones at run time (checkKnownProps). */
const PROPS: PropNames<AicTenantProps> = { baseUrl: true, realm: true, credentials: true, customResourceType: true, restoreDrift: true, esvRestart: true };

/**
 * Where and how to reach a tenant. Every construct configures the nearest AicTenant: an ancestor,
 * or the one AicTenant among the children of an ancestor (usually the stack). It also wires the
 * bundled CLI asset and the tenant's inventory (and, for `null_resource`, the null provider) into
 * the stack.
 *
 * `TenantStack` creates one; in any other stack create it yourself.
 */
export class AicTenant extends Construct {
  /** Whether `x` is an AicTenant. */
  static isAicTenant(x: unknown): x is AicTenant {
    return typeof x === "object" && x !== null && AIC_TENANT in x;
  }

  /** The tenant a construct at `scope` configures. */
  static of(scope: IConstruct): AicTenant {
    for (const s of [...scope.node.scopes].reverse()) {
      if (AicTenant.isAicTenant(s)) return s;
      const found = tenantsIn(s);
      if (found.length === 1) return found[0];
      if (found.length > 1) {
        throw ValidationError.of(scope, C.ambiguousTenant, {
          problem: `more than one AicTenant is in scope`,
          received: found.map((t) => t.node.path),
          allowed: "exactly one AicTenant among the construct's ancestors or their children",
          fix: "create the construct inside the AicTenant it configures, e.g. new ConfidentialWebApp(tenant, ...)",
        });
      }
    }
    throw ValidationError.of(scope, C.noTenant, {
      problem: "no AicTenant is in scope",
      received: scope.node.path,
      allowed: "a construct inside a TenantStack, or in a stack with an AicTenant",
      fix: "use new TenantStack(app, id, { tenant: {...} }) or add new AicTenant(stack, \"Tenant\", {...})",
    });
  }

  public readonly baseUrl: string;
  public readonly realm: string;
  public readonly credentials: TenantCredentials;
  /** The tenant part of every spec. */
  public readonly tenantRef: TenantRef;
  /** The ESV restart policy, defaults filled in. */
  public readonly esvRestart: Required<EsvRestartProps>;

  private readonly journal: TenantJournal;

  constructor(scope: Construct, id: string, props: AicTenantProps) {
    super(scope, id);
    checkKnownProps(this, "AicTenantProps", props, PROPS);
    Object.defineProperty(this, AIC_TENANT, { value: true });
    const holder = scope as unknown as { [TENANTS_HERE]?: AicTenant[] };
    if (!holder[TENANTS_HERE]) Object.defineProperty(holder, TENANTS_HERE, { value: [] });
    holder[TENANTS_HERE]!.push(this);
    const givenRealm = props.realm ?? "alpha";
    const credentials = props.credentials ?? TenantCredentials.serviceAccount();
    checkBaseUrl(this, props.baseUrl);
    // One spelling per realm (`root/alpha`, `/alpha` → `alpha`): the realm is part of every identity.
    const realm = Token.isUnresolved(givenRealm) ? givenRealm : canonicalRealm(givenRealm);
    if (!Token.isUnresolved(realm) && !(/^[A-Za-z0-9_/-]+$/.test(givenRealm) && /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(realm))) {
      throw ValidationError.of(this, C.invalidRealm, {
        problem: "realm is not a realm name",
        received: givenRealm,
        allowed: `a realm name such as "alpha", "bravo" or "root" (sub-realms as "parent/child"; "/alpha" and "root/alpha" are "alpha")`,
        fix: "use the realm name as the admin console shows it",
      });
    }
    for (const [prop, name] of Object.entries(credentials.envNames())) checkEnvName(this, `credentials.${prop}`, name);

    // One spelling per tenant (host case, default port, trailing slash, localhost): see canonicalBaseUrl.
    this.baseUrl = Token.isUnresolved(props.baseUrl) ? props.baseUrl : canonicalBaseUrl(props.baseUrl);
    this.realm = realm;
    this.credentials = credentials;
    this.tenantRef = { baseUrl: this.baseUrl, realm, auth: credentials.authConfig };
    this.esvRestart = checkEsvRestart(this, props.esvRestart ?? { policy: "never" });
    const cliPath = cliAssetPath(this);
    const type = props.customResourceType ?? "terraform_data";
    this.journal = new TenantJournal(this, cliPath, type, this.tenantRef);
    this.node.addValidation({ validate: () => tenantTerraformOnlyErrors(this.tenantRef) });
    if (props.restoreDrift) {
      const reconcile = createCustomResource(this, "Reconcile", type, cliPath, {
        // A value that differs at every plan: the resource is replaced, so reconcile runs, on every apply.
        replaceOn: { at: Fn.plantimestamp() },
        carry: { reconcile: { baseUrl: this.baseUrl, realm } },
        provisioners: [{ command: COMMANDS.reconcile, literalEnvironment: { [PROVISIONER_ENV.tenant]: this.tenantRef }, when: "create" }],
      });
      this.journal.runAfter(reconcile);
    }
  }

  /** `baseUrl|realm`: constructs with the same key configure the same realm. */
  get tenantKey(): string {
    return tenantKey(this);
  }

  /**
   * Makes `owner` manage the object `spec` describes: creates its `Resource`, adds it to the
   * tenant's journal and registers the checks that need the whole app (duplicate objects, the
   * spec schema).
   *
   * @internal
   */
  public _manage(owner: Construct, spec: Spec): ManagedObject {
    const object = this.journal.manage(owner, spec);
    // A spec made from props that already failed a check would only repeat that error.
    owner.node.addValidation({
      validate: () => (hasPropErrors(owner) ? [] : [...duplicateErrors(object), ...sharedGrantTypeErrors(object), ...specErrors(spec), ...terraformOnlyErrors(spec)]),
    });
    return object;
  }
}

/** The restart policy, checked, with its default timeout. */
function checkEsvRestart(scope: IConstruct, restart: EsvRestartProps): Required<EsvRestartProps> {
  const timeoutSeconds = restart.timeoutSeconds ?? ESV_RESTART_TIMEOUT_SECONDS;
  if (!(ESV_RESTART_POLICIES as readonly string[]).includes(restart.policy)) {
    throw ValidationError.of(scope, C.invalidEsvOption, {
      problem: "esvRestart.policy is not a restart policy",
      received: restart.policy,
      allowed: ESV_RESTART_POLICIES.map((p) => `"${p}"`).join(", "),
      fix: `use "never" (the default: changes stay pending) or "after-apply" (the apply restarts and waits)`,
    });
  }
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > MAX_RESTART_TIMEOUT_SECONDS) {
    throw ValidationError.of(scope, C.invalidEsvOption, {
      problem: "esvRestart.timeoutSeconds is not a whole number of seconds in range",
      received: timeoutSeconds,
      allowed: `an integer from 1 to ${MAX_RESTART_TIMEOUT_SECONDS}`,
      fix: `use e.g. ${ESV_RESTART_TIMEOUT_SECONDS} (the default)`,
    });
  }
  return { policy: restart.policy, timeoutSeconds };
}

const isClient = (o: ManagedObject): boolean => (CLIENT_KINDS as readonly string[]).includes(o.spec.kind);

/**
 * The base URL is where every admin credential is sent: https (http only to this machine), no
 * credentials, query or fragment in it, no spaces, and the tenant's root, not its `/am`.
 */
function checkBaseUrl(scope: IConstruct, baseUrl: string): void {
  if (Token.isUnresolved(baseUrl)) return;
  const example = `e.g. "https://tenant.example.com" or "${EMBEDDED_TENANT_URL}" (the embedded tenant)`;
  const fail = (code: (typeof C)[keyof typeof C], problem: string, allowed: string, fix: string, received: string = baseUrl): never => {
    throw ValidationError.of(scope, code, { problem: `baseUrl ${problem}`, received, allowed, fix });
  };
  const shape = "an absolute https:// URL of the tenant's root: no credentials, no ?query or #fragment, no spaces, without /am";
  if (/\s/.test(baseUrl)) fail(C.invalidTenantUrl, "contains whitespace", shape, `remove the spaces: ${example}`, baseUrl);
  if (!TenantRef.shape.baseUrl.safeParse(baseUrl).success) fail(C.invalidTenantUrl, "is not an http(s) URL", shape, `use ${example}`);
  const url = new URL(baseUrl);
  if (url.username || url.password) {
    const masked = `${url.protocol}//***@${url.host}${url.pathname}`;
    fail(
      C.tenantUrlCredentials,
      "carries credentials (user:password@)",
      shape,
      "remove them from the URL and give them through the tenant's credential env vars (TenantCredentials)",
      masked,
    );
  }
  if (baseUrl.includes("?") || baseUrl.includes("#")) {
    fail(C.invalidTenantUrl, "has a query or fragment", "a base URL without ?query or #fragment", `use the tenant's root only: ${url.origin}`);
  }
  if (/\/am\/*$/i.test(url.pathname)) {
    fail(C.invalidTenantUrl, "ends in /am", "the tenant's root: the client adds /am and /openidm itself", `drop /am: "${canonicalBaseUrl(baseUrl.replace(/\/am\/*$/i, ""))}"`);
  }
  if (url.protocol === "http:" && !LOOPBACK_HOSTS.has(url.hostname)) {
    fail(
      C.insecureTenantUrl,
      "uses http:// to another host: admin credentials and client secrets would cross the network unencrypted",
      "https:// for every tenant; http:// only for this machine (127.0.0.1, localhost, [::1])",
      `use "https://${url.host}${url.pathname.replace(/\/+$/, "")}"`,
    );
  }
}

/** Web apps and AI agents share one client id namespace per realm; other kinds have their own (ESVs one per tenant). */
const namespaceKey = (o: ManagedObject): string =>
  [TENANT_WIDE_KINDS.includes(o.spec.kind) ? o.spec.tenant.baseUrl : o.tenantKey, isClient(o) ? "client" : o.spec.kind, o.spec.id].join("|");

/**
 * Another object in the app with the same identity (clients: the same client id in the realm):
 * in another stack too, whose destroy would delete this one's object.
 */
function duplicateErrors(object: ManagedObject): string[] {
  // The realm's provider grants are additive: other stacks may ensure grant types there too.
  const where = object.spec.kind === "oauth2-provider-grants" ? "stack" : "app";
  const clashes = (managedObjectsByKey(object.owner, namespaceKey, where).get(namespaceKey(object)) ?? []).filter((o) => o !== object);
  if (clashes.length === 0) return [];
  // Moving an object between stacks: the stack that lets go has removalPolicy "retain" (its
  // destroy leaves the object), so at most one declaration, each in its own stack, deletes it.
  const all = [object, ...clashes];
  const stacks = new Set(all.map((o) => TerraformStack.of(o.owner)));
  const retained = (o: ManagedObject) => o.spec.kind !== "oauth2-provider-grants" && o.spec.removalPolicy === "retain";
  if (stacks.size === all.length && all.filter((o) => !retained(o)).length <= 1) return [];
  const paths = clashes.map((o) => o.owner.node.path);
  return [
    isClient(object)
      ? validationMessage(C.duplicateClientId, {
          problem: `client id "${object.spec.id}" of ${object.owner.node.path} is also used by ${paths.join(", ")} (applications and AI agents share one client id namespace; in two stacks, destroying one would delete the other's object)`,
          received: object.spec.id,
          allowed: "each client id once per realm",
          fix: `give one of them another clientId, or import the existing one with fromClientId; to move it to another stack, set removalPolicy: "retain" on the one that lets it go`,
        })
      : validationMessage(C.duplicateObject, {
          problem: `${object.owner.node.path} and ${paths.join(", ")} configure the same ${object.spec.kind} object`,
          received: object.spec.id,
          allowed: `one ${object.spec.kind} construct per object and realm`,
          fix: "merge the two constructs into one",
        }),
  ];
}

const providerKey = (o: ManagedObject): string => (o.spec.kind === "oauth2-provider-grants" ? o.tenantKey : "");

/**
 * `removalPolicy: "destroy"` takes grant types off the realm when its construct goes: never one that
 * another stack of the app declares for the same realm (that stack relies on it). Stacks of other
 * apps cannot be seen here; README says so.
 */
function sharedGrantTypeErrors(object: ManagedObject): string[] {
  const spec = object.spec;
  if (spec.kind !== "oauth2-provider-grants" || spec.removalPolicy !== "destroy") return [];
  const stack = TerraformStack.of(object.owner);
  const others = (managedObjectsByKey(object.owner, providerKey, "app").get(providerKey(object)) ?? []).filter((o) => TerraformStack.of(o.owner) !== stack);
  const shared = others.flatMap((o) => {
    const declared = o.spec.kind === "oauth2-provider-grants" ? o.spec.owned.grantTypes : [];
    const both = spec.owned.grantTypes.filter((g) => declared.includes(g));
    return both.length > 0 ? [`${o.owner.node.path} (${both.join(", ")})`] : [];
  });
  if (shared.length === 0) return [];
  return [
    validationMessage(C.grantTypesShared, {
      problem: `removalPolicy "destroy" would take grant types off realm ${spec.tenant.realm} that another stack declares too: ${shared.join("; ")}`,
      received: spec.owned.grantTypes,
      allowed: `removalPolicy "destroy" only for grant types no other stack of the realm declares`,
      fix: `use removalPolicy "retain" (the default) for grant types several stacks rely on`,
    }),
  ];
}

/** The contract's schema, as a backstop behind the props checks; token values are skipped. */
function specErrors(spec: Spec): string[] {
  const result = Spec.safeParse(spec);
  if (result.success) return [];
  return result.error.issues
    .filter((issue) => !isUnresolvedAt(spec, issue.path))
    .map((issue) =>
      validationMessage(C.invalidSpec, {
        problem: `the resource spec is invalid at ${issue.path.join(".") || "(root)"}: ${issue.message}`,
        received: valueAt(spec, issue.path),
        allowed: "a value the contract schema (src/contract/spec.ts) accepts",
        fix: "correct the prop that sets this field",
      }),
    );
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined), value);
}

function isUnresolvedAt(value: unknown, path: readonly PropertyKey[]): boolean {
  for (let i = 0; i <= path.length; i++) {
    const v = valueAt(value, path.slice(0, i));
    if ((typeof v === "string" || typeof v === "number") && Token.isUnresolved(v)) return true;
  }
  return false;
}
