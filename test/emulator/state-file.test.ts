/**
 * The embedded tenant's state file (`cdktf-aic tenant --state FILE`, `startTenant({ statePath })`):
 * every write answered 2xx is in the file even when the process is killed, and what a write costs
 * does not grow with the store.
 */
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { TenantConnection } from "../../src/contract/connection";
import { readStateFile } from "../../src/emulator/store";
import { AI_AGENT, API_VERSION, fixtures, IDM, mintAdminToken, OAUTH2_CLIENT, PROVIDER, spawnTenantCommand, startTestTenant, type TenantProcess } from "./helpers";

/** Writes in flight at once, as the sync sends them. */
const IN_FLIGHT = 16;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "tenant-state-file-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

type RunningTenant = TenantProcess & { token: string };

/**
 * Runs `cdktf-aic tenant --state statePath`, gives it and an admin token to `use`, then kills it
 * with SIGKILL: whatever `use` saw answered must already be in the file.
 */
async function withTenant(statePath: string, use: (tenant: RunningTenant) => Promise<void>): Promise<void> {
  const connectionFile = path.join(dir, "connection.json");
  const running = await spawnTenantCommand(dir, ["--port", "0", "--connection-file", connectionFile, "--state", statePath]);
  try {
    await use({ ...running, token: await mintAdminToken(TenantConnection.parse(JSON.parse(readFileSync(connectionFile, "utf8")))) });
  } finally {
    running.child.kill("SIGKILL");
    await running.exited;
  }
}

/** IDM application records `app-<from>` … `app-<to - 1>`, IN_FLIGHT at a time; each must answer 201. */
async function createApplications(tenant: { url: string; token: string }, from: number, to: number): Promise<void> {
  let next = from;
  const worker = async () => {
    for (let i = next++; i < to; i = next++) {
      const res = await fetch(`${tenant.url}${IDM}_application/app-${i}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${tenant.token}`, "content-type": "application/json" },
        body: JSON.stringify({ name: `app-${i}`, templateName: "web", templateVersion: "1.0", ssoEntities: { oidcId: `app-${i}` } }),
      });
      await res.text();
      if (res.status !== 201) throw new Error(`PUT app-${i} answered ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

/** Bytes the process has passed to write(2) so far: its answers and its state file (Linux). */
function bytesWritten(pid: number): number {
  const line = readFileSync(`/proc/${pid}/io`, "utf8").split("\n").find((l) => l.startsWith("wchar:"));
  if (!line) throw new Error(`/proc/${pid}/io has no wchar line`);
  return Number(line.split(":")[1]);
}

describe("cdktf-aic tenant --state", () => {
  it("writes about as many bytes per write with 2,000 objects in the store as with 200", async () => {
    await withTenant(path.join(dir, "state.json"), async (tenant) => {
      const perWrite = async (from: number, to: number) => {
        const before = bytesWritten(tenant.child.pid!);
        await createApplications(tenant, from, to);
        return (bytesWritten(tenant.child.pid!) - before) / (to - from);
      };
      const first200 = await perWrite(0, 200);
      await createApplications(tenant, 200, 1800);
      const last200 = await perWrite(1800, 2000);
      // Before: the whole store on every write (about 10 times as many bytes for the last 200).
      expect(last200).toBeLessThan(2 * first200);
    });
  }, 120_000);

  it("keeps every write answered 2xx when it is killed with SIGKILL right after", async () => {
    const statePath = path.join(dir, "state.json");
    await withTenant(statePath, (tenant) => createApplications(tenant, 0, 50));
    await withTenant(statePath, async (tenant) => {
      const res = await fetch(`${tenant.url}${IDM}_application?_queryFilter=true&_fields=_id`, { headers: { authorization: `Bearer ${tenant.token}` } });
      const ids = ((await res.json()) as { result: { _id: string }[] }).result.map((a) => a._id);
      expect(ids.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `app-${i}`).sort());
    });
  }, 60_000);

  it("starts from a file whose last line a kill cut short, without that unanswered write", async () => {
    const statePath = path.join(dir, "state.json");
    await withTenant(statePath, (tenant) => createApplications(tenant, 0, 3));
    // A write(2) that SIGKILL interrupted: part of a line, no newline.
    appendFileSync(statePath, '{"counter":999,"set":[[["managed","alpha_application","app-torn"],{"_id":"app-t');
    await withTenant(statePath, async (tenant) => {
      const get = (id: string) => fetch(`${tenant.url}${IDM}_application/${id}`, { headers: { authorization: `Bearer ${tenant.token}` } });
      expect((await get("app-2")).status).toBe(200);
      expect((await get("app-torn")).status).toBe(404);
    });
  }, 60_000);
});

describe("startTenant({ statePath })", () => {
  it("leaves a file that, read as a kill would leave it, holds the state a clean stop writes", async () => {
    const statePath = path.join(dir, "state.json");
    const killedCopy = path.join(dir, "killed.json");
    const t = await startTestTenant({ statePath });
    try {
      // One write of every kind the tenant keeps: each must reach the file.
      const f = fixtures(t);
      const ok = async (r: Promise<{ status: number; body: unknown }>) => {
        const reply = await r;
        if (reply.status >= 300) throw new Error(`HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
        return reply.body as Record<string, unknown>;
      };
      await ok(t.call("PUT", `${IDM}_user/u-1`, { body: { userName: "u-1", givenName: "U", sn: "One", mail: "u1@example.com", password: "Passw0rd!" } }));
      await f.user("u-2");
      await f.group("g-1", ["u-1", "u-2"]);
      await f.group("g-2");
      await f.application("app-1", "app-1", { owners: [f.ref("alpha_user", "u-1")] });
      await ok(t.call("PATCH", `${IDM}_application/app-1`, { body: [{ operation: "replace", field: "description", value: "patched" }] }));
      // A write to a computed field lands on the stored side (the groups' members).
      await ok(t.call("PATCH", `${IDM}_user/u-2`, { body: [{ operation: "add", field: "groups", value: [f.ref("alpha_group", "g-2")] }] }));
      await f.agent("agent-1", { _id: "agent-1-uid" });
      await f.agent("agent-1", { _id: "agent-1-uid", description: "updated" });
      await f.agent("agent-2", { _id: "agent-2-uid" });
      await f.privilege("agent-1-uid", { resource: f.ref("alpha_application", "app-1"), subjects: [f.ref("alpha_user", "u-1")], subjectGroups: [f.ref("alpha_group", "g-1")] });
      await f.privilege("agent-2-uid", { resource: f.ref("alpha_application", "app-1"), subjects: [f.ref("alpha_user", "u-2")] });
      await f.client("client-1");
      await f.client("client-2");
      await ok(t.call("DELETE", `${OAUTH2_CLIENT}/client-2`, { apiVersion: API_VERSION.oauth2Client }));
      await ok(t.call("DELETE", `${AI_AGENT}/agent-2`, { apiVersion: API_VERSION.aiAgent }));
      await ok(t.call("PUT", PROVIDER, { apiVersion: API_VERSION.oauth2Provider, body: { advancedOAuth2Config: { grantTypes: ["password"] } } }));
      await ok(t.call("POST", "/environment/aiagent?_action=enable", { apiVersion: API_VERSION.environment }));
      await ok(t.call("DELETE", `${IDM}_user/u-2`));
      await ok(t.call("DELETE", `${IDM}_group/g-2`));
      copyFileSync(statePath, killedCopy);
    } finally {
      await t.close();
    }
    expect(readStateFile(killedCopy)).toEqual(readStateFile(statePath));
  });
});
