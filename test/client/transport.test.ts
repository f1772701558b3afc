import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { ENDPOINTS, fillPath } from "../../src/contract";
import { createAdminApi, type AdminClient } from "../../src/client";
import type { AdminClientOptions } from "../../src/client/types";
import { rejection } from "./errors-of";
import { TestTenant } from "./tenant";

const t = new TestTenant();
const clients: AdminClient[] = [];

beforeAll(() => t.start());
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await t.stop();
});
beforeEach(() => t.reset());

function client(overrides: Partial<AdminClientOptions> = {}): AdminClient {
  const c = createAdminApi(t.options(overrides));
  clients.push(c);
  return c;
}

const providerPath = () => fillPath(ENDPOINTS.providerRead.path, { realm: t.connection.realm });
const clientPath = (id: string) => fillPath(ENDPOINTS.oauth2ClientPut.path, { realm: t.connection.realm, id });
const appPath = (id: string) => fillPath(ENDPOINTS.application.create.path, { realm: t.connection.realm, id });
const body = { coreOAuth2ClientConfig: { clientType: "Confidential", scopes: ["openid"] } };

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await f();
  return { value, ms: Date.now() - started };
}

describe("Transport retries", () => {
  it("waits the Retry-After seconds of a 429, then succeeds", async () => {
    const api = client();
    await api.getProvider(); // mint first, so only the admin call is timed
    await t.fault({ path: `${providerPath()}`, method: "GET", times: 1, status: 429, retryAfterSeconds: 1 });
    const { value, ms } = await timed(() => api.getProvider());
    expect(value?._id).toBe("");
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThan(2500);
    expect(await t.statuses("GET", providerPath())).toEqual([200, 429, 200]);
  });

  it("caps a long Retry-After at maxRetryAfterMs", async () => {
    const api = client({ retry: { maxRetryAfterMs: 300 } });
    await api.getProvider();
    await t.fault({ path: `${providerPath()}`, method: "GET", times: 1, status: 429, retryAfterSeconds: 60 });
    const { ms } = await timed(() => api.getProvider());
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(1500);
  });

  it("retries 503 with backoff until the tenant answers", async () => {
    const seen: number[] = [];
    const api = client({ onRequest: (r) => r.path === providerPath() && seen.push(r.status) });
    await t.fault({ path: `${providerPath()}`, method: "GET", times: 2, status: 503 });
    expect(await api.getProvider()).toBeDefined();
    expect(seen).toEqual([503, 503, 200]);
  });

  it("gives up after maxAttempts with SERVER_ERROR and the attempt count", async () => {
    const api = client({ retry: { maxAttempts: 3, baseDelayMs: 10 } });
    await t.fault({ path: `${providerPath()}`, method: "GET", times: 10, status: 500 });
    const err = await rejection(api.getProvider());
    expect(err).toMatchObject({ code: "SERVER_ERROR", status: 500, attempts: 3 });
    expect(await t.statuses("GET", providerPath())).toEqual([500, 500, 500]);
  });

  it.each([
    [400, "BAD_REQUEST"],
    [404, "NOT_FOUND"],
    [409, "CONFLICT"],
    [403, "FORBIDDEN"],
  ])("does not retry a %i (%s)", async (status, code) => {
    const api = client();
    await t.fault({ path: `${clientPath("no-retry")}`, method: "PUT", times: 5, status });
    const err = await rejection(api.putOAuth2Client("no-retry", body));
    expect(err).toMatchObject({ code, status, attempts: 1 });
    expect(await t.statuses("PUT", clientPath("no-retry"))).toEqual([status]);
  });

  it("does not resend a non-idempotent request (PATCH add) after a 500", async () => {
    const api = client();
    await api.createManaged("application", "patch-500", { name: "p" });
    await t.fault({ path: `${appPath("patch-500")}`, method: "PATCH", times: 5, status: 500 });
    const err = await rejection(api.patchManaged("application", "patch-500", [{ operation: "add", field: "/owners/-", value: { _ref: "managed/alpha_user/x" } }]));
    expect(err).toMatchObject({ code: "SERVER_ERROR", attempts: 1 });
    expect(await t.statuses("PATCH", appPath("patch-500"))).toEqual([500]);
  });
});

describe("Transport: writes after a lost connection land exactly once", () => {
  it("re-sends a create-only PUT whose connection was dropped; one PUT succeeds, one client exists", async () => {
    const api = client();
    await t.fault({ path: `${clientPath("dropped")}`, method: "PUT", times: 1, drop: true });
    const created = await api.putOAuth2Client("dropped", body, { createOnly: true });
    expect(created._id).toBe("dropped");
    expect(await t.statuses("PUT", clientPath("dropped"))).toEqual([0, 201]);
    expect((await api.queryOAuth2Clients()).filter((c) => c._id === "dropped")).toHaveLength(1);
  });

  it("takes the 412 of a retried create-only PUT whose first attempt landed as success", async () => {
    // The first attempt is processed after the client gave up on it (request timeout): the
    // retry then meets its own object.
    const api = client({ timeouts: { requestMs: 200 }, retry: { baseDelayMs: 800, maxDelayMs: 800 } });
    await api.getProvider();
    await t.fault({ path: `${clientPath("lost-reply")}`, method: "PUT", times: 1, latencyMs: 300 });
    const created = await api.putOAuth2Client("lost-reply", body, { createOnly: true });
    expect(created._id).toBe("lost-reply");
    const statuses = await t.statuses("PUT", clientPath("lost-reply"));
    expect(statuses.filter((s) => s >= 200 && s < 300)).toHaveLength(1);
    expect(statuses.sort()).toEqual([201, 412]);
  });

  it("does the same for an IDM create-only PUT", async () => {
    const api = client({ timeouts: { requestMs: 200 }, retry: { baseDelayMs: 800, maxDelayMs: 800 } });
    await api.getProvider();
    await t.fault({ path: `${appPath("lost-app")}`, method: "PUT", times: 1, latencyMs: 300 });
    const created = await api.createManaged<{ _id: string }>("application", "lost-app", { name: "lost" });
    expect(created._id).toBe("lost-app");
    expect((await api.queryManaged("application", { filter: 'name eq "lost"' })).length).toBe(1);
    expect((await t.statuses("PUT", appPath("lost-app"))).sort()).toEqual([201, 412]);
  });

  it("re-sends a full-replace PUT after a dropped connection; the client holds the body once", async () => {
    const api = client();
    await api.putOAuth2Client("replace-drop", body);
    await t.fault({ path: `${clientPath("replace-drop")}`, method: "PUT", times: 1, drop: true });
    await api.putOAuth2Client("replace-drop", { coreOAuth2ClientConfig: { clientType: "Confidential", scopes: ["openid", "profile"] } });
    expect((await api.getOAuth2Client("replace-drop"))?.coreOAuth2ClientConfig?.scopes?.value).toEqual(["openid", "profile"]);
    const outcome = (s: number) => (s === 0 ? "dropped" : s < 300 ? "ok" : s);
    expect((await t.statuses("PUT", clientPath("replace-drop"))).map(outcome)).toEqual(["ok", "dropped", "ok"]);
  });

  it("does not re-send a non-idempotent PATCH after a dropped connection", async () => {
    const api = client();
    await api.createManaged("application", "patch-drop", { name: "p" });
    await t.fault({ path: `${appPath("patch-drop")}`, method: "PATCH", times: 1, drop: true });
    const err = await rejection(api.patchManaged("application", "patch-drop", [{ operation: "add", field: "/owners/-", value: { _ref: "managed/alpha_user/x" } }]));
    expect(err).toMatchObject({ code: "NETWORK", attempts: 1 });
    expect(await t.statuses("PATCH", appPath("patch-drop"))).toEqual([0]);
  });

  it("re-sends a replace-only PATCH after a dropped connection", async () => {
    const api = client();
    await api.createManaged("application", "patch-replace", { name: "p" });
    await t.fault({ path: `${appPath("patch-replace")}`, method: "PATCH", times: 1, drop: true });
    const patched = await api.patchManaged("application", "patch-replace", [{ operation: "replace", field: "/description", value: "d" }]);
    expect(patched).toMatchObject({ description: "d" });
    expect(await t.statuses("PATCH", appPath("patch-replace"))).toEqual([0, 200]);
  });
});

describe("Transport timeouts and unreachable tenants", () => {
  it("fails with TIMEOUT when every attempt outlives the request timeout", async () => {
    const api = client({ timeouts: { requestMs: 150 }, retry: { maxAttempts: 2, baseDelayMs: 10 } });
    await api.getProvider();
    await t.fault({ path: `${providerPath()}`, method: "GET", times: 2, latencyMs: 500 });
    const { value: err, ms } = await timed(() => rejection(api.getProvider()));
    expect(err).toMatchObject({ code: "TIMEOUT", attempts: 2 });
    expect(ms).toBeLessThan(950); // waiting for the tenant would take 2 × 500 ms
  });

  it("fails with NETWORK naming the base URL when nothing listens", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const api = client({ baseUrl: `http://127.0.0.1:${port}`, auth: { method: "bearer", tokenEnv: "T" }, env: { T: "some-bearer-token" }, retry: { maxAttempts: 3, baseDelayMs: 10 } });
    const err = await rejection(api.getProvider());
    expect(err).toMatchObject({ code: "NETWORK", causeCode: "ECONNREFUSED", attempts: 3 });
    expect(String(err)).toContain(`could not reach http://127.0.0.1:${port}`);
  });
});
