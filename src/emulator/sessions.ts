/**
 * Admin sessions of the embedded tenant: service-account access tokens and AM session cookies.
 * AIC opens one AM session per service-account token request and allows at most 5 concurrent
 * sessions per account (reference §1), so the registry enforces that cap and records the peak,
 * which the control endpoint and the tests read to prove a client reuses its tokens.
 */
import { randomBytes } from "node:crypto";
import type { EmulatorContext } from "./context";
import { crestBody } from "./errors";
import type { EmulatorRequest, EmulatorResponse } from "./types";

/**
 * `am-session`: an AM admin (`amadmin`) logged in at the root realm; `user-session`: a realm user
 * logged in through a login journey, which opens no admin API.
 */
export type SessionKind = "service-account" | "am-session" | "user-session";

export interface AdminSession {
  /** The service-account id, the AM admin user name, or the realm user's `_id`. */
  accountId: string;
  kind: SessionKind;
  /** The realm the session was opened in (`alpha`; `root` for the root realm). */
  realm: string;
  /** Granted scopes (service accounts); AM admin sessions carry none and need none. */
  scopes: string[];
  expiresAtMs: number;
}

/** The AM session cookie name, as `serverinfo/*` reports it. */
export const SESSION_COOKIE = "iPlanetDirectoryPro";

export class SessionRegistry {
  private readonly maxPerAccount: number;
  private readonly sessions = new Map<string, AdminSession>();
  private readonly peaks = new Map<string, number>();
  /** Assertion `jti`s already used, with their expiry, so a replayed assertion is refused. */
  private readonly usedAssertions = new Map<string, number>();

  constructor(opts?: { maxPerAccount?: number }) {
    this.maxPerAccount = opts?.maxPerAccount ?? 5;
  }

  /**
   * Opens a session and returns its token, or undefined when the account already holds
   * `maxPerAccount` unexpired sessions. Realm users are not capped: AM's session quotas are off
   * unless configured [inf: AIC does not document a quota for end users].
   */
  open(accountId: string, kind: SessionKind, scopes: string[], nowMs: number, lifetimeSeconds: number, realm = "root"): string | undefined {
    this.expire(nowMs);
    const active = this.active(accountId, nowMs);
    if (kind !== "user-session" && active >= this.maxPerAccount) return undefined;
    const token = randomBytes(32).toString("base64url");
    this.sessions.set(token, { accountId, kind, realm, scopes, expiresAtMs: nowMs + lifetimeSeconds * 1000 });
    this.peaks.set(accountId, Math.max(this.peaks.get(accountId) ?? 0, active + 1));
    return token;
  }

  /** The live session a token belongs to. */
  find(token: string, nowMs: number): AdminSession | undefined {
    const session = this.sessions.get(token);
    return session && session.expiresAtMs > nowMs ? session : undefined;
  }

  /** Unexpired sessions of one account. */
  active(accountId: string, nowMs: number): number {
    let count = 0;
    for (const s of this.sessions.values()) if (s.accountId === accountId && s.expiresAtMs > nowMs) count++;
    return count;
  }

  /** The most sessions one account held at once; without an id, the highest over all accounts. */
  peak(accountId?: string): number {
    if (accountId !== undefined) return this.peaks.get(accountId) ?? 0;
    return Math.max(0, ...this.peaks.values());
  }

  /** Records an assertion id; false when it was already used and has not expired yet. */
  claimAssertion(accountId: string, jti: string, expiresAtMs: number, nowMs: number): boolean {
    this.expire(nowMs);
    const key = `${accountId}\u0000${jti}`;
    if (this.usedAssertions.has(key)) return false;
    this.usedAssertions.set(key, expiresAtMs);
    return true;
  }

  reset(): void {
    this.sessions.clear();
    this.peaks.clear();
    this.usedAssertions.clear();
  }

  private expire(nowMs: number): void {
    for (const [token, s] of this.sessions) if (s.expiresAtMs <= nowMs) this.sessions.delete(token);
    for (const [key, exp] of this.usedAssertions) if (exp <= nowMs) this.usedAssertions.delete(key);
  }
}

/** A request header by case-insensitive name. */
export function header(req: EmulatorRequest, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(req.headers)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** The scopes a service-account token needs, by admin path prefix. */
const REQUIRED_SCOPES: ReadonlyArray<readonly [prefix: string, scopes: readonly string[]]> = [
  ["/am/json/", ["fr:am:*"]],
  ["/openidm/", ["fr:idm:*"]],
  // The AI agents feature switch is documented as needing both (reference §3).
  ["/environment/", ["fr:am:*", "fr:idm:*"]],
];



const UNAUTHORIZED: EmulatorResponse = { status: 401, body: crestBody(401, "Access Denied") };
const FORBIDDEN: EmulatorResponse = { status: 403, body: crestBody(403, "Access Denied") };

const ESV_PATH = /^\/environment\/(secrets|variables|startup|count)(\/|$)/;
/** The ESV API's own answers [OAS]: no `reason`, and a challenge on 401 (403 wording: inf). */
const ESV_UNAUTHORIZED: EmulatorResponse = { status: 401, headers: { "www-authenticate": "Bearer" }, body: { code: 401, message: "unauthorized" } };
const ESV_FORBIDDEN: EmulatorResponse = { status: 403, body: { code: 403, message: "forbidden" } };

/**
 * The scopes of which an ESV call needs one: `fr:idc:esv:*`, the call's own (`read` for GET,
 * `restart` for a restart, `update` for any other write), or the deprecated `fr:idm:*`.
 */
function esvScopes(req: EmulatorRequest): string[] {
  const op = req.method === "GET" ? "read" : req.path.startsWith("/environment/startup") ? "restart" : "update";
  return ["fr:idc:esv:*", `fr:idc:esv:${op}`, "fr:idm:*"];
}

/** Whether a bearer token granted `scopes` may make this admin request: any ESV scope it needs, every other path's scopes. */
export function scopesOpen(req: EmulatorRequest, scopes: readonly string[]): boolean {
  if (ESV_PATH.test(req.path)) return esvScopes(req).some((s) => scopes.includes(s));
  const needed = REQUIRED_SCOPES.find(([prefix]) => req.path.startsWith(prefix))?.[1] ?? [];
  return needed.every((s) => scopes.includes(s));
}

/**
 * Validates `Authorization: Bearer <service-account token>` or the AM session cookie
 * (`iPlanetDirectoryPro=<tokenId>`, also accepted as a header of that name, as AM does); returns
 * undefined when ok, or the 401 EmulatorResponse to send (AM's body
 * `{"code":401,"reason":"Unauthorized","message":"Access Denied"}`). A service-account token
 * without the path's scope gets 403 (inferred: AIC's exact body is not recorded).
 */
export function authenticateAdmin(req: EmulatorRequest, ctx: EmulatorContext): EmulatorResponse | undefined {
  const esv = ESV_PATH.test(req.path);
  const unauthorized = esv ? ESV_UNAUTHORIZED : UNAUTHORIZED;
  const bearer = bearerOf(req);
  if (bearer) {
    const session = ctx.sessions.find(bearer, ctx.now());
    if (!session || session.kind !== "service-account") return unauthorized;
    if (scopesOpen(req, session.scopes)) return undefined;
    return esv ? ESV_FORBIDDEN : FORBIDDEN;
  }
  return adminAccountOf(req, ctx) === undefined ? unauthorized : undefined;
}

const bearerOf = (req: EmulatorRequest) => /^Bearer\s+(\S+)$/i.exec(header(req, "authorization") ?? "")?.[1];

/** The service account or AM admin a request's live admin session belongs to. */
export function adminAccountOf(req: EmulatorRequest, ctx: EmulatorContext): string | undefined {
  const bearer = bearerOf(req);
  const token = bearer ?? sessionCookie(req);
  const session = token === undefined ? undefined : ctx.sessions.find(token, ctx.now());
  return session?.kind === (bearer ? "service-account" : "am-session") ? session?.accountId : undefined;
}

/** The AM session token a request carries: the `iPlanetDirectoryPro` cookie, or a header of that name. */
export function sessionCookie(req: EmulatorRequest): string | undefined {
  for (const part of (header(req, "cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return header(req, SESSION_COOKIE);
}
