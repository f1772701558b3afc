/**
 * The tenant's environment secrets and variables (ESVs): values that AIC configuration reads
 * through `&{esv.…}` placeholders and secret-store mappings. ESVs are tenant-wide: the tenant
 * construct they belong to says which admin session writes them and whether the apply restarts
 * the tenant's environment to load their changes (`AicTenantProps.esvRestart`). They exist in
 * Advanced Identity Cloud only.
 */
import { Token } from "cdktf";
import { Construct, IConstruct } from "constructs";
import {
  ESV_EXPRESSION_TYPES,
  ESV_MAX_DESCRIPTION_LENGTH,
  ESV_MAX_VALUE_BYTES,
  ESV_PREVIOUS_VERSIONS,
  ESV_SECRET_ENCODINGS,
  ESV_UNCONFIRMED,
  type EsvExpressionType,
  type EsvPreviousVersions,
  type EsvSecretEncoding,
} from "../src/contract";
import { AicTenant } from "./aic-tenant";
import { VALIDATION_CODES as C, propError, ValidationError } from "./errors";
import { checkEsvId, checkKnownProps, checkSecret, type PropNames } from "./private/checks";
import { adoptField, checkObjectRemovalPolicy, type ObjectRemovalPolicy } from "./private/client";
import type { Secret } from "./secret";

/** What every ESV construct takes besides its value. */
interface EsvCommonProps {
  /** The ESV's id: `esv-` then lower-case letters, digits, `_` and `-` (at most 128 characters), e.g. `esv-api-key`. */
  readonly esvId: string;
  /**
   * Shown in the admin console.
   *
   * @default "" (none)
   */
  readonly description?: string;
  /**
   * Take over the ESV when it already exists in the tenant but was not created by this stack.
   * Adopting a secret writes no value (bump its version to write one).
   *
   * @default false
   */
  readonly adopt?: boolean;
  /**
   * `"destroy"` deletes the ESV when this construct leaves the code; `"retain"` leaves it in the
   * tenant, no longer managed (set it and apply before removing the construct).
   *
   * @default "destroy"
   */
  readonly removalPolicy?: ObjectRemovalPolicy;
}

/** Props of {@link EnvironmentSecret}. */
export interface EnvironmentSecretProps extends EsvCommonProps {
  /**
   * The value: `Secret.fromEnv("NAME", { version })`, read by the apply from that environment
   * variable, never in the synthesized configuration, state, plan or logs. Bump the version to
   * write a new secret version (what becomes of the older ones: `previousVersions`).
   */
  readonly value: Secret;
  /**
   * What a version bump does to the older versions once the new one is written: `"keep"` them
   * enabled (a client mapped to the secret still authenticates with them while its users move
   * on), `"disable"` them, or `"destroy"` them (one-way). The new, latest version is never touched.
   *
   * @default "keep"
   */
  readonly previousVersions?: EsvPreviousVersions;
  /**
   * Usable as a `&{esv.…}` placeholder in configuration (then a change waits for a restart of the
   * tenant's environment). `false` keeps the secret for secret-store mappings only: its changes
   * are used at once, and it has no `placeholder`. Fixed when the secret is created.
   *
   * @default true
   */
  readonly useInPlaceholders?: boolean;
  /**
   * How the value is read: `generic` (any text), `pem`, `base64hmac` or `base64aes` (a base64 key).
   * Fixed when the secret is created.
   *
   * @default "generic"
   */
  readonly encoding?: EsvSecretEncoding;
}

/** Props of {@link EnvironmentVariable}. */
export interface EnvironmentVariableProps extends EsvCommonProps {
  /** The value, in code (variables are not secret), e.g. `"1389"` or `"a,b"`. */
  readonly value: string;
  /**
   * How the value is read where its placeholder is used. Fixed when the variable is created.
   *
   * @default "string"
   */
  readonly expressionType?: EsvExpressionType;
}

const COMMON: PropNames<EsvCommonProps> = { esvId: true, description: true, adopt: true, removalPolicy: true };
const SECRET_PROPS: PropNames<EnvironmentSecretProps> = { ...COMMON, value: true, encoding: true, previousVersions: true, useInPlaceholders: true };
const VARIABLE_PROPS: PropNames<EnvironmentVariableProps> = { ...COMMON, value: true, expressionType: true };

const unresolved = (v: unknown): boolean => typeof v === "string" && Token.isUnresolved(v);

function checkDescription(scope: IConstruct, description: string): void {
  if (unresolved(description) || description.length <= ESV_MAX_DESCRIPTION_LENGTH) return;
  propError(scope, C.esvDescriptionTooLong, {
    problem: `description is longer than ${ESV_MAX_DESCRIPTION_LENGTH} characters`,
    received: `${description.slice(0, 40)}… (${description.length} characters)`,
    allowed: `at most ${ESV_MAX_DESCRIPTION_LENGTH} characters`,
    fix: "shorten the description",
  });
}

function checkOneOf<T extends string>(scope: IConstruct, prop: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  propError(scope, C.invalidEsvOption, {
    problem: `${prop} is not one the tenant knows`,
    received: value,
    allowed: allowed.map((a) => `"${a}"`).join(", "),
    fix: `use one of them (default "${allowed[0]}")`,
  });
  return allowed[0];
}

/**
 * ESVs are Advanced Identity Cloud's: a self-managed PingAM has none. The tenant says which it is
 * by its credentials (`TenantCredentials.amAdmin()` is a self-managed PingAM administrator's).
 */
function checkAic(scope: IConstruct, tenant: AicTenant): void {
  if (tenant.credentials.authConfig.method !== "am-session") return;
  propError(scope, C.esvNotOnPingAm, {
    problem: "environment secrets and variables exist in Advanced Identity Cloud only, and this tenant is a self-managed PingAM (its credentials are TenantCredentials.amAdmin())",
    received: tenant.baseUrl,
    allowed: "an EnvironmentSecret or EnvironmentVariable in a stack whose tenant is Advanced Identity Cloud (service account or bearer token credentials)",
    fix: "remove the construct, or keep the value in PingAM's own secret stores or configuration; if the tenant is Advanced Identity Cloud, use TenantCredentials.serviceAccount()",
  });
}

/** The props every ESV takes, checked; the spec's common fields (with the tenant's restart policy). */
function common(scope: Construct, props: EsvCommonProps) {
  checkEsvId(scope, "esvId", props.esvId);
  const description = props.description ?? "";
  checkDescription(scope, description);
  const tenant = AicTenant.of(scope);
  checkAic(scope, tenant);
  const { policy, timeoutSeconds } = tenant.esvRestart;
  const restart = policy === "after-apply" ? { restart: { timeoutSeconds } } : {};
  return { tenant, base: { tenant: tenant.tenantRef, id: props.esvId }, description, extra: { ...restart, ...adoptField(props.adopt, checkObjectRemovalPolicy(scope, props.removalPolicy)) } };
}

/**
 * An environment secret (ESV secret) of the tenant, e.g. an API key that scripts and mappings use.
 * A new secret is created with the value; a version bump adds a secret version (which becomes the
 * active one; the older ones as `previousVersions` says); a description change updates the
 * description only; removing the construct deletes the secret. A change that placeholders use
 * waits for a restart of the tenant's environment (pending unless the tenant's `esvRestart`
 * policy is `after-apply`).
 */
export class EnvironmentSecret extends Construct {
  /** The ESV id. */
  public readonly esvId: string;
  /** Whether it is usable as a placeholder (`useInPlaceholders`). */
  public readonly useInPlaceholders: boolean;

  constructor(scope: Construct, id: string, props: EnvironmentSecretProps) {
    super(scope, id);
    checkKnownProps(this, "EnvironmentSecretProps", props, SECRET_PROPS);
    checkSecret(this, "value", props.value);
    const encoding = checkOneOf(this, "encoding", props.encoding ?? "generic", ESV_SECRET_ENCODINGS);
    const previousVersions = checkOneOf(this, "previousVersions", props.previousVersions ?? "keep", ESV_PREVIOUS_VERSIONS);
    const { tenant, base, description, extra } = common(this, props);
    this.useInPlaceholders = props.useInPlaceholders ?? true;
    tenant._manage(this, {
      kind: "esv-secret",
      ...base,
      owned: { description, encoding, useInPlaceholders: this.useInPlaceholders },
      // A value from the store (Secret.fromEsv) was reported by checkSecret: synth fails on it.
      secret: props.value.toSecretRef()!,
      // "keep" is the absence of a policy: specs written before it existed keep their hash.
      ...(previousVersions === "keep" ? {} : { previousVersions }),
      ...extra,
    });
    this.esvId = props.esvId;
  }

  /** The placeholder that names it in configuration, e.g. `&{esv.api.key}`; a secret kept out of placeholders has none. */
  get placeholder(): string {
    if (this.useInPlaceholders) return ESV_UNCONFIRMED.placeholder(this.esvId);
    throw ValidationError.of(this, C.invalidEsvOption, {
      problem: `${this.esvId} has useInPlaceholders: false, so no placeholder names it`,
      received: false,
      allowed: "placeholder of a secret with useInPlaceholders: true (the default)",
      fix: "set useInPlaceholders: true (a new secret: the tenant fixes it on create), or use the secret through a secret-store mapping",
    });
  }
}

/**
 * An environment variable (ESV variable) of the tenant: its value is in code. A value or
 * description change updates it; removing the construct deletes it. A change waits for a restart
 * of the tenant's environment before placeholders see it (pending unless the tenant's
 * `esvRestart` policy is `after-apply`).
 */
export class EnvironmentVariable extends Construct {
  /** The ESV id. */
  public readonly esvId: string;

  constructor(scope: Construct, id: string, props: EnvironmentVariableProps) {
    super(scope, id);
    checkKnownProps(this, "EnvironmentVariableProps", props, VARIABLE_PROPS);
    const expressionType = checkOneOf(this, "expressionType", props.expressionType ?? "string", ESV_EXPRESSION_TYPES);
    const bytes = unresolved(props.value) ? 0 : Buffer.byteLength(props.value, "utf8");
    if (bytes > ESV_MAX_VALUE_BYTES) {
      propError(this, C.esvValueTooLarge, {
        problem: `value is larger than the tenant takes (${ESV_MAX_VALUE_BYTES} bytes)`,
        received: `${bytes} bytes`,
        allowed: `at most ${ESV_MAX_VALUE_BYTES} bytes (UTF-8)`,
        fix: "shorten the value, or split it over several variables",
      });
    }
    const { tenant, base, description, extra } = common(this, props);
    tenant._manage(this, { kind: "esv-variable", ...base, owned: { value: props.value, expressionType, description }, ...extra });
    this.esvId = props.esvId;
  }

  /** The placeholder that names it in configuration, e.g. `&{esv.ldap.port}`. */
  get placeholder(): string {
    return ESV_UNCONFIRMED.placeholder(this.esvId);
  }
}
