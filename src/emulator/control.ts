/**
 * Control endpoints of the embedded tenant under CONTROL_PREFIX (no auth, not audited), as moto
 * and LocalStack have them: reset to the seed, inject faults, read the audit log and the admin
 * session counts, set a latency for every admin call (benchmarks).
 *
 * Only a local process may call them: a request with an `Origin` header (a web page), a `Host`
 * other than this tenant's loopback address and port (DNS rebinding), or a body that is not JSON
 * (a cross-site form post) is refused before anything happens.
 *
 *   POST   /__emulator/reset     back to the seed (same credentials, keys and tokens)
 *   POST   /__emulator/faults    {path, method?, times, latencyMs?, status?, retryAfterSeconds?, body?, contentType?, bodyBytes?, drop?, dropAfter?}
 *                                path is a glob (see `compileGlob`), never a regular expression
 *   DELETE /__emulator/faults
 *   GET    /__emulator/audit     {entries: [{kind, method, path, status, time, durationMs}]}
 *   DELETE /__emulator/audit
 *   GET    /__emulator/sessions  {<account id>: {peak, active}}
 *   POST   /__emulator/config    {latencyMs?, restartDelayMs?}
 */
import { z } from "zod";
import { CONTROL_PREFIX } from "../contract/constants";
import { LOOPBACK_HOSTS } from "../contract/tenant";
import type { EmulatorContext } from "./context";
import { badRequest, crestBody, CrestHttpError, notFound } from "./errors";
import { json, objectBody } from "./router";
import { header } from "./sessions";
import type { EmulatorRequest, EmulatorResponse } from "./types";

export type CallKind = "admin" | "oauth2";

export interface AuditEntry {
  kind: CallKind;
  method: string;
  /** Path with query string. */
  path: string;
  /** 0 when the connection was dropped by a fault. */
  status: number;
  /** ISO time the request arrived. */
  time: string;
  durationMs: number;
}

const FaultSpec = z.object({
  path: z
    .string()
    .min(1)
    .max(512)
    .refine((p) => p.startsWith("/") || p.startsWith("*"), "must start with / or * (a glob over the request path)"),
  method: z.string().optional(),
  times: z.number().int().positive(),
  latencyMs: z.number().int().nonnegative().optional(),
  status: z.number().int().min(100).max(599).optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  body: z.unknown().optional(),
  /** The answer's Content-Type, e.g. `text/html` for a proxy's error page (default JSON). */
  contentType: z.string().min(1).max(200).optional(),
  /** Pads the answer's body with spaces to this many bytes, streamed (a huge response, for clients' limits). */
  bodyBytes: z.number().int().positive().max(4 * 1024 ** 3).optional(),
  drop: z.boolean().optional(),
  /** Handles the request (a token request opens its session), then drops the connection unanswered: a lost response. */
  dropAfter: z.boolean().optional(),
});
export type FaultSpec = z.infer<typeof FaultSpec>;

interface Fault extends FaultSpec {
  glob: Glob;
  /** The glob names a query (`?`): matched against path and query, else against the path alone. */
  withQuery: boolean;
  remaining: number;
}

type Glob = ReadonlyArray<{ kind: "char"; ch: string } | { kind: "*" } | { kind: "**" }>;

/** `*` matches within one path segment, `**` across segments; every other character is itself. */
function compileGlob(text: string): Glob {
  const out: Array<Glob[number]> = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "*") out.push({ kind: "char", ch: text[i] });
    else if (text[i + 1] === "*") {
      out.push({ kind: "**" });
      while (text[i + 1] === "*") i++;
    } else out.push({ kind: "*" });
  }
  return out;
}

/**
 * Whether a glob matches the whole text, by stepping every pattern position at once over the text:
 * time is at most (text length × glob length), with no backtracking, so no pattern can stall the
 * tenant (a regular expression such as `^/(a|aa)+$` could, for seconds per request).
 */
function globMatches(glob: Glob, text: string): boolean {
  let states = new Uint8Array(glob.length + 1);
  states[0] = 1;
  emptyMatches(glob, states);
  for (const ch of text) {
    const next = new Uint8Array(glob.length + 1);
    for (let i = 0; i < glob.length; i++) {
      if (!states[i]) continue;
      const token = glob[i];
      if (token.kind === "char") {
        if (token.ch === ch) next[i + 1] = 1;
      } else if (token.kind === "**" || ch !== "/") next[i] = 1;
    }
    states = emptyMatches(glob, next);
    if (!states.includes(1)) return false;
  }
  return states[glob.length] === 1;
}

/** Lets every wildcard match the empty string: a position before one also stands after it. */
function emptyMatches<T extends Uint8Array>(glob: Glob, states: T): T {
  for (let i = 0; i < glob.length; i++) if (states[i] && glob[i].kind !== "char") states[i + 1] = 1;
  return states;
}

/**
 * Refuses what a web page could send (see the file comment). Browsers send `Origin` on a
 * cross-origin POST and, after DNS rebinding, the page's own host name in `Host`; a local
 * process sends no `Origin` and one of the loopback names with the tenant's port.
 */
function checkCaller(req: EmulatorRequest, ctx: EmulatorContext): void {
  const port = new URL(ctx.baseUrl).port;
  if (header(req, "origin") !== undefined) {
    throw new CrestHttpError(403, "Control endpoints refuse requests with an Origin header (sent by web pages): call them from a local process without one");
  }
  const host = (header(req, "host") ?? "").toLowerCase();
  const allowed = [...LOOPBACK_HOSTS].flatMap((name) => (port ? [`${name}:${port}`] : [name, `${name}:80`]));
  if (!allowed.includes(host)) {
    throw new CrestHttpError(403, `Control endpoints answer only Host ${allowed.join(", ")}; got Host ${JSON.stringify(host)}`);
  }
  const type = header(req, "content-type");
  if (req.body.trim() !== "" && !/^application\/json\s*(;|$)/i.test(type ?? "")) {
    throw new CrestHttpError(415, `Control request bodies must be JSON: send Content-Type: application/json (got ${type === undefined ? "none" : JSON.stringify(type)})`);
  }
}

const ConfigSpec = z
  .object({ latencyMs: z.number().int().nonnegative().optional(), restartDelayMs: z.number().int().nonnegative().optional() })
  .refine((c) => c.latencyMs !== undefined || c.restartDelayMs !== undefined, "set latencyMs or restartDelayMs");

export class ControlPlane {
  /** Added to every admin call (not OAuth2, not control). */
  latencyMs = 0;
  private faults: Fault[] = [];
  private entries: AuditEntry[] = [];

  constructor(private readonly reset: () => void) {}

  /** The first armed fault for a call, counted as used. */
  takeFault(method: string, pathWithQuery: string): FaultSpec | undefined {
    const path = pathWithQuery.split("?")[0];
    const fault = this.faults.find(
      (f) => (!f.method || f.method.toUpperCase() === method) && globMatches(f.glob, f.withQuery ? pathWithQuery : path),
    );
    if (!fault) return undefined;
    if (--fault.remaining === 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }

  record(entry: AuditEntry): void {
    this.entries.push(entry);
  }

  handle(req: EmulatorRequest, ctx: EmulatorContext): EmulatorResponse {
    checkCaller(req, ctx);
    const route = `${req.method} ${req.path.slice(CONTROL_PREFIX.length)}`;
    switch (route) {
      case "POST /reset":
        this.reset();
        this.faults = [];
        this.entries = [];
        this.latencyMs = 0;
        return json(200, {});
      case "POST /faults": {
        const body = objectBody(req);
        if ("pathPattern" in body) {
          throw badRequest("pathPattern (a regular expression) is no longer accepted: use path (a glob: * within a segment, ** across, e.g. \"**/OAuth2Client/*\")");
        }
        const spec = parse(FaultSpec, body);
        if (spec.status === undefined && !spec.drop && !spec.dropAfter && spec.latencyMs === undefined) {
          throw badRequest("A fault needs status, drop, dropAfter or latencyMs");
        }
        this.faults.push({ ...spec, glob: compileGlob(spec.path), withQuery: spec.path.includes("?"), remaining: spec.times });
        return json(201, { faults: this.faults.length });
      }
      case "DELETE /faults":
        this.faults = [];
        return json(200, {});
      case "GET /audit":
        return json(200, { entries: this.entries });
      case "DELETE /audit":
        this.entries = [];
        return json(200, {});
      case "GET /sessions": {
        const now = ctx.now();
        const accounts = [...Object.keys(ctx.state.serviceAccounts), ...Object.keys(ctx.state.amAdmins)];
        return json(200, Object.fromEntries(accounts.map((id) => [id, { peak: ctx.sessions.peak(id), active: ctx.sessions.active(id, now) }])));
      }
      case "POST /config": {
        const config = parse(ConfigSpec, objectBody(req));
        this.latencyMs = config.latencyMs ?? this.latencyMs;
        ctx.restartDelayMs = config.restartDelayMs ?? ctx.restartDelayMs;
        return json(200, { latencyMs: this.latencyMs, restartDelayMs: ctx.restartDelayMs });
      }
      default:
        throw notFound();
    }
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw badRequest(`Invalid control request at ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return result.data;
}

/** What an injected fault answers: its body, or the CREST body of its status. */
export function faultResponse(fault: FaultSpec & { status: number }): EmulatorResponse {
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
  if (fault.contentType !== undefined) headers["content-type"] = fault.contentType;
  return { status: fault.status, headers, body: fault.body ?? crestBody(fault.status, "Injected fault") };
}
