/**
 * The embedded tenant's ESVs over HTTP: `/environment/secrets` (and versions), `/environment/variables`,
 * `/environment/startup`, `/environment/count`, and the realm's ESV secret-store mappings, with AIC's
 * answers and validation (reference esv-secret-store.md; statuses and bodies tested exactly).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { clientSecretLabel, toValueBase64 } from "../../src/contract/esv";
import { AM, API_VERSION, fixtures, mintAdminToken, startTestTenant, type CallOptions, type TestTenant } from "./helpers";

const RESTART_DELAY_MS = 800;
let t: TestTenant;
beforeAll(async () => {
  t = await startTestTenant({ restartDelayMs: RESTART_DELAY_MS });
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.reset();
});

const SECRET_VALUE = "web-app-secret-value-1";
const env = (method: string, p: string, o: CallOptions = {}) => t.call(method, `/environment${p}`, { apiVersion: API_VERSION.environment, ...o });
const createSecret = (id: string, body: Record<string, unknown> = {}) =>
  env("PUT", `/secrets/${id}`, { body: { valueBase64: toValueBase64(SECRET_VALUE), encoding: "generic", useInPlaceholders: false, description: "d", ...body } });
const putVariable = (id: string, body: Record<string, unknown>) => env("PUT", `/variables/${id}`, { body });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("ESV secrets", () => {
  it("creates a secret with version 1 and never answers its value", async () => {
    const created = await createSecret("esv-web-app");
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      _id: "esv-web-app",
      activeVersion: "1",
      description: "d",
      encoding: "generic",
      lastChangeDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      lastChangedBy: t.connection.serviceAccount.id,
      loaded: true,
      loadedVersion: "1",
      useInPlaceholders: false,
    });
    const answers = [created, await env("GET", "/secrets/esv-web-app"), await env("GET", "/secrets"), await env("GET", "/secrets/esv-web-app/versions")];
    for (const answer of answers) {
      const text = JSON.stringify(answer.body);
      expect(text).not.toContain(SECRET_VALUE);
      expect(text).not.toContain(toValueBase64(SECRET_VALUE));
    }
  });

  it("creates a placeholder secret unloaded until a restart", async () => {
    const created = await createSecret("esv-placeholder", { useInPlaceholders: true });
    expect(created.body).toMatchObject({ activeVersion: "1", loaded: false, loadedVersion: "" });
  });

  it("refuses to create a secret twice (PUT never updates a secret)", async () => {
    await createSecret("esv-twice");
    const again = await createSecret("esv-twice");
    expect([again.status, again.body]).toEqual([400, { code: 400, message: "Failed to create secret, the secret already exists" }]);
  });

  it("answers 404 in the ESV shape (no reason) for a secret that does not exist", async () => {
    const r = await env("GET", "/secrets/esv-does-not-exist");
    expect([r.status, r.body]).toEqual([404, { code: 404, message: "The secret does not exist or does not have a version" }]);
  });

  it("refuses ids outside ^esv-[a-z0-9_-]{1,124}$ with the validator's words", async () => {
    const r = await createSecret("esv-Upper");
    expect([r.status, r.body]).toEqual([
      400,
      { code: 400, message: 'parameter "secretId" in path has an error: string doesn\'t match the regular expression "^esv-[a-z0-9_-]{1,124}$"' },
    ]);
  });

  it("refuses a body without useInPlaceholders, a value not in padded base64, and a description over 1000 characters", async () => {
    const missing = await env("PUT", "/secrets/esv-a", { body: { valueBase64: toValueBase64("x"), encoding: "generic" } });
    expect([missing.status, missing.body.message]).toEqual([400, 'request body has an error: doesn\'t match schema: property "useInPlaceholders" is missing']);
    const unpadded = await createSecret("esv-a", { valueBase64: "eA" });
    expect([unpadded.status, unpadded.body.message]).toEqual([400, expect.stringContaining('Error at "/valueBase64"')]);
    const long = await createSecret("esv-a", { description: "x".repeat(1001) });
    expect([long.status, long.body.message]).toEqual([400, expect.stringContaining('Error at "/description"')]);
    expect((await env("GET", "/secrets/esv-a")).status).toBe(404);
  });

  it("refuses a value over 65 535 bytes, and content its encoding cannot hold with AIC's 500", async () => {
    const big = await createSecret("esv-big", { valueBase64: Buffer.alloc(65_536, 1).toString("base64") });
    expect(big.status).toBe(400);
    const notPem = await createSecret("esv-pem", { encoding: "pem" });
    expect([notPem.status, notPem.body]).toEqual([500, { code: 500, message: "Failed to create secret" }]);
    const notKey = await createSecret("esv-hmac", { encoding: "base64hmac", valueBase64: toValueBase64("not a key!") });
    expect(notKey.status).toBe(500);
    const key = await createSecret("esv-hmac", { encoding: "base64hmac", valueBase64: toValueBase64(Buffer.alloc(32, 7).toString("base64")) });
    expect(key.status).toBe(200);
  });

  it("sets a description with an empty 200 answer", async () => {
    await createSecret("esv-described");
    const r = await env("POST", "/secrets/esv-described?_action=setDescription", { body: { description: "new words" } });
    expect([r.status, r.body]).toEqual([200, undefined]);
    expect((await env("GET", "/secrets/esv-described")).body.description).toBe("new words");
  });

  it("deletes a secret with all its versions, answering the last object", async () => {
    await createSecret("esv-gone");
    const r = await env("DELETE", "/secrets/esv-gone");
    expect([r.status, r.body._id]).toEqual([200, "esv-gone"]);
    expect((await env("GET", "/secrets/esv-gone")).status).toBe(404);
  });

  it("lists secrets in the recorded envelope", async () => {
    await createSecret("esv-b");
    await createSecret("esv-a");
    const r = await env("GET", "/secrets");
    expect(r.body).toEqual({
      result: [expect.objectContaining({ _id: "esv-a" }), expect.objectContaining({ _id: "esv-b" })],
      resultCount: 2,
      pagedResultsCookie: null,
      totalPagedResultsPolicy: "NONE",
      totalPagedResults: -1,
      remainingPagedResults: -1,
    });
  });
});

describe("ESV secret versions", () => {
  const V = "/secrets/esv-rotated/versions";
  const newVersion = (value: string) => env("POST", `${V}?_action=create`, { body: { valueBase64: toValueBase64(value) } });
  const setStatus = (version: string, status: string) => env("POST", `${V}/${version}?_action=changestatus`, { body: { status } });

  beforeEach(async () => {
    await createSecret("esv-rotated");
  });

  it("adds an ENABLED version that becomes the active one", async () => {
    const r = await newVersion("second-value-2");
    expect([r.status, r.body]).toEqual([200, { createDate: expect.any(String), loaded: true, status: "ENABLED", version: "2" }]);
    expect((await env("GET", "/secrets/esv-rotated")).body).toMatchObject({ activeVersion: "2", loadedVersion: "2" });
  });

  it("lists versions as a bare array, newest first, and reads one by number or as latest", async () => {
    await newVersion("second-value-2");
    const list = await env("GET", V);
    expect(list.body.map((v: { version: string; status: string }) => [v.version, v.status])).toEqual([["2", "ENABLED"], ["1", "ENABLED"]]);
    expect((await env("GET", `${V}/latest`)).body.version).toBe("2");
    expect((await env("GET", `${V}/1`)).body.version).toBe("1");
    const missing = await env("GET", `${V}/9`);
    expect([missing.status, missing.body]).toEqual([404, { code: 404, message: "Failed to get secret version" }]);
  });

  it("disables and re-enables an older version", async () => {
    await newVersion("second-value-2");
    expect((await setStatus("1", "DISABLED")).body).toMatchObject({ version: "1", status: "DISABLED" });
    expect((await setStatus("1", "ENABLED")).body).toMatchObject({ version: "1", status: "ENABLED" });
  });

  it("never disables the latest version", async () => {
    await newVersion("second-value-2");
    const r = await setStatus("2", "DISABLED");
    expect([r.status, r.body]).toEqual([400, { code: 400, message: "Cannot disable latest secret version" }]);
  });

  it("takes only ENABLED or DISABLED in a status change", async () => {
    await newVersion("second-value-2");
    const r = await setStatus("1", "DESTROYED");
    expect([r.status, r.body.message]).toEqual([400, expect.stringContaining('Error at "/status"')]);
  });

  it("destroys an older version, which stays listed as DESTROYED and cannot come back", async () => {
    await newVersion("second-value-2");
    const r = await env("DELETE", `${V}/1`);
    expect([r.status, r.body.status]).toEqual([200, "DESTROYED"]);
    expect((await env("GET", V)).body.map((v: { status: string }) => v.status)).toEqual(["ENABLED", "DESTROYED"]);
    expect((await setStatus("1", "ENABLED")).status).toBe(400);
  });

  it("refuses to destroy the latest version", async () => {
    const r = await env("DELETE", `${V}/1`);
    expect([r.status, r.body]).toEqual([400, { code: 400, message: "Cannot destroy latest secret version" }]);
  });

  it("answers the recorded 404s for versions of a secret that does not exist", async () => {
    const add = await env("POST", "/secrets/esv-nope/versions?_action=create", { body: { valueBase64: toValueBase64("x") } });
    expect([add.status, add.body]).toEqual([404, { code: 404, message: "Failed to create secret version" }]);
    const status = await env("POST", "/secrets/esv-nope/versions/1?_action=changestatus", { body: { status: "DISABLED" } });
    expect([status.status, status.body]).toEqual([404, { code: 404, message: "The secret does not exist or does not have a version" }]);
    const get = await env("GET", "/secrets/esv-nope/versions/1");
    expect([get.status, get.body]).toEqual([404, { code: 404, message: "Failed to get secret version" }]);
  });
});

describe("ESV variables", () => {
  it("requires expressionType when creating a variable", async () => {
    const r = await putVariable("esv-var", { valueBase64: toValueBase64("x") });
    expect([r.status, r.body]).toEqual([
      400,
      { code: 400, message: "Variable type required; expressionType cannot be empty when creating new variables" },
    ]);
  });

  it("creates and updates with PUT, values answered, every write pending a restart", async () => {
    const created = await putVariable("esv-port", { valueBase64: toValueBase64("1389"), expressionType: "int", description: "LDAP port" });
    expect([created.status, created.body]).toEqual([
      200,
      {
        _id: "esv-port",
        description: "LDAP port",
        expressionType: "int",
        lastChangeDate: expect.any(String),
        lastChangedBy: t.connection.serviceAccount.id,
        loaded: false,
        valueBase64: toValueBase64("1389"),
      },
    ]);
    const updated = await putVariable("esv-port", { valueBase64: toValueBase64("1636") });
    expect(updated.body).toMatchObject({ expressionType: "int", description: "LDAP port", valueBase64: toValueBase64("1636") });
  });

  it("refuses to change a variable's type", async () => {
    await putVariable("esv-flag", { valueBase64: toValueBase64("false"), expressionType: "bool" });
    const r = await putVariable("esv-flag", { valueBase64: toValueBase64("1"), expressionType: "int" });
    expect([r.status, r.body]).toEqual([400, { code: 400, message: "Changing the type of an existing variable is not permitted" }]);
  });

  it("sets a description with an empty 200, deletes, and answers 404 in the ESV shape", async () => {
    await putVariable("esv-list", { valueBase64: toValueBase64("a,b"), expressionType: "list" });
    expect((await env("POST", "/variables/esv-list?_action=setDescription", { body: { description: "two" } })).body).toBeUndefined();
    expect((await env("DELETE", "/variables/esv-list")).body).toMatchObject({ _id: "esv-list", description: "two" });
    const r = await env("GET", "/variables/esv-list");
    expect([r.status, r.body]).toEqual([404, { code: 404, message: "The variable does not exist" }]);
  });

  it("pages with resource=2.0, values left out, pending ones alone with _onlyPending", async () => {
    for (const id of ["esv-a", "esv-b", "esv-c"]) await putVariable(id, { valueBase64: toValueBase64(id), expressionType: "string" });
    const paged = { apiVersion: API_VERSION.environmentPaged };
    const first = await env("GET", "/variables?_pageSize=2", paged);
    expect(first.body.result.map((v: { _id: string }) => v._id)).toEqual(["esv-a", "esv-b"]);
    expect(first.body.result[0].valueBase64).toBeUndefined();
    const second = await env("GET", `/variables?_pageSize=2&_pagedResultsCookie=${first.body.pagedResultsCookie}`, paged);
    expect([second.body.result.map((v: { _id: string }) => v._id), second.body.pagedResultsCookie]).toEqual([["esv-c"], null]);
    expect((await env("GET", "/variables?_onlyPending=true", paged)).body.resultCount).toBe(3);
    const tooBig = await env("GET", "/variables?_pageSize=1000", paged);
    expect([tooBig.status, tooBig.body]).toEqual([400, { code: 400, message: 'parameter "_pageSize" in query has an error: number must be at most 100' }]);
  });
});

describe("ESV restart", () => {
  const startup = async () => (await env("GET", "/startup")).body.restartStatus;
  const pending = async () => (await env("GET", "/count?_onlyPending=true", { apiVersion: API_VERSION.environmentPaged })).body;

  it("counts pending variables and placeholder secrets, not secrets kept out of placeholders", async () => {
    await putVariable("esv-v", { valueBase64: toValueBase64("v"), expressionType: "string" });
    await createSecret("esv-placeholder", { useInPlaceholders: true });
    await createSecret("esv-mapped-only");
    expect(await pending()).toEqual({ secrets: 1, variables: 1 });
    expect((await env("GET", "/count", { apiVersion: API_VERSION.environmentPaged })).body).toEqual({ secrets: 2, variables: 1 });
  });

  it("goes restarting → ready after the delay, and then everything pending is loaded", async () => {
    await putVariable("esv-v", { valueBase64: toValueBase64("v"), expressionType: "string" });
    await createSecret("esv-placeholder", { useInPlaceholders: true });
    expect(await startup()).toBe("ready");
    const r = await env("POST", "/startup?_action=restart");
    expect([r.status, r.body]).toEqual([200, { restartStatus: "restarting" }]);
    expect(await startup()).toBe("restarting");
    expect(await pending()).toEqual({ secrets: 1, variables: 1 });
    await sleep(RESTART_DELAY_MS + 50);
    expect(await startup()).toBe("ready");
    expect(await pending()).toEqual({ secrets: 0, variables: 0 });
    expect((await env("GET", "/variables/esv-v")).body.loaded).toBe(true);
    expect((await env("GET", "/secrets/esv-placeholder")).body).toMatchObject({ loaded: true, loadedVersion: "1" });
  });

  it("leaves a change made during the restart pending, and a new placeholder version too", async () => {
    await createSecret("esv-placeholder", { useInPlaceholders: true });
    await env("POST", "/startup?_action=restart");
    await putVariable("esv-late", { valueBase64: toValueBase64("late"), expressionType: "string" });
    await sleep(RESTART_DELAY_MS + 50);
    expect(await pending()).toEqual({ secrets: 0, variables: 1 });
    await env("POST", "/secrets/esv-placeholder/versions?_action=create", { body: { valueBase64: toValueBase64("second") } });
    expect((await env("GET", "/secrets/esv-placeholder")).body).toMatchObject({ activeVersion: "2", loaded: false, loadedVersion: "1" });
  });

  it("answers a restart asked during a restart as restarting, without extending it", async () => {
    await env("POST", "/startup?_action=restart");
    await sleep(RESTART_DELAY_MS / 2);
    expect((await env("POST", "/startup?_action=restart")).body).toEqual({ restartStatus: "restarting" });
    await sleep(RESTART_DELAY_MS / 2 + 50);
    expect(await startup()).toBe("ready");
  });

  it("takes its delay from the control endpoint", async () => {
    await t.control("POST", "config", { restartDelayMs: 0 });
    await env("POST", "/startup?_action=restart");
    expect(await startup()).toBe("ready");
  });
});

describe("ESV access", () => {
  it("answers 401 in the ESV shape with a challenge when the token is missing", async () => {
    const r = await env("GET", "/secrets", { anonymous: true });
    expect([r.status, r.body, r.headers.get("www-authenticate")]).toEqual([401, { code: 401, message: "unauthorized" }, "Bearer"]);
  });

  it("refuses a token whose scopes grant no ESV access (fr:am:* alone)", async () => {
    const token = await mintAdminToken({ ...t.connection, serviceAccount: { ...t.connection.serviceAccount, scope: "fr:am:*" } });
    const r = await env("GET", "/secrets", { anonymous: true, headers: { authorization: `Bearer ${token}` } });
    expect([r.status, r.body]).toEqual([403, { code: 403, message: "forbidden" }]);
  });

  it("audits ESV calls and answers injected faults on them like on any admin route", async () => {
    await t.control("DELETE", "audit");
    await t.control("POST", "faults", { path: "/environment/secrets/*", method: "GET", times: 1, status: 503 });
    expect((await env("GET", "/secrets/esv-x")).status).toBe(503);
    expect((await env("GET", "/secrets/esv-x")).status).toBe(404);
    const entries = (await t.control("GET", "audit")).body.entries;
    expect(entries.map((e: { method: string; path: string; status: number; kind: string }) => [e.kind, e.method, e.path, e.status])).toEqual([
      ["admin", "GET", "/environment/secrets/esv-x", 503],
      ["admin", "GET", "/environment/secrets/esv-x", 404],
    ]);
  });
});

describe("ESV secret store mappings", () => {
  const STORE = `${AM}/realm-config/secrets/stores/GoogleSecretManagerSecretStoreProvider/ESV`;
  const M = `${STORE}/mappings`;
  const LABEL = clientSecretLabel("webapp");
  const am = (method: string, p: string, o: CallOptions = {}) => t.call(method, p, { apiVersion: API_VERSION.secretStore, ...o });
  const mapping = (label: string, aliases: string[]) => ({ _id: label, secretId: label, aliases });

  beforeEach(async () => {
    await fixtures(t).client("web-app", { coreOAuth2ClientConfig: { secretLabelIdentifier: "webapp" } });
  });

  it("creates a mapping with 201, ETag and Location, and refuses to create it again with 409", async () => {
    const r = await am("POST", `${M}?_action=create`, { body: mapping(LABEL, ["esv-web-app"]) });
    expect([r.status, r.body]).toEqual([
      201,
      { _id: LABEL, _rev: expect.stringMatching(/^\d+$/), secretId: LABEL, aliases: ["esv-web-app"], _type: { _id: "mappings", name: "Mappings", collection: true } },
    ]);
    expect(r.headers.get("etag")).toBe(`"${r.body._rev}"`);
    expect(r.headers.get("location")).toBe(`${t.baseUrl}${M}/${LABEL}`);
    const again = await am("POST", `${M}?_action=create`, { body: mapping(LABEL, ["esv-web-app"]) });
    expect([again.status, again.body]).toEqual([409, { code: 409, reason: "Conflict", message: "Unable to save config: Service already exists" }]);
  });

  it("creates with PUT (201) and replaces with PUT (200); the same content keeps its _rev", async () => {
    const created = await am("PUT", `${M}/${LABEL}`, { body: mapping(LABEL, ["esv-one"]) });
    const replaced = await am("PUT", `${M}/${LABEL}`, { body: mapping(LABEL, ["esv-two"]) });
    const back = await am("PUT", `${M}/${LABEL}`, { body: mapping(LABEL, ["esv-one"]) });
    expect([created.status, replaced.status, back.status]).toEqual([201, 200, 200]);
    expect(replaced.body._rev).not.toBe(created.body._rev);
    expect(back.body._rev).toBe(created.body._rev);
    expect((await am("GET", `${M}/${LABEL}`)).body.aliases).toEqual(["esv-one"]);
  });

  it("refuses two aliases, a missing secretId, and a client label no client of the realm has", async () => {
    const two = await am("PUT", `${M}/${LABEL}`, { body: mapping(LABEL, ["esv-a", "esv-b"]) });
    expect([two.status, two.body.message]).toEqual([400, "Only a single alias per mapping is allowed for this secret store type"]);
    const noId = await am("PUT", `${M}/${LABEL}`, { body: { aliases: ["esv-a"] } });
    expect([noId.status, noId.body.message]).toEqual([400, "Invalid config: Secret value is missing"]);
    const unknown = clientSecretLabel("nobody");
    expect((await am("PUT", `${M}/${unknown}`, { body: mapping(unknown, ["esv-a"]) })).status).toBe(400);
  });

  it("lists, reads, deletes, and answers AM's 404 for a mapping that does not exist", async () => {
    await am("PUT", `${M}/${LABEL}`, { body: mapping(LABEL, ["esv-one"]) });
    const list = await am("GET", `${M}?_queryFilter=true`);
    expect(list.body).toMatchObject({ resultCount: 1, pagedResultsCookie: null, totalPagedResultsPolicy: "NONE", totalPagedResults: -1 });
    expect((await am("DELETE", `${M}/${LABEL}`)).body).toMatchObject({ _id: LABEL, aliases: ["esv-one"] });
    const gone = await am("GET", `${M}/${LABEL}`);
    expect([gone.status, gone.body]).toEqual([404, { code: 404, reason: "Not Found", message: "Not Found" }]);
  });

  it("reads the realm's fixed store and refuses to delete it, or to touch global secret stores", async () => {
    expect((await am("GET", STORE)).body).toMatchObject({ _id: "ESV", expiryDurationSeconds: 600 });
    const del = await am("DELETE", STORE);
    expect([del.status, del.body.message]).toEqual([403, "This operation is not available in PingOne Advanced Identity Cloud."]);
    expect((await am("GET", "/am/json/global-config/secrets/stores/GoogleSecretManagerSecretStoreProvider/ESV")).status).toBe(403);
  });
});

describe("ESVs in the state file", () => {
  it("keep secrets, versions, variables and mappings across a restart of the tenant", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cdktf-aic-esv-"));
    try {
      const statePath = path.join(dir, "state.json");
      const first = await startTestTenant({ statePath });
      const call = (method: string, p: string, body?: unknown) => first.call(method, p, { apiVersion: API_VERSION.environment, body });
      await call("PUT", "/environment/secrets/esv-kept", { valueBase64: toValueBase64("kept-value"), encoding: "generic", useInPlaceholders: false });
      await call("POST", "/environment/secrets/esv-kept/versions?_action=create", { valueBase64: toValueBase64("kept-value-2") });
      await call("PUT", "/environment/variables/esv-kept", { valueBase64: toValueBase64("v"), expressionType: "string" });
      await fixtures(first).client("kept", { coreOAuth2ClientConfig: { secretLabelIdentifier: "kept" } });
      const label = clientSecretLabel("kept");
      const m = `${AM}/realm-config/secrets/stores/GoogleSecretManagerSecretStoreProvider/ESV/mappings/${label}`;
      expect((await first.call("PUT", m, { apiVersion: API_VERSION.secretStore, body: { secretId: label, aliases: ["esv-kept"] } })).status).toBe(201);
      await first.close();
      expect(readFileSync(statePath, "utf8")).toContain("esv-kept");

      const second = await startTestTenant({ statePath });
      try {
        const read = (p: string) => second.call("GET", p, { apiVersion: API_VERSION.environment });
        expect((await read("/environment/secrets/esv-kept")).body.activeVersion).toBe("2");
        expect((await read("/environment/variables/esv-kept")).body.expressionType).toBe("string");
        expect((await second.call("GET", m, { apiVersion: API_VERSION.secretStore })).body.aliases).toEqual(["esv-kept"]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
