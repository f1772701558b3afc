/**
 * Test helpers for the embedded tenant: start one on an ephemeral port, get a real admin token
 * from its service-account endpoint (jwt-bearer, reference §1) and call it over HTTP.
 */
import { randomUUID } from "node:crypto";
import { importJWK, SignJWT } from "jose";
import { API_VERSION } from "../../src/contract/endpoints";
import type { TenantConnection } from "../../src/contract/connection";
import { CONTROL_PREFIX, JWT_BEARER_GRANT } from "../../src/contract/constants";
import { startTenant, type RunningTenant, type StartTenantOptions } from "../../src/emulator";

export const AM = "/am/json/realms/root/realms/alpha";
export const OAUTH2_CLIENT = `${AM}/realm-config/agents/OAuth2Client`;
export const AI_AGENT = `${AM}/realm-config/agents/AIAgent`;
export const PROVIDER = `${AM}/realm-config/services/oauth-oidc`;
export const IDM = "/openidm/managed/alpha";
export { API_VERSION };

export interface Reply {
  status: number;
  headers: Headers;
  /** Parsed JSON, the text when not JSON, undefined when empty. */
  body: any;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as is (for malformed bodies). */
  rawBody?: string;
  headers?: Record<string, string>;
  apiVersion?: string;
  /** Leave out the admin token. */
  anonymous?: boolean;
}

export interface TestTenant extends RunningTenant {
  token: string;
  call(method: string, path: string, options?: CallOptions): Promise<Reply>;
  control(method: string, action: string, body?: unknown): Promise<Reply>;
  reset(): Promise<void>;
}

/** Signs the service account's assertion and asks the tenant's token endpoint for a token. */
export async function mintAdminToken(connection: TenantConnection): Promise<string> {
  const tokenUrl = `${connection.baseUrl}/am/oauth2/access_token`;
  const key = await importJWK(connection.serviceAccount.jwk, "RS256");
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: "RS256" })
    .setIssuer(connection.serviceAccount.id)
    .setSubject(connection.serviceAccount.id)
    .setAudience(tokenUrl)
    .setIssuedAt(now)
    .setExpirationTime(now + 180)
    .setJti(randomUUID())
    .sign(key);
  const res = await fetch(tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      client_id: "service-account",
      grant_type: JWT_BEARER_GRANT,
      scope: connection.serviceAccount.scope,
      assertion,
    }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (res.status !== 200 || !body.access_token) throw new Error(`service-account token request failed: HTTP ${res.status}`);
  return body.access_token;
}

async function reply(res: Response): Promise<Reply> {
  const text = await res.text();
  let body: unknown = text === "" ? undefined : text;
  try {
    if (text !== "") body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body };
}

export async function startTestTenant(options: StartTenantOptions = {}): Promise<TestTenant> {
  const tenant = await startTenant({ port: 0, ...options });
  const token = await mintAdminToken(tenant.connection);
  const call = async (method: string, path: string, o: CallOptions = {}): Promise<Reply> => {
    const headers: Record<string, string> = { ...o.headers };
    if (!o.anonymous) headers.authorization = `Bearer ${token}`;
    if (o.apiVersion) headers["accept-api-version"] = o.apiVersion;
    const body = o.rawBody ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
    if (body !== undefined) headers["content-type"] ??= "application/json";
    return reply(await fetch(`${tenant.baseUrl}${path}`, { method, headers, body }));
  };
  const control = async (method: string, action: string, body?: unknown) =>
    reply(
      await fetch(`${tenant.baseUrl}${CONTROL_PREFIX}/${action}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
  return {
    ...tenant,
    token,
    call,
    control,
    reset: async () => {
      const r = await control("POST", "reset");
      if (r.status !== 200) throw new Error(`reset failed: HTTP ${r.status}`);
    },
  };
}

/** One tenant for a test file, started before its tests, reset before each and closed after. */
export function useTestTenant(options: StartTenantOptions = {}): () => TestTenant {
  let tenant: TestTenant | undefined;
  beforeAll(async () => {
    tenant = await startTestTenant(options);
  });
  afterAll(async () => {
    await tenant?.close();
  });
  beforeEach(async () => {
    await tenant!.reset();
  });
  return () => tenant!;
}

const ref = (collection: string, id: string) => ({ _ref: `managed/${collection}/${id}` });

/** Direct admin calls that build the state a test needs. */
export function fixtures(t: TestTenant) {
  const ok = (r: Reply, what: string) => {
    if (r.status >= 300) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  return {
    user: async (id: string, userName = `user-${id.slice(0, 8)}`) =>
      ok(await t.call("PUT", `${IDM}_user/${id}`, { body: { userName, givenName: "Test", sn: "User", mail: `${userName}@example.com` } }), "create user"),
    group: async (id: string, members: string[] = []) =>
      ok(await t.call("PUT", `${IDM}_group/${id}`, { body: { name: id, members: members.map((m) => ref("alpha_user", m)) } }), "create group"),
    application: async (id: string, oidcId: string, extra: Record<string, unknown> = {}) =>
      ok(
        await t.call("PUT", `${IDM}_application/${id}`, {
          body: { name: oidcId, templateName: "web", templateVersion: "1.0", ssoEntities: { oidcId }, ...extra },
        }),
        "create application",
      ),
    agent: async (clientId: string, identity: { _id?: string; name?: string; description?: string } = {}, groups: Record<string, unknown> = {}) =>
      ok(
        await t.call("PUT", `${AI_AGENT}/${encodeURIComponent(clientId)}`, {
          apiVersion: API_VERSION.aiAgent,
          body: {
            ...groups,
            aiAgentIdentityAttributes: { inherited: false, value: { oauth2ClientId: clientId, name: clientId, ...identity } },
            ...(identity._id ? { aiAgentIdentityUid: { inherited: false, value: identity._id } } : {}),
          },
        }),
        "create agent",
      ),
    client: async (clientId: string, body: Record<string, unknown> = {}) =>
      ok(await t.call("PUT", `${OAUTH2_CLIENT}/${encodeURIComponent(clientId)}`, { apiVersion: API_VERSION.oauth2Client, body }), "create client"),
    privilege: async (agentUid: string, body: Record<string, unknown> = {}) =>
      ok(
        await t.call("POST", `${IDM}_aiagentprivilege?_action=create`, { body: { agent: ref("alpha_aiagent", agentUid), ...body } }),
        "create privilege",
      ),
    ref,
  };
}
