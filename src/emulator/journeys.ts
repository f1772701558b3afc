/**
 * AM's authentication endpoint, `/am/json/realms/root[/realms/<realm>]/authenticate` (PingAM
 * "Authenticate over REST"), running the one journey the embedded tenant has: the default login
 * tree, a single page with a NameCallback and a PasswordCallback. The first POST answers the
 * callbacks with an `authId` (a signed JWT, as AM's is); the POST of the filled callbacks opens a
 * session and answers `tokenId` and `successUrl` and sets the session cookie; a wrong name or
 * password is AM's 401 "Login failure". Zero-page login with `X-OpenAM-Username` and
 * `X-OpenAM-Password` headers (what frodo and the self-managed AM admin login use) skips the page.
 *
 * Who logs in: at the root realm the AM admins (`amadmin`), whose session opens the admin API; in
 * a realm its IDM users, whose session only authorizes OAuth2 requests. Decisions marked [inf] are
 * not documented or recorded for AIC.
 */
import { jwtVerify } from "jose";
import { API_VERSION } from "../contract/endpoints";
import type { EmulatorContext } from "./context";
import { crestBody } from "./errors";
import { SIGNING_ALG, signJwt, verificationKey } from "./keys";
import { AM_SESSION_SECONDS, methodNotAllowed, sameSecret, SESSION_QUOTA } from "./oauth2";
import { checkApiVersion, jsonBody } from "./router";
import { header, SESSION_COOKIE, type SessionKind } from "./sessions";
import { own } from "./token-exchange";
import type { EmulatorRequest, EmulatorResponse } from "./types";

/** The tree a request without `authIndexValue` runs: AIC's default journey [doc: "Login"]. */
export const DEFAULT_TREE = "Login";
/** How long the page's `authId` stays good: AM's default journey timeout, 5 minutes [inf]. */
const AUTH_ID_SECONDS = 300;
/** The page as AIC's default Login tree renders it (Platform Username, Platform Password) [inf: prompts]. */
const LOGIN_PAGE = { header: "Sign In", description: "", prompts: ["User Name", "Password"] } as const;

const AUTHENTICATE = /^\/am\/json\/realms\/root((?:\/realms\/[^/]+)*)\/authenticate$/;

export function isAuthenticatePath(path: string): boolean {
  return AUTHENTICATE.test(path);
}

/** The realm key (`alpha`, `root`) and name (`/alpha`, `/`) of an authenticate path. */
function realmOfPath(path: string): { realm: string; realmName: string } | undefined {
  const sub = AUTHENTICATE.exec(path)?.[1];
  if (sub === undefined) return undefined;
  const names = sub.split("/realms/").filter(Boolean).map(decodeURIComponent);
  return { realm: names[names.length - 1] ?? "root", realmName: "/" + names.join("/") };
}

/** Handles the authenticate paths; undefined for any other path. */
export async function handleAuthenticate(req: EmulatorRequest, ctx: EmulatorContext): Promise<EmulatorResponse | undefined> {
  const where = realmOfPath(req.path);
  if (!where) return undefined;
  if (req.method !== "POST") return methodNotAllowed();
  checkApiVersion(req, API_VERSION.authenticate);
  if (where.realm !== "root" && !own(ctx.state.realms, where.realm)) return { status: 404, body: crestBody(404, "Not Found") }; // [inf]
  const tree = req.query.get("authIndexValue") ?? DEFAULT_TREE;
  // [inf] AM's answer for a tree the realm does not have.
  if (tree !== DEFAULT_TREE) return { status: 400, body: crestBody(400, "No configuration found") };

  const username = header(req, "x-openam-username");
  if (username !== undefined) return login(req, ctx, where, [username, header(req, "x-openam-password")], HEADER_LOGIN_FAILURE);

  const body = jsonBody(req);
  const submitted = body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  if (typeof submitted.authId !== "string") return { status: 200, body: await firstPage(ctx, where.realm) };
  if (!(await validAuthId(ctx, submitted.authId, where.realm))) {
    return { status: 401, body: crestBody(401, "Session has timed out", { errorCode: "110" }) }; // [inf] AM's wording
  }
  const [name, password] = callbackValues(submitted.callbacks);
  return login(req, ctx, where, [name, password], LOGIN_FAILURE);
}

async function firstPage(ctx: EmulatorContext, realm: string) {
  const [namePrompt, passwordPrompt] = LOGIN_PAGE.prompts;
  const iat = Math.floor(ctx.now() / 1000);
  const authId = await signJwt(ctx.signingKeys, { realm, tree: DEFAULT_TREE, iat, exp: iat + AUTH_ID_SECONDS });
  return {
    authId,
    callbacks: [
      { type: "NameCallback", output: [{ name: "prompt", value: namePrompt }], input: [{ name: "IDToken1", value: "" }], _id: 0 },
      { type: "PasswordCallback", output: [{ name: "prompt", value: passwordPrompt }], input: [{ name: "IDToken2", value: "" }], _id: 1 },
    ],
    header: LOGIN_PAGE.header,
    description: LOGIN_PAGE.description,
    template: "",
    stage: "",
  };
}

async function validAuthId(ctx: EmulatorContext, authId: string, realm: string): Promise<boolean> {
  try {
    const { payload } = await jwtVerify(authId, await verificationKey(ctx.signingKeys), {
      algorithms: [SIGNING_ALG],
      currentDate: new Date(ctx.now()),
      requiredClaims: ["exp"],
    });
    return payload.realm === realm && payload.tree === DEFAULT_TREE;
  } catch {
    return false;
  }
}

/** The NameCallback's and the PasswordCallback's first input values. */
function callbackValues(callbacks: unknown): [string | undefined, string | undefined] {
  const list = Array.isArray(callbacks) ? (callbacks as Record<string, unknown>[]) : [];
  const value = (type: string) => {
    const input = list.find((c) => c?.type === type)?.input;
    const first = Array.isArray(input) ? (input[0] as Record<string, unknown> | undefined)?.value : undefined;
    return typeof first === "string" ? first : undefined;
  };
  return [value("NameCallback"), value("PasswordCallback")];
}

/** AM's answer to a wrong name or password on the journey's page. */
const LOGIN_FAILURE: EmulatorResponse = { status: 401, body: crestBody(401, "Login failure", { failureUrl: "" }) };
/** AM's answer to a failed zero-page (header) login. */
const HEADER_LOGIN_FAILURE: EmulatorResponse = { status: 401, body: crestBody(401, "Authentication Failed") };

function login(
  req: EmulatorRequest,
  ctx: EmulatorContext,
  where: { realm: string; realmName: string },
  [username, password]: [string | undefined, string | undefined],
  failure: EmulatorResponse,
): EmulatorResponse {
  if (username === undefined || password === undefined) return failure;
  let accountId: string | undefined;
  let kind: SessionKind;
  if (where.realm === "root") {
    const expected = own(ctx.state.amAdmins, username);
    accountId = expected !== undefined && sameSecret(expected, password) ? username : undefined;
    kind = "am-session";
  } else {
    accountId = realmUser(ctx, where.realm, username, password)?._id;
    kind = "user-session";
  }
  if (accountId === undefined) return failure;
  const tokenId = ctx.sessions.open(accountId, kind, [], ctx.now(), AM_SESSION_SECONDS, where.realm);
  if (!tokenId) return { status: 401, body: crestBody(401, SESSION_QUOTA) };
  return {
    status: 200,
    // [inf] AIC's cookie carries Secure and its domain; the embedded tenant is plain http on one host.
    headers: { "set-cookie": `${SESSION_COOKIE}=${tokenId}; Path=/; HttpOnly` },
    body: { tokenId, successUrl: successUrl(req, ctx, where), realm: where.realmName },
  };
}

/**
 * Where the browser goes next: a `goto` on this tenant (the authorize request that sent it to log
 * in), else the console for an admin and the end-user UI for a realm user [inf: AIC's defaults].
 */
function successUrl(req: EmulatorRequest, ctx: EmulatorContext, where: { realm: string; realmName: string }): string {
  const goto = req.query.get("goto");
  if (goto && (goto.startsWith(`${ctx.baseUrl}/`) || (goto.startsWith("/") && !goto.startsWith("//")))) return goto;
  return where.realm === "root" ? "/am/console" : `/enduser/?realm=${where.realmName}`;
}

/** The active IDM user of the realm with this name and password; undefined otherwise. */
export function realmUser(ctx: EmulatorContext, realm: string, username: string, password: string) {
  const users = own(ctx.state.managed, `${realm}_user`) ?? {};
  const user = Object.values(users).find((u) => u.userName === username);
  const stored = user ? ctx.state.passwords[user._id] : undefined;
  const active = user !== undefined && String(user.accountStatus ?? "active").toLowerCase() === "active";
  return user && active && stored !== undefined && sameSecret(stored, password) ? user : undefined;
}
