/**
 * The admin API of the embedded tenant over real HTTP: status codes and bodies are part of the
 * contract (reference/am-admin-api.md) and checked exactly.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { AI_AGENT, AM, API_VERSION, fixtures, IDM, OAUTH2_CLIENT, PROVIDER, startTestTenant, type TestTenant } from "./helpers";

let t: TestTenant;
beforeAll(async () => {
  t = await startTestTenant();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.reset();
});

const NOT_FOUND = { code: 404, reason: "Not Found", message: "Not Found" };
const am = (method: string, path: string, apiVersion: string, body?: unknown, headers?: Record<string, string>) =>
  t.call(method, path, { apiVersion, body, headers });
const client = (method: string, id: string, body?: unknown, headers?: Record<string, string>) =>
  am(method, `${OAUTH2_CLIENT}/${id}`, API_VERSION.oauth2Client, body, headers);
const agent = (method: string, id: string, body?: unknown) => am(method, `${AI_AGENT}/${id}`, API_VERSION.aiAgent, body);
const identityBody = (uid: string, name: string) => ({
  aiAgentIdentityAttributes: { inherited: false, value: { _id: uid, name, description: `${name} description` } },
  aiAgentIdentityUid: { inherited: false, value: uid },
});

/** Client credentials at the realm's token endpoint: proves which secret the client has. */
async function clientCredentials(clientId: string, secret: string): Promise<number> {
  const res = await fetch(`${t.baseUrl}/am/oauth2/realms/root/realms/alpha/access_token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}`,
    },
    body: new URLSearchParams({ grant_type: "client_credentials", scope: "read-data" }),
  });
  await res.text();
  return res.status;
}

describe("OAuth2 provider service", () => {
  it("reads plain values with _id '', _rev as ETag and _type", async () => {
    const r = await am("GET", PROVIDER, API_VERSION.oauth2Provider);
    expect(r.status).toBe(200);
    expect(r.body._id).toBe("");
    expect(r.headers.get("etag")).toBe(`"${r.body._rev}"`);
    expect(r.body._type).toEqual({ _id: "oauth-oidc", name: "OAuth2 Provider", collection: false });
    expect(Array.isArray(r.body.advancedOAuth2Config.grantTypes)).toBe(true);
  });

  it("starts like a fresh tenant: no password or token-exchange grant, AI agents off", async () => {
    const r = await am("GET", PROVIDER, API_VERSION.oauth2Provider);
    expect(r.body.advancedOAuth2Config.grantTypes).not.toContain("password");
    expect(r.body.advancedOAuth2Config.grantTypes).not.toContain("urn:ietf:params:oauth:grant-type:token-exchange");
    expect(r.body.aiAgentsConfig).toEqual({ aiAgentsEnabled: false });
  });

  it("replaces the whole object on PUT: what the body leaves out is reset", async () => {
    const { _id, _rev, _type, ...live } = (await am("GET", PROVIDER, API_VERSION.oauth2Provider)).body;
    live.coreOAuth2Config.accessTokenLifetime = 60;
    const changed = await am("PUT", PROVIDER, API_VERSION.oauth2Provider, live);
    expect(changed.status).toBe(200);
    expect(changed.body.coreOAuth2Config.accessTokenLifetime).toBe(60);
    expect(changed.body._rev).not.toBe(_rev);

    const partial = await am("PUT", PROVIDER, API_VERSION.oauth2Provider, { advancedOAuth2Config: { grantTypes: ["password"] } });
    expect(partial.body.advancedOAuth2Config.grantTypes).toEqual(["password"]);
    expect(partial.body.coreOAuth2Config.accessTokenLifetime).toBe(3600);
  });

  it("refuses ?_action=create when the service exists", async () => {
    const r = await t.call("POST", `${PROVIDER}?_action=create`, { apiVersion: API_VERSION.oauth2Provider, body: {} });
    expect(r.status).toBe(409);
    expect(r.body).toEqual({ code: 409, reason: "Conflict", message: "Unable to save config: Service already exists" });
  });

  it("switches AI agents on with POST /environment/aiagent?_action=enable", async () => {
    const r = await t.call("POST", "/environment/aiagent?_action=enable", { apiVersion: API_VERSION.environment });
    expect([r.status, r.body]).toEqual([200, {}]);
    const provider = await am("GET", PROVIDER, API_VERSION.oauth2Provider);
    expect(provider.body.aiAgentsConfig.aiAgentsEnabled).toBe(true);
  });
});

describe("OAuth2Client", () => {
  it("creates with 201, the full defaults, ETag and Location", async () => {
    const r = await client("PUT", "web-app", { coreOAuth2ClientConfig: { scopes: ["openid"] } });
    expect(r.status).toBe(201);
    expect(r.body._id).toBe("web-app");
    expect(r.headers.get("etag")).toBe(`"${r.body._rev}"`);
    expect(r.headers.get("location")).toBe(`${t.baseUrl}${OAUTH2_CLIENT}/web-app`);
    expect(r.body.advancedOAuth2ClientConfig.tokenEndpointAuthMethod).toEqual({ inherited: false, value: "client_secret_basic" });
    expect(r.body.advancedOAuth2ClientConfig.grantTypes).toEqual({ inherited: false, value: ["authorization_code"] });
    expect(r.body.advancedOAuth2ClientConfig.softwareVersion).toEqual({ inherited: false });
    expect(r.body.overrideOAuth2ClientConfig.providerOverridesEnabled).toBe(false);
    expect(r.body._type).toEqual({ _id: "OAuth2Client", name: "OAuth2 Clients", collection: true });
  });

  it("accepts raw and wrapped values and reads them back wrapped", async () => {
    await client("PUT", "web-app", {
      coreOAuth2ClientConfig: { scopes: ["openid", "read-data"], clientType: { inherited: false, value: "Public" } },
      overrideOAuth2ClientConfig: { providerOverridesEnabled: true },
    });
    const r = await client("GET", "web-app");
    expect(r.body.coreOAuth2ClientConfig.scopes).toEqual({ inherited: false, value: ["openid", "read-data"] });
    expect(r.body.coreOAuth2ClientConfig.clientType).toEqual({ inherited: false, value: "Public" });
    expect(r.body.overrideOAuth2ClientConfig.providerOverridesEnabled).toBe(true);
  });

  it("resets on PUT whatever the body leaves out, and changes _rev", async () => {
    const first = await client("PUT", "web-app", { coreOAuth2ClientConfig: { scopes: ["openid"] }, advancedOAuth2ClientConfig: { grantTypes: ["password"] } });
    const second = await client("PUT", "web-app", { coreOAuth2ClientConfig: { scopes: ["openid"] } });
    expect(second.body._rev).not.toBe(first.body._rev);
    const read = await client("GET", "web-app");
    expect(read.body.advancedOAuth2ClientConfig.grantTypes).toEqual({ inherited: false, value: ["authorization_code"] });
    expect(read.body._rev).toBe(second.body._rev);
  });

  it("keeps the secret write-only: reads back null, kept when an update omits it", async () => {
    const secret = randomBytes(16).toString("hex");
    const body = { coreOAuth2ClientConfig: { scopes: ["read-data"] }, advancedOAuth2ClientConfig: { grantTypes: ["client_credentials"] } };
    await client("PUT", "svc", { ...body, coreOAuth2ClientConfig: { ...body.coreOAuth2ClientConfig, userpassword: secret } });
    expect((await client("GET", "svc")).body.coreOAuth2ClientConfig.userpassword).toBeNull();
    await client("PUT", "svc", { ...body, coreOAuth2ClientConfig: { ...body.coreOAuth2ClientConfig, userpassword: null } });
    await client("PUT", "svc", body);
    expect(await clientCredentials("svc", secret)).toBe(200);
    expect(await clientCredentials("svc", "wrong")).toBe(401);
  });

  it("answers 412 to a create-only PUT (If-None-Match: *) of an existing client", async () => {
    await client("PUT", "web-app", {});
    const r = await client("PUT", "web-app", {}, { "if-none-match": "*" });
    expect(r.status).toBe(412);
    expect(r.body).toEqual({
      code: 412,
      reason: "Precondition Failed",
      message: "The resource with ID 'web-app' could not be created because there is already another resource with the same ID",
    });
  });

  it("answers 201 to a replace, as the recorded tenant does", async () => {
    await client("PUT", "web-app", {});
    expect((await client("PUT", "web-app", {})).status).toBe(201);
  });

  it("refuses an unknown attribute with 400 and the valid attributes of its group", async () => {
    const r = await client("PUT", "web-app", { coreOAuth2ClientConfig: { colour: "red" } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(400);
    expect(r.body.reason).toBe("Bad Request");
    expect(r.body.message).toBe("Invalid attribute specified.");
    expect(r.body.detail.validAttributes).toEqual(expect.arrayContaining(["scopes", "clientType", "userpassword"]));
  });

  it("refuses an unknown attribute group, and AI agent groups on an OAuth2Client", async () => {
    for (const body of [{ colourConfig: {} }, { aiAgentIdentityUid: "x" }]) {
      const r = await client("PUT", "web-app", body);
      expect(r.status).toBe(400);
      expect(r.body.detail.validAttributes).toContain("coreOAuth2ClientConfig");
      expect(r.body.detail.validAttributes).not.toContain("aiAgentIdentityUid");
    }
  });

  it("accepts and drops keys ending in -encrypted and metadata keys", async () => {
    const r = await client("PUT", "web-app", {
      _id: "web-app",
      _rev: "1",
      _type: { _id: "OAuth2Client" },
      coreOAuth2ClientConfig: { "userpassword-encrypted": "x", scopes: ["openid"] },
    });
    expect(r.status).toBe(201);
    expect(r.body.coreOAuth2ClientConfig).not.toHaveProperty("userpassword-encrypted");
  });

  it("deletes with 200 and the deleted object, then answers 404", async () => {
    await client("PUT", "web-app", { coreOAuth2ClientConfig: { scopes: ["openid"] } });
    const deleted = await client("DELETE", "web-app");
    expect(deleted.status).toBe(200);
    expect(deleted.body.coreOAuth2ClientConfig.scopes).toEqual({ inherited: false, value: ["openid"] });
    expect(await client("GET", "web-app")).toMatchObject({ status: 404, body: NOT_FOUND });
    expect(await client("DELETE", "web-app")).toMatchObject({ status: 404, body: NOT_FOUND });
  });

  it("lists with _queryFilter, _fields and paging, values unwrapped", async () => {
    for (const id of ["a", "b", "c"]) await client("PUT", id, { coreOAuth2ClientConfig: { scopes: [id] } });
    const one = await am("GET", `${OAUTH2_CLIENT}?_queryFilter=${encodeURIComponent("_id eq 'b'")}`, API_VERSION.oauth2Client);
    expect(one.body.result.map((c: { _id: string }) => c._id)).toEqual(["b"]);
    expect(one.body.result[0].coreOAuth2ClientConfig.scopes).toEqual(["b"]);
    expect(one.body.result[0].coreOAuth2ClientConfig.agentgroup).toBeNull();

    const fields = await am("GET", `${OAUTH2_CLIENT}?_queryFilter=true&_fields=coreOAuth2ClientConfig`, API_VERSION.oauth2Client);
    expect(Object.keys(fields.body.result[0]).sort()).toEqual(["_id", "_rev", "coreOAuth2ClientConfig"]);

    const seen: string[] = [];
    let cookie: string | null = "";
    while (cookie !== null) {
      const page: { body: { result: { _id: string }[]; pagedResultsCookie: string | null } } = await am(
        "GET",
        `${OAUTH2_CLIENT}?_queryFilter=true&_pageSize=2${cookie ? `&_pagedResultsCookie=${encodeURIComponent(cookie)}` : ""}`,
        API_VERSION.oauth2Client,
      );
      seen.push(...page.body.result.map((c) => c._id));
      cookie = page.body.pagedResultsCookie;
    }
    expect(seen).toEqual(["a", "b", "c"]);
  });

  it("refuses a wrong or missing Accept-API-Version with 400", async () => {
    const wrong = await am("GET", `${OAUTH2_CLIENT}/x`, "protocol=2.1,resource=2.0");
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({ code: 400, reason: "Bad Request", message: "Unsupported major version: resource=2.0" });
    const missing = await t.call("GET", `${OAUTH2_CLIENT}/x`);
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe(400);
  });
});

describe("AIAgent", () => {
  it("creates the agent's IDM identity with the uid, name, description and client id", async () => {
    const uid = randomUUID();
    const r = await agent("PUT", "assistant", identityBody(uid, "Assistant"));
    expect(r.status).toBe(201);
    expect(r.body.aiAgentIdentityUid).toEqual({ inherited: false, value: uid });
    expect(r.body._type).toEqual({ _id: "AIAgent", name: "AI Agents", collection: true });
    const identity = await t.call("GET", `${IDM}_aiagent/${uid}`);
    expect(identity.status).toBe(200);
    expect(identity.body).toMatchObject({ _id: uid, name: "Assistant", description: "Assistant description", oauth2ClientId: "assistant" });
    expect(r.body.aiAgentIdentityAttributes.value._rev).toBe(identity.body._rev);
  });

  it("generates the identity uid when the body has none", async () => {
    const r = await agent("PUT", "assistant", {});
    const uid = r.body.aiAgentIdentityUid.value;
    expect(uid).toMatch(/^[0-9a-f-]{36}$/);
    expect((await t.call("GET", `${IDM}_aiagent/${uid}`)).body.name).toBe("assistant");
  });

  it("has the AI agent defaults: authorization_code, client_secret_basic, overrides off", async () => {
    const r = await agent("PUT", "assistant", {});
    expect(r.body.advancedOAuth2ClientConfig.grantTypes.value).toEqual(["authorization_code"]);
    expect(r.body.advancedOAuth2ClientConfig.tokenEndpointAuthMethod.value).toBe("client_secret_basic");
    const o = r.body.overrideOAuth2ClientConfig;
    expect([o.providerOverridesEnabled, o.statelessTokensEnabled, o.acceptAudienceParametersInTokenExchangeRequests]).toEqual([false, false, false]);
  });

  it("answers an update with only identity fields with 200 and only those fields", async () => {
    const uid = randomUUID();
    await agent("PUT", "assistant", identityBody(uid, "Assistant"));
    const r = await agent("PUT", "assistant", identityBody(uid, "Renamed"));
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(["_id", "_rev", "_type", "aiAgentIdentityAttributes", "aiAgentIdentityUid"]);
    expect((await t.call("GET", `${IDM}_aiagent/${uid}`)).body.name).toBe("Renamed");
  });

  it("shares the client-id namespace with OAuth2Clients: 409 Conflict either way", async () => {
    await client("PUT", "taken", {});
    const r = await agent("PUT", "taken", {});
    expect(r.status).toBe(409);
    expect(r.body).toEqual({ code: 409, reason: "Conflict", message: "An OAuth2Client with the client ID 'taken' already exists" });
    await agent("PUT", "agent-id", {});
    expect((await client("PUT", "agent-id", {})).status).toBe(409);
  });

  it("removes the identity and its privileges on DELETE", async () => {
    const uid = randomUUID();
    await agent("PUT", "assistant", identityBody(uid, "Assistant"));
    const privilege = await fixtures(t).privilege(uid, { permissions: [] });
    const deleted = await agent("DELETE", "assistant");
    expect(deleted.status).toBe(200);
    expect(deleted.body.aiAgentIdentityUid.value).toBe(uid);
    expect((await t.call("GET", `${IDM}_aiagent/${uid}`)).status).toBe(404);
    expect((await t.call("GET", `${IDM}_aiagentprivilege/${privilege._id}`)).status).toBe(404);
  });
});

describe("IDM managed objects", () => {
  const POLICY_REQUIRED = (property: string) => ({
    code: 403,
    reason: "Forbidden",
    message: "Failed policy validation",
    detail: { result: false, failedPolicyRequirements: [{ policyRequirements: [{ policyRequirement: "REQUIRED" }], property }] },
  });

  async function grantScenario() {
    const f = fixtures(t);
    const uid = randomUUID();
    await agent("PUT", "assistant", identityBody(uid, "Assistant"));
    const appId = randomUUID();
    await f.application(appId, "web-app");
    const [barbara, alice] = t.connection.users;
    const group = t.connection.groups[0];
    const privilege = await f.privilege(uid, {
      description: "web app for support",
      permissions: [{ type: "scopes", values: ["read-data"] }],
      resource: f.ref("alpha_application", appId),
      subjects: [f.ref("alpha_user", barbara._id)],
      subjectGroups: [f.ref("alpha_group", group._id)],
    });
    return { uid, appId, barbara, alice, group, privilege };
  }

  it("computes a privilege's virtual fields from its relationships", async () => {
    const { uid, appId, barbara, group, privilege } = await grantScenario();
    expect(privilege.agentID).toBe(uid);
    expect(privilege.agentOAuth2ClientId).toBe("assistant");
    expect(privilege.subjectIDs.sort()).toEqual([barbara._id, ...group.members].sort());
    expect(privilege.resourceData).toMatchObject({
      ssoEntities: { oidcId: "web-app" },
      _id: appId,
      _ref: `managed/alpha_application/${appId}`,
      _refResourceCollection: "managed/alpha_application",
      _refResourceId: appId,
    });
    expect(privilege).not.toHaveProperty("subjects");
  });

  it("returns relationships only when named in _fields, as refs with edge properties", async () => {
    const { privilege, appId } = await grantScenario();
    const r = await t.call("GET", `${IDM}_aiagentprivilege/${privilege._id}?_fields=resource,description`);
    expect(Object.keys(r.body).sort()).toEqual(["_id", "_rev", "description", "resource"]);
    expect(r.body.resource).toEqual({
      _ref: `managed/alpha_application/${appId}`,
      _refResourceCollection: "managed/alpha_application",
      _refResourceId: appId,
      _refProperties: { _id: expect.any(String), _rev: expect.any(String) },
    });
  });

  it("shows reverse relationships: the application's aiagentprivileges and the agent's privileges", async () => {
    const { uid, appId, privilege } = await grantScenario();
    const app = await t.call("GET", `${IDM}_application/${appId}?_fields=aiagentprivileges`);
    expect(app.body.aiagentprivileges.map((e: { _refResourceId: string }) => e._refResourceId)).toEqual([privilege._id]);
    const list = await t.call("GET", `${IDM}_aiagent/${uid}/privileges?_queryFilter=true&_fields=agentID`);
    expect(list.body.result).toHaveLength(1);
    expect(list.body.result[0]).toMatchObject({ _ref: `managed/alpha_aiagentprivilege/${privilege._id}`, agentID: uid });
  });

  it("lists a group's members as a relationship collection", async () => {
    const group = t.connection.groups[0];
    const r = await t.call("GET", `${IDM}_group/${group._id}/members?_queryFilter=true`);
    expect(r.status).toBe(200);
    expect(r.body.result.map((e: { _refResourceId: string }) => e._refResourceId).sort()).toEqual([...group.members].sort());
  });

  it("refuses a PATCH add of one object to an array relationship with the recorded 403", async () => {
    const { appId, privilege } = await grantScenario();
    const r = await t.call("PATCH", `${IDM}_application/${appId}`, {
      body: [{ operation: "add", field: "/aiagentprivileges", value: { _ref: `managed/alpha_aiagentprivilege/${privilege._id}` } }],
    });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({
      code: 403,
      reason: "Forbidden",
      message: "Failed policy validation",
      detail: {
        result: false,
        failedPolicyRequirements: [{ policyRequirements: [{ params: { invalidType: "object", validTypes: ["array"] }, policyRequirement: "VALID_TYPE" }], property: "aiagentprivileges" }],
      },
    });
  });

  it("replaces relationships with PATCH", async () => {
    const { privilege, alice } = await grantScenario();
    const r = await t.call("PATCH", `${IDM}_aiagentprivilege/${privilege._id}`, {
      body: [
        { operation: "replace", field: "/subjects", value: [fixtures(t).ref("alpha_user", alice._id)] },
        { operation: "replace", field: "/subjectGroups", value: [] },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.subjectIDs).toEqual([alice._id]);
    expect(r.body._rev).not.toBe(privilege._rev);
  });

  it("refuses a relationship to a missing object with 400", async () => {
    const { privilege } = await grantScenario();
    const r = await t.call("PATCH", `${IDM}_aiagentprivilege/${privilege._id}`, {
      body: [{ operation: "replace", field: "/subjects", value: [{ _ref: "managed/alpha_user/nobody" }] }],
    });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ code: 400, reason: "Bad Request", message: "Relationship subjects references 'managed/alpha_user/nobody', which does not exist" });
  });

  it("requires an application's name and a privilege's agent (403 REQUIRED)", async () => {
    const app = await t.call("POST", `${IDM}_application?_action=create`, { body: { description: "no name" } });
    expect([app.status, app.body]).toEqual([403, POLICY_REQUIRED("name")]);
    const privilege = await t.call("PUT", `${IDM}_aiagentprivilege/${randomUUID()}`, { body: { permissions: [] } });
    expect([privilege.status, privilege.body]).toEqual([403, POLICY_REQUIRED("agent")]);
  });

  it("creates with PUT (201, Location), replaces (200) and refuses If-None-Match: * when it exists (412)", async () => {
    const id = randomUUID();
    const created = await t.call("PUT", `${IDM}_application/${id}`, { body: { name: "one" }, headers: { "if-none-match": "*" } });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe(`${t.baseUrl}${IDM}_application/${id}`);
    const again = await t.call("PUT", `${IDM}_application/${id}`, { body: { name: "two" }, headers: { "if-none-match": "*" } });
    expect(again.status).toBe(412);
    const replaced = await t.call("PUT", `${IDM}_application/${id}`, { body: { name: "two" } });
    expect([replaced.status, replaced.body.name]).toEqual([200, "two"]);
  });

  it("queries with JSON-pointer filters and _fields", async () => {
    await fixtures(t).application(randomUUID(), "web-app");
    const filter = encodeURIComponent('/ssoEntities/oidcId eq "web-app"');
    const r = await t.call("GET", `${IDM}_application?_queryFilter=${filter}&_fields=name`);
    expect(r.body).toEqual({
      result: [{ _id: expect.any(String), _rev: expect.any(String), name: "web-app" }],
      resultCount: 1,
      pagedResultsCookie: null,
      totalPagedResultsPolicy: "NONE",
      totalPagedResults: -1,
      remainingPagedResults: -1,
    });
  });

  it("finds a seeded user by userName", async () => {
    const [barbara] = t.connection.users;
    const r = await t.call("GET", `${IDM}_user?_queryFilter=${encodeURIComponent('userName eq "barbara.jensen"')}&_fields=_id,userName`);
    expect(r.body.result).toEqual([{ _id: barbara._id, _rev: expect.any(String), userName: "barbara.jensen" }]);
  });

  it("deletes with 200 and drops the edges that pointed at the object", async () => {
    const group = t.connection.groups[0];
    const member = group.members[0];
    expect((await t.call("DELETE", `${IDM}_user/${member}`)).status).toBe(200);
    const r = await t.call("GET", `${IDM}_group/${group._id}?_fields=members`);
    expect(r.body.members.map((e: { _refResourceId: string }) => e._refResourceId)).not.toContain(member);
  });

  it("answers 404 for an unknown id and an unknown managed object", async () => {
    const missing = await t.call("GET", `${IDM}_user/nobody`);
    expect([missing.status, missing.body]).toEqual([404, { code: 404, reason: "Not Found", message: "Object nobody not found in managed/alpha_user" }]);
    const unknown = await t.call("GET", "/openidm/managed/alpha_spaceship?_queryFilter=true");
    expect([unknown.status, unknown.body]).toEqual([404, { code: 404, reason: "Not Found", message: "Resource 'managed/alpha_spaceship' not found" }]);
  });
});

describe("bad input", () => {
  it("answers malformed JSON with 400", async () => {
    const r = await t.call("PUT", `${IDM}_application/x`, { rawBody: "{not json" });
    expect([r.status, r.body]).toEqual([
      400,
      { code: 400, reason: "Bad Request", message: "The request could not be processed because the provided content is not valid JSON" },
    ]);
  });

  it("answers a body over 1 MiB with 413", async () => {
    const r = await t.call("PUT", `${IDM}_application/x`, { rawBody: JSON.stringify({ name: "x".repeat(1024 * 1024 + 1) }) });
    expect([r.status, r.body]).toEqual([413, { code: 413, reason: "Request Entity Too Large", message: "The request body exceeds 1048576 bytes" }]);
  });

  it("answers an invalid query filter with 400 and keeps running", async () => {
    const r = await t.call("GET", `${IDM}_user?_queryFilter=${encodeURIComponent("userName eq")}`);
    expect(r.status).toBe(400);
    expect((await t.call("GET", `${IDM}_user?_queryFilter=true`)).status).toBe(200);
  });

  it("answers an unknown admin path with AM's 404", async () => {
    const r = await t.call("GET", `${AM}/realm-config/agents/Nope/x`);
    expect([r.status, r.body]).toEqual([404, NOT_FOUND]);
  });

  it("refuses admin calls without credentials", async () => {
    const r = await t.call("GET", `${IDM}_user?_queryFilter=true`, { anonymous: true });
    expect(r.status).toBe(401);
  });
});
