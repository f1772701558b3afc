/**
 * The `script` kind and the clients wired to it, synced against the embedded tenant over HTTP: a
 * May Act script created before the client that runs it, its source updated in place, the tokens
 * the client then issues carrying the script's `may_act`, and the removal order (the client
 * unwired before the script is deleted).
 */
import { decodeJwt } from "jose";
import { createOAuth2Api } from "../../src/client/oauth2-api";
import { scriptId } from "../../src/contract/ids";
import { mayActScriptSource, SCRIPT_CONTEXTS, scopeLimitScriptSource, type MayAct } from "../../src/contract/scripts";
import { batchRequests, planStack, type StackInputs } from "../../src/plan/diff";
import { readTenant } from "../../src/plan/plan";
import type { Spec } from "../../src/contract/spec";
import { Journaled, stackContents, TestTenant, useTenant } from "./support";

const t = new TestTenant();
let j: Journaled;
useTenant(t, (fresh) => (j = fresh));

const AGENT = "digital-assistant-ai-agent";
const APP = "digital-assistant-web-app";
const NAME = "Web app may act";
const ID = scriptId("alpha", NAME);

const script = (mayAct: MayAct, o: { name?: string; adopt?: true } = {}) =>
  t.spec<"script">({
    kind: "script",
    id: scriptId("alpha", o.name ?? NAME),
    owned: { name: o.name ?? NAME, language: "JAVASCRIPT", context: SCRIPT_CONTEXTS.mayAct, source: mayActScriptSource(mayAct) },
    ...(o.adopt ? { adopt: o.adopt } : {}),
  });
const limitScript = () =>
  t.spec<"script">({
    kind: "script",
    id: scriptId("alpha", "limit"),
    owned: { name: "limit", language: "JAVASCRIPT", context: SCRIPT_CONTEXTS.validateScope, source: scopeLimitScriptSource(["read-data"]) },
  });
const wiredApp = (mayActScript = ID) => t.webApp({ mayActScript });
const writes = async () => (await t.writes()).map((e) => `${e.method} ${e.path.split("?")[0]}`);

/** The `may_act` of a token the web app issues to Barbara by the password grant. */
async function userMayAct(): Promise<unknown> {
  const api = createOAuth2Api({ baseUrl: t.tenant.baseUrl, realm: "alpha" });
  try {
    const reply = await api.token(
      { grant_type: "password", username: "barbara.jensen", password: t.password("barbara.jensen"), scope: "read-data" },
      { clientId: APP, secret: t.secrets.WEB_APP_CLIENT_SECRET, method: "client_secret_post" },
    );
    return decodeJwt(reply.access_token).may_act;
  } finally {
    await api.close();
  }
}

/** What `cdktf-aic plan` says of each object when the code goes from `applied` to `code`: `action kind field,…`. */
async function plan(applied: readonly Spec[], code: readonly Spec[]): Promise<string[]> {
  const inputs: StackInputs = { code: stackContents(t, code), applied: stackContents(t, applied, () => true) };
  const oauth2 = createOAuth2Api({ baseUrl: t.tenant.baseUrl, realm: "alpha" });
  try {
    const [[key, request]] = [...batchRequests(inputs)];
    const read = await readTenant(inputs, request, { api: t.api, oauth2, env: t.env() });
    const planned = planStack(inputs, new Map([[key, read.snapshot]]), read.decision ? new Map([[key, read.decision]]) : new Map());
    return planned.filter((o) => o.action !== "no-change").map((o) => `${o.action} ${o.kind} ${o.changes.map((c) => c.field).join(",")}`);
  } finally {
    await oauth2.close();
  }
}

describe("the script kind", () => {
  it("plans what the sync then does: a source change updates the script alone; a removed rule updates the client and deletes the script", async () => {
    const v1 = [t.providerGrants(), script({ client_id: AGENT, sub: `(age!${AGENT})` }), wiredApp()];
    await j.apply(v1);
    const v2 = [t.providerGrants(), script({ client_id: AGENT }), wiredApp()];
    expect(await plan(v1, v2)).toEqual(["update script script"]);
    const v3 = [t.providerGrants(), t.webApp()];
    // Plan lists by kind; the sync writes the client before it deletes the script.
    expect(await plan(v1, v3)).toEqual([
      "delete script ",
      "update web-app overrideOAuth2ClientConfig.accessTokenMayActScript,overrideOAuth2ClientConfig.oidcMayActScript",
    ]);
    const applied = await j.apply(v3);
    expect(applied.results.filter((r) => r.action !== "unchanged").map((r) => `${r.action} ${r.kind}`)).toEqual(["updated web-app", "deleted script"]);
  });

  it("creates the script before the client that names it, and the client's tokens carry its may_act", async () => {
    const o = await j.apply([t.providerGrants(), script({ client_id: AGENT, sub: `(age!${AGENT})` }), wiredApp()]);
    expect(o.failed).toBe(0);
    expect(o.results.filter((r) => r.kind !== "oauth2-provider-grants").map((r) => `${r.action} ${r.kind}`)).toEqual(["created script", "created web-app"]);
    const order = await writes();
    expect(order.indexOf(`PUT /am/json/realms/root/realms/alpha/scripts/${ID}`)).toBeLessThan(order.indexOf(`PUT /am/json/realms/root/realms/alpha/realm-config/agents/OAuth2Client/${APP}`));
    const stored = await t.api.getScript(ID);
    expect(stored).toMatchObject({ name: NAME, language: "JAVASCRIPT", context: SCRIPT_CONTEXTS.mayAct, evaluatorVersion: "2.0" });
    expect(Buffer.from(stored!.script, "base64").toString("utf8")).toBe(mayActScriptSource({ client_id: AGENT, sub: `(age!${AGENT})` }));
    expect(await userMayAct()).toEqual({ client_id: AGENT, sub: `(age!${AGENT})` });
  });

  it("updates the source in place (one PUT of the script, the client untouched), and says the source changed", async () => {
    await j.apply([t.providerGrants(), script({ client_id: AGENT, sub: `(age!${AGENT})` }), wiredApp()]);
    await t.clearAudit();
    const o = await j.apply([t.providerGrants(), script({ client_id: AGENT }), wiredApp()]);
    expect(o.results.filter((r) => r.action !== "unchanged").map((r) => `${r.action} ${r.kind} ${r.changes.map((c) => c.field).join()}`)).toEqual(["updated script script"]);
    expect(await writes()).toEqual([`PUT /am/json/realms/root/realms/alpha/scripts/${ID}`]);
    expect(await userMayAct()).toEqual({ client_id: AGENT });
  });

  it("is unchanged when nothing differs: no write", async () => {
    const specs = [t.providerGrants(), script({ client_id: AGENT }), wiredApp()];
    await j.apply(specs);
    await t.clearAudit();
    expect((await j.apply(specs)).results.every((r) => r.action === "unchanged")).toBe(true);
    expect(await writes()).toEqual([]);
  });

  it("unwires the client before it deletes the script when the rule leaves the code", async () => {
    await j.apply([t.providerGrants(), script({ client_id: AGENT }), wiredApp()]);
    await t.clearAudit();
    const o = await j.apply([t.providerGrants(), t.webApp()]);
    expect(o.failed).toBe(0);
    expect(await writes()).toEqual([
      `PUT /am/json/realms/root/realms/alpha/realm-config/agents/OAuth2Client/${APP}`,
      `DELETE /am/json/realms/root/realms/alpha/scripts/${ID}`,
    ]);
    expect(await t.api.getScript(ID)).toBeUndefined();
  });

  it("refuses a script of the same id it did not create, and adopts it when told to", async () => {
    await t.api.putScript(ID, { name: NAME, script: Buffer.from("x").toString("base64"), language: "JAVASCRIPT", context: SCRIPT_CONTEXTS.validateScope });
    await t.clearAudit();
    const refused = await j.apply([script({ client_id: AGENT })]);
    expect(refused.failed).toBe(1);
    expect(await writes()).toEqual([]);
    const adopted = await j.apply([script({ client_id: AGENT }, { adopt: true })]);
    expect(adopted.results.map((r) => `${r.action} ${r.changes.map((c) => c.field).join()}`)).toEqual(["adopted context,script"]);
  });

  it("takes an agent's scope limit and allow-list off when they leave the code", async () => {
    const limit = limitScript();
    await j.apply([t.providerGrants(), limit, t.aiAgent({ scopeLimitScript: limit.id, audiences: ["payroll-api"] }, AGENT)]);
    const o = await j.apply([t.providerGrants(), t.aiAgent({}, AGENT)]);
    expect(o.results.filter((r) => r.action !== "unchanged").map((r) => `${r.action} ${r.kind} ${r.changes.map((c) => c.field).join()}`)).toEqual([
      "updated ai-agent overrideOAuth2ClientConfig.validateScopeScript,advancedOAuth2ClientConfig.allowedResourceServerAudienceValues",
      "deleted script ",
    ]);
    const agent = await t.api.getAiAgent(AGENT);
    expect(agent?.overrideOAuth2ClientConfig).toMatchObject({ validateScopeScript: "[Empty]" });
  });

  it("wires an agent's scope limit and audience allow-list on the agent", async () => {
    const limit = limitScript();
    const o = await j.apply([t.providerGrants(), limit, t.aiAgent({ scopeLimitScript: limit.id, audiences: ["payroll-api"] }, AGENT)]);
    expect(o.failed).toBe(0);
    const agent = await t.api.getAiAgent(AGENT);
    expect(agent?.overrideOAuth2ClientConfig).toMatchObject({ validateScopePluginType: "SCRIPTED", validateScopeScript: limit.id });
    expect((agent?.advancedOAuth2ClientConfig as Record<string, { value?: unknown }>).allowedResourceServerAudienceValues.value).toEqual(["payroll-api"]);
  });
});
