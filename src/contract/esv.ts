/**
 * AIC's environment secrets and variables (ESVs) and the realm's ESV secret store: the names, rules
 * and limits that the constructs, the client and the embedded tenant share
 * (`reference/esv-secret-store.md`). Points Ping does not document and no recording shows are
 * gathered in `ESV_UNCONFIRMED`, so each is changed in one place when a real tenant answers.
 */

/** An ESV id (secret or variable), as the API's path parameter pattern has it. */
export const ESV_ID_PATTERN = /^esv-[a-z0-9_-]{1,124}$/;

/** A secret version in a path: a number, or `latest`. */
export const ESV_VERSION_PATTERN = /^latest$|^[0-9]+$/;

/** Padded standard base64, the pattern of `valueBase64`. */
export const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The largest decoded value of a secret or variable, in bytes. */
export const ESV_MAX_VALUE_BYTES = 65_535;

export const ESV_MAX_DESCRIPTION_LENGTH = 1000;

/** Secret encodings: `generic` takes any bytes; `pem` a PEM document; the two key encodings a base64 key. */
export const ESV_SECRET_ENCODINGS = ["generic", "pem", "base64hmac", "base64aes"] as const;
export type EsvSecretEncoding = (typeof ESV_SECRET_ENCODINGS)[number];

/** How a variable's text is read where its placeholder is used. */
export const ESV_EXPRESSION_TYPES = ["string", "list", "array", "object", "bool", "int", "number", "base64encodedinlined", "keyvaluelist"] as const;
export type EsvExpressionType = (typeof ESV_EXPRESSION_TYPES)[number];

export const ESV_VERSION_STATUSES = ["ENABLED", "DISABLED", "DESTROYED"] as const;
export type EsvVersionStatus = (typeof ESV_VERSION_STATUSES)[number];
/** What `?_action=changestatus` accepts: destroying is a DELETE, and one-way. */
export const ESV_SETTABLE_STATUSES = ["ENABLED", "DISABLED"] as const;

export const ESV_RESTART_STATUSES = ["ready", "restarting"] as const;
export type EsvRestartStatus = (typeof ESV_RESTART_STATUSES)[number];

/**
 * What becomes of a secret's older versions when a version bump adds a new one: `keep` them
 * ENABLED (clients mapped to the secret still authenticate with them), `disable` or `destroy`
 * (one-way) them. The new, latest version is never touched.
 */
export const ESV_PREVIOUS_VERSIONS = ["keep", "disable", "destroy"] as const;
export type EsvPreviousVersions = (typeof ESV_PREVIOUS_VERSIONS)[number];

/**
 * When the apply restarts the tenant's environment to load the ESV changes it wrote: `never` (they
 * stay pending, and the apply says so) or `after-apply` (restart, and wait until ready).
 */
export const ESV_RESTART_POLICIES = ["never", "after-apply"] as const;
export type EsvRestartPolicy = (typeof ESV_RESTART_POLICIES)[number];

/** How long an apply that restarts waits for `ready` by default: the console's "up to 10 minutes", frodo's default. */
export const ESV_RESTART_TIMEOUT_SECONDS = 600;
/** The longest pause between two status reads while a restart runs (frodo polls every 5 s). */
export const ESV_RESTART_POLL_MS = 5000;

/** The realm's one ESV secret store (Google Secret Manager behind it), fixed in every AIC realm. */
export const ESV_SECRET_STORE = { type: "GoogleSecretManagerSecretStoreProvider", id: "ESV" } as const;

/** The secret labels AM derives from an OAuth2 client's `coreOAuth2ClientConfig.secretLabelIdentifier`. */
export const CLIENT_SECRET_LABEL_PURPOSES = {
  /** The client secret (client_secret_basic / client_secret_post). */
  secret: "secret",
  /** Verifies the client's signed JWTs (private_key_jwt). */
  jwtPublicKey: "jwt.public.key",
  /** The trusted certificate of self-signed mTLS. */
  mtlsTrustedCert: "mtls.trusted.cert",
  /** Encrypts ID tokens for the client. */
  idTokenEncryptionKey: "id.token.enc.public.key",
} as const;
export type ClientSecretLabelPurpose = keyof typeof CLIENT_SECRET_LABEL_PURPOSES;

const CLIENT_LABEL_PREFIX = "am.applications.oauth2.client.";

/** `am.applications.oauth2.client.<identifier>.secret` (or another purpose's suffix). */
export function clientSecretLabel(identifier: string, purpose: ClientSecretLabelPurpose = "secret"): string {
  return `${CLIENT_LABEL_PREFIX}${identifier}.${CLIENT_SECRET_LABEL_PURPOSES[purpose]}`;
}

/** The identifier of a client-derived label, or undefined for any other label. */
export function clientLabelIdentifier(label: string): string | undefined {
  if (!label.startsWith(CLIENT_LABEL_PREFIX)) return undefined;
  const rest = label.slice(CLIENT_LABEL_PREFIX.length);
  for (const suffix of Object.values(CLIENT_SECRET_LABEL_PURPOSES)) {
    if (rest.endsWith(`.${suffix}`) && rest.length > suffix.length + 1) return rest.slice(0, -suffix.length - 1);
  }
  return undefined;
}

/**
 * The secret label identifier of a client that names none (`Secret.fromEsv` without one): the client
 * id with each run of other characters (`-`, `_`) read as a dot, `my-web-app` → `my.web.app`.
 */
export function defaultLabelIdentifier(clientId: string): string {
  return clientId
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .join(".");
}

/** Standard base64 of a value's UTF-8 bytes, as `valueBase64` carries it. */
export const toValueBase64 = (value: string) => Buffer.from(value, "utf8").toString("base64");

/**
 * Points of the ESV API that Ping does not document and no recording shows (reference: marked
 * **unconfirmed**). Each follows Ping's docs or the nearest documented behaviour; change it here.
 */
export const ESV_UNCONFIRMED = {
  /**
   * The placeholder that names an ESV in configuration: the id with `-` read as `.`
   * (`esv-my-key` → `&{esv.my.key}`), the common convention.
   */
  placeholder: (id: string) => `&{${id.replace(/-/g, ".")}}`,
  /** Destroying the latest version: Terraform's resource refuses it, so the tenant does too. */
  destroyLatestVersion: { allowed: false, status: 400, message: "Cannot destroy latest secret version" },
  /** A restart asked for while one runs: answered like the first, without starting another. */
  restartWhileRestarting: "answer-restarting",
  /** A description change is not a pending change (it is not loaded into configuration). */
  descriptionChangeIsPending: false,
  /** A client authenticates with any ENABLED version of its mapped ESV (third-party observation). */
  anyEnabledVersionAuthenticates: true,
  /**
   * The console's rule for a secret label identifier (letters, digits, dots; no leading or
   * trailing dot), although Ping's AI-agent page uses dashes; the server's rule is not known.
   */
  secretLabelIdentifierPattern: /^[a-zA-Z0-9]+(\.[a-zA-Z0-9]+)*$/,
  /** Larger decoded values are refused with this answer (the limit is documented, the answer is not). */
  valueTooLarge: { status: 400, message: `The value exceeds the maximum size of ${ESV_MAX_VALUE_BYTES} bytes` },
  /** A mapping whose client label names no identifier set on a client of the realm (AM's schema enum). */
  unknownLabel: (label: string) => `Invalid config: Secret label ${label} is not valid`,
} as const;
