/**
 * AM's `/json/realms/root[/realms/<realm>]/sessions/?_action=getSessionInfo` (PingAM "Manage
 * sessions using REST"): the information about the session whose token is the body's `tokenId`,
 * or, without one, the session the `iPlanetDirectoryPro` cookie or header names. A client that has
 * just authenticated asks this before it holds the cookie (frodo does), so the token in the body is
 * the credential and the route needs no admin session [inf: the endpoint answers such calls].
 */
import { createHash } from "node:crypto";
import type { EmulatorContext } from "../context";
import { CrestHttpError } from "../errors";
import { jsonBody, json, type Route } from "../router";
import { sessionCookie } from "../sessions";
import type { EmulatorRequest, EmulatorResponse } from "../types";

/** AM's default maximum idle time (30 minutes); idle expiry itself is not modelled [inf]. */
const AM_MAX_IDLE_SECONDS = 1800;

/** AM's date form in session info: ISO 8601 in UTC, whole seconds (`2024-02-21T14:31:18Z`). */
const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

function requestedToken(req: EmulatorRequest): string | undefined {
  const body = jsonBody(req);
  const tokenId = body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>).tokenId : undefined;
  return typeof tokenId === "string" && tokenId !== "" ? tokenId : sessionCookie(req);
}

function getSessionInfo(req: EmulatorRequest, ctx: EmulatorContext): EmulatorResponse {
  const tokenId = requestedToken(req);
  const now = ctx.now();
  const session = tokenId === undefined ? undefined : ctx.sessions.find(tokenId, now);
  // Service-account tokens are OAuth2 tokens, not AM sessions [inf: AM does not know them here].
  if (!session || session.kind !== "am-session") throw new CrestHttpError(401, "Access Denied");
  return json(200, {
    username: session.accountId,
    // amadmin and the other AM admins live in AM's configuration store [inf: AM's universal id form].
    universalId: `id=${session.accountId},ou=user,ou=am-config`,
    realm: "/",
    latestAccessTime: isoSeconds(now),
    maxIdleExpirationTime: isoSeconds(Math.min(now + AM_MAX_IDLE_SECONDS * 1000, session.expiresAtMs)),
    maxSessionExpirationTime: isoSeconds(session.expiresAtMs),
    // A stable per-session id that reveals nothing of the token.
    properties: { AMCtxId: createHash("sha256").update(tokenId!).digest("hex").slice(0, 32) },
  });
}

/** Routes that authenticate by their own means: the server runs them before the admin check. */
export function amSessionRoutes(): Route[] {
  return [
    {
      method: "POST",
      pattern: /^\/am\/json\/realms\/root(?:\/realms\/(?<realm>[^/]+))?\/sessions\/?$/,
      handler: (req, ctx) => {
        const action = req.query.get("_action");
        if (action !== "getSessionInfo") throw new CrestHttpError(501, `Action '${action ?? ""}' is not supported by the embedded tenant`); // [inf] CREST's status
        return getSessionInfo(req, ctx);
      },
    },
  ];
}
