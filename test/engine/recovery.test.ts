/**
 * The sync after an apply that did not finish, against the embedded tenant over HTTP: what an
 * interrupted or half-failed apply left is recognized as the stack's own (the stack proves it holds
 * the client's secret), so the next apply converges without a code change; someone else's object
 * is still never taken over; secrets are written on create and rotation only; a rename whose
 * removal fails never loses both identities.
 */
import { TOKEN_EXCHANGE_GRANT } from "../../src/contract/constants";
import type { Spec } from "../../src/contract/spec";
import { createOAuth2Api } from "../../src/client/oauth2-api";
import { RECOGNIZED_NOTE } from "../../src/engine/sync";
import { Journaled, TestTenant, useTenant } from "./support";

const t = new TestTenant();
let j: Journaled;
useTenant(t, (fresh) => (j = fresh));

const seedSpecs = (): Spec[] => [t.providerGrants(), t.webApp(), t.aiAgent(), t.agentGrant()];
const actions = (o: { results: readonly { kind: string; id: string; action: string }[] }) => o.results.map((r) => `${r.action} ${r.kind} ${r.id}`).sort();

const fault = (path: string, method: string, status?: number, times?: number) => t.fault(path, method, status, times);
const clearFaults = () => t.clearFaults();

/** Whether `secret` authenticates the web app (client_secret_post, as the seed's app is set). */
async function authenticates(clientId: string, secret: string): Promise<boolean> {
  const oauth2 = createOAuth2Api({ baseUrl: t.tenant.baseUrl, realm: "alpha" });
  try {
    await oauth2.introspect({ token: "x", client_id: clientId, client_secret: secret });
    return true;
  } catch {
    return false;
  } finally {
    await oauth2.close();
  }
}

describe("syncTenant after an apply that did not finish", () => {
  it("recognizes what an earlier run created but the journal never recorded, and writes nothing", async () => {
    // The earlier run: everything created, then Terraform died before it saved the new journal.
    const lost = new Journaled(t);
    await lost.apply(seedSpecs());
    await t.clearAudit();

    const o = await j.apply(seedSpecs());
    expect(o.failed).toBe(0);
    expect(actions(o)).toEqual(["unchanged agent-grant digital-assistant-ai-agent/digital-assistant-web-app", "unchanged ai-agent digital-assistant-ai-agent", "unchanged oauth2-provider-grants oauth2-provider", "unchanged web-app digital-assistant-web-app"]);
    expect(o.results.filter((r) => r.kind !== "oauth2-provider-grants").every((r) => r.notes.includes(RECOGNIZED_NOTE))).toBe(true);
    expect(await t.writes()).toEqual([]);
  });

  it("completes a half-made object: a client whose application record was never written", async () => {
    await fault("/openidm/managed/alpha_application*", "POST");
    await fault("/openidm/managed/alpha_application/*", "PUT");
    const half = new Journaled(t);
    // Rollback fails too (the same faults), so the AM client stays: a killed sync leaves the same.
    await fault("/am/json/realms/root/realms/alpha/realm-config/agents/OAuth2Client/*", "DELETE");
    const failed = await half.apply([t.webApp()]);
    expect(failed.failed).toBeGreaterThan(0);
    await clearFaults();
    expect(await t.api.getOAuth2Client("digital-assistant-web-app")).toBeDefined();

    const o = await j.apply([t.webApp()]);
    expect(o.failed).toBe(0);
    expect(o.results[0].notes).toContain(RECOGNIZED_NOTE);
    const apps = await t.api.queryManaged<{ _id: string }>("application", { filter: 'ssoEntities/oidcId eq "digital-assistant-web-app"' });
    expect(apps).toHaveLength(1);
  });

  it("still refuses an object someone else made under the same client id (another secret)", async () => {
    const theirs = new Journaled(t);
    await theirs.apply([t.webApp()], { WEB_APP_CLIENT_SECRET: "someone-elses-secret" });
    await t.clearAudit();
    const o = await j.apply([t.webApp()]);
    expect(o.failed).toBe(1);
    expect(o.results[0].notes[0]).toMatch(/already exists .* and was not created by this stack; .*adopt: true.*export WEB_APP_CLIENT_SECRET/);
    expect(await t.writes()).toEqual([]);
    expect(await authenticates("digital-assistant-web-app", "someone-elses-secret")).toBe(true);
  });

  it("refuses it without the secret: nothing proves it is the stack's own", async () => {
    await new Journaled(t).apply([t.webApp()]);
    const o = await j.apply([t.webApp()], { WEB_APP_CLIENT_SECRET: undefined });
    expect(o.failed).toBe(1);
    expect(o.results[0].notes[0]).toMatch(/was not created by this stack/);
  });
});

describe("syncTenant writes a client secret", () => {
  it("not with an unrelated change while the variable holds another value", async () => {
    await j.apply([t.webApp()]);
    await t.clearAudit();
    const o = await j.apply([t.webApp({ description: "only the description changed" })], { WEB_APP_CLIENT_SECRET: "a-stale-ci-secret" });
    expect(o.failed).toBe(0);
    expect(o.results[0].changes.some((c) => c.sensitive)).toBe(false);
    expect(await authenticates("digital-assistant-web-app", t.secrets.WEB_APP_CLIENT_SECRET)).toBe(true);
    expect(await authenticates("digital-assistant-web-app", "a-stale-ci-secret")).toBe(false);
  });

  it("not on adoption: an adopted client keeps its secret until a version bump rotates it", async () => {
    await new Journaled(t).apply([t.webApp()], { WEB_APP_CLIENT_SECRET: "the-consoles-secret" });
    const adopted = { ...t.webApp(), adopt: true } as Spec;
    const o = await j.apply([adopted]);
    expect(o.results.map((r) => r.action)).toEqual(["adopted"]);
    expect(await authenticates("digital-assistant-web-app", "the-consoles-secret")).toBe(true);
    const rotated = { ...adopted, secret: { env: "WEB_APP_CLIENT_SECRET", version: 2 } } as Spec;
    const r = await j.apply([rotated]);
    expect(r.results[0].notes).toContain("secret rotated (version 1 → 2)");
    expect(await authenticates("digital-assistant-web-app", t.secrets.WEB_APP_CLIENT_SECRET)).toBe(true);
  });
});

describe("syncTenant when a removal fails", () => {
  afterEach(clearFaults);

  it("keeps the renamed objects (never neither identity) and the next apply finishes the half-done removal", async () => {
    await j.apply([t.webApp({}, "r-a"), t.webApp({}, "r-b")]);
    await fault("/am/json/realms/root/realms/alpha/realm-config/agents/OAuth2Client/r-b", "DELETE");
    const o = await j.apply([t.webApp({}, "r-a2"), t.webApp({}, "r-b2")]);
    expect(o.failed).toBe(1);
    expect(o.deleting).toBe(true);
    for (const id of ["r-a2", "r-b2"]) expect(await t.api.getOAuth2Client(id)).toBeDefined();
    expect(await t.api.getOAuth2Client("r-a")).toBeUndefined();

    await clearFaults();
    const next = await j.apply([t.webApp({}, "r-a2"), t.webApp({}, "r-b2")]);
    expect(next.failed).toBe(0);
    expect(actions(next)).toEqual(["absent web-app r-a", "deleted web-app r-b", "unchanged web-app r-a2", "unchanged web-app r-b2"]);
    expect(await t.api.getOAuth2Client("r-b")).toBeUndefined();
  });
});

describe("syncTenant and the realm's grant types", () => {
  afterEach(clearFaults);

  it("never turns a grant type off when it rolls back: another stack may rely on it", async () => {
    await fault("/am/json/realms/root/realms/alpha/realm-config/agents/OAuth2Client/*", "PUT");
    const o = await j.apply([t.providerGrants({ grantTypes: ["password", TOKEN_EXCHANGE_GRANT] }), t.webApp()]);
    expect(o.failed).toBeGreaterThan(0);
    expect((await t.api.getProvider())!.advancedOAuth2Config!.grantTypes).toEqual(expect.arrayContaining(["password", TOKEN_EXCHANGE_GRANT]));
  });
});

describe("syncTenant removals", () => {
  it("deletes many objects in parallel: fewer round trips than objects", async () => {
    const many = Array.from({ length: 24 }, (_, i) => t.webApp({}, `bulk-${i}`));
    await j.apply(many);
    await fetch(`${t.tenant.baseUrl}/__emulator/config`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ latencyMs: 100 }) });
    try {
      const started = Date.now();
      const o = await j.apply([]);
      expect(o.results.filter((r) => r.action === "deleted")).toHaveLength(24);
      // One at a time, 24 removals of at least 2 calls each take ≥ 4.8 s at 100 ms per call.
      expect(Date.now() - started).toBeLessThan(4_800);
    } finally {
      await fetch(`${t.tenant.baseUrl}/__emulator/config`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ latencyMs: 0 }) });
    }
  });
});

