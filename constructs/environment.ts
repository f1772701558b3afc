/**
 * The tenant's environment secrets and variables (ESVs): values that AIC configuration reads
 * through `&{esv.…}` placeholders and secret-store mappings. ESVs are tenant-wide: the tenant
 * construct they belong to says only which admin session writes them.
 */
import { Token } from "cdktf";
import { Construct, IConstruct } from "constructs";
import {
  ESV_EXPRESSION_TYPES,
  ESV_ID_PATTERN,
  ESV_MAX_DESCRIPTION_LENGTH,
  ESV_MAX_VALUE_BYTES,
  ESV_SECRET_ENCODINGS,
  ESV_UNCONFIRMED,
  type EsvExpressionType,
  type EsvSecretEncoding,
} from "../src/contract";
import { AicTenant } from "./aic-tenant";
import { VALIDATION_CODES as C, propError } from "./errors";
import { checkKnownProps, checkSecret, type PropNames } from "./private/checks";
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
   * write a new secret version (the older versions stay enabled).
   */
  readonly value: Secret;
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
const SECRET_PROPS: PropNames<EnvironmentSecretProps> = { ...COMMON, value: true, encoding: true };
const VARIABLE_PROPS: PropNames<EnvironmentVariableProps> = { ...COMMON, value: true, expressionType: true };

const unresolved = (v: unknown): boolean => typeof v === "string" && Token.isUnresolved(v);

function checkEsvId(scope: IConstruct, id: string): void {
  if (unresolved(id) || ESV_ID_PATTERN.test(id)) return;
  const suggestion = `esv-${id.toLowerCase().replace(/^esv[-._]?/, "").replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "") || "my-value"}`.slice(0, 128);
  propError(scope, C.invalidEsvId, {
    problem: "esvId is not an ESV id",
    received: id,
    allowed: `a string matching ${ESV_ID_PATTERN} ("esv-", then lower-case letters, digits, '_' and '-'; at most 128 characters)`,
    fix: `use e.g. "${suggestion}"`,
  });
}

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

/** The props every ESV takes, checked; the spec's common fields. */
function common(scope: Construct, props: EsvCommonProps) {
  checkEsvId(scope, props.esvId);
  const description = props.description ?? "";
  checkDescription(scope, description);
  const tenant = AicTenant.of(scope);
  return { tenant, base: { tenant: tenant.tenantRef, id: props.esvId }, description, extra: adoptField(props.adopt, checkObjectRemovalPolicy(scope, props.removalPolicy)) };
}

/**
 * An environment secret (ESV secret) of the tenant, e.g. an API key that scripts and mappings use.
 * A new secret is created with the value; a version bump adds a secret version (which becomes the
 * active one; the older ones stay enabled); a description change updates the description only;
 * removing the construct deletes the secret. A change that placeholders use waits for a tenant
 * restart (the apply says so; it restarts nothing).
 */
export class EnvironmentSecret extends Construct {
  /** The ESV id. */
  public readonly esvId: string;
  /** The placeholder that names it in configuration, e.g. `&{esv.api.key}`. */
  public readonly placeholder: string;

  constructor(scope: Construct, id: string, props: EnvironmentSecretProps) {
    super(scope, id);
    checkKnownProps(this, "EnvironmentSecretProps", props, SECRET_PROPS);
    checkSecret(this, "value", props.value);
    const encoding = checkOneOf(this, "encoding", props.encoding ?? "generic", ESV_SECRET_ENCODINGS);
    const { tenant, base, description, extra } = common(this, props);
    tenant._manage(this, {
      kind: "esv-secret",
      ...base,
      owned: { description, encoding, useInPlaceholders: true },
      // A value from the store (Secret.fromEsv) was reported by checkSecret: synth fails on it.
      secret: props.value.toSecretRef()!,
      ...extra,
    });
    this.esvId = props.esvId;
    this.placeholder = ESV_UNCONFIRMED.placeholder(props.esvId);
  }
}

/**
 * An environment variable (ESV variable) of the tenant: its value is in code. A value or
 * description change updates it; removing the construct deletes it. A change waits for a tenant
 * restart before placeholders see it (the apply says so; it restarts nothing).
 */
export class EnvironmentVariable extends Construct {
  /** The ESV id. */
  public readonly esvId: string;
  /** The placeholder that names it in configuration, e.g. `&{esv.ldap.port}`. */
  public readonly placeholder: string;

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
    this.placeholder = ESV_UNCONFIRMED.placeholder(props.esvId);
  }
}
