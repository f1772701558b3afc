import { fillPath, ENDPOINTS } from "../../src/contract";
import { createAdminApi, registerSecret, stripForAmPut, type AdminClient } from "../../src/client";
import { rejection } from "./errors-of";
import { TestTenant } from "./tenant";

const t = new TestTenant();
let api: AdminClient;

beforeAll(async () => {
  await t.start();
  api = createAdminApi(t.options());
});
afterAll(async () => {
  await api.close();
  await t.stop();
});
beforeEach(() => t.reset());

const clientPath = (id: string) => fillPath(ENDPOINTS.oauth2ClientPut.path, { realm: t.connection.realm, id });
const confidential = (scopes: string[]) => ({
  coreOAuth2ClientConfig: { clientType: "Confidential", userpassword: "client-secret-value-1", scopes },
  advancedOAuth2ClientConfig: { grantTypes: ["client_credentials"] },
});

describe("AdminApi: OAuth2 provider", () => {
  it("reads the realm's provider with its grant types", async () => {
    const provider = await api.getProvider();
    expect(provider?.advancedOAuth2Config?.grantTypes).toEqual(expect.arrayContaining(["authorization_code"]));
  });

  it("writes back a read provider (metadata stripped) and the change sticks", async () => {
    const provider = (await api.getProvider())!;
    const grantTypes = [...provider.advancedOAuth2Config!.grantTypes!, "password"];
    const written = await api.putProvider({ ...provider, advancedOAuth2Config: { ...provider.advancedOAuth2Config, grantTypes } });
    expect(written.advancedOAuth2Config?.grantTypes).toEqual(grantTypes);
    expect((await api.getProvider())?.advancedOAuth2Config?.grantTypes).toEqual(grantTypes);
  });

  it("fails with CONFLICT, without retrying, when creating a provider that exists", async () => {
    const err = await rejection(api.createProvider({ advancedOAuth2Config: { grantTypes: ["password"] } }));
    expect(err).toMatchObject({ code: "CONFLICT", status: 409, attempts: 1 });
  });

  it("switches the AI agents feature on", async () => {
    await api.enableAiAgents();
    expect((await api.getProvider())?.aiAgentsConfig).toMatchObject({ aiAgentsEnabled: true });
  });
});

describe("AdminApi: the AI agents feature", () => {
  it("reads the feature as not installed, then installed once switched on", async () => {
    expect(await api.aiAgentsInstalled()).toBe(false);
    await api.enableAiAgents();
    expect(await api.aiAgentsInstalled()).toBe(true);
  });
});

describe("AdminApi: scripts", () => {
  const source = 'function validateAccessTokenScope() { return requestedScopes; }\n';
  const script = (name: string) => ({
    name,
    script: Buffer.from(source, "utf8").toString("base64"),
    language: "JAVASCRIPT",
    context: "OAUTH2_VALIDATE_SCOPE_NEXT_GEN",
  });

  it("creates, reads, finds by name, replaces and deletes a script", async () => {
    const id = "3b2f6836-184c-4ee9-8a1d-557cb01837a5";
    expect(await api.getScript(id)).toBeUndefined();
    const created = await api.putScript(id, script("Scope limit"));
    expect(created).toMatchObject({ _id: id, name: "Scope limit", evaluatorVersion: "2.0" });
    expect(Buffer.from((await api.getScript(id))!.script, "base64").toString("utf8")).toBe(source);
    expect((await api.queryScripts({ filter: 'name eq "Scope limit"' })).map((s) => s._id)).toEqual([id]);
    expect(await api.putScript(id, { ...created, name: "Renamed" })).toMatchObject({ _id: id, name: "Renamed" });
    expect(await api.deleteScript(id)).toBe(true);
    expect(await api.deleteScript(id)).toBe(false);
  });
});

describe("AdminApi: OAuth2 clients", () => {
  it("creates a client, reads it with wrapped values, and finds it in a query", async () => {
    const created = await api.putOAuth2Client("web-1", confidential(["openid"]), { createOnly: true });
    expect(created._id).toBe("web-1");
    const read = await api.getOAuth2Client("web-1");
    expect(read?.coreOAuth2ClientConfig?.scopes).toEqual({ inherited: false, value: ["openid"] });
    expect(read?.coreOAuth2ClientConfig?.userpassword ?? null).toBeNull();
    expect((await api.queryOAuth2Clients()).map((c) => c._id)).toEqual(["web-1"]);
  });

  it("answers undefined for a client that does not exist", async () => {
    expect(await api.getOAuth2Client("absent")).toBeUndefined();
  });

  it("fails with PRECONDITION_FAILED, without retrying, when a create-only PUT finds the client", async () => {
    await api.putOAuth2Client("web-2", confidential(["openid"]), { createOnly: true });
    const err = await rejection(api.putOAuth2Client("web-2", confidential(["openid"]), { createOnly: true }));
    expect(err).toMatchObject({ code: "PRECONDITION_FAILED", status: 412, attempts: 1 });
  });

  it("replaces a client with a read-modify-write of the GET body, including *-encrypted keys", async () => {
    await api.putOAuth2Client("web-3", confidential(["openid"]));
    const live = (await api.getOAuth2Client("web-3"))!;
    const body = {
      ...live,
      _provider: "x",
      coreOAuth2ClientConfig: { ...live.coreOAuth2ClientConfig, scopes: { inherited: false, value: ["openid", "profile"] }, "userpassword-encrypted": "AAAA" },
    };
    const written = await api.putOAuth2Client("web-3", body);
    expect(written.coreOAuth2ClientConfig?.scopes?.value).toEqual(["openid", "profile"]);
  });

  it("follows pagedResultsCookie until the last page", async () => {
    for (const id of ["p-1", "p-2", "p-3"]) await api.putOAuth2Client(id, confidential(["openid"]));
    const ids = (await api.queryOAuth2Clients({ pageSize: 2 })).map((c) => c._id).sort();
    expect(ids).toEqual(["p-1", "p-2", "p-3"]);
    const pages = (await t.audit()).filter((e) => e.method === "GET" && e.path.startsWith(`${clientPath("x").replace(/\/x$/, "")}?`));
    expect(pages).toHaveLength(2);
    expect(pages[1].path).toContain("_pagedResultsCookie=");
  });

  it("deletes a client: true, then false when it is gone", async () => {
    await api.putOAuth2Client("web-4", confidential(["openid"]));
    expect(await api.deleteOAuth2Client("web-4")).toBe(true);
    expect(await api.deleteOAuth2Client("web-4")).toBe(false);
    expect(await api.getOAuth2Client("web-4")).toBeUndefined();
  });
});

describe("AdminApi: AI agents", () => {
  it("creates an agent, whose IDM identity AM creates, and lists, reads and deletes it", async () => {
    const agent = await api.putAiAgent("agent-1", { coreOAuth2ClientConfig: { userpassword: "agent-secret-value-1" } }, { createOnly: true });
    const uid = agent.aiAgentIdentityUid?.value;
    expect(uid).toEqual(expect.any(String));
    expect(await api.readManaged("aiagent", uid!)).toMatchObject({ oauth2ClientId: "agent-1" });
    expect((await api.queryAiAgents()).map((a) => a._id)).toEqual(["agent-1"]);
    expect((await api.getAiAgent("agent-1"))?._id).toBe("agent-1");
    expect(await api.deleteAiAgent("agent-1")).toBe(true);
    expect(await api.getAiAgent("agent-1")).toBeUndefined();
    expect(await api.deleteAiAgent("agent-1")).toBe(false);
  });
});

describe("AdminApi: IDM managed objects", () => {
  it("creates, reads (with fields), patches, queries and deletes an application", async () => {
    const created = await api.createManaged<{ _id: string; name: string }>("application", "app-rec-1", { name: "app one", ssoEntities: { oidcId: "web-1" } });
    expect(created).toMatchObject({ _id: "app-rec-1", name: "app one" });
    expect(await api.readManaged("application", "app-rec-1", ["name"])).toEqual({ _id: "app-rec-1", _rev: expect.any(String), name: "app one" });
    const patched = await api.patchManaged("application", "app-rec-1", [{ operation: "replace", field: "/description", value: "the app" }]);
    expect(patched).toMatchObject({ description: "the app" });
    const found = await api.queryManaged<{ _id: string }>("application", { filter: 'name eq "app one"' });
    expect(found.map((a) => a._id)).toEqual(["app-rec-1"]);
    expect(await api.deleteManaged("application", "app-rec-1")).toBe(true);
    expect(await api.deleteManaged("application", "app-rec-1")).toBe(false);
    expect(await api.readManaged("application", "app-rec-1")).toBeUndefined();
  });

  it("fails with PRECONDITION_FAILED when creating an object that exists", async () => {
    await api.createManaged("application", "app-rec-2", { name: "two" });
    expect(await rejection(api.createManaged("application", "app-rec-2", { name: "two" }))).toMatchObject({ code: "PRECONDITION_FAILED" });
  });

  it("pages through users", async () => {
    const users = await api.queryManaged<{ userName: string }>("user", { pageSize: 1, fields: ["userName"] });
    expect(users.map((u) => u.userName).sort()).toEqual(t.connection.users.map((u) => u.userName).sort());
  });

  it("finds a user and a group by name", async () => {
    const [user] = t.connection.users;
    const [group] = t.connection.groups;
    expect(await api.findUser(user.userName)).toEqual({ _id: user._id, userName: user.userName });
    expect(await api.findGroup(group.name)).toEqual({ _id: group._id, name: group.name });
    expect(await api.findUser("nobody")).toBeUndefined();
  });

  it("escapes quotes in a filter value, so a name cannot widen the query", async () => {
    expect(await api.findUser('x" or true or userName eq "y')).toBeUndefined();
  });
});

describe("AdminApi: response parsing", () => {
  it("fails with UNEXPECTED_RESPONSE naming the endpoint and the field when a response has another shape", async () => {
    await t.fault({ path: "**/realm-config/agents/OAuth2Client/odd", method: "GET", times: 1, status: 200, body: { _id: 42 } });
    const err = await rejection(api.getOAuth2Client("odd"));
    expect(err).toMatchObject({ code: "UNEXPECTED_RESPONSE", endpoint: "oauth2ClientRead", fieldPath: "_id" });
    expect(String(err)).toContain("oauth2ClientRead returned an unexpected shape at _id");
  });
});

describe("AdminApi: what counts as already gone", () => {
  const PROXY_404 = "<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center></body></html>";

  it("counts only the tenant's own JSON 404 as absent", async () => {
    expect(await api.deleteOAuth2Client("never-there")).toBe(false);
    expect(await api.deleteManaged("application", "never-there")).toBe(false);
    expect(await api.getOAuth2Client("never-there")).toBeUndefined();
  });

  it.each([
    ["an HTML 404 from a proxy", { body: PROXY_404, contentType: "text/html" }, "text/html"],
    ["a JSON 404 of another shape", { body: { error: "not found" } }, "not the tenant's"],
    ["a 404 whose body is not JSON", { body: "Not Found", contentType: "application/json" }, "not the tenant's"],
  ])("fails a delete, read or IDM delete on %s, and the object is still there", async (_what, answer, said) => {
    await api.putOAuth2Client("kept", confidential(["openid"]));
    for (const [method, path] of [["DELETE", clientPath("kept")], ["GET", clientPath("kept")], ["DELETE", "/openidm/managed/alpha_application/kept"]]) {
      await t.fault({ path, method, times: 1, status: 404, ...answer });
    }
    for (const call of [api.deleteOAuth2Client("kept"), api.getOAuth2Client("kept"), api.deleteManaged("application", "kept")]) {
      const err = await rejection(call);
      expect(err).toMatchObject({ code: "UNEXPECTED_RESPONSE", status: 404 });
      expect(String(err)).toContain(said);
      expect(String(err)).toMatch(/may still exist.*Fix: check that the base URL/);
    }
    expect(await api.getOAuth2Client("kept")).toMatchObject({ _id: "kept" });
  });
});

describe("AdminApi: secrets in error bodies", () => {
  it("scrubs a secret echoed in a long non-JSON error body before shortening it, so no part of it shows", async () => {
    const secret = "s3cr3t-" + "x".repeat(33) + "-0123456"; // 48 characters
    expect(secret).toHaveLength(48);
    registerSecret(secret);
    // The secret starts at character 177: a cut at 200 kept its first 23 characters.
    const body = `<html>${"-".repeat(171)}${secret} was refused</html>`;
    await t.fault({ path: "**/realm-config/services/oauth-oidc", method: "GET", times: 1, status: 400, body });
    const err = await rejection(api.getProvider());
    for (const text of [String(err), err.stack ?? "", JSON.stringify(err), err.apiMessage ?? ""]) {
      expect(text).not.toContain(secret.slice(0, 8));
      expect(text).not.toContain(secret.slice(-8));
    }
    expect(err.apiMessage).toContain("<redacted>");
  });
});

describe("stripForAmPut", () => {
  it("drops metadata at the top and *-encrypted keys at every level", () => {
    const body = { _id: "a", _rev: "1", _type: {}, _provider: {}, g: { k: 1, "k-encrypted": "x", deep: [{ "z-encrypted": 1, z: 2 }] }, "top-encrypted": 1 };
    expect(stripForAmPut(body)).toEqual({ g: { k: 1, deep: [{ z: 2 }] } });
  });
});
