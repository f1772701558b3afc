import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROVISIONER_ENV } from "../../src/contract/constants";
import { canonicalJson, type Spec } from "../../src/contract/spec";
import { scratchDir } from "../support/scratch";
import { cliTestTenant, runCli, SyncRunner, type RunResult } from "./run";

const t = cliTestTenant();
/** Everything the CLI printed in this file, for the secret scan at the end. */
const transcript: RunResult[] = [];


async function cli(args: string[], env: Record<string, string | undefined> = {}, cwd?: string): Promise<RunResult> {
  const r = await runCli(args, t.env(env), cwd);
  transcript.push(r);
  return r;
}
let runner: SyncRunner;
beforeEach(() => (runner = new SyncRunner(t.ref(), (extra) => t.env(extra))));
afterEach(() => runner.remove());
/** One sync of `specs` (after the ones before it in the test), recorded for the secret scan. */
async function sync(specs: Spec[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  const r = await runner.sync(specs, env);
  transcript.push(r);
  return r;
}
/** A CI job's environment without client secrets: updates leave the secrets alone. */
const NO_SECRETS = { WEB_APP_CLIENT_SECRET: undefined, AI_AGENT_CLIENT_SECRET: undefined };
/** A rotated secret value, planted for the scan at the end. */
const ROTATED = `rotated-${Math.random().toString(36).slice(2)}-planted`;

describe("cdktf-aic sync", () => {
  it("creates the objects of the journal and prints one line each on stderr, nothing on stdout", async () => {
    const r = await sync([t.webApp()]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(2);
    // The first sync has no previous journal, and says so.
    expect(lines[0]).toMatch(/^= http:\/\/127\.0\.0\.1:\d+ \(realm alpha\): no previous journal \(a first apply, or the journal was lost\): converging on code$/);
    expect(lines[1]).toMatch(/^\+ web-app digital-assistant-web-app: created — .*secret \(sensitive\)/);
    expect(await t.api.getOAuth2Client("digital-assistant-web-app")).toBeDefined();
  });

  it("says there is nothing to do, and makes no admin call, when the journal is as applied", async () => {
    await sync([t.webApp()]);
    await t.clearAudit();
    const r = await sync([t.webApp()], NO_SECRETS);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/: 1 objects as applied, nothing to do\n$/);
    expect(await t.adminCalls()).toEqual([]);
  });

  it("prints the field-level change of an update", async () => {
    await sync([t.webApp()]);
    const r = await sync([t.webApp({ scopes: ["openid", "read-data"] })], NO_SECRETS);
    expect(r.stderr).toBe("~ web-app digital-assistant-web-app: scopes −write-data −admin-action\n");
  });

  it("writes a rotated secret of an existing object, in one PUT", async () => {
    await sync([t.aiAgent()]);
    await t.clearAudit();
    const r = await sync([{ ...t.aiAgent(), secret: { env: "AI_AGENT_CLIENT_SECRET", version: 2 } }], { AI_AGENT_CLIENT_SECRET: ROTATED });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("~ ai-agent digital-assistant-ai-agent: secret rotated (version 1 → 2)\n");
    expect((await t.writes()).map((e) => e.method)).toEqual(["PUT"]);
  });

  it("fails with exit 1, one line per failed object and a summary, when the secret env var is missing, writing nothing", async () => {
    const r = await sync([t.webApp()], { WEB_APP_CLIENT_SECRET: undefined });
    expect(r.status).toBe(1);
    // A failure wraps onto indented lines of at most 160 columns.
    expect(r.stderr.replace(/\n {4}/g, " ").trim().split("\n")).toEqual([
      expect.stringMatching(/no previous journal/),
      expect.stringMatching(/^! web-app digital-assistant-web-app: failed — WEB_APP_CLIENT_SECRET is not set: it is needed to create web-app digital-assistant-web-app/),
      expect.stringMatching(/^1 object failed; nothing was written; Terraform keeps the previous journal/),
    ]);
    expect(await t.writes()).toEqual([]);
  });

  it("fails when a rotation's variable is unset, and keeps the rotation pending", async () => {
    await sync([t.webApp()]);
    const bumped = { ...t.webApp(), secret: { env: "WEB_APP_CLIENT_SECRET", version: 2 } };
    const r = await sync([bumped], NO_SECRETS);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/WEB_APP_CLIENT_SECRET is not set: web-app digital-assistant-web-app rotates its secret \(version 1 → 2\)/);
    expect((await sync([bumped], { WEB_APP_CLIENT_SECRET: ROTATED })).stderr).toMatch(/secret rotated \(version 1 → 2\)/);
  });

  it("fails on a journal that is not one, naming the field", async () => {
    const r = await cli(["sync"], { [PROVISIONER_ENV.desired]: JSON.stringify({ tenant: t.ref(), objects: { x: { kind: "magic" } } }) });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^cdktf-aic sync: CDKTF_AIC_DESIRED is not a journal at objects\.x\.kind/);
  });

  it("fails when cdk.tf.json does not hold the spec Terraform is applying", async () => {
    const journal = { tenant: t.ref(), objects: { "web-app/x": { kind: "web-app", id: "x", hash: "0000000000000000", secret: "1" } } };
    const r = await cli(["sync"], { [PROVISIONER_ENV.desired]: JSON.stringify(journal) }, runner.dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^cdktf-aic sync: no cdk\.tf\.json in .*|does not hold the spec of web-app\/x/);
  });

  it("takes nothing through argv", async () => {
    const r = await cli(["sync", "--journal", "{}"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^cdktf-aic sync: takes no arguments/);
  });

  it("fails clearly when the admin credentials are not set", async () => {
    const r = await sync([t.webApp()], { AIC_SERVICE_ACCOUNT_JWK: undefined });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/no previous journal/), expect.stringMatching(/^cdktf-aic sync: .*AIC_SERVICE_ACCOUNT_JWK/)]);
  });
});

describe("cdktf-aic", () => {
  it("prints usage with --help and exits 0", async () => {
    const r = await cli(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: cdktf-aic <command>/);
    for (const command of ["sync", "reconcile", "plan", "verify", "tenant"]) expect(r.stdout).toContain(`  ${command} `);
  });

  it("rejects an unknown command with exit 1", async () => {
    const r = await cli(["frobnicate"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^cdktf-aic: unknown command "frobnicate"/);
  });
});

describe("cdktf-aic verify", () => {
  const seedSpecs = () => [t.providerGrants(), t.webApp(), t.aiAgent(), t.agentGrant()];
  const userEnv = () => ({ VERIFY_USERNAME: "barbara.jensen", VERIFY_PASSWORD: t.password("barbara.jensen") });
  let dir: string;

  beforeEach(async () => {
    expect((await sync(seedSpecs())).status).toBe(0);
    dir = mkdtempSync(join(tmpdir(), "cdktf-aic-verify-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A synthesized stack as the constructs write it with null_resource: specs in the Resources' triggers. */
  function synthesizedStack(specs: Spec[]): void {
    const stackDir = join(dir, "cdktf.out", "stacks", "alpha");
    mkdirSync(stackDir, { recursive: true });
    const resources = Object.fromEntries(specs.map((s, i) => [`r${i}_Resource`, { triggers: { spec: canonicalJson(s) } }]));
    writeFileSync(join(stackDir, "cdk.tf.json"), JSON.stringify({ resource: { null_resource: resources } }));
  }

  it("passes Task 4 with everything learnt from the synthesized stack", async () => {
    synthesizedStack(seedSpecs());
    const r = await cli(["verify", "--stack", "alpha"], userEnv(), dir);
    expect(r.stdout.trim().split("\n").pop()).toBe("PASS");
    expect(r.status).toBe(0);
    const user = t.tenant.connection.users.find((u) => u.userName === "barbara.jensen")!;
    expect(r.stdout).toMatch(new RegExp(`4 introspect the exchanged token: ok sub=${user._id} act.sub=digital-assistant-ai-agent scope=read-data`));
    expect(r.stdout).not.toMatch(/eyJ/);
  });

  const flags = () => ["--app", "digital-assistant-web-app", "--agent", "digital-assistant-ai-agent", "--scope", "read-data", "--base-url", t.tenant.baseUrl, "--realm", "alpha", "--app-secret-env", "WEB_APP_CLIENT_SECRET", "--agent-secret-env", "AI_AGENT_CLIENT_SECRET"];

  it("answers in JSON with --format json", async () => {
    const r = await cli(["verify", "--format", "json", ...flags()], userEnv(), dir);
    const report = JSON.parse(r.stdout);
    expect(report.result).toBe("PASS");
    expect(report.steps.map((s: { step: number; ok: boolean }) => [s.step, s.ok])).toEqual([[1, true], [2, true], [3, true], [4, true]]);
    expect(report.steps[3].act).toEqual({ sub: "digital-assistant-ai-agent" });
  });

  it("still takes --json, saying on stderr that it is deprecated", async () => {
    const r = await cli(["verify", "--json", ...flags()], userEnv(), dir);
    expect(JSON.parse(r.stdout).result).toBe("PASS");
    expect(r.stderr).toBe("cdktf-aic verify: --json is deprecated, use --format json\n");
  });

  it("fails at step 3 naming the missing provider grant", async () => {
    synthesizedStack(seedSpecs());
    const provider = (await t.api.getProvider())!;
    provider.advancedOAuth2Config!.grantTypes = provider.advancedOAuth2Config!.grantTypes!.filter((g) => !g.includes("token-exchange"));
    await t.api.putProvider(provider);
    const r = await cli(["verify"], userEnv(), dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL at step 3: the provider does not allow token exchange: add 'token-exchange' to OAuth2ProviderGrants/);
  });

  it("fails at step 3 listing the prerequisites when the user is not a subject of the grant", async () => {
    synthesizedStack(seedSpecs());
    await sync([...seedSpecs().slice(0, 3), t.agentGrant({ subjects: ["carl.tanaka"] })]);
    const r = await cli(["verify"], userEnv(), dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/invalid_request: Invalid token exchange\./);
    expect(r.stdout).toMatch(/the user is among the grant's subjects/);
  });

  it("fails when a scope outside the grant is asked for", async () => {
    synthesizedStack(seedSpecs());
    const r = await cli(["verify", "--scope", "admin-action"], userEnv(), dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL at step 3: a requested scope \(admin-action\) is not granted/);
  });
});

describe("cdktf-aic export", () => {
  it("fails, writing nothing, for a client id the realm does not hold, and names the ones it holds", async () => {
    await sync([t.webApp(), t.aiAgent()]);
    const dir = scratchDir();
    const r = await cli(["export", "--client-ids", "digital-assistant-web-app,no-such-app", "--file", "tenant.ts"], { AIC_BASE_URL: t.tenant.baseUrl }, dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `cdktf-aic export: --client-ids no-such-app: no such web app or AI agent in ${t.tenant.baseUrl} realm alpha; the realm holds web apps: digital-assistant-web-app; AI agents: digital-assistant-ai-agent (check the ids, or the realm with --realm)\n`,
    );
    expect(existsSync(join(dir, "tenant.ts"))).toBe(false);
  });
});

describe("secrets", () => {
  it("never appear in anything the CLI printed, even with debug logging", async () => {
    await sync([t.webApp()], { CDKTF_AIC_DEBUG: "1" });
    await sync([{ ...t.webApp(), secret: { env: "WEB_APP_CLIENT_SECRET", version: 2 } }], { WEB_APP_CLIENT_SECRET: ROTATED, CDKTF_AIC_DEBUG: "1" });
    await sync([t.webApp({ scopes: ["openid"] }, "other-app")], { WEB_APP_CLIENT_SECRET: undefined, CDKTF_AIC_DEBUG: "1" });
    const printed = transcript.map((r) => r.stdout + r.stderr).join("\n");
    expect(printed).toContain("secret rotated (version 1 → 2)");
    for (const secret of [...Object.values(t.secrets), ROTATED, t.password("barbara.jensen")]) expect(printed).not.toContain(secret);
    expect(printed).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });
});
