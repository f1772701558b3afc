/**
 * Trust under failure, through real Terraform against the embedded tenant: nothing the stack ever
 * applied is forgotten, deleted too early or taken over without a word, whatever failed or was
 * killed in between, from a fresh checkout with the state alone.
 */
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ConfidentialWebApp, Secret, type TenantStack } from "../../constructs";
import { webAppProps } from "../support/seed";
import { isWrite, terraformBinary, waitFor, Workspace } from "./harness";

const APPLY = ["apply", "-auto-approve", "-input=false", "-no-color"];

/** Web apps a, b, c …, each with its own client id; `owners` per app where given. */
function apps(stack: TenantStack, ids: string[], owners: Record<string, string[]> = {}, extra: Record<string, Partial<Parameters<typeof webAppProps>[0]>> = {}): void {
  for (const id of ids) {
    new ConfidentialWebApp(stack, id, webAppProps({ clientId: `app-${id}`, name: `App ${id}`, owners: owners[id] ?? ["barbara.jensen"], ...extra[id] }));
  }
}

/** The client ids of the web apps in the tenant. */
async function liveApps(ws: Workspace): Promise<string[]> {
  const api = ws.adminClient();
  try {
    const clients = await api.queryOAuth2Clients({ filter: "true" });
    return clients.map((c) => c._id).filter((id) => id.startsWith("app-") || id.startsWith("digital")).sort();
  } finally {
    await api.close();
  }
}

/** A CI runner's fresh checkout: nothing on disk but the Terraform state (the local backend's file, outside cdktf.out). */
function freshCheckout(ws: Workspace, synth: () => void): void {
  expect(existsSync(join(ws.dir, ".cdktf-aic", "state", "alpha.tfstate"))).toBe(true);
  rmSync(ws.outdir, { recursive: true, force: true });
  synth();
}

describe("a failed apply", () => {
  const ws = new Workspace();
  beforeAll(() => ws.start(), 60_000);
  afterAll(() => ws.stop());

  it("forgets nothing: an object removed after a failed apply is deleted by the next one, from a fresh checkout", async () => {
    ws.synth((s) => apps(s, ["a", "b"]));
    await ws.apply();
    ws.synth((s) => apps(s, ["a", "b", "c"], { c: ["no.such.user"] }));
    await ws.clearAudit();
    const failed = await ws.terraform(APPLY);
    expect(failed.status).not.toBe(0);
    expect(failed.output).toMatch(/app-c: failed — .*user "no\.such\.user" not found/);
    expect((await ws.audit()).filter(isWrite)).toEqual([]);

    freshCheckout(ws, () => ws.synth((s) => apps(s, ["b", "c"])));
    const init = await ws.terraform(["init", "-input=false", "-no-color"]);
    expect(init.status).toBe(0);
    const fixed = await ws.terraform(APPLY);
    expect(fixed.status).toBe(0);
    expect(fixed.output).toMatch(/\+ web-app app-c: created/);
    expect(fixed.output).toMatch(/- web-app app-a: deleted/);
    expect(await liveApps(ws)).toEqual(["app-b", "app-c"]);

    const plan = await ws.cli(["plan", "--out", ws.outdir, "--stack", "alpha", "--detailed-exitcode"]);
    expect(plan.status).toBe(0);
  }, 300_000);

  it("keeps a rotation pending: a version bump without the variable fails, naming it, until it lands", async () => {
    ws.synth((s) => apps(s, ["b", "c"], {}, { b: { clientSecret: Secret.fromEnv("WEB_APP_CLIENT_SECRET", { version: 2 }) } }));
    await ws.clearAudit();
    const pending = await ws.terraform(APPLY, { WEB_APP_CLIENT_SECRET: "" });
    expect(pending.status).not.toBe(0);
    expect(pending.output).toMatch(/WEB_APP_CLIENT_SECRET is not set: web-app app-b rotates its secret \(version 1 → 2\)/);
    expect((await ws.audit()).filter(isWrite)).toEqual([]);

    const again = await ws.terraform(["plan", "-input=false", "-no-color", "-detailed-exitcode"], { WEB_APP_CLIENT_SECRET: "" });
    expect(again.status).toBe(2);
    const landed = await ws.terraform(APPLY, { WEB_APP_CLIENT_SECRET: "the-rotated-secret-value" });
    expect(landed.status).toBe(0);
    expect(landed.output).toMatch(/~ web-app app-b: secret rotated \(version 1 → 2\)/);
    expect(landed.output).not.toContain("the-rotated-secret-value");
  }, 300_000);

  it("renames a client only once the new one exists: without its secret the old one and nothing else changes", async () => {
    ws.synth((s) => apps(s, ["b", "c"]));
    await ws.apply();
    ws.synth((s) => apps(s, ["b", "c2"]));
    await ws.clearAudit();
    const failed = await ws.terraform(APPLY, { WEB_APP_CLIENT_SECRET: "" });
    expect(failed.status).not.toBe(0);
    expect(failed.output).toMatch(/WEB_APP_CLIENT_SECRET is not set: it is needed to create web-app app-c2/);
    expect((await ws.audit()).filter(isWrite)).toEqual([]);
    expect(await liveApps(ws)).toEqual(["app-b", "app-c"]);

    await ws.apply();
    expect(await liveApps(ws)).toEqual(["app-b", "app-c2"]);
  }, 300_000);

  it("applies a spec far over the environment's size limit (a 140 000-character description)", async () => {
    ws.synth((s) => apps(s, ["b", "c2"], {}, { b: { description: "d".repeat(140_000) } }));
    const r = await ws.terraform(APPLY);
    expect(r.status).toBe(0);
    const api = ws.adminClient();
    const client = await api.getOAuth2Client("app-b");
    await api.close();
    expect(client!.advancedOAuth2ClientConfig!.descriptions!.value![0]).toHaveLength(140_000);
  }, 300_000);
});

describe("objects the stack did not create", () => {
  const ws = new Workspace();
  beforeAll(() => ws.start(), 60_000);
  afterAll(() => ws.stop());

  it("are never taken over without adopt: the apply fails before any write, naming the object and the fix", async () => {
    // Made in the console, as it were: the same client id with other scopes.
    const console = ws.adminClient();
    await console.putOAuth2Client("app-a", { coreOAuth2ClientConfig: { scopes: ["openid"], userpassword: "console-made-secret" } }, { createOnly: true });
    await console.close();

    ws.synth((s) => apps(s, ["a"]));
    await ws.clearAudit();
    await ws.terraform(["init", "-input=false", "-no-color"]);
    const r = await ws.terraform(APPLY);
    expect(r.status).not.toBe(0);
    // The line wraps at 160 columns: the fix may sit on a continuation line.
    expect(r.output).toMatch(/web-app app-a already exists .* was not created by this stack; to manage it from code,[\s\S]*adopt: true/);
    expect((await ws.audit()).filter(isWrite)).toEqual([]);
  }, 300_000);

  it("are adopted with adopt: true without their secret, then managed: terraform destroy deletes them", async () => {
    ws.synth((s) => apps(s, ["a"], {}, { a: { adopt: true } }));
    const r = await ws.terraform(APPLY, { WEB_APP_CLIENT_SECRET: "" });
    expect(r.status).toBe(0);
    // "adopted", not "updated": a silent takeover would print the same field change without it.
    expect(r.output).toMatch(/~ web-app app-a: adopted — scopes \+read-data/);
    expect(await liveApps(ws)).toEqual(["app-a"]);
    const destroyed = await ws.terraform(["destroy", "-auto-approve", "-input=false", "-no-color"]);
    expect(destroyed.status).toBe(0);
    expect(await liveApps(ws)).toEqual([]);
  }, 300_000);
});

describe("a killed apply", () => {
  const ws = new Workspace();
  beforeAll(() => ws.start(), 60_000);
  afterAll(() => ws.stop());

  it("leaves nothing behind: after a SIGKILL mid-apply and a removal, the next apply deletes what left the code", async () => {
    ws.synth((s) => apps(s, ["a", "b"]));
    await ws.apply();
    ws.synth((s) => apps(s, ["a", "b", "c", "d", "e"]));
    // Slow writes, so that the kill lands while the sync is writing.
    await fetch(`${ws.tenant.baseUrl}/__emulator/config`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ latencyMs: 300 }) });
    // Only this apply's writes count: the kill lands once the sync created its first client, with
    // the clients' IDM records still to write.
    await ws.clearAudit();
    const tf = spawn(terraformBinary(), APPLY, { cwd: ws.stackDir, env: ws.env() });
    let output = "";
    tf.stdout.on("data", (d: Buffer) => (output += d.toString()));
    await waitFor("the first write", async () => (await ws.audit()).filter(isWrite).length >= 1, 120_000);
    expect(ws.syncPids()).toHaveLength(1);
    tf.kill("SIGKILL");
    await new Promise((resolve) => tf.on("close", resolve));
    await fetch(`${ws.tenant.baseUrl}/__emulator/config`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ latencyMs: 0 }) });
    // The orphaned sync notices that its Terraform is gone and undoes what it created.
    await waitFor("the sync to end", () => ws.syncPids().length === 0, 20_000);
    expect(await liveApps(ws)).toEqual(["app-a", "app-b"]);
    expect(output).not.toMatch(/Apply complete/);
    const lock = join(ws.dir, ".cdktf-aic", "state", ".alpha.tfstate.lock.info");
    if (existsSync(lock)) rmSync(lock);

    freshCheckout(ws, () => ws.synth((s) => apps(s, ["b", "c"])));
    expect((await ws.terraform(["init", "-input=false", "-no-color"])).status).toBe(0);
    const r = await ws.terraform(APPLY);
    expect(r.status).toBe(0);
    expect(await liveApps(ws)).toEqual(["app-b", "app-c"]);
  }, 300_000);
});
