import { createOAuth2Api } from "../../src/client/oauth2-api";
import { TOKEN_EXCHANGE_GRANT } from "../../src/contract/constants";
import { identityOf } from "../../src/contract/spec";
import { applySpec, deleteIdentity } from "../../src/kinds";
import { syncTenant } from "../../src/engine/sync";
import { journalOf } from "../../src/contract/journal";
import { EngineError } from "../../src/engine/errors";
import { SECRET_CHANGE } from "../../src/engine/owned";
import { findApplication } from "../../src/engine/live";
import { formatResult } from "../../src/engine/result";
import { mintAdminToken } from "../emulator/helpers";
import { TestTenant } from "./support";

const t = new TestTenant();
beforeAll(() => t.start());
afterAll(() => t.stop());
beforeEach(() => t.reset());

const opts = () => ({ env: t.env() });
/** A CI job whose environment holds the admin credentials but no client secret. */
const noSecrets = () => ({ env: t.env({ WEB_APP_CLIENT_SECRET: undefined, AI_AGENT_CLIENT_SECRET: undefined }) });
const w = (value: unknown) => ({ inherited: false, value });
const APP = "digital-assistant-web-app";
const AGENT = "digital-assistant-ai-agent";
/** The object as the tenant returns it, without the revision a write moves on. */
const withoutRev = (o: object | undefined) => {
  const { _rev, ...rest } = o as Record<string, unknown>;
  return rest;
};
/** A client_credentials grant: proves `secret` is the client's (invalid_client otherwise). */
async function clientCredentials(clientId: string, secret: string, scope = "openid") {
  const oauth = createOAuth2Api({ baseUrl: t.tenant.baseUrl, realm: "alpha" });
  try {
    return await oauth.token({ grant_type: "client_credentials", client_id: clientId, client_secret: secret, scope });
  } finally {
    await oauth.close();
  }
}
const applyAll = async (...specs: Parameters<typeof applySpec>[1][]) => {
  for (const s of specs) await applySpec(t.api, s, opts());
};

describe("applySpec(oauth2-provider-grants)", () => {
  it("adds the declared grant types and keeps the others", async () => {
    const before = (await t.api.getProvider())!.advancedOAuth2Config!.grantTypes!;
    // A fresh tenant has neither (the seed's Task 1 exists because of that).
    expect(before).not.toContain("password");
    expect(before).not.toContain(TOKEN_EXCHANGE_GRANT);
    const r = await applySpec(t.api, t.providerGrants(), opts());
    const after = (await t.api.getProvider())!.advancedOAuth2Config!.grantTypes!;
    expect(after).toEqual([...before, "password", TOKEN_EXCHANGE_GRANT]);
    expect(r.action).toBe("updated");
    expect((await t.writes()).map((e) => e.method)).toEqual(["PUT"]);
  });

  it("loses no grant type when another writer changes the provider between its read and its write", async () => {
    const live = (await t.api.getProvider())!;
    const others = [...live.advancedOAuth2Config!.grantTypes!, "urn:ietf:params:oauth:grant-type:saml2-bearer-other"];
    // The engine's PUT (no query string) waits 1 s at the tenant; the other writer's PUT (with one)
    // is not delayed, and is sent once the engine has read the provider: it lands in between.
    await fetch(`${t.tenant.baseUrl}/__emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ path: "**/services/oauth-oidc", method: "PUT", times: 1, latencyMs: 1000 }),
    });
    await t.clearAudit();
    const applying = applySpec(t.api, t.providerGrants(), opts());
    const path = "/am/json/realms/root/realms/alpha/realm-config/services/oauth-oidc";
    while (!(await t.adminCalls()).some((e) => e.method === "GET" && e.path === path)) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const other = await fetch(`${t.tenant.baseUrl}${path}?_other=writer`, {
      method: "PUT",
      headers: {
        authorization: `Bearer ${await mintAdminToken(t.tenant.connection)}`,
        "accept-api-version": "protocol=2.0,resource=1.0",
        "content-type": "application/json",
      },
      body: JSON.stringify({ ...live, _id: undefined, _rev: undefined, _type: undefined, advancedOAuth2Config: { ...live.advancedOAuth2Config, grantTypes: others } }),
    });
    expect(other.status).toBe(200);
    await applying;
    expect((await t.api.getProvider())!.advancedOAuth2Config!.grantTypes).toEqual([...others, "password", TOKEN_EXCHANGE_GRANT]);
    const puts = (await t.writes()).filter((e) => e.method === "PUT").map((e) => `${e.path.includes("_other") ? "other" : "engine"} ${e.status}`);
    expect(puts).toEqual(["other 200", "engine 412", "engine 200"]);
  });

  it("makes no write call when every declared grant type is on", async () => {
    await applySpec(t.api, t.providerGrants(), opts());
    await t.clearAudit();
    const r = await applySpec(t.api, t.providerGrants(), opts());
    expect(r.action).toBe("unchanged");
    expect(await t.writes()).toEqual([]);
  });

  it("switches AI agents on only when the provider says they are off", async () => {
    expect((await t.api.getProvider())!.aiAgentsConfig?.aiAgentsEnabled).not.toBe(true); // the seed has them off
    await applySpec(t.api, t.providerGrants({ aiAgentsEnabled: true }), opts());
    const enables = () => t.writes().then((w) => w.filter((e) => e.path.startsWith("/environment/aiagent")));
    expect(await enables()).toHaveLength(1);
    expect((await t.api.getProvider())!.aiAgentsConfig?.aiAgentsEnabled).toBe(true);
    await t.clearAudit();
    await applySpec(t.api, t.providerGrants({ aiAgentsEnabled: true }), opts());
    expect(await enables()).toHaveLength(0);
  });

  it("takes exactly the declared grant types off with removal policy destroy", async () => {
    await applySpec(t.api, { ...t.providerGrants({ grantTypes: ["implicit"] }) }, opts());
    const before = (await t.api.getProvider())!.advancedOAuth2Config!.grantTypes!;
    const r = await deleteIdentity(t.api, identityOf(t.providerGrants({ grantTypes: ["implicit"] }, "destroy")));
    expect(r.action).toBe("deleted");
    expect((await t.api.getProvider())!.advancedOAuth2Config!.grantTypes).toEqual(before.filter((g) => g !== "implicit"));
  });

  it("makes no call at all on delete with removal policy retain", async () => {
    const r = await deleteIdentity(t.api, identityOf(t.providerGrants()));
    expect(r.action).toBe("unchanged");
    expect(await t.adminCalls()).toEqual([]);
  });
});

describe("applySpec: secrets too short to be scrubbed", () => {
  it("refuses a client secret under 6 characters with one line naming the variable, before any write", async () => {
    const err = await applySpec(t.api, t.webApp(), opts()).then(() => undefined, (e: unknown) => e);
    expect(err).toBeUndefined(); // created with the planted secret
    await t.clearAudit();
    for (const spec of [t.webApp({ scopes: ["openid"] }), t.aiAgent()]) {
      const env = t.env({ WEB_APP_CLIENT_SECRET: "abc12", AI_AGENT_CLIENT_SECRET: "abc12" });
      const failure = await applySpec(t.api, spec, { env }).then(() => undefined, (e: unknown) => e);
      expect(failure).toBeInstanceOf(EngineError);
      expect(failure).toMatchObject({ code: "SECRET_TOO_SHORT", message: expect.stringContaining(spec.secret!.env) });
      expect((failure as Error).message).toContain("at least 6 characters");
      expect((failure as Error).message).not.toContain("abc12");
      expect((failure as Error).message).not.toContain("\n");
    }
    expect(await t.writes()).toEqual([]);
  });
});

describe("deleteIdentity and the sync's removals: a 404 that is not the tenant's", () => {
  it("fails the step instead of reporting the object gone, and the object stays", async () => {
    await applyAll(t.webApp(), t.aiAgent());
    const proxy404 = { method: "DELETE", status: 404, body: "<html><body>404 Not Found</body></html>", contentType: "text/html", times: 2 };
    for (const path of ["**/agents/OAuth2Client/*", "**/agents/AIAgent/*"]) {
      await fetch(`${t.tenant.baseUrl}/__emulator/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ path, ...proxy404 }) });
    }
    await expect(deleteIdentity(t.api, identityOf(t.aiAgent()))).rejects.toMatchObject({ code: "UNEXPECTED_RESPONSE", message: expect.stringContaining("may still exist") });
    const removal = await syncTenant(() => t.api, { previous: journalOf(t.ref(), [t.webApp()]), desired: journalOf(t.ref(), []), specs: new Map() });
    expect(removal.failed).toBe(1);
    expect(removal.results[0].notes[0]).toMatch(/may still exist/);
    expect(await t.api.getOAuth2Client(APP)).toBeDefined();
    expect(await t.api.getAiAgent(AGENT)).toBeDefined();
  });
});

describe("apply result lines", () => {
  it("escape control characters of live values: a name set in the console cannot forge a line", async () => {
    await applyAll(t.webApp());
    const application = (await findApplication(t.api, APP))!;
    await t.api.patchManaged("application", application._id, [{ operation: "replace", field: "/name", value: "x\n+ web-app forged: created\u001b[31m" }]);
    const line = formatResult(await applySpec(t.api, t.webApp(), noSecrets()));
    expect(line).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(line).toContain("x\\n+ web-app forged: created\\u001b[31m");
  });
});

describe("applySpec(web-app)", () => {
  it("creates the AM client, then the IDM application record naming it", async () => {
    const r = await applySpec(t.api, t.webApp(), opts());
    expect(r.action).toBe("created");
    const client = (await t.api.getOAuth2Client("digital-assistant-web-app"))!;
    expect(client.coreOAuth2ClientConfig?.scopes?.value).toEqual(["openid", "read-data", "write-data", "admin-action"]);
    expect(client.coreOAuth2ClientConfig?.clientType?.value).toBe("Confidential");
    expect(client.advancedOAuth2ClientConfig?.tokenEndpointAuthMethod?.value).toBe("client_secret_post");
    const apps = await t.api.queryManaged<Record<string, any>>("application", { filter: 'ssoEntities/oidcId eq "digital-assistant-web-app"', fields: ["name", "owners", "templateName"] });
    expect(apps).toHaveLength(1);
    expect(apps[0]).toMatchObject({ name: "Digital Assistant Web App", templateName: "web" });
    const alice = await t.api.findUser("alice.walker");
    expect(apps[0].owners.map((o: any) => o._refResourceId ?? o._ref.split("/").pop())).toEqual([alice!._id]);
    const writes = (await t.writes()).map((e) => `${e.method} ${e.path.split("?")[0]}`);
    expect(writes[0]).toMatch(/^PUT .*\/agents\/OAuth2Client\/digital-assistant-web-app$/);
    expect(writes[1]).toMatch(/^PUT \/openidm\/managed\/alpha_application\//);
  });

  it("stores the secret from the env var so the app can get tokens with it", async () => {
    await applyAll(t.providerGrants(), t.webApp());
    const oauth = createOAuth2Api({ baseUrl: t.tenant.baseUrl, realm: "alpha" });
    const token = await oauth.token({
      grant_type: "password",
      username: "barbara.jensen",
      password: t.password("barbara.jensen"),
      client_id: "digital-assistant-web-app",
      client_secret: t.secrets.WEB_APP_CLIENT_SECRET,
      scope: "openid",
    });
    await oauth.close();
    expect(token.scope).toBe("openid");
  });

  it("makes zero write calls when applied a second time without the secret variable", async () => {
    await applySpec(t.api, t.webApp(), opts());
    await t.clearAudit();
    const r = await applySpec(t.api, t.webApp(), noSecrets());
    expect(r).toMatchObject({ action: "unchanged", changes: [], notes: ["secret not written: WEB_APP_CLIENT_SECRET is not set (set it to rotate)"] });
    expect(await t.writes()).toEqual([]);
    expect((await t.adminCalls()).length).toBeGreaterThan(0);
  });

  it("writes the secret in exactly one PUT, changing nothing else, when applied again with the variable set", async () => {
    const app = t.webApp({ grantTypes: ["client_credentials"] });
    await applyAll(t.providerGrants({ grantTypes: ["client_credentials"] }), app);
    const before = withoutRev(await t.api.getOAuth2Client(APP));
    await t.clearAudit();
    const r = await applySpec(t.api, app, { env: t.env({ WEB_APP_CLIENT_SECRET: "second-web-secret-value" }) });
    expect(r).toMatchObject({ action: "updated", changes: [SECRET_CHANGE], notes: ["secret written (version 1)"] });
    expect((await t.writes()).map((e) => `${e.method} ${e.path.split("?")[0]}`)).toEqual([expect.stringMatching(/^PUT .*\/agents\/OAuth2Client\/digital-assistant-web-app$/)]);
    expect(withoutRev(await t.api.getOAuth2Client(APP))).toEqual(before);
    await expect(clientCredentials(APP, "second-web-secret-value")).resolves.toMatchObject({ scope: "openid" });
  });

  it("updates in place with a PUT, never a DELETE, and keeps foreign fields", async () => {
    await applySpec(t.api, t.webApp(), opts());
    const live = (await t.api.getOAuth2Client("digital-assistant-web-app"))!;
    // Someone sets fields this tool does not own, through the admin API.
    const foreign = structuredClone(live) as Record<string, any>;
    foreign.advancedOAuth2ClientConfig.isConsentImplied = w(true);
    foreign.coreOAuth2ClientConfig.defaultScopes = w(["openid"]);
    await t.api.putOAuth2Client("digital-assistant-web-app", foreign);
    await t.clearAudit();

    const r = await applySpec(t.api, t.webApp({ scopes: ["openid", "read-data"] }), noSecrets());
    expect(r.action).toBe("updated");
    expect(r.changes).toEqual([
      { field: "coreOAuth2ClientConfig.scopes", from: ["openid", "read-data", "write-data", "admin-action"], to: ["openid", "read-data"] },
    ]);
    expect(formatResult(r)).toBe(
      "~ web-app digital-assistant-web-app: scopes −write-data −admin-action; " +
        "secret not written: WEB_APP_CLIENT_SECRET is not set (set it to rotate)",
    );
    const after = (await t.api.getOAuth2Client("digital-assistant-web-app"))!;
    expect(after.advancedOAuth2ClientConfig?.isConsentImplied?.value).toBe(true);
    expect(after.coreOAuth2ClientConfig?.defaultScopes?.value).toEqual(["openid"]);
    expect(after.coreOAuth2ClientConfig?.scopes?.value).toEqual(["openid", "read-data"]);
    const writes = await t.writes();
    expect(writes.map((e) => e.method)).toEqual(["PUT"]);
  });

  it("keeps a redirect URI added by hand only until it is declared otherwise", async () => {
    await applySpec(t.api, t.webApp({ redirectUris: ["https://app.example/cb"] }), opts());
    const r = await applySpec(t.api, t.webApp({ redirectUris: ["https://app.example/cb"], description: "The app" }), noSecrets());
    expect(r.changes.map((c) => c.field)).toEqual(["advancedOAuth2ClientConfig.descriptions", "application.description"]);
    expect((await t.api.getOAuth2Client("digital-assistant-web-app"))!.coreOAuth2ClientConfig?.redirectionUris?.value).toEqual([
      "https://app.example/cb",
    ]);
  });

  it("patches only the owners of the application record when they change", async () => {
    await applySpec(t.api, t.webApp(), opts());
    await t.clearAudit();
    const r = await applySpec(t.api, t.webApp({ owners: ["alice.walker", "carl.tanaka"] }), noSecrets());
    expect(r.changes).toEqual([{ field: "application.owners", from: ["alice.walker"], to: ["alice.walker", "carl.tanaka"] }]);
    const writes = await t.writes();
    expect(writes.map((e) => e.method)).toEqual(["PATCH"]);
    expect(writes[0].path).toMatch(/^\/openidm\/managed\/alpha_application\//);
  });

  it("fails on an unknown owner before any write", async () => {
    const run = applySpec(t.api, t.webApp({ owners: ["alice.walker", "no.such.user"] }), opts());
    await expect(run).rejects.toThrow(EngineError);
    await expect(run).rejects.toThrow(/user "no.such.user" not found in realm alpha/);
    expect(await t.writes()).toEqual([]);
  });

  it("fails when the secret env var is not set on create, before any write", async () => {
    const run = applySpec(t.api, t.webApp(), { env: t.env({ WEB_APP_CLIENT_SECRET: undefined }) });
    await expect(run).rejects.toThrow("WEB_APP_CLIENT_SECRET is not set: it is needed to create digital-assistant-web-app");
    expect(await t.writes()).toEqual([]);
  });

  it("does not need the secret to update, and then leaves the secret as it was", async () => {
    await applySpec(t.api, t.webApp({ grantTypes: ["client_credentials"] }), opts());
    const r = await applySpec(t.api, t.webApp({ grantTypes: ["client_credentials"], name: "Renamed" }), noSecrets());
    expect(r.changes.map((c) => c.field)).toEqual(["coreOAuth2ClientConfig.clientName", "application.name"]);
    expect(r.notes).toEqual(["secret not written: WEB_APP_CLIENT_SECRET is not set (set it to rotate)"]);
    await applySpec(t.api, t.providerGrants({ grantTypes: ["client_credentials"] }), opts());
    await expect(clientCredentials(APP, t.secrets.WEB_APP_CLIENT_SECRET)).resolves.toMatchObject({ scope: "openid" });
  });

  it("writes the secret along with a field change in one PUT when the variable is set", async () => {
    await applySpec(t.api, t.webApp(), opts());
    await t.clearAudit();
    const r = await applySpec(t.api, t.webApp({ scopes: ["openid"] }), opts());
    expect(formatResult(r)).toBe(
      "~ web-app digital-assistant-web-app: scopes −read-data −write-data −admin-action; secret written (version 1)",
    );
    expect((await t.writes()).map((e) => e.method)).toEqual(["PUT"]);
  });

  it("deletes the IDM record first, then the AM client; deleting again is fine", async () => {
    await applySpec(t.api, t.webApp(), opts());
    await t.clearAudit();
    const identity = identityOf(t.webApp());
    expect((await deleteIdentity(t.api, identity)).action).toBe("deleted");
    const deletes = (await t.writes()).map((e) => e.path);
    expect(deletes[0]).toMatch(/^\/openidm\/managed\/alpha_application\//);
    expect(deletes[1]).toMatch(/\/agents\/OAuth2Client\/digital-assistant-web-app$/);
    const again = await deleteIdentity(t.api, identity);
    expect(again.action).toBe("absent");
    expect(again.notes).toEqual(["application record already gone", "OAuth2 client already gone"]);
  });
});

describe("applySpec(ai-agent)", () => {
  it("creates the agent with its settings and sets the owners of the identity AM made", async () => {
    const r = await applySpec(t.api, t.aiAgent(), opts());
    expect(r.action).toBe("created");
    const agent = (await t.api.getAiAgent("digital-assistant-ai-agent"))!;
    expect(agent.advancedOAuth2ClientConfig?.grantTypes?.value).toEqual(["urn:ietf:params:oauth:grant-type:token-exchange"]);
    expect(agent.overrideOAuth2ClientConfig).toMatchObject({
      providerOverridesEnabled: true,
      statelessTokensEnabled: true,
      acceptAudienceParametersInTokenExchangeRequests: true,
    });
    const uid = agent.aiAgentIdentityUid!.value!;
    const identity = await t.api.readManaged<Record<string, any>>("aiagent", uid, ["name", "owners"]);
    expect(identity!.name).toBe("Digital Assistant AI Agent");
    const alice = await t.api.findUser("alice.walker");
    expect(identity!.owners.map((o: any) => o._refResourceId)).toEqual([alice!._id]);
  });

  it("makes zero write calls when applied a second time without the secret variable", async () => {
    await applySpec(t.api, t.aiAgent(), opts());
    await t.clearAudit();
    expect((await applySpec(t.api, t.aiAgent(), noSecrets())).action).toBe("unchanged");
    expect(await t.writes()).toEqual([]);
  });

  it("writes the secret in exactly one PUT, changing nothing else, when applied again with the variable set", async () => {
    await applySpec(t.api, t.aiAgent(), opts());
    const before = withoutRev(await t.api.getAiAgent(AGENT));
    await t.clearAudit();
    const r = await applySpec(t.api, t.aiAgent(), opts());
    expect(r).toMatchObject({ action: "updated", changes: [SECRET_CHANGE], notes: ["secret written (version 1)"] });
    expect((await t.writes()).map((e) => `${e.method} ${e.path.split("?")[0]}`)).toEqual([expect.stringMatching(/^PUT .*\/AIAgent\/digital-assistant-ai-agent$/)]);
    expect(withoutRev(await t.api.getAiAgent(AGENT))).toEqual(before);
  });

  it("updates in place with the merged full body, keeping foreign fields and the identity", async () => {
    await applySpec(t.api, t.aiAgent(), opts());
    const live = structuredClone((await t.api.getAiAgent("digital-assistant-ai-agent"))!) as Record<string, any>;
    live.advancedOAuth2ClientConfig.isConsentImplied = w(true);
    live.overrideOAuth2ClientConfig.issueRefreshToken = false;
    delete live.aiAgentIdentityAttributes.value._rev;
    await t.api.putAiAgent("digital-assistant-ai-agent", live);
    await t.clearAudit();

    const r = await applySpec(t.api, t.aiAgent({ scopes: ["read-data"], description: "Helps" }), noSecrets());
    expect(r.changes.map((c) => c.field)).toEqual(["coreOAuth2ClientConfig.scopes", "aiAgentIdentityAttributes.description"]);
    expect((await t.writes()).map((e) => e.method)).toEqual(["PUT"]);
    const after = (await t.api.getAiAgent("digital-assistant-ai-agent"))!;
    expect(after.advancedOAuth2ClientConfig?.isConsentImplied?.value).toBe(true);
    expect(after.overrideOAuth2ClientConfig?.issueRefreshToken).toBe(false);
    expect(after.overrideOAuth2ClientConfig?.providerOverridesEnabled).toBe(true);
    expect(after.aiAgentIdentityUid?.value).toBe(live.aiAgentIdentityUid.value);
    expect(after.aiAgentIdentityAttributes?.value?.description).toBe("Helps");
  });

  it("patches the identity's owners when only they change", async () => {
    await applySpec(t.api, t.aiAgent(), opts());
    await t.clearAudit();
    const r = await applySpec(t.api, t.aiAgent({ owners: ["carl.tanaka"] }), noSecrets());
    expect(r.changes).toEqual([{ field: "identity.owners", from: ["alice.walker"], to: ["carl.tanaka"] }]);
    const writes = await t.writes();
    expect(writes.map((e) => `${e.method} ${e.path.split("/").slice(0, 4).join("/")}`)).toEqual(["PATCH /openidm/managed/alpha_aiagent"]);
  });

  it("fails when the secret env var is not set on create, before any write", async () => {
    const run = applySpec(t.api, t.aiAgent(), { env: t.env({ AI_AGENT_CLIENT_SECRET: "" }) });
    await expect(run).rejects.toThrow("AI_AGENT_CLIENT_SECRET is not set: it is needed to create digital-assistant-ai-agent");
    expect(await t.writes()).toEqual([]);
  });

  it("deletes the agent, and AM removes its identity", async () => {
    await applySpec(t.api, t.aiAgent(), opts());
    const uid = (await t.api.getAiAgent("digital-assistant-ai-agent"))!.aiAgentIdentityUid!.value!;
    expect((await deleteIdentity(t.api, identityOf(t.aiAgent()))).action).toBe("deleted");
    expect(await t.api.getAiAgent("digital-assistant-ai-agent")).toBeUndefined();
    expect(await t.api.readManaged("aiagent", uid)).toBeUndefined();
    expect((await deleteIdentity(t.api, identityOf(t.aiAgent()))).action).toBe("absent");
  });
});

describe("applySpec(agent-grant)", () => {
  it("fails naming every missing reference before any write", async () => {
    const run = applySpec(t.api, t.agentGrant({ subjects: ["ghost"], subjectGroups: ["no-group"] }), opts());
    await expect(run).rejects.toThrow(
      /^AI agent "digital-assistant-ai-agent", application "digital-assistant-web-app", user "ghost", group "no-group" not found in realm alpha; create them first or fix the name$/,
    );
    expect(await t.writes()).toEqual([]);
  });

  it("creates the privilege, then patches only what changed, never deleting it", async () => {
    await applyAll(t.webApp(), t.aiAgent());
    const created = await applySpec(t.api, t.agentGrant(), opts());
    expect(created.action).toBe("created");
    const [privilege] = await t.api.queryManaged<Record<string, any>>("aiagentprivilege", { fields: ["permissions", "subjects", "agent", "resource"] });
    expect(privilege.permissions).toEqual([{ type: "scopes", values: ["read-data"] }]);

    await t.clearAudit();
    expect((await applySpec(t.api, t.agentGrant(), opts())).action).toBe("unchanged");
    expect(await t.writes()).toEqual([]);

    const r = await applySpec(t.api, t.agentGrant({ scopes: ["read-data", "write-data"], subjectGroups: ["support-agents"] }), opts());
    expect(r.changes).toEqual([
      { field: "privilege.permissions", from: ["read-data"], to: ["read-data", "write-data"] },
      { field: "privilege.subjectGroups", from: [], to: ["support-agents"] },
    ]);
    expect((await t.writes()).map((e) => e.method)).toEqual(["PATCH"]);
  });

  it("deletes the privilege", async () => {
    await applyAll(t.webApp(), t.aiAgent(), t.agentGrant());
    expect((await deleteIdentity(t.api, identityOf(t.agentGrant()))).action).toBe("deleted");
    expect(await t.api.queryManaged("aiagentprivilege")).toEqual([]);
  });
});

describe("applySpec: secret rotation", () => {
  // A version bump changes the spec, so Terraform re-runs apply, in an environment that holds the new value.
  const rotations = [
    {
      kind: "web-app",
      id: APP,
      env: "WEB_APP_CLIENT_SECRET",
      scope: "openid",
      spec: (version: number) => ({ ...t.webApp({ grantTypes: ["client_credentials"] }), secret: { env: "WEB_APP_CLIENT_SECRET", version } }),
    },
    {
      kind: "ai-agent",
      id: AGENT,
      env: "AI_AGENT_CLIENT_SECRET",
      scope: "read-data",
      spec: (version: number) => ({
        ...t.aiAgent({ grantTypes: [TOKEN_EXCHANGE_GRANT, "client_credentials"], scopes: ["read-data"] }),
        secret: { env: "AI_AGENT_CLIENT_SECRET", version },
      }),
    },
  ] as const;

  it.each(rotations)("rotates a $kind secret on a version bump: the new value works at the token endpoint, the old one is refused", async ({ kind, id, env, scope, spec }) => {
    await applyAll(t.providerGrants({ grantTypes: ["client_credentials"] }), spec(1));
    const old = t.secrets[env];
    await expect(clientCredentials(id, old, scope)).resolves.toMatchObject({ scope });
    await t.clearAudit();
    const rotated = `rotated-${id}-value`;
    const r = await applySpec(t.api, spec(2), { env: t.env({ [env]: rotated }) });
    expect(formatResult(r)).toBe(`~ ${kind} ${id}: secret written (version 2)`);
    expect((await t.writes()).map((e) => e.method)).toEqual(["PUT"]);
    await expect(clientCredentials(id, rotated, scope)).resolves.toMatchObject({ scope });
    await expect(clientCredentials(id, old, scope)).rejects.toThrow(/invalid_client/);
  });

  it.each(rotations)("writes nothing on a $kind version bump when the variable is not set, and says how to rotate", async ({ kind, id, env, scope, spec }) => {
    await applyAll(t.providerGrants({ grantTypes: ["client_credentials"] }), spec(1));
    await t.clearAudit();
    const r = await applySpec(t.api, spec(2), noSecrets());
    expect(formatResult(r)).toBe(`= ${kind} ${id}: unchanged — secret not written: ${env} is not set (set it to rotate)`);
    expect(await t.writes()).toEqual([]);
    await expect(clientCredentials(id, t.secrets[env], scope)).resolves.toMatchObject({ scope });
  });
});
