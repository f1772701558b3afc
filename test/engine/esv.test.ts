/**
 * The sync of environment secrets and variables against the embedded tenant over HTTP: what each
 * change writes, the restart notice, `retain`, and what is refused before any write.
 */
import type { Spec } from "../../src/contract/spec";
import { applySpec } from "../../src/kinds";
import { Journaled, TestTenant, useTenant } from "./support";

const t = new TestTenant();
let j: Journaled;
useTenant(t, (fresh) => (j = fresh));

const VALUE = { ESV_API_KEY: "first-value-of-the-key", ESV_API_KEY_2: "second-value-of-the-key" };
type Restart = { restart?: { timeoutSeconds: number } };
const secret = (o: { version?: number; description?: string; encoding?: string; removalPolicy?: "retain"; adopt?: true; previousVersions?: string } & Restart = {}): Spec =>
  t.spec<"esv-secret">({
    kind: "esv-secret",
    id: "esv-api-key",
    owned: { description: o.description ?? "", encoding: o.encoding ?? "generic", useInPlaceholders: true },
    secret: { env: (o.version ?? 1) === 1 ? "ESV_API_KEY" : "ESV_API_KEY_2", version: o.version ?? 1 },
    ...(o.removalPolicy ? { removalPolicy: o.removalPolicy } : {}),
    ...(o.adopt ? { adopt: o.adopt } : {}),
    ...(o.previousVersions ? { previousVersions: o.previousVersions } : {}),
    ...(o.restart ? { restart: o.restart } : {}),
  });
const variable = (o: { value?: string; description?: string; expressionType?: string } & Restart = {}): Spec =>
  t.spec<"esv-variable">({
    kind: "esv-variable",
    id: "esv-ldap-port",
    owned: { value: o.value ?? "1389", expressionType: o.expressionType ?? "int", description: o.description ?? "" },
    ...(o.restart ? { restart: o.restart } : {}),
  });
const writes = async () => (await t.writes()).map((e) => `${e.method} ${e.path}`);

describe("the sync of ESVs", () => {
  it("creates both, then says once that the change waits for a restart (and restarts nothing)", async () => {
    const o = await j.apply([secret(), variable()], VALUE);
    expect(o.failed).toBe(0);
    expect(o.results.map((r) => `${r.action} ${r.kind}`)).toEqual(["created esv-secret", "created esv-variable"]);
    expect(o.notices).toEqual([
      expect.stringMatching(/^ESV changes are pending until the tenant restarts \(1 secret, 1 variable not yet loaded: esv-api-key, esv-ldap-port\); no restart was done \(esvRestart policy "never"\)/),
    ]);
    expect((await writes()).filter((w) => w.includes("/environment/startup") && w.startsWith("POST") && w.includes("restart"))).toEqual([]);
    expect(await t.api.getEsvRestartStatus()).toBe("ready");
  });

  it("a description change updates the description only; a version bump adds a version and keeps the older enabled", async () => {
    await j.apply([secret(), variable()], VALUE);
    await t.clearAudit();
    const described = await j.apply([secret({ description: "the key" }), variable()], VALUE);
    expect(described.results.map((r) => `${r.action} ${r.kind}`)).toEqual(["updated esv-secret"]);
    expect((await writes()).filter((w) => w.includes("/environment/"))).toEqual([expect.stringMatching(/^POST \/environment\/secrets\/esv-api-key\?_action=setDescription/)]);
    expect((await t.api.listEsvSecretVersions("esv-api-key"))?.length).toBe(1);

    const rotated = await j.apply([secret({ description: "the key", version: 2 }), variable()], VALUE);
    expect(rotated.failed).toBe(0);
    expect(rotated.results[0].notes).toEqual(["value rotated (version 1 → 2)"]);
    expect((await t.api.listEsvSecretVersions("esv-api-key"))?.map((v) => `${v.version} ${v.status}`)).toEqual(["2 ENABLED", "1 ENABLED"]);
  });

  it("refuses a version bump whose variable is unset, and an encoding or expression type the tenant cannot change, before any write", async () => {
    await j.apply([secret(), variable()], VALUE);
    await t.clearAudit();
    const o = await j.apply([secret({ version: 2 }), variable({ expressionType: "string", value: "x" })], { ESV_API_KEY_2: undefined });
    expect(o.failed).toBe(2);
    expect(o.results.map((r) => r.notes.join())).toEqual([
      expect.stringMatching(/ESV_API_KEY_2 is not set: esv-secret esv-api-key rotates its secret \(version 1 → 2\)/),
      expect.stringMatching(/expressionType of esv-variable esv-ldap-port is "int" in the tenant and cannot change/),
    ]);
    const encoding = await j.apply([secret({ encoding: "pem" }), variable()], VALUE);
    expect(encoding.results[0].notes.join()).toMatch(/encoding of esv-secret esv-api-key is "generic"/);
    expect((await t.writes()).filter((e) => e.path.startsWith("/environment/"))).toEqual([]);
  });

  it("refuses a value too short to be kept out of error output, naming it an environment secret's, not a client's", async () => {
    const o = await j.apply([secret()], { ESV_API_KEY: "abc" });
    expect(o.failed).toBe(1);
    expect(o.results[0].notes.join()).toMatch(/^ESV_API_KEY is too short for the secret of esv-secret esv-api-key: /);
    expect(await t.api.getEsvSecret("esv-api-key")).toBeUndefined();
  });

  it("deletes both when they leave the code, but forgets a secret whose construct said retain", async () => {
    await j.apply([secret({ removalPolicy: "retain" }), variable()], VALUE);
    const o = await j.apply([], VALUE);
    expect(o.results.map((r) => `${r.action} ${r.kind}`).sort()).toEqual(["deleted esv-variable", "forgotten esv-secret"]);
    expect(await t.api.getEsvSecret("esv-api-key")).toBeDefined();
    expect(await t.api.getEsvVariable("esv-ldap-port")).toBeUndefined();
  });

  it("refuses an ESV that exists but that the stack never created, unless adopted (then no value is written)", async () => {
    await t.api.createEsvSecret("esv-api-key", { value: "made-in-the-console", encoding: "generic", useInPlaceholders: true });
    const refused = await j.apply([secret()], VALUE);
    expect(refused.results[0].notes.join()).toMatch(/already exists .* set adopt: true/);
    await t.clearAudit();
    const adopted = await j.apply([secret({ adopt: true, description: "adopted" })], VALUE);
    expect(adopted.results.map((r) => `${r.action} ${r.kind}`)).toEqual(["adopted esv-secret"]);
    expect((await t.api.listEsvSecretVersions("esv-api-key"))?.length).toBe(1);
  });
});

describe("older versions on a version bump (previousVersions)", () => {
  const versions = async () => (await t.api.listEsvSecretVersions("esv-api-key"))?.map((v) => `${v.version} ${v.status}`);
  const VALUES = { ...VALUE, ESV_API_KEY_3: "third-value-of-the-key" };
  const third = (previousVersions: string): Spec => ({ ...secret({ previousVersions }), secret: { env: "ESV_API_KEY_3", version: 3 } }) as Spec;

  it("disable: every older enabled version is disabled, the new one stays enabled; the result says which", async () => {
    await j.apply([secret()], VALUES);
    await j.apply([secret({ version: 2 })], VALUES);
    const o = await j.apply([third("disable")], VALUES);
    expect(o.failed).toBe(0);
    expect(o.results[0].notes).toEqual(["value rotated (version 2 → 3)", "older versions 1, 2 disabled"]);
    expect(await versions()).toEqual(["3 ENABLED", "2 DISABLED", "1 DISABLED"]);
  });

  it("destroy: every older version is destroyed (still listed, as the tenant keeps them); keep leaves them enabled", async () => {
    await j.apply([secret({ previousVersions: "destroy" })], VALUES);
    const o = await j.apply([secret({ previousVersions: "destroy", version: 2 })], VALUES);
    expect(o.results[0].notes).toEqual(["value rotated (version 1 → 2)", "older version 1 destroyed"]);
    expect(await versions()).toEqual(["2 ENABLED", "1 DESTROYED"]);
    const kept = await j.apply([third("keep")], VALUES);
    expect(kept.results[0].notes).toEqual(["value rotated (version 2 → 3)"]);
    expect(await versions()).toEqual(["3 ENABLED", "2 ENABLED", "1 DESTROYED"]);
  });
});

describe("the restart policy after-apply", () => {
  const restarts = async () => (await t.writes()).filter((e) => e.path.startsWith("/environment/startup"));
  const statusReads = async () => (await t.adminCalls()).filter((e) => e.method === "GET" && e.path.startsWith("/environment/startup"));
  const setRestartDelay = (ms: number) =>
    fetch(`${t.tenant.baseUrl}/__emulator/config`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ restartDelayMs: ms }) });

  it("restarts once after the writes (ready checked first), waits until ready, and says so: everything is loaded", async () => {
    const restart = { timeoutSeconds: 30 };
    const o = await j.apply([secret({ restart }), variable({ restart })], VALUE);
    expect(o.failed).toBe(0);
    expect(o.notices).toEqual([
      expect.stringMatching(/^restarting the tenant's environment to load 1 secret, 1 variable \(esv-api-key, esv-ldap-port\); waiting up to 30 s until it is ready/),
      expect.stringMatching(/^the tenant's environment restarted and is ready after \d+ s: the ESV changes are loaded$/),
    ]);
    expect((await restarts()).map((e) => `${e.method} ${e.path}`)).toEqual(["POST /environment/startup?_action=restart"]);
    expect((await statusReads()).length).toBeGreaterThanOrEqual(2);
    expect(await t.api.getEsvSecret("esv-api-key")).toMatchObject({ loaded: true, loadedVersion: "1" });
    expect(await t.api.getEsvVariable("esv-ldap-port")).toMatchObject({ loaded: true });
    expect(await t.api.countPendingEsvs()).toMatchObject({ secrets: 0, variables: 0 });

    // A description change is not pending: nothing to restart.
    await t.clearAudit();
    const described = await j.apply([secret({ restart, description: "the key" }), variable({ restart })], VALUE);
    expect(described.results.map((r) => `${r.action} ${r.kind}`)).toEqual(["updated esv-secret"]);
    expect(described.notices).toBeUndefined();
    expect(await restarts()).toEqual([]);
  });

  it("waits for a restart it did not start to finish before it restarts", async () => {
    await t.api.createEsvSecret("esv-other", { value: "made-in-the-console", encoding: "generic", useInPlaceholders: true });
    await t.api.restartEsvs();
    await t.clearAudit();
    const o = await j.apply([variable({ restart: { timeoutSeconds: 30 } })], VALUE);
    expect(o.failed).toBe(0);
    const calls = (await t.adminCalls()).filter((e) => e.path.startsWith("/environment/startup")).map((e) => e.method);
    expect(calls.indexOf("POST")).toBeGreaterThan(1); // at least two status reads (restarting, then ready) first
    expect(calls.filter((m) => m === "POST")).toHaveLength(1);
    expect(await t.api.getEsvVariable("esv-ldap-port")).toMatchObject({ loaded: true });
  });

  it("fails the apply when the tenant is not ready in time, naming what is still pending; what it created is removed again", async () => {
    await setRestartDelay(60_000);
    const restart = { timeoutSeconds: 2 };
    const started = Date.now();
    const o = await j.apply([secret({ restart }), variable({ restart })], VALUE);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(o.failed).toBe(2);
    const failed = o.results.filter((r) => r.action === "failed");
    expect(failed.map((r) => `${r.kind} ${r.id}`)).toEqual(["esv-secret esv-api-key", "esv-variable esv-ldap-port"]);
    expect(failed[0].notes).toEqual([
      expect.stringMatching(/^the tenant's environment was still restarting 2 s after this apply restarted it .*\(esvRestart timeoutSeconds 2\); not loaded: esv-api-key, esv-ldap-port; apply again once/),
    ]);
    expect((await restarts()).filter((e) => e.method === "POST" && e.path.includes("_action=restart"))).toHaveLength(1);
    expect(o.results.filter((r) => r.action === "deleted").map((r) => r.notes[0])).toEqual([expect.stringMatching(/^rolled back/), expect.stringMatching(/^rolled back/)]);
    expect(j.applied).toBeUndefined();
  });
});

describe("the restart policy after-apply, when the wait cannot finish", () => {
  const setRestartDelay = (ms: number) =>
    fetch(`${t.tenant.baseUrl}/__emulator/config`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ restartDelayMs: ms }) });

  it("stops waiting at once when the sync is stopped, and undoes what it created", async () => {
    await setRestartDelay(60_000);
    const started = Date.now();
    const o = await j.apply([variable({ restart: { timeoutSeconds: 600 } })], VALUE, { aborted: () => Date.now() - started > 1500 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(o.aborted).toBe(true);
    expect(o.results.map((r) => r.action)).toEqual(["created", "deleted"]);
    expect(await t.api.getEsvVariable("esv-ldap-port")).toBeUndefined();
  });

  it("fails the first ESV it wrote when the tenant stops answering the status read, and undoes what it created", async () => {
    await t.fault("/environment/startup", "GET", 400, 50);
    const o = await j.apply([variable({ restart: { timeoutSeconds: 30 } })], VALUE);
    await t.clearFaults();
    expect(o.failed).toBe(1);
    expect(o.results.find((r) => r.action === "failed")).toMatchObject({ kind: "esv-variable", id: "esv-ldap-port", notes: [expect.stringMatching(/400/)] });
    expect(await t.api.getEsvVariable("esv-ldap-port")).toBeUndefined();
  });
});

describe("applySpec(esv-secret), the apply outside the sync", () => {
  const versions = async () => (await t.api.listEsvSecretVersions("esv-api-key"))?.map((v) => `${v.version} ${v.status}`);

  it("adds a version on a version bump (the version applied last differs), once, and none on create-only reconcile", async () => {
    const env = t.env(VALUE);
    expect(await applySpec(t.api, secret(), { env })).toMatchObject({ action: "created" });
    expect(await applySpec(t.api, secret({ version: 2 }), { env, secrets: "on-create", appliedSecretVersion: "1" })).toMatchObject({ action: "unchanged" });
    expect(await versions()).toEqual(["1 ENABLED"]);

    const bumped = await applySpec(t.api, secret({ version: 2 }), { env, appliedSecretVersion: "1" });
    expect(bumped).toMatchObject({ action: "updated", notes: ["value rotated (version 1 → 2)"] });
    expect(await versions()).toEqual(["2 ENABLED", "1 ENABLED"]);
    expect(await applySpec(t.api, secret({ version: 2 }), { env, appliedSecretVersion: "2" })).toMatchObject({ action: "unchanged" });
    expect(await versions()).toEqual(["2 ENABLED", "1 ENABLED"]);
  });

  it("refuses a version bump whose variable is unset, before any write", async () => {
    await applySpec(t.api, secret(), { env: t.env(VALUE) });
    await t.clearAudit();
    await expect(applySpec(t.api, secret({ version: 2 }), { env: t.env({ ESV_API_KEY_2: undefined }), appliedSecretVersion: "1" })).rejects.toThrow(/ESV_API_KEY_2 is not set: esv-secret esv-api-key rotates its secret \(version 1 → 2\)/);
    expect(await t.writes()).toEqual([]);
  });
});
