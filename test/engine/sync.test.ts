/**
 * The sync against the embedded tenant over HTTP: what one apply of a tenant's journal does, and
 * the guarantees it keeps when something is wrong or fails.
 */
import { TOKEN_EXCHANGE_GRANT } from "../../src/contract/constants";
import type { Spec } from "../../src/contract/spec";
import { Journaled, TestTenant, useTenant } from "./support";
import { journalIdentity } from "../../src/contract/journal";
import { emptyRequest, readSnapshot } from "../../src/engine/batch";
import { unitOf } from "../../src/kinds";

const t = new TestTenant();
let j: Journaled;
useTenant(t, (fresh) => (j = fresh));

const seedSpecs = (): Spec[] => [t.providerGrants(), t.webApp(), t.aiAgent(), t.agentGrant()];
const NO_SECRETS = { WEB_APP_CLIENT_SECRET: undefined, AI_AGENT_CLIENT_SECRET: undefined };
const actions = (o: { results: readonly { kind: string; id: string; action: string }[] }) => o.results.map((r) => `${r.action} ${r.kind} ${r.id}`);

const faultOnce = (path: string, method: string, status?: number, times?: number) => t.fault(path, method, status, times);
const clearFaults = () => t.clearFaults();

describe("syncTenant", () => {
  it("creates every object of the first journal, one result each, referenced objects first", async () => {
    const o = await j.apply(seedSpecs());
    expect(o.failed).toBe(0);
    expect(actions(o)).toEqual([
      "updated oauth2-provider-grants oauth2-provider",
      expect.stringMatching(/^created (web-app|ai-agent)/),
      expect.stringMatching(/^created (web-app|ai-agent)/),
      "created agent-grant digital-assistant-ai-agent/digital-assistant-web-app",
    ]);
    expect(await t.api.getOAuth2Client("digital-assistant-web-app")).toBeDefined();
  });

  it("makes no admin call at all when the journal did not change", async () => {
    await j.apply(seedSpecs());
    await t.clearAudit();
    const o = await j.apply(seedSpecs(), NO_SECRETS);
    expect(o.nothingToDo).toBe(true);
    expect(await t.adminCalls()).toEqual([]);
  });

  it("writes only the object whose spec changed, without its secret when the variable is unset", async () => {
    await j.apply(seedSpecs());
    await t.clearAudit();
    const o = await j.apply([t.providerGrants(), t.webApp({ scopes: ["openid", "read-data"] }), t.aiAgent(), t.agentGrant()], NO_SECRETS);
    expect(actions(o)).toEqual(["updated web-app digital-assistant-web-app"]);
    expect((await t.writes()).map((e) => `${e.method} ${e.path.split("?")[0]}`)).toEqual([
      "PUT /am/json/realms/root/realms/alpha/realm-config/agents/OAuth2Client/digital-assistant-web-app",
    ]);
  });

  it("checks every object before the first write and names every problem", async () => {
    await j.apply([t.providerGrants(), t.webApp()]);
    await t.clearAudit();
    const o = await j.apply([t.providerGrants(), t.webApp(), t.webApp({ owners: ["no.such.user"] }, "app-b"), t.aiAgent({}, "agent-c")], { AI_AGENT_CLIENT_SECRET: undefined });
    expect(o.failed).toBe(2);
    expect(o.results.map((r) => [r.action, r.id, r.notes.join()])).toEqual([
      ["failed", "app-b", expect.stringMatching(/user "no\.such\.user" not found/)],
      ["failed", "agent-c", expect.stringMatching(/AI_AGENT_CLIENT_SECRET is not set/)],
    ]);
    expect(await t.writes()).toEqual([]);
    expect(j.applied && Object.keys(j.applied.objects)).toEqual(["oauth2-provider-grants/oauth2-provider", "web-app/digital-assistant-web-app"]);
  });

  it("creates a renamed client before it deletes the old one, and deletes nothing when the new one cannot be made", async () => {
    await j.apply([t.webApp()]);
    await t.clearAudit();
    const failedRename = await j.apply([t.webApp({}, "renamed-app")], NO_SECRETS);
    expect(failedRename.results.map((r) => [r.action, r.id])).toEqual([["failed", "renamed-app"]]);
    expect(failedRename.results[0].notes[0]).toMatch(/WEB_APP_CLIENT_SECRET is not set: it is needed to create web-app renamed-app/);
    expect(await t.writes()).toEqual([]);
    expect(await t.api.getOAuth2Client("digital-assistant-web-app")).toBeDefined();

    const o = await j.apply([t.webApp({}, "renamed-app")]);
    expect(actions(o)).toEqual(["created web-app renamed-app", "deleted web-app digital-assistant-web-app"]);
  });

  it("fails a rotation whose variable is unset, and writes it once the variable is there", async () => {
    await j.apply([t.webApp()]);
    const bumped = { ...t.webApp(), secret: { env: "WEB_APP_CLIENT_SECRET", version: 2 } };
    await t.clearAudit();
    const pending = await j.apply([bumped], NO_SECRETS);
    expect(pending.failed).toBe(1);
    expect(pending.results[0].notes[0]).toMatch(/WEB_APP_CLIENT_SECRET is not set: web-app digital-assistant-web-app rotates its secret \(version 1 → 2\)/);
    expect(await t.writes()).toEqual([]);
    const done = await j.apply([bumped], { WEB_APP_CLIENT_SECRET: "a-new-secret-value" });
    expect(done.results.map((r) => [r.action, r.notes])).toEqual([["updated", ["secret rotated (version 1 → 2)"]]]);
  });

  it("refuses a secret too short to be redacted, before any write", async () => {
    const o = await j.apply([t.webApp()], { WEB_APP_CLIENT_SECRET: "abc" });
    expect(o.results[0].notes[0]).toMatch(/WEB_APP_CLIENT_SECRET .*at least 6 characters/);
    expect(o.results[0].notes[0]).not.toContain("abc");
    expect(await t.writes()).toEqual([]);
  });

  describe("objects the stack did not create", () => {
    beforeEach(async () => {
      // Made in the console, as it were: same client id, other scopes, a secret this stack does not hold.
      const other = new Journaled(t);
      await other.apply([t.webApp({ scopes: ["openid"] })], { WEB_APP_CLIENT_SECRET: "the-consoles-own-secret" });
      await t.clearAudit();
    });

    it("refuses to take one over, before any write, naming the object and the fix", async () => {
      const o = await j.apply([t.webApp()]);
      expect(o.results.map((r) => [r.action, r.id])).toEqual([["failed", "digital-assistant-web-app"]]);
      expect(o.results[0].notes[0]).toMatch(/web-app digital-assistant-web-app already exists .* was not created by this stack; .*set adopt: true/);
      expect(await t.writes()).toEqual([]);
    });

    it("adopts one with adopt: true without needing its secret, reconciling owned fields", async () => {
      const o = await j.apply([{ ...t.webApp(), adopt: true }], NO_SECRETS);
      expect(o.results.map((r) => [r.action, r.id])).toEqual([["adopted", "digital-assistant-web-app"]]);
      expect((await t.writes()).map((e) => e.method)).toEqual(["PUT"]);
      const client = await t.api.getOAuth2Client("digital-assistant-web-app");
      expect(client!.coreOAuth2ClientConfig!.scopes!.value).toEqual(["openid", "read-data", "write-data", "admin-action"]);
    });

    it("writes nothing when the adopted object already matches, and deletes it once it leaves the code", async () => {
      await j.apply([{ ...t.webApp({ scopes: ["openid"] }), adopt: true }], NO_SECRETS);
      expect(await t.writes()).toEqual([]);
      const o = await j.apply([]);
      expect(actions(o)).toEqual(["deleted web-app digital-assistant-web-app"]);
    });
  });

  describe("when a write fails", () => {
    afterEach(clearFaults);

    it("undoes what it created, deletes nothing, and leaves the journal to the next apply", async () => {
      await j.apply([t.webApp({}, "old-app")]);
      await faultOnce("/openidm/managed/alpha_application/*", "PUT");
      const o = await j.apply([t.aiAgent(), t.webApp()]);
      expect(o.failed).toBeGreaterThan(0);
      expect(await t.api.getAiAgent("digital-assistant-ai-agent")).toBeUndefined();
      expect(await t.api.getOAuth2Client("digital-assistant-web-app")).toBeUndefined();
      expect(await t.api.getOAuth2Client("old-app")).toBeDefined();
      expect(Object.keys(j.applied!.objects)).toEqual(["web-app/old-app"]);

      await clearFaults();
      const retried = await j.apply([t.aiAgent(), t.webApp()]);
      expect(retried.failed).toBe(0);
      expect(actions(retried)).toEqual(expect.arrayContaining(["created ai-agent digital-assistant-ai-agent", "created web-app digital-assistant-web-app", "deleted web-app old-app"]));
    });

    it("undoes what it created when it is told to stop (its Terraform is gone), leaving the realm's grant types on", async () => {
      // Told to stop after its first two checks: the provider's grant types and the web app are written by then.
      let checks = 0;
      const o = await j.apply([t.providerGrants({ grantTypes: ["password", TOKEN_EXCHANGE_GRANT] }), t.webApp()], {}, { aborted: () => ++checks > 2 });
      expect(o.aborted).toBe(true);
      // It did create the app, then removed it again.
      expect(actions(o)).toEqual(expect.arrayContaining(["created web-app digital-assistant-web-app", "deleted web-app digital-assistant-web-app"]));
      expect(await t.api.getOAuth2Client("digital-assistant-web-app")).toBeUndefined();
      // Another stack may already rely on a grant type this one turned on: a rollback never takes it off.
      expect((await t.api.getProvider())!.advancedOAuth2Config!.grantTypes).toContain("password");
    });
  });

  describe("the realm's grant types with removal policy destroy", () => {
    it("refuses to own grant types the realm had before the stack", async () => {
      await t.clearAudit();
      const o = await j.apply([t.providerGrants({ grantTypes: ["client_credentials", "password"] }, "destroy")]);
      expect(o.results[0].notes[0]).toMatch(/grant types \["client_credentials"\] are already on in realm alpha, not turned on by this stack/);
      expect(await t.writes()).toEqual([]);
    });

    it("takes off, on removal, exactly the grant types it turned on", async () => {
      const before = (await t.api.getProvider())!.advancedOAuth2Config!.grantTypes!;
      await j.apply([t.providerGrants({ grantTypes: ["password", TOKEN_EXCHANGE_GRANT] }, "destroy")]);
      await j.apply([]);
      expect((await t.api.getProvider())!.advancedOAuth2Config!.grantTypes).toEqual(before);
    });

    it("keeps on, on removal, a grant type a client of the realm still uses (another app's stack, the console), and plan says so first", async () => {
      const before = (await t.api.getProvider())!.advancedOAuth2Config!.grantTypes!;
      await j.apply([t.providerGrants({ grantTypes: ["password", TOKEN_EXCHANGE_GRANT] }, "destroy")]);
      // Meanwhile a client this stack does not manage comes to rely on password.
      await t.api.putOAuth2Client("other-apps-client", { coreOAuth2ClientConfig: { scopes: ["openid"], userpassword: "other-apps-secret" }, advancedOAuth2ClientConfig: { grantTypes: ["password"] } }, { createOnly: true });
      try {
        const identity = journalIdentity(j.applied!, j.applied!.objects["oauth2-provider-grants/oauth2-provider"]);
        const snapshot = await readSnapshot(t.api, { ...emptyRequest(), provider: true, grantTypeUsers: true });
        const planned = unitOf("oauth2-provider-grants").planRemoval!(identity, snapshot, new Set());
        expect(planned.action).toBe("delete");
        expect(planned.notes).toContain("kept on, still used in the realm: password (used by other-apps-client) (taking them off would break those clients)");

        const o = await j.apply([]);
        expect(o.results[0].notes).toEqual(planned.notes.slice(1));
        const after = (await t.api.getProvider())!.advancedOAuth2Config!.grantTypes!;
        expect(after).toContain("password");
        expect(after).not.toContain(TOKEN_EXCHANGE_GRANT);
        expect([...after].sort()).toEqual([...before, "password"].sort());
      } finally {
        await t.api.deleteOAuth2Client("other-apps-client");
      }
    });
  });
});

describe("syncTenant and a grant another stack declares", () => {
  const APP_ID = "digital-assistant-web-app";
  const AGENT_ID = "digital-assistant-ai-agent";

  it.each([
    { kind: "web-app", id: APP_ID, keep: () => [t.providerGrants(), t.aiAgent()] },
    { kind: "ai-agent", id: AGENT_ID, keep: () => [t.providerGrants(), t.webApp()] },
  ])("refuses to delete the $kind that grant uses, naming the grant and the fix, before any write", async ({ kind, id, keep }) => {
    const g1 = new Journaled(t);
    const g2 = new Journaled(t);
    await g1.apply([t.providerGrants(), t.webApp(), t.aiAgent()]);
    expect((await g2.apply([t.agentGrant()])).failed).toBe(0);
    await t.clearAudit();

    const o = await g1.apply(keep(), NO_SECRETS);
    expect(o.failed).toBe(1);
    expect(o.results).toHaveLength(1);
    expect(o.results[0]).toMatchObject({ kind, id, action: "failed" });
    expect(o.results[0].notes[0]).toMatch(
      new RegExp(`^${kind} ${id} is used by agent-grant ${AGENT_ID}/${APP_ID}, which this stack does not declare: deleting it would leave the grant pointing at nothing; ` + `remove the grant from its stack and apply that stack first, or keep ${kind} ${id} in code`),
    );
    expect(await t.writes()).toEqual([]);
    expect(await t.api.getOAuth2Client(APP_ID)).toBeDefined();
    expect(await t.api.getAiAgent(AGENT_ID)).toBeDefined();
  });

  it("deletes the app once the grant's stack has removed the grant", async () => {
    const g1 = new Journaled(t);
    const g2 = new Journaled(t);
    await g1.apply([t.providerGrants(), t.webApp(), t.aiAgent()]);
    await g2.apply([t.agentGrant()]);
    await g2.apply([]);
    const o = await g1.apply([t.providerGrants(), t.aiAgent()], NO_SECRETS);
    expect(o.failed).toBe(0);
    expect(actions(o)).toEqual([`deleted web-app ${APP_ID}`]);
  });

  it("deletes an app and the grant that uses it together when one stack declares both", async () => {
    await j.apply(seedSpecs());
    const o = await j.apply([t.providerGrants(), t.aiAgent()], NO_SECRETS);
    expect(o.failed).toBe(0);
    expect(actions(o)).toEqual([`deleted agent-grant ${AGENT_ID}/${APP_ID}`, `deleted web-app ${APP_ID}`]);
  });
});
