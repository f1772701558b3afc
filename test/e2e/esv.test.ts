/**
 * Environment secrets and variables through real Terraform against the embedded tenant: created,
 * a secret version bump adds a version (the older disabled by previousVersions), a variable change
 * updates it, removals delete them; by default the apply restarts nothing and says once what is
 * pending; with the tenant's esvRestart "after-apply" it restarts once and waits, and a restart
 * that outlasts its timeout fails the apply. The secret's value appears nowhere: not in
 * cdk.tf.json, the state, Terraform's output or plan's JSON.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EnvironmentSecret, EnvironmentVariable, Secret, type AicTenantProps } from "../../constructs";
import { adminOf, workspace, type Workspace } from "./harness";

const VALUE_V1 = `esv-value-${Math.random().toString(36).slice(2)}-planted-one`;
const VALUE_V2 = `esv-value-${Math.random().toString(36).slice(2)}-planted-two`;

function synth(ws: Workspace, o: { secret?: number; variable?: string }, tenant: Partial<AicTenantProps> = {}): void {
  ws.synth((stack) => {
    if (o.secret !== undefined) {
      const value = Secret.fromEnv("ESV_API_KEY", { version: o.secret });
      new EnvironmentSecret(stack, "ApiKey", { esvId: "esv-api-key", description: "API key", value, previousVersions: "disable" });
    }
    if (o.variable !== undefined) new EnvironmentVariable(stack, "Port", { esvId: "esv-ldap-port", value: o.variable, expressionType: "int" });
  }, tenant);
  cdkJsons.push(readFileSync(join(ws.stackDir, "cdk.tf.json"), "utf8"));
}

/** Every cdk.tf.json synthesized, for the scan. */
const cdkJsons: string[] = [];

const stateOf = (ws: Workspace) => readFileSync(join(ws.dir, ".cdktf-aic", "state", "alpha.tfstate"), "utf8");

/** Everything a value must not appear in: the synthesized stack, the states after each apply, and what every command printed. */
function leaks(ws: Workspace, states: string[]): string[] {
  const places = {
    "cdk.tf.json": cdkJsons.join("\n"),
    state: states.join("\n"),
    output: ws.transcript.join("\n"),
  };
  // The places are the real ones: the env var's name is in each of the files, the ESV's id in the output.
  expect(places["cdk.tf.json"]).toContain("ESV_API_KEY");
  expect(places.state).toContain("ESV_API_KEY");
  expect(places.output).toContain("esv-api-key");
  const b64 = (v: string) => Buffer.from(v).toString("base64");
  return Object.entries(places).flatMap(([where, text]) => [VALUE_V1, VALUE_V2, b64(VALUE_V1), b64(VALUE_V2)].filter((v) => text.includes(v)).map(() => where));
}

describe("environment secrets and variables", () => {
  const ws = workspace();

  it("are created, rotated, changed and deleted by the apply; the secret's value appears nowhere", async () => {
    const admin = adminOf(ws);
    synth(ws, { secret: 1, variable: "1389" });
    const plan1 = await ws.cli(["plan", "--format", "json"], { ESV_API_KEY: VALUE_V1 });
    expect(plan1.status).toBe(0);
    const planned = JSON.parse(plan1.stdout).stacks[0].objects as { kind: string; action: string; changes: { type: string; field: string }[] }[];
    expect(planned.find((o) => o.kind === "esv-secret")).toMatchObject({ action: "create", changes: expect.arrayContaining([{ type: "sensitive", field: "valueBase64" }]) });
    expect(planned.find((o) => o.kind === "esv-variable")).toMatchObject({ action: "create" });
    const text = await ws.cli(["plan"], { ESV_API_KEY: VALUE_V1 });
    expect(text.status).toBe(0);
    expect(text.output).toMatch(/esv-secret esv-api-key[\s\S]*value \(sensitive\)/);
    expect(text.output).toMatch(/esv-variable esv-ldap-port[\s\S]*pending until the tenant's environment restarts: the apply restarts nothing \(esvRestart "never"\)/);

    expect((await ws.terraform(["init", "-input=false", "-no-color"])).status).toBe(0);
    const first = await ws.terraform(["apply", "-auto-approve", "-input=false", "-no-color"], { ESV_API_KEY: VALUE_V1 });
    expect(first.status).toBe(0);
    const states = [stateOf(ws)];
    expect(first.output).toMatch(/\+ esv-secret esv-api-key: created/);
    expect(first.output).toMatch(/\+ esv-variable esv-ldap-port: created/);
    expect(first.output).toMatch(/ESV changes are pending until the tenant restarts .*no restart was done/);
    expect((first.output.match(/ESV changes are pending/g) ?? []).length).toBe(1);
    expect(first.output).toMatch(/not yet loaded: esv-api-key, esv-ldap-port\)/);
    expect((await ws.audit()).filter((e) => e.path.startsWith("/environment/startup") && e.method === "POST")).toEqual([]);
    expect(await admin.getEsvVariable("esv-ldap-port")).toMatchObject({ loaded: false });
    expect(await admin.getEsvSecret("esv-api-key")).toMatchObject({ description: "API key", encoding: "generic", activeVersion: "1" });
    expect(await admin.getEsvVariable("esv-ldap-port")).toMatchObject({ expressionType: "int", valueBase64: Buffer.from("1389").toString("base64") });

    // A version bump: plan says rotate; the apply adds version 2 and disables version 1 (previousVersions "disable").
    synth(ws, { secret: 2, variable: "1636" });
    const plan2 = await ws.cli(["plan", "--format", "json"], { ESV_API_KEY: VALUE_V2 });
    expect(plan2.status).toBe(0);
    const rotated = JSON.parse(plan2.stdout).stacks[0].objects as { kind: string; action: string; changes: Record<string, unknown>[] }[];
    expect(rotated.find((o) => o.kind === "esv-secret")).toMatchObject({ action: "rotate", changes: [expect.objectContaining({ type: "rotate", field: "valueBase64", appliedVersion: "1", desiredVersion: "2" })] });
    expect(rotated.find((o) => o.kind === "esv-secret")).toMatchObject({ notes: expect.arrayContaining([expect.stringMatching(/^rotate: a new secret version becomes the active one; the older versions are disabled/)]) });
    expect(rotated.find((o) => o.kind === "esv-variable")).toMatchObject({ action: "update" });
    const rotateText = await ws.cli(["plan"], { ESV_API_KEY: VALUE_V2 });
    expect(rotateText.output).toMatch(/~ esv-secret esv-api-key \(alpha\/ApiKey\) will get a new secret version/);
    expect(rotateText.output).toMatch(/value \(sensitive\): version 1 → 2/);
    const second = await ws.terraform(["apply", "-auto-approve", "-input=false", "-no-color"], { ESV_API_KEY: VALUE_V2 });
    expect(second.status).toBe(0);
    states.push(stateOf(ws));
    expect(second.output).toMatch(/~ esv-secret esv-api-key: .*rotated \(version 1 → 2\)/);
    expect(second.output).toMatch(/~ esv-variable esv-ldap-port: value: 1389 → 1636/);
    const versions = await admin.listEsvSecretVersions("esv-api-key");
    expect(versions?.map((v) => [v.version, v.status])).toEqual([
      ["2", "ENABLED"],
      ["1", "DISABLED"],
    ]);
    expect(second.output).toMatch(/older version 1 disabled/);
    expect(await admin.getEsvVariable("esv-ldap-port")).toMatchObject({ valueBase64: Buffer.from("1636").toString("base64") });

    // Both removed: plan says delete, the apply deletes them.
    synth(ws, {});
    const plan3 = await ws.cli(["plan", "--format", "json"]);
    expect(plan3.status).toBe(0);
    const removed = JSON.parse(plan3.stdout).stacks[0].objects as { kind: string; action: string }[];
    expect(removed.map((o) => `${o.action} ${o.kind}`).sort()).toEqual(["delete esv-secret", "delete esv-variable"]);
    const third = await ws.terraform(["apply", "-auto-approve", "-input=false", "-no-color"]);
    expect(third.status).toBe(0);
    states.push(stateOf(ws));
    expect(third.output).toMatch(/- esv-secret esv-api-key: deleted/);
    expect(third.output).toMatch(/- esv-variable esv-ldap-port: deleted/);
    expect(await admin.getEsvSecret("esv-api-key")).toBeUndefined();
    expect(await admin.getEsvVariable("esv-ldap-port")).toBeUndefined();

    expect(leaks(ws, states)).toEqual([]);
  }, 300_000);
});

describe("the tenant's esvRestart policy after-apply", () => {
  const ws = workspace();
  const restarts = async () => (await ws.audit()).filter((e) => e.method === "POST" && e.path.startsWith("/environment/startup"));

  it("restarts once after the writes and waits until ready (plan says so); a restart past its timeout fails the apply, naming what is pending", async () => {
    const admin = adminOf(ws);
    synth(ws, { secret: 1, variable: "1389" }, { esvRestart: { policy: "after-apply", timeoutSeconds: 60 } });
    const plan = await ws.cli(["plan", "--format", "json"], { ESV_API_KEY: VALUE_V1 });
    expect(plan.status).toBe(0);
    const planned = JSON.parse(plan.stdout).stacks[0].objects as { kind: string; notes: string[] }[];
    for (const kind of ["esv-secret", "esv-variable"]) {
      expect(planned.find((o) => o.kind === kind)?.notes).toContainEqual(expect.stringMatching(/^waits for a restart of the tenant's environment: the apply restarts it after its writes and waits until it is ready \(esvRestart "after-apply", at most 60 s\)/));
    }

    expect((await ws.terraform(["init", "-input=false", "-no-color"])).status).toBe(0);
    await ws.clearAudit();
    const first = await ws.terraform(["apply", "-auto-approve", "-input=false", "-no-color"], { ESV_API_KEY: VALUE_V1 });
    expect(first.status).toBe(0);
    expect(first.output).toMatch(/restarting the tenant's environment to load 1 secret, 1 variable \(esv-api-key, esv-ldap-port\); waiting up to 60 s/);
    expect(first.output).toMatch(/the tenant's environment restarted and is ready after \d+ s: the ESV changes are loaded/);
    expect(first.output).not.toMatch(/ESV changes are pending/);
    expect((await restarts()).map((e) => e.path)).toEqual(["/environment/startup?_action=restart"]);
    expect(await admin.getEsvSecret("esv-api-key")).toMatchObject({ loaded: true, loadedVersion: "1" });
    expect(await admin.getEsvVariable("esv-ldap-port")).toMatchObject({ loaded: true });

    // The tenant now takes two minutes to restart; the policy waits 3 s.
    await fetch(`${ws.tenant.baseUrl}/__emulator/config`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ restartDelayMs: 120_000 }) });
    synth(ws, { secret: 1, variable: "1636" }, { esvRestart: { policy: "after-apply", timeoutSeconds: 3 } });
    await ws.clearAudit();
    const timedOut = await ws.terraform(["apply", "-auto-approve", "-input=false", "-no-color"], { ESV_API_KEY: VALUE_V1 });
    expect(timedOut.status).not.toBe(0);
    expect(timedOut.output).toMatch(/esv-variable esv-ldap-port: failed[\s\S]*still restarting 3 s after this apply restarted it/);
    expect(timedOut.output).toMatch(/not loaded: esv-ldap-port; apply again once GET \/environment\/startup says ready, or raise the tenant's esvRestart timeoutSeconds/);
    expect((await restarts()).map((e) => e.path)).toEqual(["/environment/startup?_action=restart"]);
    expect(await admin.getEsvVariable("esv-ldap-port")).toMatchObject({ loaded: false, valueBase64: Buffer.from("1636").toString("base64") });
    expect(leaks(ws, [stateOf(ws)])).toEqual([]);
  }, 300_000);
});
