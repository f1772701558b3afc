/**
 * The kill matrix: an apply of 60 web apps at admin-call latency, interrupted at kill points spread
 * over its writes — SIGINT, SIGTERM or SIGKILL to Terraform, to its process group (Ctrl-C in a
 * terminal) or to the sync itself, and Terraform dying after a successful sync but before it saved
 * state. After each, a plain `terraform apply` (no code change, no adopt) must converge: every
 * declared client exists exactly once (AM client and IDM application record), nothing is orphaned or
 * refused, and a second apply changes nothing. An object made by someone else stays refused. And an
 * apply that removes all 60 from code, interrupted mid-deletion: the re-apply deletes the rest
 * (the objects' resources are still in the state, so none is taken for `state rm`'d and forgotten).
 *
 * One Workspace serves every point: between points the tenant goes back to its seed and the state to
 * where the point starts (no state: a stack's first apply; or the state of an applied empty stack: a
 * change, whose sync is the Journal's destroy provisioner). Prints what each kill left and how long
 * each re-apply took.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ConfidentialWebApp, type TenantStack } from "../../constructs";
import { webAppProps } from "../support/seed";
import type { AdminClient } from "../../src/client/admin-api";
import { isWrite, terraformBinary, waitFor, Workspace } from "./harness";

const APPS = 60;
/** Per admin call while the interrupted apply runs: the sync takes a few seconds, the kill lands mid-way. */
const LATENCY_MS = 150;
const APPLY = ["apply", "-auto-approve", "-input=false", "-no-color"];
const ids = Array.from({ length: APPS }, (_, i) => `app-w${String(i).padStart(2, "0")}`);

function apps(stack: TenantStack, clientIds: readonly string[]): void {
  for (const clientId of clientIds) new ConfidentialWebApp(stack, clientId, webAppProps({ clientId, name: clientId }));
}

type Signal = "SIGINT" | "SIGTERM" | "SIGKILL";
/** Whom the signal reaches: Terraform alone, its process group (Terraform, /bin/sh and the sync), the sync alone. */
type Target = "terraform" | "group" | "sync";
interface KillPoint {
  readonly signal: Signal;
  readonly target: Target;
  /** Kill once this share of a full apply's admin writes is done. */
  readonly at: number;
  /** A change to an applied (empty) stack rather than the stack's first apply. */
  readonly change: boolean;
}

const SIGNALS: readonly Signal[] = ["SIGINT", "SIGTERM", "SIGKILL"];
const TARGETS: readonly Target[] = ["terraform", "group", "sync"];
/** Each signal × target twice, at kill points spread evenly over the writes (5 % … 85 %). */
const POINTS: readonly KillPoint[] = (() => {
  const combos = [0, 1].flatMap(() => SIGNALS.flatMap((signal) => TARGETS.map((target) => ({ signal, target }))));
  return combos.map((c, i) => ({ ...c, at: 0.05 + (0.8 * i) / (combos.length - 1), change: i % 2 === 1 }));
})();

/** Removal: a stack whose 60 objects all leave the code, interrupted mid-deletion (the 3 signals, each to another target). */
const REMOVAL_POINTS: readonly KillPoint[] = [
  { signal: "SIGINT", target: "terraform", at: 0.3, change: true },
  { signal: "SIGTERM", target: "sync", at: 0.5, change: true },
  { signal: "SIGKILL", target: "group", at: 0.7, change: true },
];

/** Whether the sync survives the kill, so it can roll back what it created. */
const survives = (p: KillPoint) => p.signal !== "SIGKILL" || p.target === "terraform";

async function control(ws: Workspace, path: string, body: unknown = {}): Promise<void> {
  const res = await fetch(`${ws.tenant.baseUrl}/__emulator/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
}

async function writes(ws: Workspace): Promise<number> {
  return (await ws.audit()).filter(isWrite).length;
}

/** The tenant's web apps: AM client ids (app-…) and how many IDM application records each client has. */
async function tenantApps(api: AdminClient): Promise<{ clients: string[]; records: Map<string, number> }> {
  const clients = (await api.queryOAuth2Clients({ filter: "true" })).map((c) => c._id).filter((id) => id.startsWith("app-"));
  const records = new Map<string, number>();
  for (const a of await api.queryManaged<{ ssoEntities?: { oidcId?: string } }>("application", { filter: "true" })) {
    const id = a.ssoEntities?.oidcId;
    if (id?.startsWith("app-")) records.set(id, (records.get(id) ?? 0) + 1);
  }
  return { clients: clients.sort(), records };
}

/** Terraform apply, in a process group of its own (as a terminal's foreground job), its output kept. */
function startApply(ws: Workspace): { tf: ChildProcess; output: () => string; closed: Promise<void> } {
  const tf = spawn(terraformBinary(), APPLY, { cwd: ws.stackDir, env: ws.env(), detached: true });
  let output = "";
  tf.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  tf.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const closed = new Promise<void>((resolve) => tf.on("close", () => resolve()));
  return { tf, output: () => output, closed };
}

interface Measured {
  readonly point: string;
  /** Admin writes other than deletions, once the interrupted apply and its sync ended. */
  readonly wrote: number;
  /** Web apps in the tenant before the re-apply. */
  readonly left: number;
  /** Unset when the re-apply did not converge. */
  reapplyMs?: number;
}

describe("an apply interrupted at any point (the kill matrix)", () => {
  const ws = new Workspace();
  /** One admin session for every read and the console's writes (the tenant allows an account 5). */
  let api: AdminClient;
  const baseState = join(ws.dir, "empty-stack.tfstate");
  const state = () => join(ws.dir, ".cdktf-aic", "state", "alpha.tfstate");
  /** Admin writes of a full uninterrupted apply. */
  let fullWrites = 0;
  const measured: Measured[] = [];
  const started = Date.now();

  beforeAll(async () => {
    await ws.start();
    api = ws.adminClient();
    ws.synth(() => undefined);
    await ws.apply();
    copyFileSync(state(), baseState);
    ws.synth((s) => apps(s, ids));
    await control(ws, "reset");
    rmSync(state());
    await control(ws, "config", { latencyMs: LATENCY_MS });
    const full = await ws.terraform(APPLY);
    if (full.status !== 0) throw new Error(full.output);
    fullWrites = await writes(ws);
  }, 300_000);

  afterAll(async () => {
    const reapply = (m: Measured) => (m.reapplyMs === undefined ? "re-apply did not converge" : `re-apply ${m.reapplyMs} ms`);
    for (const m of measured) console.log(`${m.point}: ${m.wrote} of ${fullWrites} writes, ${m.left} web apps left; ${reapply(m)}`);
    console.log(`kill matrix: ${measured.length} points, ${Math.round((Date.now() - started) / 1000)} s`);
    await api?.close();
    await ws.stop();
  });

  /** Admin writes other than deletions so far. */
  const createWrites = async () => (await ws.audit()).filter((e) => isWrite(e) && e.method !== "DELETE").length;

  /** Back to the tenant's seed and to the state where a point starts. */
  async function reset(change: boolean): Promise<void> {
    await control(ws, "reset");
    rmSync(state(), { force: true });
    rmSync(`${state()}.backup`, { force: true });
    if (change) copyFileSync(baseState, state());
    await control(ws, "config", { latencyMs: LATENCY_MS });
  }

  /** The plain re-apply converges (`check` its output first); a second apply writes nothing. Returns the re-apply's time. */
  async function convergeAgain(check?: (output: string) => void): Promise<number> {
    const t0 = Date.now();
    const again = await ws.terraform(APPLY);
    const reapplyMs = Date.now() - t0;
    check?.(again.output);
    expect(again.output).not.toMatch(/not created by this stack/);
    expect(again.status).toBe(0);
    const { clients, records } = await tenantApps(api);
    expect(clients).toEqual(ids);
    expect(ids.filter((id) => records.get(id) !== 1)).toEqual([]);
    expect([...records.keys()].filter((id) => !ids.includes(id))).toEqual([]);

    await ws.clearAudit();
    const second = await ws.terraform(APPLY);
    expect(second.status).toBe(0);
    expect(second.output).toMatch(/No changes\./);
    expect(await writes(ws)).toBe(0);
    return reapplyMs;
  }

  it.each(POINTS.map((p) => [`${p.signal} to ${p.target} at ${Math.round(p.at * 100)} % of the writes${p.change ? " (a change)" : ""}`, p] as const))(
    "%s: the next plain apply converges",
    async (name, point) => {
      await reset(point.change);
      const k = Math.max(1, Math.round(point.at * fullWrites));
      const { tf, output, closed } = startApply(ws);
      await waitFor(`${k} admin writes`, async () => (await writes(ws)) >= k, 120_000, 20);
      const pid = point.target === "terraform" ? tf.pid! : point.target === "group" ? -tf.pid! : ws.syncPids()[0];
      expect(pid).toBeDefined();
      process.kill(pid, point.signal);
      // Mid-sync: the sync was running and had not made all of a full apply's writes.
      expect(await writes(ws)).toBeLessThan(fullWrites);
      await control(ws, "config", { latencyMs: 0 });
      await closed;
      await waitFor("the sync to end", () => ws.syncPids().length === 0, 60_000, 100);
      expect(output()).not.toMatch(/Apply complete/);

      const wrote = await createWrites();
      const left = (await tenantApps(api)).clients.length;
      const m: Measured = { point: name, wrote, left };
      measured.push(m);
      // A sync that outlives the kill undoes what it created.
      if (survives(point)) expect(left).toBe(0);
      m.reapplyMs = await convergeAgain();
    },
    300_000,
  );

  it.each([
    ["the stack's first apply", false],
    ["a change", true],
  ] as const)("Terraform dying after a successful sync but before saving state (%s): the next plain apply converges", async (name, change) => {
    await reset(change);
    const { tf, closed } = startApply(ws);
    await waitFor("the sync to start", () => ws.syncPids().length > 0, 120_000, 20);
    process.kill(tf.pid!, "SIGSTOP");
    try {
      await waitFor("the sync to end", () => ws.syncPids().length === 0, 120_000, 100);
      expect((await tenantApps(api)).clients).toEqual(ids);
    } finally {
      process.kill(tf.pid!, "SIGKILL"); // a stopped Terraform would outlive the test run
    }
    await closed;
    await control(ws, "config", { latencyMs: 0 });
    const m: Measured = { point: `after a successful sync (${name})`, wrote: await createWrites(), left: (await tenantApps(api)).clients.length };
    measured.push(m);
    m.reapplyMs = await convergeAgain();
  }, 300_000);

  it("makes a re-apply started while the interrupted sync still rolls back wait for it, then converge", async () => {
    await reset(false);
    const { tf, closed } = startApply(ws);
    await waitFor("half the writes", async () => (await writes(ws)) >= fullWrites / 2, 120_000, 20);
    // Slow deletions: the sync Terraform left behind is still rolling back when the next apply starts.
    await control(ws, "faults", { path: "**/OAuth2Client/*", method: "DELETE", times: APPS, latencyMs: 3000 });
    process.kill(tf.pid!, "SIGINT");
    await closed;
    await control(ws, "config", { latencyMs: 0 });
    expect(ws.syncPids()).toHaveLength(1);
    const m: Measured = { point: "SIGINT to Terraform, re-applied during the rollback", wrote: await createWrites(), left: (await tenantApps(api)).clients.length };
    measured.push(m);
    m.reapplyMs = await convergeAgain((output) => expect(output).toMatch(/waiting for an earlier sync of this stack \(pid \d+\), left running by an interrupted apply, to finish/));
  }, 300_000);

  it.each(REMOVAL_POINTS.map((p) => [`${p.signal} to ${p.target} at ${Math.round(p.at * 100)} % of the deletions`, p] as const))(
    "%s while all 60 are removed from code: the next plain apply deletes the rest, forgetting none",
    async (name, point) => {
      await reset(false);
      await control(ws, "config", { latencyMs: 0 });
      expect((await ws.terraform(APPLY)).status).toBe(0);
      ws.synth(() => undefined);
      try {
        await control(ws, "config", { latencyMs: LATENCY_MS });
        await ws.clearAudit();
        const deletions = async () => (await ws.audit()).filter((e) => e.method === "DELETE").length;
        const { tf, output, closed } = startApply(ws);
        // Each web app is two deletions (its IDM application record, its AM client).
        const k = Math.max(1, Math.round(point.at * 2 * APPS));
        await waitFor(`${k} deletions`, async () => (await deletions()) >= k, 120_000, 20);
        const pid = point.target === "terraform" ? tf.pid! : point.target === "group" ? -tf.pid! : ws.syncPids()[0];
        expect(pid).toBeDefined();
        process.kill(pid, point.signal);
        expect(await deletions()).toBeLessThan(2 * APPS);
        await control(ws, "config", { latencyMs: 0 });
        await closed;
        await waitFor("the sync to end", () => ws.syncPids().length === 0, 60_000, 100);
        expect(output()).not.toMatch(/Apply complete/);
        const left = (await tenantApps(api)).clients.length;
        const m: Measured = { point: `${name} (removing)`, wrote: 0, left };
        measured.push(m);

        const t0 = Date.now();
        const again = await ws.terraform(APPLY);
        m.reapplyMs = Date.now() - t0;
        expect(again.status).toBe(0);
        // The objects' resources stay in the state until the sync ran: none is taken for state rm'd.
        expect(again.output).not.toMatch(/forgotten/);
        const after = await tenantApps(api);
        expect(after.clients).toEqual([]);
        expect([...after.records.keys()]).toEqual([]);
        await ws.clearAudit();
        const second = await ws.terraform(APPLY);
        expect(second.status).toBe(0);
        expect(second.output).toMatch(/No changes\./);
        expect(await writes(ws)).toBe(0);
      } finally {
        ws.synth((s) => apps(s, ids));
      }
    },
    300_000,
  );

  it("still refuses an object someone else made with a declared client id beside those a killed sync left, and converges once it is gone", async () => {
    await reset(false);
    const { tf, closed } = startApply(ws);
    await waitFor("a third of the writes", async () => (await writes(ws)) >= fullWrites / 3, 120_000, 20);
    process.kill(-tf.pid!, "SIGKILL");
    await closed;
    await control(ws, "config", { latencyMs: 0 });
    await waitFor("the sync to end", () => ws.syncPids().length === 0, 60_000, 100);
    const left = (await tenantApps(api)).clients;
    expect(left.length).toBeGreaterThan(0);
    // Made in the console meanwhile: a declared client id the killed sync never reached, another secret.
    const foreign = ids.filter((id) => !left.includes(id)).pop()!;
    await api.putOAuth2Client(foreign, { coreOAuth2ClientConfig: { scopes: ["openid"], userpassword: "console-made-secret" } }, { createOnly: true });
    // Requests the tenant accepted before the kill still finish after their latency: only then clear.
    let seen = -1;
    await waitFor("the tenant to go quiet", async () => {
      const now = (await ws.audit()).length;
      const quiet = now === seen;
      seen = now;
      return quiet;
    }, 10_000, 400);

    await ws.clearAudit();
    const refused = await ws.terraform(APPLY);
    expect(refused.status).not.toBe(0);
    expect(refused.output.match(/already exists .* was not created by this stack/g)).toHaveLength(1);
    expect(refused.output).toMatch(new RegExp(`web-app ${foreign} already exists .* was not created by this stack`));
    expect((await ws.audit()).filter(isWrite)).toEqual([]);

    await api.deleteOAuth2Client(foreign);
    await convergeAgain();
  }, 300_000);
});
