import { spawn, spawnSync } from "node:child_process";
import { readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildSync } from "esbuild";
import { ENDPOINTS } from "../../src/contract";
import { TokenCache, type CacheEntry } from "../../src/client";
import type { AuthConfig } from "../../src/contract";
import { AM_SESSION_AUTH, SERVICE_ACCOUNT_AUTH, TestTenant, TOKEN_PATH } from "./tenant";
import { scratchDir } from "../support/scratch";

const WORKERS = 10;
let t: TestTenant;
let workerBundle: string;

beforeAll(() => {
  // The worker runs bundled, as the CLI does under Terraform.
  const dir = scratchDir("cdktf-aic-worker-");
  workerBundle = join(dir, "worker.cjs");
  buildSync({ entryPoints: [resolve(__dirname, "fixtures/worker.ts")], bundle: true, platform: "node", format: "cjs", outfile: workerBundle, logLevel: "error" });
});
beforeEach(async () => {
  t = await new TestTenant().start();
});
afterEach(() => t.stop());

interface WorkerResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runWorker(auth: AuthConfig, extraEnv: Record<string, string> = {}): Promise<WorkerResult> {
  const options = { baseUrl: t.baseUrl, realm: t.connection.realm, auth, tokenCacheDir: t.cacheDir };
  return new Promise((done) => {
    const child = spawn(process.execPath, [workerBundle], {
      env: { PATH: process.env.PATH, ...t.env(), CLIENT_WORKER_OPTIONS: JSON.stringify(options), ...extraEnv },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

async function runWorkers(auth: AuthConfig): Promise<{ results: WorkerResult[]; ms: number }> {
  const started = Date.now();
  const results = await Promise.all(Array.from({ length: WORKERS }, () => runWorker(auth)));
  return { results, ms: Date.now() - started };
}

describe("the shared token cache across processes", () => {
  it(`lets ${WORKERS} concurrent processes mint one service-account token`, async () => {
    const { results, ms } = await runWorkers(SERVICE_ACCOUNT_AUTH);
    for (const r of results) expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(await t.statuses("POST", TOKEN_PATH)).toEqual([200]);
    expect((await t.sessions())[t.connection.serviceAccount.id]).toEqual({ peak: 1, active: 1 });
    process.stderr.write(`${WORKERS} worker processes, one token: ${ms} ms\n`);
  });

  it(`lets ${WORKERS} concurrent processes open one AM session`, async () => {
    const { results } = await runWorkers(AM_SESSION_AUTH);
    for (const r of results) expect(r.code).toBe(0);
    expect(await t.statuses("POST", ENDPOINTS.amAuthenticate.path)).toEqual([200]);
    expect((await t.sessions())[t.connection.amAdmin.username].peak).toBe(1);
  });

  it("keeps the credential owner-only: directory 0700, file 0600, no lock left, a hashed name", async () => {
    await runWorkers(SERVICE_ACCOUNT_AUTH);
    expect(statSync(t.cacheDir).mode & 0o777).toBe(0o700);
    const files = readdirSync(t.cacheDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{40}\.json$/);
    expect(files[0]).not.toContain(t.connection.serviceAccount.id);
    expect(statSync(join(t.cacheDir, files[0])).mode & 0o777).toBe(0o600);
  });

  it("logs one JSON line per request on stderr with CDKTF_AIC_DEBUG=1, without headers or tokens", async () => {
    const r = await runWorker(SERVICE_ACCOUNT_AUTH, { CDKTF_AIC_DEBUG: "1" });
    const lines = r.stderr.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => `${l.method} ${l.path.split("?")[0]} ${l.status}`)).toEqual([
      `POST ${TOKEN_PATH} 200`,
      `GET /am/json/realms/root/realms/alpha/realm-config/agents/OAuth2Client 200`,
    ]);
    for (const l of lines) expect(Object.keys(l).sort()).toEqual(["attempt", "method", "ms", "path", "status"]);
    expect(r.stderr).not.toMatch(/eyJ|Bearer|authorization/i);
  });
});

describe("TokenCache", () => {
  const entry = (token: string, inMs: number): CacheEntry => ({ headers: { authorization: `Bearer ${token}` }, expiresAtMs: Date.now() + inMs });

  function cache(staleLockMs?: number): TokenCache {
    return new TokenCache({ dir: t.tempDir(), key: "https://tenant.example.com\nservice-account\nid", staleLockMs });
  }

  it("reuses a cached credential until 60 s before it expires", async () => {
    const c = cache();
    let mints = 0;
    const mint = async () => entry(`t${++mints}`, 120_000);
    await c.get(mint);
    await c.get(mint);
    expect(mints).toBe(1);
    writeFileSync(c.file, JSON.stringify(entry("near-expiry", 30_000)));
    expect((await c.get(mint)).headers.authorization).toBe("Bearer t2");
  });

  it("replaces a rejected credential only while it is still the cached one", async () => {
    const c = cache();
    let mints = 0;
    const mint = async () => entry(`t${++mints}`, 600_000);
    const first = await c.get(mint);
    const second = await c.get(mint, first.headers);
    expect(second.headers.authorization).toBe("Bearer t2");
    // Another process rejecting the old token now finds the new one, and mints nothing.
    expect((await c.get(mint, first.headers)).headers.authorization).toBe("Bearer t2");
    expect(mints).toBe(2);
  });

  it("breaks the lock of a process that died", async () => {
    const c = cache();
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid!;
    await c.get(async () => entry("warm-up", -1)); // creates the directory
    writeFileSync(c.lockFile, JSON.stringify({ pid: dead, nonce: "x", createdAtMs: Date.now() }));
    const started = Date.now();
    expect((await c.get(async () => entry("fresh", 600_000))).headers.authorization).toBe("Bearer fresh");
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("breaks a lock older than staleLockMs even when its process lives", async () => {
    const c = cache(300);
    await c.get(async () => entry("warm-up", -1));
    writeFileSync(c.lockFile, JSON.stringify({ pid: process.pid, nonce: "x", createdAtMs: Date.now() }));
    const old = new Date(Date.now() - 1000);
    utimesSync(c.lockFile, old, old);
    expect((await c.get(async () => entry("fresh", 600_000))).headers.authorization).toBe("Bearer fresh");
  });

  it("keeps the lock of a holder that mints for longer than staleLockMs: waiters mint nothing", async () => {
    // Two processes' caches: the same directory and credential.
    const options = { dir: t.tempDir(), key: "https://tenant.example.com\nservice-account\nid", staleLockMs: 1000 };
    const [holder, waiter] = [new TokenCache(options), new TokenCache(options)];
    await holder.get(async () => entry("warm-up", -1));
    let mints = 0;
    const slowMint = async () => {
      mints++;
      await new Promise((resolve) => setTimeout(resolve, 3000)); // three times staleLockMs
      return entry("slow", 600_000);
    };
    const first = holder.get(slowMint);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = waiter.get(async () => {
      mints++;
      return entry("second", 600_000);
    });
    expect((await Promise.all([first, second])).map((e) => e.headers.authorization)).toEqual(["Bearer slow", "Bearer slow"]);
    expect(mints).toBe(1);
  });

  it("keeps a short-lived credential for half its life instead of minting on every request", async () => {
    const c = cache();
    let mints = 0;
    const mint = async () => entry(`t${++mints}`, 40_000); // shorter than the 60 s margin
    await c.get(mint);
    await c.get(mint);
    expect(mints).toBe(1);
  });

  it("waits for a live lock holder and takes the credential it writes", async () => {
    const c = cache();
    await c.get(async () => entry("warm-up", -1));
    writeFileSync(c.lockFile, JSON.stringify({ pid: process.pid, nonce: "held", createdAtMs: Date.now() }));
    setTimeout(() => writeFileSync(c.file, JSON.stringify(entry("from-holder", 600_000))), 200);
    let minted = false;
    const got = await c.get(async () => {
      minted = true;
      return entry("mine", 600_000);
    });
    expect(got.headers.authorization).toBe("Bearer from-holder");
    expect(minted).toBe(false);
  });
});
