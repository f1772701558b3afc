/**
 * The one error type of the admin client. Redaction lives here, not at call sites: whatever text
 * reaches an `AicApiError` (an API message, a path with a query, a network error) is scrubbed of
 * registered secret values and of anything shaped like a credential before it is stored, so
 * `String(err)`, `err.stack`, `JSON.stringify(err)` and `util.inspect(err)` never show one.
 */

export type AicErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PRECONDITION_FAILED"
  | "RATE_LIMITED"
  | "SERVER_ERROR"
  | "HTTP_ERROR"
  | "NETWORK"
  | "TIMEOUT"
  | "UNEXPECTED_RESPONSE"
  | "CREDENTIALS_MISSING"
  | "CREDENTIALS_INVALID"
  | "SESSION_LIMIT"
  | "TOKEN_CACHE_UNUSABLE";

export interface AicApiErrorDetails {
  code: AicErrorCode;
  /** What happened, in one sentence (scrubbed). */
  message: string;
  method?: string;
  /** The request path with its query (scrubbed). */
  path?: string;
  status?: number;
  /** The API's own message (CREST `message`, OAuth2 `error`). */
  apiMessage?: string;
  /** OAuth2 `error_description`. */
  apiDescription?: string;
  /** The endpoint-table name, e.g. `oauth2ClientRead`. */
  endpoint?: string;
  /** Where a response did not match its schema, e.g. `result.0._id`. */
  fieldPath?: string;
  /** What to do about it, when known. */
  fix?: string;
  /** HTTP attempts made, including retries. */
  attempts?: number;
  /** A network error's code (ECONNRESET, UND_ERR_SOCKET, ...). */
  causeCode?: string;
  /**
   * True when an earlier attempt of this request may have reached the server (a dropped
   * connection or a 5xx after the request was sent): a 404 or 412 may then be our own write.
   */
  mayHaveLanded?: boolean;
}

const knownSecrets = new Set<string>();
/** Shorter values would scrub ordinary words, so they are never scrubbed: apply refuses them. */
export const MIN_SECRET_LENGTH = 6;

/** Remembers a secret value so that it is scrubbed from every error made afterwards. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= MIN_SECRET_LENGTH) knownSecrets.add(value);
}

const CREDENTIAL_KEYS =
  "client_secret|password|assertion|client_assertion|access_token|refresh_token|id_token|subject_token|actor_token|token|code|userpassword|tokenId|valueBase64";
const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // A JWT (header.payload.signature, base64url, header starts with `{"` → eyJ).
  [/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*/g, "<redacted-jwt>"],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, "$1 <redacted>"],
  // key=value in forms, queries and cookies.
  [new RegExp(`\\b(${CREDENTIAL_KEYS}|iPlanetDirectoryPro)=[^&\\s;"',]+`, "gi"), "$1=<redacted>"],
  // "key": "value" in JSON.
  [new RegExp(`("(?:${CREDENTIAL_KEYS})"\\s*:\\s*)"[^"]*"`, "gi"), '$1"<redacted>"'],
  [/\b(authorization|x-openam-password|cookie)(\s*[:=]\s*)[^\n,}]+/gi, "$1$2<redacted>"],
];

/** Removes registered secret values and credential-shaped text. */
export function redact(text: string): string {
  let out = text;
  for (const secret of knownSecrets) out = out.split(secret).join("<redacted>");
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

const STATUS_CODES: Record<number, AicErrorCode> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  412: "PRECONDITION_FAILED",
  429: "RATE_LIMITED",
};

/** The stable code of an HTTP error status. */
export function codeForStatus(status: number): AicErrorCode {
  return STATUS_CODES[status] ?? (status >= 500 ? "SERVER_ERROR" : "HTTP_ERROR");
}

export class AicApiError extends Error {
  readonly code!: AicErrorCode;
  readonly method?: string;
  readonly path?: string;
  readonly status?: number;
  readonly apiMessage?: string;
  readonly apiDescription?: string;
  readonly endpoint?: string;
  readonly fieldPath?: string;
  readonly fix?: string;
  readonly attempts?: number;
  readonly causeCode?: string;
  readonly mayHaveLanded?: boolean;

  constructor(details: AicApiErrorDetails) {
    const clean = scrubDetails(details);
    // The whole one-line summary is the message, so the stack header is scrubbed too.
    super(oneLine(clean));
    Object.assign(this, { ...clean, message: this.message });
  }

  override toString(): string {
    return `${this.name} [${this.code}]: ${this.message}`;
  }

  toJSON(): Record<string, unknown> {
    const { name, code, message, method, path, status, apiMessage, apiDescription, endpoint, fieldPath, fix, attempts, causeCode } = this;
    return { name, code, message, method, path, status, apiMessage, apiDescription, endpoint, fieldPath, fix, attempts, causeCode };
  }
}

function scrubDetails(d: AicApiErrorDetails): AicApiErrorDetails {
  const out: AicApiErrorDetails = { ...d };
  for (const key of ["message", "path", "apiMessage", "apiDescription", "fix", "fieldPath", "causeCode"] as const) {
    const value = out[key];
    if (typeof value === "string") out[key] = redact(value);
  }
  return out;
}

/** What happened, where, the API's words, the fix: one line. */
function oneLine(d: AicApiErrorDetails): string {
  const parts = [d.message];
  if (d.method && d.path) parts.push(`(${d.method} ${d.path}${d.status ? ` → ${d.status}` : ""}${d.attempts && d.attempts > 1 ? `, ${d.attempts} attempts` : ""})`);
  if (d.apiMessage) parts.push(`API said: "${d.apiMessage}${d.apiDescription ? `: ${d.apiDescription}` : ""}"`);
  if (d.fix) parts.push(`Fix: ${d.fix}`);
  return parts.join(" ").replace(/\s*\n\s*/g, " ");
}

// On the prototype, so the stack header captured in the constructor already says AicApiError.
Object.defineProperty(AicApiError.prototype, "name", { value: "AicApiError", enumerable: false, configurable: true, writable: true });

export function isAicApiError(e: unknown, code?: AicErrorCode): e is AicApiError {
  return e instanceof AicApiError && (code === undefined || e.code === code);
}
