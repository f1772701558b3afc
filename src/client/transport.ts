/**
 * HTTP transport of the admin client on undici: keep-alive agent (or an injected `Dispatcher`),
 * connect and request timeouts, and the retry policy, declared once here:
 *
 * - network errors (reset, closed socket, refused connection, timeouts), 429 and 5xx are retried
 *   with jittered exponential backoff, honouring `Retry-After` (seconds or an HTTP date, capped);
 * - a request that is not idempotent (POST, most PATCHes) is retried only when it cannot have
 *   reached the server: a refused or timed-out connection, 429 or 503;
 * - a session-opening request (token, authenticate) is retried at most once after an attempt
 *   that may have landed: each landed attempt holds one of the account's capped sessions;
 * - 401 gets one credential re-mint and one more try (`Credentials.refresh`);
 * - every other 4xx is returned at once;
 * - a body over MAX_RESPONSE_BYTES is not read (the connection is dropped) and fails at once.
 *
 * Callers build an `HttpRequest` and process the `HttpResponse`; this file knows neither AM nor IDM.
 */
import type { Agent as UndiciAgent, Dispatcher } from "undici";

// Only the parts of undici the transport uses: the package's index also loads fetch, WebSocket,
// caches and more, about 40 ms of the start of every provisioner process.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Agent: typeof UndiciAgent = require("undici/lib/dispatcher/agent");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { request: dispatchRequest }: { request: (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData> } = require("undici/lib/api");
import { CLI_ENV } from "../contract/constants";
import type { z } from "zod";
import { AicApiError, type AicErrorCode, codeForStatus, redact } from "./errors";

export interface HttpRequest {
  method: string;
  /** Path and query, already encoded. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Safe to send twice (GET, PUT, DELETE, replace-only PATCH, token requests). Default by method. */
  idempotent?: boolean;
  /** The endpoint-table name, for errors. */
  endpoint?: string;
  /**
   * Opens a session on the tenant when it lands (a token request, AM's authenticate): retried
   * after an attempt that may have landed at most once, so a run of lost answers holds at most
   * `SESSION_ATTEMPTS` of the account's capped sessions, not one per attempt.
   */
  opensSession?: boolean;
}

/** Attempts of a session-opening request that may reach the server: sessions one call can hold. */
const SESSION_ATTEMPTS = 2;

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Attempts made, including retries and the one after a re-mint. */
  attempts: number;
  /** An earlier attempt may have reached the server (see `AicApiErrorDetails.mayHaveLanded`). */
  mayHaveLanded: boolean;
}

/** The credential side of a request: headers to send, and a re-mint after a 401. */
export interface Credentials {
  headers(): Promise<Record<string, string>>;
  /**
   * Called once after a 401 with the headers that failed. Resolves true when a fresh credential
   * is available (retry), false when it cannot be re-minted (a given bearer token).
   */
  refresh(failed: Record<string, string>): Promise<boolean>;
  /** The fix to print on a 401 that survived the re-mint. */
  readonly unauthorizedFix?: string;
}

export interface RetryOptions {
  /** Attempts in all, the first included. @default 5 */
  maxAttempts?: number;
  /** @default 200 */
  baseDelayMs?: number;
  /** Cap of the computed backoff. @default 10000 */
  maxDelayMs?: number;
  /** Cap of a server's `Retry-After`. @default 30000 */
  maxRetryAfterMs?: number;
}

export interface TransportOptions {
  baseUrl: string;
  dispatcher?: Dispatcher;
  retry?: RetryOptions;
  timeouts?: { connectMs?: number; requestMs?: number };
  onRequest?: (info: { method: string; path: string; status: number; durationMs: number }) => void;
  /** One JSON line per request on stderr; default from CDKTF_AIC_DEBUG=1. */
  debug?: boolean;
}

const RETRY_DEFAULTS: Required<RetryOptions> = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 10_000, maxRetryAfterMs: 30_000 };
const TIMEOUT_DEFAULTS = { connectMs: 10_000, requestMs: 60_000 };

/** Network failures before the request reached the server: safe to retry any request. */
const CONNECT_ERRORS = new Set(["ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
/** Network failures after the request may have been sent: retried only when idempotent. */
const MIDFLIGHT_ERRORS = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ETIMEDOUT", "REQUEST_TIMEOUT"]);
const TIMEOUT_ERRORS = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ETIMEDOUT", "REQUEST_TIMEOUT"]);

/** No admin answer is near this; a bigger one is a misconfigured endpoint, and is not read. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

type Outcome = { kind: "response"; response: Omit<HttpResponse, "attempts" | "mayHaveLanded"> } | { kind: "network"; code: string };
/** A response whose body was over MAX_RESPONSE_BYTES: never retried. */
type TooLarge = { kind: "too-large"; status: number };

/** Whether to try again, and after how long. The whole retry policy. */
function retryDelay(outcome: Outcome, idempotent: boolean, attempt: number, retry: Required<RetryOptions>): number | undefined {
  if (attempt >= retry.maxAttempts) return undefined;
  if (outcome.kind === "network") {
    if (!CONNECT_ERRORS.has(outcome.code) && !(idempotent && MIDFLIGHT_ERRORS.has(outcome.code))) return undefined;
    return backoff(attempt, retry);
  }
  const status = outcome.response.status;
  const notProcessed = status === 429 || status === 503;
  if (!notProcessed && !(idempotent && status >= 500)) return undefined;
  const after = retryAfterMs(outcome.response.headers["retry-after"]);
  return after === undefined ? backoff(attempt, retry) : Math.min(after, retry.maxRetryAfterMs);
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries spread out. */
function backoff(attempt: number, retry: Required<RetryOptions>): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** `Retry-After`: delta-seconds or an HTTP date. */
export function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function landed(outcome: Outcome): boolean {
  if (outcome.kind === "network") return MIDFLIGHT_ERRORS.has(outcome.code);
  return outcome.response.status >= 500 && outcome.response.status !== 503;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Transport {
  readonly baseUrl: string;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly retry: Required<RetryOptions>;
  private readonly requestMs: number;
  private readonly debug: boolean;
  private readonly onRequest?: TransportOptions["onRequest"];

  constructor(options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    const url = new URL(this.baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, "");
    const timeouts = { ...TIMEOUT_DEFAULTS, ...options.timeouts };
    this.requestMs = timeouts.requestMs;
    this.retry = { ...RETRY_DEFAULTS, ...options.retry };
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        keepAliveTimeout: 10_000,
        connect: { timeout: timeouts.connectMs },
        headersTimeout: timeouts.requestMs,
        bodyTimeout: timeouts.requestMs,
      });
    this.onRequest = options.onRequest;
    this.debug = options.debug ?? process.env[CLI_ENV.debug] === "1";
  }

  /**
   * Sends a request under the retry policy; `build` may make a new request per attempt (a signed
   * assertion must not be replayed). Returns every response that is not retried, error
   * statuses included (the caller maps them); throws `AicApiError` NETWORK/TIMEOUT when the
   * network failed for good.
   */
  async send(build: HttpRequest | ((attempt: number) => HttpRequest), credentials?: Credentials): Promise<HttpResponse> {
    let attempt = 0;
    let reminted = false;
    let mayHaveLanded = false;
    let landedAttempts = 0;
    for (;;) {
      attempt++;
      const request = typeof build === "function" ? build(attempt) : build;
      const idempotent = request.idempotent ?? ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].includes(request.method);
      const auth = credentials ? await credentials.headers() : {};
      const outcome = await this.once(request, auth, attempt);
      if (outcome.kind === "too-large") throw this.tooLargeError(request, outcome.status, attempt);
      if (outcome.kind === "response" && outcome.response.status === 401 && credentials && !reminted) {
        reminted = true;
        if (await credentials.refresh(auth)) continue;
      }
      if (landed(outcome)) landedAttempts++;
      const sessionsSpent = request.opensSession === true && landedAttempts >= SESSION_ATTEMPTS;
      const delay = sessionsSpent ? undefined : retryDelay(outcome, idempotent, attempt, this.retry);
      if (delay === undefined) {
        if (outcome.kind === "response") return { ...outcome.response, attempts: attempt, mayHaveLanded };
        throw this.networkError(request, outcome.code, attempt, sessionsSpent);
      }
      mayHaveLanded ||= landed(outcome);
      await sleep(delay);
    }
  }

  /** Releases the keep-alive sockets of the agent this transport created. */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async once(request: HttpRequest, auth: Record<string, string>, attempt: number): Promise<Outcome | TooLarge> {
    const started = Date.now();
    const signal = AbortSignal.timeout(this.requestMs);
    let outcome: Outcome | TooLarge;
    try {
      const res = await dispatchRequest.call(this.dispatcher, {
        origin: this.origin,
        path: this.basePath + request.path,
        method: request.method as Dispatcher.HttpMethod,
        headers: { accept: "application/json", ...request.headers, ...auth },
        body: request.body,
        signal,
      });
      const text = await readLimited(res, MAX_RESPONSE_BYTES);
      outcome = text === undefined ? { kind: "too-large", status: res.statusCode } : { kind: "response", response: { status: res.statusCode, headers: res.headers, text } };
    } catch (e) {
      outcome = { kind: "network", code: signal.aborted ? "REQUEST_TIMEOUT" : networkCode(e) };
    }
    const status = outcome.kind === "response" ? outcome.response.status : outcome.kind === "too-large" ? outcome.status : 0;
    const durationMs = Date.now() - started;
    this.onRequest?.({ method: request.method, path: redact(request.path), status, durationMs });
    if (this.debug) {
      const line = { method: request.method, path: redact(request.path), status, ms: durationMs, attempt, ...(outcome.kind === "network" ? { error: outcome.code } : {}) };
      process.stderr.write(JSON.stringify(line) + "\n");
    }
    return outcome;
  }

  private tooLargeError(request: HttpRequest, status: number, attempts: number): AicApiError {
    return new AicApiError({
      code: "UNEXPECTED_RESPONSE",
      message: `${request.endpoint ?? "request"}: the response body is over ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB (${MAX_RESPONSE_BYTES} bytes); it was not read`,
      method: request.method,
      path: request.path,
      status,
      endpoint: request.endpoint,
      attempts,
      fix: "check that the base URL points at the tenant itself and not at something else (a proxy page, a download)",
    });
  }

  private networkError(request: HttpRequest, code: string, attempts: number, sessionsSpent = false): AicApiError {
    const timeout = TIMEOUT_ERRORS.has(code);
    if (sessionsSpent) {
      return new AicApiError({
        code: timeout ? "TIMEOUT" : "NETWORK",
        message: `the answer to ${request.endpoint ?? "the session request"} was lost ${SESSION_ATTEMPTS} times (${code}); each lost answer may hold one of the account's sessions (5 in AIC), so it is not retried again`,
        method: request.method,
        path: request.path,
        endpoint: request.endpoint,
        attempts,
        causeCode: code,
        fix: "check the network path to the tenant (proxy, load balancer), then retry; the lost sessions expire when idle",
      });
    }
    const errorCode: AicErrorCode = timeout ? "TIMEOUT" : "NETWORK";
    return new AicApiError({
      code: errorCode,
      message: timeout ? `${this.baseUrl} did not answer in time (${code})` : `could not reach ${this.baseUrl} (${code})`,
      method: request.method,
      path: request.path,
      endpoint: request.endpoint,
      attempts,
      causeCode: code,
      fix: timeout
        ? "the tenant is slow or unreachable: retry later, or raise the timeouts"
        : "check the base URL and that the tenant is reachable from here (proxy, DNS, firewall)",
    });
  }
}

/**
 * The body as text, or undefined when it is over `limit` bytes: refused by its Content-Length, or
 * read chunk by chunk and dropped (the connection closed) as soon as it passes the limit, so a
 * huge body never sits in memory.
 */
async function readLimited(res: Dispatcher.ResponseData, limit: number): Promise<string | undefined> {
  const declared = Number(res.headers["content-length"]);
  const chunks: Buffer[] = [];
  let size = 0;
  if (!(declared > limit)) {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) break;
      chunks.push(chunk);
    }
    if (size <= limit) return Buffer.concat(chunks).toString("utf8");
  }
  res.body.destroy();
  return undefined;
}

function networkCode(e: unknown): string {
  const err = e as { code?: unknown; cause?: { code?: unknown }; name?: unknown };
  if (typeof err?.code === "string") return err.code;
  if (typeof err?.cause?.code === "string") return err.cause.code;
  return typeof err?.name === "string" ? err.name : "UNKNOWN";
}

// ---------- processing a response ----------

/** What identifies a request in an error: method, path, endpoint name. */
export type RequestRef = Pick<HttpRequest, "method" | "path" | "endpoint">;

const FIXES: Partial<Record<AicErrorCode, string>> = {
  FORBIDDEN: "the account lacks a privilege or scope for this call: a service account needs fr:am:* and fr:idm:*",
  RATE_LIMITED: "the tenant kept rate limiting: retry later or run Terraform with a lower -parallelism",
  SERVER_ERROR: "the tenant failed: retry later; if it persists, check the tenant's health",
  UNEXPECTED_RESPONSE: "the tenant answered in a shape this version does not know: check the base URL and the tenant version",
};

/**
 * An error for a response with an error status: the API's message from a CREST body
 * (`{code, reason, message}`) or an OAuth2 body (`{error, error_description}`).
 */
export function httpError(req: RequestRef, res: HttpResponse, opts?: { fix?: string; code?: AicErrorCode }): AicApiError {
  const { apiMessage, apiDescription, reason } = apiMessageOf(res);
  const code = opts?.code ?? codeForStatus(res.status);
  return new AicApiError({
    code,
    message: `${req.endpoint ?? "request"} failed with ${res.status}${reason ? ` ${reason}` : ""}`,
    method: req.method,
    path: req.path,
    status: res.status,
    apiMessage,
    apiDescription,
    endpoint: req.endpoint,
    attempts: res.attempts,
    mayHaveLanded: res.mayHaveLanded,
    fix: opts?.fix ?? FIXES[code],
  });
}

/** The API's words in an error body: OAuth2 `error`/`error_description`, or CREST `message`/`reason`. */
export function apiMessageOf(res: Pick<HttpResponse, "text">): { apiMessage?: string; apiDescription?: string; reason?: string } {
  const body = safeJson(res.text) as { message?: unknown; reason?: unknown; error?: unknown; error_description?: unknown } | undefined;
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  return {
    // Scrubbed before it is cut: a cut first could keep the head of a secret the scrub then misses.
    apiMessage: str(body?.error) ?? str(body?.message) ?? (redact(res.text).slice(0, 200) || undefined),
    apiDescription: str(body?.error_description),
    reason: str(body?.reason),
  };
}

/**
 * Whether a 404 is the tenant's own answer that the object does not exist: a JSON body in CREST's
 * shape, as AM and IDM send it (`{"code":404,"reason":"Not Found","message":...}`, reference §4),
 * or for an ESV path the ESV API's (`{"code":404,"message":...}`, no `reason`).
 * A proxy's or load balancer's 404 (an HTML page, another JSON shape) says nothing about the object.
 */
export function isTenantNotFound(res: Pick<HttpResponse, "status" | "headers" | "text">, path = ""): boolean {
  if (res.status !== 404) return false;
  const type = res.headers["content-type"];
  if (typeof type === "string" && !/\bjson\b/i.test(type)) return false;
  const body = safeJson(res.text) as { code?: unknown; reason?: unknown; message?: unknown } | undefined;
  const esv = path.startsWith("/environment/");
  return !!body && typeof body === "object" && body.code === 404 && (esv || typeof body.reason === "string") && typeof body.message === "string";
}

/** The error for a 404 that is not the tenant's (see `isTenantNotFound`): the object may well exist. */
export function foreignNotFound(req: RequestRef, res: HttpResponse): AicApiError {
  const type = res.headers["content-type"];
  const what = typeof type === "string" && !/\bjson\b/i.test(type) ? `a ${type.split(";")[0].trim()} body` : "a body";
  return new AicApiError({
    code: "UNEXPECTED_RESPONSE",
    message: `${req.endpoint ?? "request"} got a 404 with ${what} that is not the tenant's (AM/IDM answer {"code":404,"reason":"Not Found",...}): the object may still exist, so it is not treated as gone`,
    method: req.method,
    path: req.path,
    status: res.status,
    apiMessage: apiMessageOf(res).apiMessage,
    endpoint: req.endpoint,
    attempts: res.attempts,
    fix: "check that the base URL points at the tenant itself (no proxy or gateway path in front of /am and /openidm) and retry",
  });
}

/** Parses a 2xx body with the endpoint's schema; any other shape is UNEXPECTED_RESPONSE naming the field. */
export function parseBody<T>(req: RequestRef, res: HttpResponse, schema: z.ZodType<T>): T {
  const json = res.text.trim() === "" ? {} : safeJson(res.text);
  const unexpected = (what: string, fieldPath?: string) =>
    new AicApiError({
      code: "UNEXPECTED_RESPONSE",
      message: `${req.endpoint ?? "request"} returned ${what}`,
      method: req.method,
      path: req.path,
      status: res.status,
      endpoint: req.endpoint,
      fieldPath,
      attempts: res.attempts,
      fix: FIXES.UNEXPECTED_RESPONSE,
    });
  if (json === undefined) throw unexpected("a body that is not JSON");
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const fieldPath = issue.path.map(String).join(".") || "(root)";
    throw unexpected(`an unexpected shape at ${fieldPath}: ${issue.message}`, fieldPath);
  }
  return result.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `?a=1&b=2` with every key and value percent-encoded (spaces as %20, as CREST expects). */
export function queryString(params: Record<string, string | number | undefined>): string {
  const parts = Object.entries(params)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join("&")}` : "";
}
