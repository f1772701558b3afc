/**
 * Removing an object from code means what Terraform means, through real Terraform against the
 * embedded tenant: its construct gone, it is deleted; its resource dropped from the state first
 * (`terraform state rm`, a `removed` block with `destroy = false`) or its construct marked
 * `removalPolicy: "retain"`, it is forgotten: left in the tenant, no longer managed. An apply that
 * fails while removing keeps the object's resource in the state, so that a later apply (from a
 * fresh checkout) deletes it rather than forgetting it. And an object moves between stacks.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { App, LocalBackend, TerraformStack } from "cdktf";
import { AicTenant, ConfidentialWebApp } from "../../constructs";
import { webAppProps } from "../support/seed";
import { adminOf, isWrite, terraformBinary, workspace, Workspace } from "./harness";

const APPLY = ["apply", "-auto-approve", "-input=false", "-no-color"];
const PLAN = ["plan", "-input=false", "-no-color", "-detailed-exitcode"];

type Extra = Partial<Parameters<typeof webAppProps>[0]> & { removalPolicy?: "destroy" | "retain" };

/**
 * Synthesizes, per stack name, web apps `app-<id>` with their extra props; each stack keeps its
 * state in its own local file (outside cdktf.out), and `removed` lists addresses to forget.
 */
function synth(ws: Workspace, stacks: Record<string, { ids: string[]; extra?: Record<string, Extra>; removed?: string[] }>): void {
  const app = new App({ outdir: ws.outdir });
  for (const [name, { ids, extra = {}, removed = [] }] of Object.entries(stacks)) {
    const stack = new TerraformStack(app, name);
    new LocalBackend(stack, { path: join(ws.dir, `${name}.tfstate`) });
    new AicTenant(stack, "Tenant", { baseUrl: ws.tenant.baseUrl, realm: "alpha" });
    for (const id of ids) new ConfidentialWebApp(stack, id, { ...webAppProps({ clientId: `app-${id}`, name: `App ${id}`, ...extra[id] }), ...(extra[id]?.removalPolicy ? { removalPolicy: extra[id]!.removalPolicy } : {}) });
    if (removed.length > 0) stack.addOverride("removed", removed.map((from) => ({ from, lifecycle: { destroy: false } })));
  }
  app.synth();
}

const stackDir = (ws: Workspace, name: string) => join(ws.outdir, "stacks", name);
const tf = (ws: Workspace, name: string, args: string[], env: Record<string, string> = {}, binary = terraformBinary()) => ws.run(binary, args, stackDir(ws, name), env);

/** The Terraform address of a construct's child in a synthesized stack. */
function addressOf(ws: Workspace, stack: string, path: string): string {
  const json = JSON.parse(readFileSync(join(stackDir(ws, stack), "cdk.tf.json"), "utf8")) as { resource: Record<string, Record<string, { "//"?: { metadata?: { path?: string } } }>> };
  for (const [type, byName] of Object.entries(json.resource)) {
    for (const [name, block] of Object.entries(byName)) if (block["//"]?.metadata?.path === `${stack}/${path}`) return `${type}.${name}`;
  }
  throw new Error(`no resource at ${path}`);
}

const liveApps = async (ws: Workspace) => (await adminOf(ws).queryOAuth2Clients({ filter: "true" })).map((c) => c._id).filter((id) => id.startsWith("app-")).sort();
const deletes = async (ws: Workspace) => (await ws.audit()).filter((e) => isWrite(e) && e.method === "DELETE");


async function applied(ws: Workspace, stack: string, env: Record<string, string> = {}): Promise<string> {
  const r = await tf(ws, stack, APPLY, env);
  if (r.status !== 0) throw new Error(r.output);
  return r.output;
}

describe("removing an object from code", () => {
  const ws = workspace();

  it("a removal whose apply fails keeps the object's resource in the state: the next apply, from a fresh checkout, deletes it", async () => {
    synth(ws, { alpha: { ids: ["a", "b"] } });
    expect((await tf(ws, "alpha", ["init", "-input=false", "-no-color"])).status).toBe(0);
    await applied(ws, "alpha");
    const resourceOfA = addressOf(ws, "alpha", "a/Resource");
    // Remove a, and add c whose owner does not exist: the sync refuses before any write.
    synth(ws, { alpha: { ids: ["b", "c"], extra: { c: { owners: ["no.such.user"] } } } });
    await ws.clearAudit();
    const failed = await tf(ws, "alpha", APPLY);
    expect(failed.status).not.toBe(0);
    expect(failed.output).toMatch(/app-c: failed — .*user "no\.such\.user" not found/);
    expect((await ws.audit()).filter(isWrite)).toEqual([]);
    // The Journal's sync runs before Terraform destroys any object's resource: a's is still there.
    const list = await tf(ws, "alpha", ["state", "list"]);
    expect(list.output.split("\n")).toContain(resourceOfA);

    rmSync(ws.outdir, { recursive: true, force: true });
    synth(ws, { alpha: { ids: ["b", "c"] } });
    expect((await tf(ws, "alpha", ["init", "-input=false", "-no-color"])).status).toBe(0);
    const fixed = await applied(ws, "alpha");
    expect(fixed).toMatch(/- web-app app-a: deleted/);
    expect(fixed).not.toMatch(/forgotten/);
    expect(await liveApps(ws)).toEqual(["app-b", "app-c"]);
  }, 300_000);

  it("terraform state rm of an object's resource, then removing its construct: plan says forget, apply leaves it in the tenant", async () => {
    expect((await tf(ws, "alpha", ["state", "rm", addressOf(ws, "alpha", "b/Resource")])).status).toBe(0);
    synth(ws, { alpha: { ids: ["c"] } });
    const plan = await ws.cli(["plan", "--out", ws.outdir, "--stack", "alpha", "--state", join(ws.dir, "alpha.tfstate"), "--format", "json"]);
    expect(plan.status).toBe(0);
    const objects = JSON.parse(plan.stdout).stacks[0].objects as { id: string; action: string; notes: string[] }[];
    expect(objects.find((o) => o.id === "app-b")).toMatchObject({ action: "forget", notes: [expect.stringMatching(/not in Terraform's state \(terraform state rm\)/)] });
    await ws.clearAudit();
    const r = await applied(ws, "alpha");
    expect(r).toMatch(/= web-app app-b: forgotten — left in the tenant, no longer managed: its resource is not in Terraform's state \(terraform state rm\)/);
    expect(await deletes(ws)).toEqual([]);
    expect(await liveApps(ws)).toEqual(["app-b", "app-c"]);
    expect((await tf(ws, "alpha", PLAN)).status).toBe(0);
    // It is no longer this stack's: its plan lists it among the objects no stack manages.
    const unmanaged = await ws.cli(["plan", "--out", ws.outdir, "--stack", "alpha", "--state", join(ws.dir, "alpha.tfstate"), "--format", "json"]);
    expect(JSON.stringify(JSON.parse(unmanaged.stdout).unmanaged)).toContain("app-b");
  }, 300_000);

  it("removalPolicy retain (applied first), then removing the construct: forgotten, on any Terraform", async () => {
    synth(ws, { alpha: { ids: ["c", "d"], extra: { d: { removalPolicy: "retain" } } } });
    await applied(ws, "alpha");
    synth(ws, { alpha: { ids: ["c"] } });
    await ws.clearAudit();
    const r = await applied(ws, "alpha");
    expect(r).toMatch(/= web-app app-d: forgotten — left in the tenant, no longer managed: its construct had removalPolicy "retain"/);
    expect(await deletes(ws)).toEqual([]);
    expect(await liveApps(ws)).toEqual(["app-b", "app-c", "app-d"]);
  }, 300_000);
});

describe("terraform destroy", () => {
  const ws = workspace();

  it("leaves an object whose construct has removalPolicy retain, and one whose resource was removed from the state; deletes the rest", async () => {
    synth(ws, { alpha: { ids: ["kept", "gone", "dropped"], extra: { kept: { removalPolicy: "retain" } } } });
    expect((await tf(ws, "alpha", ["init", "-input=false", "-no-color"])).status).toBe(0);
    await applied(ws, "alpha");
    expect((await tf(ws, "alpha", ["state", "rm", addressOf(ws, "alpha", "dropped/Resource")])).status).toBe(0);
    const r = await tf(ws, "alpha", ["destroy", "-auto-approve", "-input=false", "-no-color"]);
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/= web-app app-kept: forgotten — .*removalPolicy "retain"/);
    expect(r.output).toMatch(/= web-app app-dropped: forgotten — .*terraform state rm/);
    expect(r.output).toMatch(/- web-app app-gone: deleted/);
    expect(await liveApps(ws)).toEqual(["app-dropped", "app-kept"]);
  }, 300_000);
});

describe("a state applied before the Gate existed", () => {
  const ws = workspace();

  it("deletes an object removed from code whose resource an old-layout apply already dropped (it is not taken for terraform state rm)", async () => {
    synth(ws, { alpha: { ids: ["o", "p"] } });
    expect((await tf(ws, "alpha", ["init", "-input=false", "-no-color"])).status).toBe(0);
    await applied(ws, "alpha");
    // The state as an earlier version left it after an interrupted removal of o: no Gate, the
    // Journal depending on the Origin only, and o's resource destroyed before the sync that failed.
    const file = join(ws.dir, "alpha.tfstate");
    const state = JSON.parse(readFileSync(file, "utf8")) as { serial: number; resources: { type: string; name: string; instances: { dependencies?: string[] }[] }[] };
    const [gate, origin, journal, resourceOfO] = ["Tenant/Gate", "Tenant/Origin", "Tenant/Journal", "o/Resource"].map((p) => addressOf(ws, "alpha", p));
    const at = (address: string) => (r: { type: string; name: string }) => `${r.type}.${r.name}` === address;
    state.resources = state.resources.filter((r) => !at(gate)(r) && !at(resourceOfO)(r));
    state.resources.find(at(journal))!.instances[0].dependencies = [origin];
    state.serial += 1;
    writeFileSync(file, JSON.stringify(state));

    synth(ws, { alpha: { ids: ["p"] } });
    await ws.clearAudit();
    const r = await applied(ws, "alpha");
    expect(r).toMatch(/- web-app app-o: deleted/);
    expect(r).not.toMatch(/forgotten/);
    expect(await liveApps(ws)).toEqual(["app-p"]);
  }, 300_000);
});

describe("moving an object to another stack", () => {
  const ws = workspace();

  it("retain in the old stack, adopt in the new one, then remove it from the old: it stays, managed by the new stack only", async () => {
    synth(ws, { alpha: { ids: ["m", "keep"] }, beta: { ids: [] } });
    for (const s of ["alpha", "beta"]) expect((await tf(ws, s, ["init", "-input=false", "-no-color"])).status).toBe(0);
    await applied(ws, "alpha");
    // 1. The old stack lets go of it when it leaves: removalPolicy retain, applied.
    synth(ws, { alpha: { ids: ["m", "keep"], extra: { m: { removalPolicy: "retain" } } }, beta: { ids: [] } });
    await applied(ws, "alpha");
    // 2. The new stack takes it over.
    synth(ws, { alpha: { ids: ["m", "keep"], extra: { m: { removalPolicy: "retain" } } }, beta: { ids: ["m"], extra: { m: { adopt: true } } } });
    await applied(ws, "beta");
    // 3. The old stack drops it: forgotten, not deleted.
    synth(ws, { alpha: { ids: ["keep"] }, beta: { ids: ["m"], extra: { m: { adopt: true } } } });
    await ws.clearAudit();
    expect(await applied(ws, "alpha")).toMatch(/= web-app app-m: forgotten/);
    expect(await deletes(ws)).toEqual([]);
    expect(await liveApps(ws)).toEqual(["app-keep", "app-m"]);
    expect((await tf(ws, "beta", PLAN)).status).toBe(0);
    // The new stack manages it: its removal deletes it.
    synth(ws, { alpha: { ids: ["keep"] }, beta: { ids: [] } });
    expect(await applied(ws, "beta")).toMatch(/- web-app app-m: deleted/);
    expect(await liveApps(ws)).toEqual(["app-keep"]);
  }, 300_000);
});

/** A Terraform ≥ 1.7 (which has `removed` blocks) on PATH, if any: the one the machine has beside the pinned 1.5.7. */
function terraformWithRemoved(): string | undefined {
  try {
    const version = JSON.parse(execFileSync("terraform", ["version", "-json"], { encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } })).terraform_version as string;
    const [major, minor] = version.split(".").map(Number);
    return major > 1 || (major === 1 && minor >= 7) ? "terraform" : undefined;
  } catch {
    return undefined;
  }
}

const removedCapable = terraformWithRemoved();
(removedCapable ? describe : describe.skip)("a removed block with destroy = false (Terraform ≥ 1.7)", () => {
  const ws = workspace();

  it("forgets the object although Terraform drops its resource only after the sync ran", async () => {
    const bin = removedCapable!;
    synth(ws, { alpha: { ids: ["r", "s"] } });
    expect((await tf(ws, "alpha", ["init", "-input=false", "-no-color"], {}, bin)).status).toBe(0);
    expect((await tf(ws, "alpha", APPLY, {}, bin)).status).toBe(0);
    const address = addressOf(ws, "alpha", "r/Resource");
    synth(ws, { alpha: { ids: ["s"], removed: [address] } });
    await ws.clearAudit();
    const r = await tf(ws, "alpha", APPLY, {}, bin);
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/will no longer be managed by Terraform/);
    expect(r.output).toMatch(/= web-app app-r: forgotten — left in the tenant, no longer managed: a removed block with destroy = false drops its resource/);
    expect(await deletes(ws)).toEqual([]);
    expect(await liveApps(ws)).toEqual(["app-r", "app-s"]);
  }, 300_000);
});
