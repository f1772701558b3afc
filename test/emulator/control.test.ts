/**
 * The embedded tenant's control endpoints (reset, faults, audit, sessions, latency), its state
 * file and the `tenant` command.
 */
import { spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { TenantConnection } from "../../src/contract/connection";
import { API_VERSION, fixtures, IDM, mintAdminToken, OAUTH2_CLIENT, startTestTenant, type TestTenant } from "./helpers";

let t: TestTenant;
beforeAll(async () => {
  t = await startTestTenant();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.reset();
});

const readUsers = () => t.call("GET", `${IDM}_user?_queryFilter=true`);
const addFault = async (fault: Record<string, unknown>) => {
  const r = await t.control("POST", "faults", fault);
  expect(r.status).toBe(201);
};

describe("POST /__emulator/reset", () => {
  it("returns the tenant to its seed with the same credentials", async () => {
    await fixtures(t).application("app-1", "web-app");
    await t.reset();
    expect((await t.call("GET", `${IDM}_application/app-1`)).status).toBe(404);
    const users = await readUsers();
    expect(users.status).toBe(200);
    expect(users.body.result.map((u: { userName: string }) => u.userName).sort()).toEqual(t.connection.users.map((u) => u.userName).sort());
  });
});

describe("POST /__emulator/faults", () => {
  it("answers 429 with Retry-After the given number of times, then normally", async () => {
    await addFault({ path: "/openidm/managed/alpha_user", method: "GET", times: 2, status: 429, retryAfterSeconds: 3 });
    const first = await readUsers();
    expect([first.status, first.headers.get("retry-after"), first.body]).toEqual([
      429,
      "3",
      { code: 429, reason: "Too Many Requests", message: "Injected fault" },
    ]);
    expect((await readUsers()).status).toBe(429);
    expect((await readUsers()).status).toBe(200);
  });

  it("answers 503 with the given body", async () => {
    await addFault({ path: "/openidm/**", times: 1, status: 503, body: { code: 503, message: "down" } });
    const r = await readUsers();
    expect([r.status, r.body]).toEqual([503, { code: 503, message: "down" }]);
  });

  it("matches the method when given", async () => {
    await addFault({ path: "/openidm/managed/alpha_user", method: "DELETE", times: 1, status: 503 });
    expect((await readUsers()).status).toBe(200);
  });

  it("drops the connection without answering", async () => {
    await addFault({ path: "/openidm/managed/alpha_user", times: 1, drop: true });
    await expect(readUsers()).rejects.toThrow();
    expect((await readUsers()).status).toBe(200);
  });

  it("delays a call by latencyMs and then answers it", async () => {
    await addFault({ path: "/openidm/managed/alpha_user", times: 1, latencyMs: 300 });
    const started = Date.now();
    expect((await readUsers()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("is cleared by DELETE /__emulator/faults", async () => {
    await addFault({ path: "/openidm/managed/alpha_user", times: 5, status: 503 });
    expect((await t.control("DELETE", "faults")).status).toBe(200);
    expect((await readUsers()).status).toBe(200);
  });

  it("refuses an invalid fault with 400", async () => {
    const relative = await t.control("POST", "faults", { path: "alpha_user", times: 1, status: 503 });
    expect([relative.status, relative.body.message]).toEqual([400, expect.stringContaining("must start with / or *")]);
    const noTimes = await t.control("POST", "faults", { path: "/x", status: 503 });
    expect(noTimes.status).toBe(400);
  });

  it("refuses a regular expression (pathPattern) with 400 naming the glob that replaced it", async () => {
    const r = await t.control("POST", "faults", { pathPattern: "alpha_user$", times: 1, status: 503 });
    expect([r.status, r.body.message]).toEqual([400, expect.stringContaining("path (a glob")]);
  });

  it("matches by glob: * within a segment, ** across segments, the query only when the glob has one", async () => {
    await addFault({ path: "/openidm/managed/*_user", times: 1, status: 503 });
    expect((await readUsers()).status).toBe(503);
    await addFault({ path: "/openidm/*", times: 1, status: 503 });
    expect((await readUsers()).status).toBe(200);
    await addFault({ path: "**/alpha_user?_queryFilter=t*", times: 1, status: 503 });
    expect((await readUsers()).status).toBe(503);
    await addFault({ path: "**/alpha_user?_queryFilter=false", times: 1, status: 503 });
    expect((await readUsers()).status).toBe(200);
  });

  it("cannot be stalled by a pattern: a catastrophic regex is refused and a worst-case glob answers at once", async () => {
    // ^/(a|aa)+$ against 36 a's and a mismatch took seconds of one thread: the whole tenant. The glob needs
    // milliseconds; the bound leaves room for a loaded CI machine.
    await t.control("POST", "faults", { pathPattern: "^/(a|aa)+$", times: 1, status: 503 });
    await addFault({ path: "/**a**a**a**a**a**a**a**a**a**a**b", times: 1, status: 503 });
    const started = Date.now();
    const r = await t.call("GET", `/${"a".repeat(36)}${"a/".repeat(2000)}!`);
    expect(r.status).toBe(404);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

/** A control call as a browser or another host would send it: any headers, any Host. */
function rawControl(method: string, action: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: any }> {
  const url = new URL(`${t.baseUrl}/__emulator/${action}`);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method, headers }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("control endpoints: only from this machine, never from a web page", () => {
  const fault = JSON.stringify({ path: "/openidm/managed/alpha_user", times: 1, status: 503 });
  const port = () => new URL(t.baseUrl).port;
  const armed = async () => (await readUsers()).status === 503;

  it("refuses a request carrying an Origin header with 403 and a JSON error", async () => {
    const r = await rawControl("POST", "faults", { host: `127.0.0.1:${port()}`, origin: "http://evil.example", "content-type": "application/json" }, fault);
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ code: 403, reason: "Forbidden", message: expect.stringContaining("Origin") });
    expect(await armed()).toBe(false);
  });

  it("refuses a body that is not JSON (text/plain, as a form post sends it) with 415", async () => {
    const r = await rawControl("POST", "faults", { host: `127.0.0.1:${port()}`, "content-type": "text/plain" }, fault);
    expect(r.status).toBe(415);
    expect(r.body).toMatchObject({ code: 415, message: expect.stringContaining("application/json") });
    expect(await armed()).toBe(false);
  });

  it("refuses a Host that is not loopback with this port (DNS rebinding) with 403", async () => {
    for (const host of [`evil.example:${port()}`, "127.0.0.1:1", `127.0.0.1.evil.example:${port()}`]) {
      const r = await rawControl("POST", "reset", { host });
      expect([host, r.status]).toEqual([host, 403]);
      expect(r.body).toMatchObject({ code: 403, message: expect.stringContaining("Host") });
    }
  });

  it("answers a loopback Host by any of its names, with the port", async () => {
    for (const host of [`127.0.0.1:${port()}`, `localhost:${port()}`, `[::1]:${port()}`]) {
      expect([host, (await rawControl("GET", "sessions", { host })).status]).toEqual([host, 200]);
    }
    const r = await rawControl("POST", "faults", { host: `localhost:${port()}`, "content-type": "application/json; charset=utf-8" }, fault);
    expect(r.status).toBe(201);
    expect(await armed()).toBe(true);
  });
});

describe("GET /__emulator/audit", () => {
  it("lists admin and OAuth2 calls with method, path and query, status, time and duration; control calls not", async () => {
    await t.control("DELETE", "audit");
    await t.call("GET", `${OAUTH2_CLIENT}/missing?_fields=_id`, { apiVersion: API_VERSION.oauth2Client });
    await mintAdminToken(t.connection);
    await t.control("GET", "sessions");
    const { entries } = (await t.control("GET", "audit")).body;
    expect(entries).toEqual([
      { kind: "admin", method: "GET", path: `${OAUTH2_CLIENT}/missing?_fields=_id`, status: 404, time: expect.any(String), durationMs: expect.any(Number) },
      { kind: "oauth2", method: "POST", path: "/am/oauth2/access_token", status: 200, time: expect.any(String), durationMs: expect.any(Number) },
    ]);
    expect(new Date(entries[0].time).toISOString()).toBe(entries[0].time);
  });

  it("is emptied by DELETE /__emulator/audit", async () => {
    await readUsers();
    await t.control("DELETE", "audit");
    expect((await t.control("GET", "audit")).body).toEqual({ entries: [] });
  });
});

describe("GET /__emulator/sessions", () => {
  it("reports peak and active sessions per account", async () => {
    const r = await t.control("GET", "sessions");
    const account = r.body[t.connection.serviceAccount.id];
    expect(account.active).toBeGreaterThanOrEqual(1);
    expect(account.peak).toBeGreaterThanOrEqual(account.active);
  });
});

describe("POST /__emulator/config", () => {
  it("adds latencyMs to every admin call", async () => {
    expect((await t.control("POST", "config", { latencyMs: 200 })).body).toEqual({ latencyMs: 200, restartDelayMs: 1000 });
    const started = Date.now();
    await readUsers();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    await t.control("POST", "config", { latencyMs: 0 });
  });
});

describe("startTenant with statePath", () => {
  it("keeps objects and credentials across a restart", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "tenant-state-"));
    const statePath = path.join(dir, "state.json");
    try {
      const first = await startTestTenant({ statePath });
      await fixtures(first).application("kept", "web-app");
      await first.close();
      expect(statSync(statePath).mode & 0o777).toBe(0o600);

      const second = await startTestTenant({ statePath });
      try {
        expect(second.connection.serviceAccount.id).toBe(first.connection.serviceAccount.id);
        expect(second.connection.users).toEqual(first.connection.users);
        expect((await second.call("GET", `${IDM}_application/kept`)).body.name).toBe("web-app");
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("cdktf-aic tenant", () => {
  it("prints its URL, writes an owner-only connection file and stops cleanly on SIGTERM", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "tenant-cli-"));
    const connectionFile = path.join(dir, "connection.json");
    const script = 'require("./src/emulator/cli").tenantCommand(process.argv.slice(1)).then((c) => process.exit(c))';
    // tsx keeps a cache in the temp dir and never removes it: give it one inside `dir`.
    const childTmp = path.join(dir, "tmp");
    mkdirSync(childTmp);
    const child = spawn(process.execPath, ["--import", "tsx", "-e", script, "--", "--port", "0", "--connection-file", connectionFile], {
      cwd: path.resolve(__dirname, "../.."),
      env: { ...process.env, TMPDIR: childTmp },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
          if (out.includes("\n")) resolve(out.trim());
        });
        child.on("exit", (code) => reject(new Error(`tenant exited early with ${code}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(statSync(connectionFile).mode & 0o777).toBe(0o600);
      const connection = TenantConnection.parse(JSON.parse(readFileSync(connectionFile, "utf8")));
      expect(connection.baseUrl).toBe(url);
      expect(await mintAdminToken(connection)).toEqual(expect.any(String));

      const exitCode = new Promise<number | null>((resolve) => child.on("exit", resolve));
      child.kill("SIGTERM");
      expect(await exitCode).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
