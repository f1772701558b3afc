/**
 * The HTTP server of the embedded tenant (node:http). Per request: read the body (at most 1 MiB),
 * answer control calls, otherwise apply latency and injected faults, let the OAuth2 module answer
 * its paths, authenticate admin calls, route them, and log the call. No error stops the server:
 * anything a handler throws becomes a CREST body.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { CONTROL_PREFIX } from "../contract/constants";
import type { EmulatorContext } from "./context";
import { faultResponse, type CallKind, type ControlPlane } from "./control";
import { crestBody, CrestHttpError } from "./errors";
import { amAgentTypeRoutes } from "./handlers/am-agent-types";
import { amClientRoutes } from "./handlers/am-clients";
import { amGroupRoutes } from "./handlers/am-groups";
import { amProviderRoutes } from "./handlers/am-provider";
import { amRealmConfigRoutes } from "./handlers/am-realm-config";
import { amRealmRoutes } from "./handlers/am-realms";
import { amScriptRoutes } from "./handlers/am-scripts";
import { amSecretStoreRoutes } from "./handlers/am-secret-store";
import { amSessionRoutes } from "./handlers/am-sessions";
import { envScopeRoutes } from "./handlers/env-scopes";
import { idmRoutes } from "./handlers/idm";
import { idmServiceAccountRoutes } from "./handlers/idm-svcacct";
import { esvRoutes } from "./handlers/esv";
import { isAuthenticatePath } from "./journeys";
import { handleOAuth2 } from "./oauth2";
import { isPlatformAdminBearer } from "./platform-admin";
import { dispatch, matches, type Route } from "./router";
import { authenticateAdmin } from "./sessions";
import type { EmulatorRequest, EmulatorResponse } from "./types";

export const MAX_BODY_BYTES = 1024 * 1024;

const ROUTES: readonly Route[] = [
  ...amProviderRoutes(),
  ...amClientRoutes(),
  ...amAgentTypeRoutes(),
  ...amGroupRoutes(),
  ...amRealmRoutes(),
  ...amRealmConfigRoutes(),
  ...envScopeRoutes(),
  ...amScriptRoutes(),
  ...amSecretStoreRoutes(),
  ...esvRoutes(),
  ...idmRoutes(),
  ...idmServiceAccountRoutes(),
];
/** Routes that authenticate the caller by their own means (a token in the body), before the admin check. */
const OWN_AUTH_ROUTES: readonly Route[] = [...amSessionRoutes()];

/** Paths the OAuth2 module owns: the token and OpenID Connect endpoints, AM authentication and server info. */
function kindOf(path: string): CallKind {
  return path.startsWith("/am/oauth2/") ||
    path.startsWith("/am/.well-known/") ||
    isAuthenticatePath(path) ||
    path.startsWith("/am/json/serverinfo/")
    ? "oauth2"
    : "admin";
}

class BodyTooLarge extends Error {}

/** Reads the whole body; past the limit it keeps draining (so the client reads the 413) but keeps nothing. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => (size > MAX_BODY_BYTES ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks).toString("utf8"))));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, response: EmulatorResponse, padToBytes?: number): void {
  const text = typeof response.body === "string" ? response.body : response.body === undefined ? "" : JSON.stringify(response.body);
  const headers: Record<string, string> = { ...response.headers };
  if (text !== "" && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
    headers["content-type"] = "application/json;charset=UTF-8";
  }
  res.writeHead(response.status, headers);
  if (padToBytes === undefined) res.end(text);
  else sendPadded(res, text, padToBytes);
}

/** The text then spaces up to `bytes`, chunk by chunk as the client reads (an injected huge body). */
function sendPadded(res: ServerResponse, text: string, bytes: number): void {
  const chunk = Buffer.alloc(64 * 1024, " ");
  let left = bytes - Buffer.byteLength(text);
  res.write(text);
  const pump = () => {
    while (left > 0 && !res.destroyed) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      if (!res.write(piece)) return void res.once("drain", pump);
    }
    res.end();
  };
  res.on("close", () => (left = 0));
  pump();
}

function errorResponse(error: unknown): EmulatorResponse {
  if (error instanceof CrestHttpError) return error.toResponse();
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: crestBody(500, `Internal error in the embedded tenant: ${message}`) };
}

async function answer(req: EmulatorRequest, ctx: EmulatorContext): Promise<EmulatorResponse> {
  const oauth2 = await handleOAuth2(req, ctx);
  if (oauth2) return oauth2;
  if (matches(OWN_AUTH_ROUTES, req)) return dispatch(OWN_AUTH_ROUTES, req, ctx);
  const denied = (await isPlatformAdminBearer(req, ctx)) ? undefined : authenticateAdmin(req, ctx);
  if (denied) return denied;
  return dispatch(ROUTES, req, ctx);
}

function toEmulatorRequest(req: IncomingMessage, url: URL, body: string): EmulatorRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : v;
  return { method: (req.method ?? "GET").toUpperCase(), path: url.pathname, query: url.searchParams, headers, body };
}

export function createTenantServer(ctx: EmulatorContext, control: ControlPlane): Server {
  return createServer((req, res) => {
    void handle(req, res, ctx, control).catch((error) => {
      if (!res.headersSent) send(res, errorResponse(error));
      else res.destroy();
    });
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, ctx: EmulatorContext, control: ControlPlane): Promise<void> {
  const arrived = Date.now();
  const started = performance.now();
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const isControl = url.pathname === CONTROL_PREFIX || url.pathname.startsWith(`${CONTROL_PREFIX}/`);
  const kind = kindOf(url.pathname);
  const method = (req.method ?? "GET").toUpperCase();
  const record = (status: number) => {
    if (isControl) return;
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    control.record({ kind, method, path: auditedPath(url), status, time: new Date(arrived).toISOString(), durationMs });
  };

  let body: string;
  try {
    body = await readBody(req);
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) throw error;
    const response = { status: 413, body: crestBody(413, `The request body exceeds ${MAX_BODY_BYTES} bytes`) };
    send(res, response);
    record(response.status);
    return;
  }
  const request = toEmulatorRequest(req, url, body);
  if (isControl) {
    let response: EmulatorResponse;
    try {
      response = control.handle(request, ctx);
    } catch (error) {
      response = errorResponse(error);
    }
    send(res, response);
    return;
  }

  const fault = control.takeFault(method, url.pathname + url.search);
  const latency = (kind === "admin" ? control.latencyMs : 0) + (fault?.latencyMs ?? 0);
  if (latency > 0) await sleep(latency);
  if (fault?.drop) {
    record(0);
    req.socket.destroy();
    return;
  }
  let response: EmulatorResponse;
  if (fault?.status !== undefined) {
    response = faultResponse({ ...fault, status: fault.status });
  } else {
    try {
      response = await answer(request, ctx);
    } catch (error) {
      response = errorResponse(error);
    }
  }
  if (fault?.dropAfter) {
    record(0);
    req.socket.destroy();
    return;
  }
  send(res, response, fault?.status !== undefined ? fault.bodyBytes : undefined);
  record(response.status);
}

/** Query parameters that carry a token (endSession's hint, a bearer in the URL): never in the audit log. */
const TOKEN_PARAMETERS = ["id_token_hint", "access_token"];

/** The path and query as the audit log keeps them, token values replaced. */
function auditedPath(url: URL): string {
  if (!TOKEN_PARAMETERS.some((p) => url.searchParams.has(p))) return url.pathname + url.search;
  const query = new URLSearchParams(url.searchParams);
  for (const p of TOKEN_PARAMETERS) if (query.has(p)) query.set(p, "(redacted)");
  return `${url.pathname}?${query}`;
}
