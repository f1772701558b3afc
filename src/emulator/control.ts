/**
 * Control endpoints of the embedded tenant under CONTROL_PREFIX (no auth, not audited), as moto
 * and LocalStack have them: reset to the seed, inject faults, read the audit log and the admin
 * session counts, set a latency for every admin call (benchmarks).
 *
 *   POST   /__emulator/reset     back to the seed (same credentials, keys and tokens)
 *   POST   /__emulator/faults    {pathPattern, method?, times, latencyMs?, status?, retryAfterSeconds?, body?, drop?}
 *   DELETE /__emulator/faults
 *   GET    /__emulator/audit     {entries: [{kind, method, path, status, time, durationMs}]}
 *   DELETE /__emulator/audit
 *   GET    /__emulator/sessions  {<account id>: {peak, active}}
 *   POST   /__emulator/config    {latencyMs}
 */
import { z } from "zod";
import { CONTROL_PREFIX } from "../contract/constants";
import type { EmulatorContext } from "./context";
import { badRequest, crestBody, notFound } from "./errors";
import { json, objectBody } from "./router";
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
  pathPattern: z.string().min(1),
  method: z.string().optional(),
  times: z.number().int().positive(),
  latencyMs: z.number().int().nonnegative().optional(),
  status: z.number().int().min(100).max(599).optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  body: z.unknown().optional(),
  drop: z.boolean().optional(),
});
export type FaultSpec = z.infer<typeof FaultSpec>;

interface Fault extends FaultSpec {
  pattern: RegExp;
  remaining: number;
}

const ConfigSpec = z.object({ latencyMs: z.number().int().nonnegative() });

export class ControlPlane {
  /** Added to every admin call (not OAuth2, not control). */
  latencyMs = 0;
  private faults: Fault[] = [];
  private entries: AuditEntry[] = [];

  constructor(private readonly reset: () => void) {}

  /** The first armed fault for a call, counted as used. */
  takeFault(method: string, pathWithQuery: string): FaultSpec | undefined {
    const fault = this.faults.find(
      (f) => (!f.method || f.method.toUpperCase() === method) && f.pattern.test(pathWithQuery),
    );
    if (!fault) return undefined;
    if (--fault.remaining === 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }

  record(entry: AuditEntry): void {
    this.entries.push(entry);
  }

  handle(req: EmulatorRequest, ctx: EmulatorContext): EmulatorResponse {
    const route = `${req.method} ${req.path.slice(CONTROL_PREFIX.length)}`;
    switch (route) {
      case "POST /reset":
        this.reset();
        this.faults = [];
        this.entries = [];
        this.latencyMs = 0;
        return json(200, {});
      case "POST /faults": {
        const spec = parse(FaultSpec, objectBody(req));
        let pattern: RegExp;
        try {
          pattern = new RegExp(spec.pathPattern);
        } catch {
          throw badRequest(`pathPattern is not a valid regular expression: ${JSON.stringify(spec.pathPattern)}`);
        }
        if (spec.status === undefined && !spec.drop && spec.latencyMs === undefined) {
          throw badRequest("A fault needs status, drop or latencyMs");
        }
        this.faults.push({ ...spec, pattern, remaining: spec.times });
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
      case "POST /config":
        this.latencyMs = parse(ConfigSpec, objectBody(req)).latencyMs;
        return json(200, { latencyMs: this.latencyMs });
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
  return { status: fault.status, headers, body: fault.body ?? crestBody(fault.status, "Injected fault") };
}
