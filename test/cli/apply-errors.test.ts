/**
 * `cdktf-aic sync` when it cannot do its job: one clear line, exit 1, and no write.
 */
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import type { Spec } from "../../src/contract/spec";
import { cliTestTenant, SyncRunner, type RunResult } from "./run";

const t = cliTestTenant();

let runner: SyncRunner;
beforeEach(() => (runner = new SyncRunner(t.ref(), (extra) => t.env(extra))));
afterEach(() => runner.remove());
/** A first sync of `spec`, in the tenant (and with the credentials) its spec names. */
async function apply(spec: Spec, env: Record<string, string | undefined> = {}): Promise<RunResult> {
  const own = new SyncRunner(spec.tenant, (extra) => t.env(extra));
  try {
    return await own.sync([spec], env);
  } finally {
    own.remove();
  }
}

/** One line on stderr, naming the command, and nothing on stdout. */
function expectOneLineFailure(r: RunResult, pattern: RegExp): void {
  expect(r.status).toBe(1);
  expect(r.stdout).toBe("");
  // Informational lines (`= …`, such as a first apply's "no previous journal") may precede it.
  const lines = r.stderr.trim().split("\n").filter((l) => !l.startsWith("= "));
  expect(lines).toEqual([expect.stringMatching(/^cdktf-aic sync: /)]);
  expect(lines[0]).toMatch(pattern);
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("cdktf-aic sync failing before any write", () => {
  it("fails when the tenant is unreachable", async () => {
    const spec = { ...t.webApp(), tenant: { ...t.ref(), baseUrl: `http://127.0.0.1:${await closedPort()}` } } as Spec;
    expectOneLineFailure(await apply(spec), /127\.0\.0\.1/);
  }, 120_000);

  it("fails when the service account's key is not the registered one", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const otherJwk = JSON.stringify(privateKey.export({ format: "jwk" }));
    const r = await apply(t.webApp(), { AIC_SERVICE_ACCOUNT_JWK: otherJwk });
    expectOneLineFailure(r, /AIC_SERVICE_ACCOUNT_ID|AIC_SERVICE_ACCOUNT_JWK/);
    expect(r.stderr).not.toContain(otherJwk);
    expect(await t.writes()).toEqual([]);
  });

  it("fails when the admin token lacks the scope the call needs", async () => {
    const spec = { ...t.webApp(), tenant: { ...t.ref(), auth: { ...t.ref().auth, scopeEnv: "AIC_SERVICE_ACCOUNT_SCOPE" } } } as Spec;
    const r = await apply(spec, { AIC_SERVICE_ACCOUNT_SCOPE: "fr:idm:*" });
    expectOneLineFailure(r, /403|forbidden|scope/i);
    expect(await t.writes()).toEqual([]);
  });

  it("fails when a grant's subject group does not exist, naming it", async () => {
    expect((await runner.sync([t.providerGrants(), t.webApp(), t.aiAgent()])).status).toBe(0);
    await t.clearAudit();
    const r = await runner.sync([t.providerGrants(), t.webApp(), t.aiAgent(), t.agentGrant({ subjects: [], subjectGroups: ["no-such-group"] })]);
    expect(r.status).toBe(1);
    expect(r.stderr.replace(/\n {4}/g, " ")).toMatch(/^! agent-grant digital-assistant-ai-agent\/digital-assistant-web-app: failed — .*group "no-such-group" not found/m);
    expect(await t.writes()).toEqual([]);
  });

  it("fails with one line when the realm does not exist, before any write", async () => {
    const missing = new RegExp(`realm "no-such-realm" does not exist in ${t.tenant.baseUrl.replace(/\./g, "\\.")}`);
    // The provider's apply would create the realm's provider; a web app's would look its owners up.
    for (const spec of [t.providerGrants(), t.webApp()]) {
      expectOneLineFailure(await apply({ ...spec, tenant: { ...t.ref(), realm: "no-such-realm" } } as Spec), missing);
    }
    expect(await t.writes()).toEqual([]);
  });

  it("fails with one line, not a raw EEXIST, when the token cache directory is a file", async () => {
    const file = join(t.cacheDir, "not-a-directory");
    writeFileSync(file, "x");
    const r = await apply(t.webApp(), { CDKTF_AIC_TOKEN_CACHE_DIR: file });
    expectOneLineFailure(r, /CDKTF_AIC_TOKEN_CACHE_DIR\b.*not a directory.*(point it at a directory|unset it)/);
    expect(r.stderr).not.toMatch(/EEXIST|ENOTDIR|at .*\.js:\d+/);
    expect(await t.writes()).toEqual([]);
  });

  it("fails with one line when a response body is over 32 MiB, without reading it all", async () => {
    await fetch(`${t.tenant.baseUrl}/__emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ path: "**/agents/OAuth2Client*", method: "GET", status: 200, bodyBytes: 512 * 1024 * 1024, times: 5 }),
    });
    const started = Date.now();
    const r = await apply(t.webApp());
    expectOneLineFailure(r, /response body .*over 32 MiB/);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await t.writes()).toEqual([]);
  }, 60_000);

  it("prints an API message holding control characters escaped, on its one line", async () => {
    await fetch(`${t.tenant.baseUrl}/__emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ path: "**/agents/OAuth2Client", method: "GET", status: 400, body: { code: 400, reason: "Bad Request", message: "bad\u001b[2J\rcdktf-aic apply: forged" }, times: 1 }),
    });
    const r = await apply(t.webApp());
    expectOneLineFailure(r, /API said: "bad\\u001b\[2J\\rcdktf-aic apply: forged"/);
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  });
});
