/**
 * The admin client's ESV and secret-mapping methods against the embedded tenant over HTTP: one
 * method per endpoint, answers parsed by the contract, values sent base64-encoded and never seen
 * again (not in answers, errors or the per-request log).
 */
import { clientSecretLabel, ENDPOINTS, fillPath } from "../../src/contract";
import { createAdminApi, type AdminClient } from "../../src/client";
import { renderings, rejection } from "./errors-of";
import { TestTenant } from "./tenant";

const t = new TestTenant();
let api: AdminClient;
/** Every path the client requested, as its per-request hook saw it. */
const requested: string[] = [];

beforeAll(async () => {
  await t.start();
  api = createAdminApi(t.options({ onRequest: ({ path }) => requested.push(path) }));
});
afterAll(async () => {
  await api.close();
  await t.stop();
});
beforeEach(() => t.reset());

const VALUE = "client-secret-in-the-store-1";
const secret = (value = VALUE) => ({ value, encoding: "generic" as const, useInPlaceholders: false, description: "web app" });

describe("AdminApi: ESV secrets", () => {
  it("creates a secret, reads and lists it without its value, and deletes it", async () => {
    const created = await api.createEsvSecret("esv-web", secret());
    expect(created).toMatchObject({ _id: "esv-web", activeVersion: "1", encoding: "generic", loaded: true, description: "web app" });
    expect(await api.getEsvSecret("esv-web")).toEqual(created);
    expect((await api.listEsvSecrets()).map((s) => s._id)).toEqual(["esv-web"]);
    expect(await api.deleteEsvSecret("esv-web")).toBe(true);
    expect(await api.getEsvSecret("esv-web")).toBeUndefined();
    expect(await api.deleteEsvSecret("esv-web")).toBe(false);
  });

  it("sets a description (an empty answer)", async () => {
    await api.createEsvSecret("esv-web", secret());
    await api.setEsvSecretDescription("esv-web", "rotated monthly");
    expect((await api.getEsvSecret("esv-web"))?.description).toBe("rotated monthly");
  });

  it("rotates through versions: create, list, disable the old one, destroy it", async () => {
    await api.createEsvSecret("esv-web", secret());
    expect(await api.createEsvSecretVersion("esv-web", "client-secret-in-the-store-2")).toMatchObject({ version: "2", status: "ENABLED" });
    expect(await api.setEsvSecretVersionStatus("esv-web", "1", "DISABLED")).toMatchObject({ version: "1", status: "DISABLED" });
    expect(await api.destroyEsvSecretVersion("esv-web", "1")).toMatchObject({ version: "1", status: "DESTROYED" });
    expect((await api.listEsvSecretVersions("esv-web"))?.map((v) => [v.version, v.status])).toEqual([["2", "ENABLED"], ["1", "DESTROYED"]]);
    expect(await api.listEsvSecretVersions("esv-absent")).toBeUndefined();
  });

  it("fails with BAD_REQUEST and AIC's words when disabling the latest version", async () => {
    await api.createEsvSecret("esv-web", secret());
    const err = await rejection(api.setEsvSecretVersionStatus("esv-web", "1", "DISABLED"));
    expect(err).toMatchObject({ code: "BAD_REQUEST", status: 400, apiMessage: "Cannot disable latest secret version" });
  });

  it("fails with BAD_REQUEST when the secret exists already", async () => {
    await api.createEsvSecret("esv-web", secret());
    const err = await rejection(api.createEsvSecret("esv-web", secret()));
    expect(err).toMatchObject({ code: "BAD_REQUEST", apiMessage: "Failed to create secret, the secret already exists", attempts: 1 });
  });

  it("returns the secret when the answer to its create was lost and the retry found it existing", async () => {
    // The server handles the first PUT and its answer is lost: the retry's "already exists" is that PUT.
    await t.fault({ path: "/environment/secrets/esv-web", method: "PUT", times: 1, dropAfter: true });
    const created = await api.createEsvSecret("esv-web", secret());
    expect(created).toMatchObject({ _id: "esv-web", activeVersion: "1" });
    expect(await t.statuses("PUT", "/environment/secrets/esv-web")).toEqual([0, 400]);
  });

  it("never shows a value: not in an error that quotes it back, nor in any request path it logs", async () => {
    const valueBase64 = Buffer.from(VALUE).toString("base64");
    await t.fault({
      path: "/environment/secrets/esv-web",
      method: "PUT",
      times: 1,
      status: 400,
      body: { code: 400, message: `bad value ${VALUE} (${valueBase64}) {"valueBase64":"${valueBase64}"}` },
    });
    const err = await rejection(api.createEsvSecret("esv-web", secret()));
    expect(err).toMatchObject({ code: "BAD_REQUEST" });
    for (const text of [...renderings(err), ...requested]) {
      expect(text).not.toContain(VALUE);
      expect(text).not.toContain(valueBase64);
    }
  });
});

describe("AdminApi: ESV variables", () => {
  it("creates, updates, lists, describes and deletes a variable", async () => {
    expect(await api.putEsvVariable("esv-port", { value: "1389", expressionType: "int", description: "LDAP" })).toMatchObject({
      _id: "esv-port",
      expressionType: "int",
      valueBase64: Buffer.from("1389").toString("base64"),
      loaded: false,
    });
    expect((await api.putEsvVariable("esv-port", { value: "1636" })).valueBase64).toBe(Buffer.from("1636").toString("base64"));
    await api.setEsvVariableDescription("esv-port", "LDAPS");
    expect(await api.getEsvVariable("esv-port")).toMatchObject({ description: "LDAPS", expressionType: "int" });
    expect((await api.listEsvVariables()).map((v) => v._id)).toEqual(["esv-port"]);
    expect(await api.deleteEsvVariable("esv-port")).toBe(true);
    expect(await api.getEsvVariable("esv-port")).toBeUndefined();
  });

  it("fails with BAD_REQUEST when a new variable has no type", async () => {
    const err = await rejection(api.putEsvVariable("esv-untyped", { value: "x" }));
    expect(err).toMatchObject({ code: "BAD_REQUEST", apiMessage: "Variable type required; expressionType cannot be empty when creating new variables" });
  });
});

describe("AdminApi: ESV restart", () => {
  it("counts what is pending, restarts, and is ready again with nothing pending", async () => {
    await api.putEsvVariable("esv-port", { value: "1389", expressionType: "int" });
    await api.createEsvSecret("esv-placeholder", { ...secret(), useInPlaceholders: true });
    expect(await api.countPendingEsvs()).toEqual({ secrets: 1, variables: 1 });
    expect(await api.getEsvRestartStatus()).toBe("ready");
    await api.restartEsvs();
    expect(await api.getEsvRestartStatus()).toBe("restarting");
    const started = Date.now();
    while ((await api.getEsvRestartStatus()) !== "ready") {
      expect(Date.now() - started).toBeLessThan(10_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await api.countPendingEsvs()).toEqual({ secrets: 0, variables: 0 });
  });
});

describe("AdminApi: ESV secret-store mappings", () => {
  const label = clientSecretLabel("webapp");

  beforeEach(async () => {
    await api.putOAuth2Client("web-app", { coreOAuth2ClientConfig: { secretLabelIdentifier: "webapp" } });
  });

  it("maps a client's secret label to an ESV, remaps it, lists, reads and deletes it", async () => {
    expect(await api.putSecretMapping(label, "esv-web")).toMatchObject({ _id: label, secretId: label, aliases: ["esv-web"] });
    expect((await api.putSecretMapping(label, "esv-web-2")).aliases).toEqual(["esv-web-2"]);
    expect((await api.listSecretMappings()).map((m) => [m._id, m.aliases])).toEqual([[label, ["esv-web-2"]]]);
    expect((await api.getSecretMapping(label))?.aliases).toEqual(["esv-web-2"]);
    expect(await api.deleteSecretMapping(label)).toBe(true);
    expect(await api.getSecretMapping(label)).toBeUndefined();
  });

  it("sends the label with its dots unescaped", async () => {
    await api.putSecretMapping(label, "esv-web");
    const path = fillPath(ENDPOINTS.secretMappingPut.path, { realm: t.connection.realm, id: label });
    expect(path.endsWith(`/mappings/${label}`)).toBe(true);
    expect(await t.statuses("PUT", path)).toEqual([201]);
  });
});
