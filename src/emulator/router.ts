/**
 * The admin routes of the embedded tenant and the CREST plumbing every handler shares: the route
 * table, `Accept-API-Version` checks, JSON bodies, `_queryFilter`, paging and `_fields`.
 */
import type { EmulatorContext } from "./context";
import { badRequest, CrestHttpError, invalidJson, notFound, unsupportedVersion } from "./errors";
import { header } from "./sessions";
import { FilterSyntaxError, matchesFilter, parseFilter } from "./query-filter";
import type { EmulatorRequest, EmulatorResponse } from "./types";

export type Handler = (req: EmulatorRequest, ctx: EmulatorContext, params: Record<string, string>) => EmulatorResponse;

export interface Route {
  method: string;
  /** Matched against the raw path; named groups become (URL-decoded) params. */
  pattern: RegExp;
  /** `Accept-API-Version` the endpoint requires (reference §2), or each it accepts; IDM routes have none. */
  apiVersion?: string | readonly string[];
  handler: Handler;
}

/** Finds the route for a request and runs it; 404 (AM's body) when no route matches. */
export function dispatch(routes: readonly Route[], req: EmulatorRequest, ctx: EmulatorContext): EmulatorResponse {
  let pathMatched = false;
  for (const route of routes) {
    const m = route.pattern.exec(req.path);
    if (!m) continue;
    pathMatched = true;
    if (route.method !== req.method) continue;
    if (route.apiVersion) checkApiVersion(req, route.apiVersion);
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.groups ?? {})) params[k] = decodeURIComponent(v);
    return route.handler(req, ctx, params);
  }
  if (pathMatched) throw new CrestHttpError(405, `Method ${req.method} not allowed on ${req.path}`);
  throw notFound();
}

/** Whether some route's pattern matches the request's path (any method). */
export function matches(routes: readonly Route[], req: EmulatorRequest): boolean {
  return routes.some((route) => route.pattern.test(req.path));
}

function versions(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(",")) {
    const [k, v] = part.split("=").map((s) => s.trim());
    if (k && v) out[k.toLowerCase()] = v;
  }
  return out;
}

const major = (v: string | undefined) => v?.split(".")[0];

/**
 * AM accepts a request whose protocol and resource major versions are the endpoint's (protocol
 * 2.0 and 2.1 are both seen on the provider [rec]). A missing header is refused too, although AM
 * would fall back to its newest version [inf]: a client that omits it works against one AM
 * release and breaks on the next, so the embedded tenant makes that visible.
 */
export function checkApiVersion(req: EmulatorRequest, expected: string | readonly string[]): void {
  const received = header(req, "accept-api-version");
  if (!received) throw unsupportedVersion(undefined);
  const got = versions(received);
  const wanted = (typeof expected === "string" ? [expected] : expected).map(versions);
  if (!wanted.some((want) => major(got.resource) === major(want.resource))) throw unsupportedVersion(`resource=${got.resource ?? "(none)"}`);
  if (got.protocol !== undefined && !wanted.some((want) => major(got.protocol) === major(want.protocol))) {
    throw unsupportedVersion(`protocol=${got.protocol}`);
  }
}

/** The major `resource` version a request asks for (`2` of `resource=2.0`). */
export function resourceMajor(req: EmulatorRequest): string | undefined {
  return major(versions(header(req, "accept-api-version") ?? "").resource);
}

/** The request body as JSON; "" is `undefined`. */
export function jsonBody(req: EmulatorRequest): unknown {
  if (req.body.trim() === "") return undefined;
  try {
    return JSON.parse(req.body);
  } catch {
    throw invalidJson();
  }
}

export function objectBody(req: EmulatorRequest): Record<string, unknown> {
  const body = jsonBody(req);
  if (!body || typeof body !== "object" || Array.isArray(body)) throw badRequest("The request body must be a JSON object");
  return body as Record<string, unknown>;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): EmulatorResponse {
  return { status, body, headers };
}

/** `ETag` as AM and IDM send it: the `_rev` in double quotes. */
export const etag = (rev: string) => ({ etag: `"${rev}"` });

/**
 * `If-Match: "<rev>"` guards a replace (a read-modify-write): 412 when the object is no longer at
 * that revision or is gone; `*` or no header guards nothing. CREST does this for AM and IDM alike
 * (the 412 wording is inferred).
 */
export function checkIfMatch(req: EmulatorRequest, currentRev: string | undefined): void {
  const ifMatch = header(req, "if-match");
  if (!ifMatch || ifMatch === "*") return;
  if (currentRev === undefined || ifMatch.replace(/^"|"$/g, "") !== currentRev) {
    throw new CrestHttpError(412, "Precondition Failed: the revision does not match");
  }
}

/** Applies `_queryFilter` (required, as in CREST) to the items' query views. */
export function filterItems<T>(req: EmulatorRequest, items: T[], view: (item: T) => unknown): T[] {
  const text = req.query.get("_queryFilter");
  if (text === null) throw badRequest("Query requests must specify _queryFilter");
  let filter;
  try {
    filter = parseFilter(text);
  } catch (e) {
    if (e instanceof FilterSyntaxError) throw badRequest(e.message);
    throw e;
  }
  return items.filter((item) => matchesFilter(filter, view(item)));
}

export interface Page<T> {
  items: T[];
  pagedResultsCookie: string | null;
  total: number;
}

/**
 * A CREST query answer for one page. The count fields are part of each endpoint's contract and
 * differ as recorded: AM agent lists count exactly (`EXACT`, the total), IDM and AM groups do not
 * (`NONE`, -1), and AM groups report 0 remaining where IDM reports -1.
 */
export function queryAnswer(page: Page<unknown>, counts: { exact: boolean; remaining: number }, items: unknown[] = page.items): EmulatorResponse {
  return json(200, {
    result: items,
    resultCount: items.length,
    pagedResultsCookie: page.pagedResultsCookie,
    totalPagedResultsPolicy: counts.exact ? "EXACT" : "NONE",
    totalPagedResults: counts.exact ? page.total : -1,
    remainingPagedResults: counts.remaining,
  });
}

/** `_pageSize` with `_pagedResultsCookie` (opaque to clients: the next offset) or `_pagedResultsOffset`. */
export function pageOf<T>(req: EmulatorRequest, items: T[]): Page<T> {
  const cookie = req.query.get("_pagedResultsCookie");
  const size = Number(req.query.get("_pageSize") ?? "0");
  let offset = Number(req.query.get("_pagedResultsOffset") ?? "0");
  if (cookie) {
    offset = Number(Buffer.from(cookie, "base64url").toString("utf8"));
    if (!Number.isInteger(offset) || offset < 0) throw badRequest(`Invalid _pagedResultsCookie '${cookie}'`);
  }
  if (!Number.isInteger(size) || size < 0 || !Number.isInteger(offset) || offset < 0) {
    throw badRequest("_pageSize and _pagedResultsOffset must be non-negative integers");
  }
  const end = size > 0 ? offset + size : items.length;
  const next = end < items.length ? Buffer.from(String(end)).toString("base64url") : null;
  return { items: items.slice(offset, end), pagedResultsCookie: next, total: items.length };
}

/** Keeps `_id`, `_rev` and the top-level fields named in `_fields` (all when absent). */
export function pickFields(object: Record<string, unknown>, fields: string[] | undefined): Record<string, unknown> {
  if (!fields || fields.length === 0) return object;
  const out: Record<string, unknown> = {};
  for (const k of ["_id", "_rev", ...fields.map((f) => f.replace(/^\//, "").split("/")[0])]) {
    if (object[k] !== undefined) out[k] = object[k];
  }
  return out;
}
