/**
 * The scripts API of the embedded tenant (reference ai-agent-delegation.md §10) over real HTTP:
 * create by PUT or `_action=create`, read, query by name, replace (201, as recorded), delete
 * (answered with the id only), the base64 source kept as sent and the context deciding the engine.
 */
import { randomUUID } from "node:crypto";
import { API_VERSION } from "../../src/contract/endpoints";
import { mayActScriptSource, SCRIPT_CONTEXTS } from "../../src/contract/scripts";
import { AM, startTestTenant, type TestTenant } from "./helpers";

const SCRIPTS = `${AM}/scripts`;
const base64 = (source: string) => Buffer.from(source, "utf8").toString("base64");

let t: TestTenant;
beforeAll(async () => {
  t = await startTestTenant();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => t.reset());

const script = (overrides: Record<string, unknown> = {}) => ({
  name: "HR may act",
  description: "hr-agent may act for portal users",
  script: base64(mayActScriptSource({ client_id: "hr-agent", sub: "(age!hr-agent)" })),
  language: "JAVASCRIPT",
  context: SCRIPT_CONTEXTS.mayAct,
  ...overrides,
});
const call = (method: string, path: string, body?: unknown) => t.call(method, path, { apiVersion: API_VERSION.script, body });

describe("the scripts API", () => {
  it("creates a script by PUT: 201 with _rev, ETag, Location and AM's bookkeeping", async () => {
    const id = randomUUID();
    const reply = await call("PUT", `${SCRIPTS}/${id}`, script());
    expect(reply.status).toBe(201);
    expect(reply.headers.get("etag")).toBe(`"${reply.body._rev}"`);
    expect(reply.headers.get("location")).toBe(`${t.baseUrl}${SCRIPTS}/${id}`);
    expect(reply.body).toMatchObject({
      _id: id,
      ...script(),
      default: false,
      evaluatorVersion: "2.0",
      createdBy: expect.any(String),
      creationDate: expect.any(Number),
      lastModifiedBy: expect.any(String),
      lastModifiedDate: expect.any(Number),
    });
  });

  it("creates a script with _action=create under an id the tenant gives it", async () => {
    const reply = await call("POST", `${SCRIPTS}?_action=create`, script());
    expect(reply.status).toBe(201);
    expect((await call("GET", `${SCRIPTS}/${reply.body._id}`)).body).toMatchObject({ _id: reply.body._id, name: "HR may act" });
  });

  it("finds a script by name with _queryFilter, items without _rev", async () => {
    const id = randomUUID();
    await call("PUT", `${SCRIPTS}/${id}`, script());
    await call("PUT", `${SCRIPTS}/${randomUUID()}`, script({ name: "Other" }));
    const reply = await call("GET", `${SCRIPTS}?_queryFilter=${encodeURIComponent('name eq "HR may act"')}`);
    expect(reply.body).toMatchObject({ resultCount: 1, result: [{ _id: id, name: "HR may act" }] });
    expect(reply.body.result[0]._rev).toBeUndefined();
  });

  it("replaces a script with 201, keeping its creation and renaming it under the same id", async () => {
    const id = randomUUID();
    const created = (await call("PUT", `${SCRIPTS}/${id}`, script())).body;
    const replaced = await call("PUT", `${SCRIPTS}/${id}`, script({ name: "Renamed" }));
    expect(replaced).toMatchObject({ status: 201, body: { _id: id, name: "Renamed", creationDate: created.creationDate } });
    expect(replaced.body._rev).not.toBe(created._rev);
  });

  it("lets the context decide the engine, whatever evaluatorVersion the body says", async () => {
    const reply = await call("PUT", `${SCRIPTS}/${randomUUID()}`, script({ context: SCRIPT_CONTEXTS.mayActLegacy, evaluatorVersion: "2.0" }));
    expect(reply.body.evaluatorVersion).toBe("1.0");
  });

  it("deletes a script, answering only its id; a second delete is 404", async () => {
    const id = randomUUID();
    await call("PUT", `${SCRIPTS}/${id}`, script());
    expect(await call("DELETE", `${SCRIPTS}/${id}`)).toMatchObject({ status: 200, body: { _id: id } });
    expect(Object.keys((await call("DELETE", `${SCRIPTS}/${id}`)).body)).toEqual(["code", "reason", "message"]);
    expect((await call("GET", `${SCRIPTS}/${id}`)).status).toBe(404);
  });

  it.each([
    ["a source that is not base64", { script: "token.setMayAct({})" }],
    ["an unknown language", { language: "PYTHON" }],
    ["an unknown context", { context: "OAUTH2_SOMETHING" }],
    ["no name", { name: "" }],
  ])("refuses %s with 400", async (_, overrides) => {
    expect((await call("PUT", `${SCRIPTS}/${randomUUID()}`, script(overrides))).status).toBe(400);
  });
});
