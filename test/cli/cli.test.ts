import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROVISIONER_ENV } from "../../src/contract/constants";
import { canonicalJson, identityOf, type Spec } from "../../src/contract/spec";
import { TestTenant } from "../engine/support";
import { requireCli, runCli, type RunResult } from "./run";

const t = new TestTenant();
/** Everything the CLI printed in this file, for the secret scan at the end. */
const transcript: RunResult[] = [];

beforeAll(async () => {
  requireCli();
  await t.start();
}, 60_000);
afterAll(() => t.stop());
beforeEach(() => t.reset());

async function cli(args: string[], env: Record<string, string | undefined> = {}, cwd?: string): Promise<RunResult> {
  const r = await runCli(args, t.env(env), cwd);
  transcript.push(r);
  return r;
}
const apply = (spec: Spec, env: Record<string, string | undefined> = {}) => cli(["apply"], { [PROVISIONER_ENV.spec]: canonicalJson(spec), ...env });
/** A CI job's environment without client secrets: updates leave the secrets alone. */
const NO_SECRETS = { WEB_APP_CLIENT_SECRET: undefined, AI_AGENT_CLIENT_SECRET: undefined };
/** A rotated secret value, planted for the scan at the end. */
const ROTATED = `rotated-${Math.random().toString(36).slice(2)}-planted`;

describe("cdktf-aic apply", () => {
  it("creates the object and prints one line on stderr, nothing on stdout", async () => {
    const r = await apply(t.webApp());
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\+ web-app digital-assistant-web-app: created — .*coreOAuth2ClientConfig\.userpassword \(sensitive\)/);
    expect(await t.api.getOAuth2Client("digital-assistant-web-app")).toBeDefined();
  });

  it("reports unchanged and makes no write call the second time when the secret variable is not set", async () => {
    await apply(t.webApp());
    await t.clearAudit();
    const r = await apply(t.webApp(), NO_SECRETS);
    expect(r.stderr).toBe("= web-app digital-assistant-web-app: unchanged — secret not written: WEB_APP_CLIENT_SECRET is not set (set it to rotate)\n");
    expect(await t.writes()).toEqual([]);
  });

  it("prints the field-level change of an update", async () => {
    await apply(t.webApp());
    const r = await apply(t.webApp({ scopes: ["openid", "read-data"] }), NO_SECRETS);
    expect(r.stderr).toBe(
      "~ web-app digital-assistant-web-app: coreOAuth2ClientConfig.scopes [openid,read-data,write-data,admin-action] → [openid,read-data]; " +
        "secret not written: WEB_APP_CLIENT_SECRET is not set (set it to rotate)\n",
    );
  });

  it("writes the secret of an existing object, in one PUT, when its variable is set", async () => {
    await apply(t.aiAgent());
    await t.clearAudit();
    const r = await apply({ ...t.aiAgent(), secret: { env: "AI_AGENT_CLIENT_SECRET", version: 2 } }, { AI_AGENT_CLIENT_SECRET: ROTATED });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("~ ai-agent digital-assistant-ai-agent: coreOAuth2ClientConfig.userpassword (sensitive); secret written (version 2)\n");
    expect((await t.writes()).map((e) => e.method)).toEqual(["PUT"]);
  });

  it("fails with one line and exit 1 when the secret env var is missing, writing nothing", async () => {
    const r = await apply(t.webApp(), { WEB_APP_CLIENT_SECRET: undefined });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^cdktf-aic apply: WEB_APP_CLIENT_SECRET is not set: it is needed to create digital-assistant-web-app/),
    ]);
    expect(await t.writes()).toEqual([]);
  });

  it("fails on an invalid spec, naming the field", async () => {
    const bad = { ...t.webApp(), owned: { ...t.webApp().owned, tokenEndpointAuthMethod: "magic" } };
    const r = await cli(["apply"], { [PROVISIONER_ENV.spec]: JSON.stringify(bad) });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^cdktf-aic apply: invalid spec at owned\.tokenEndpointAuthMethod/);
  });

  it("takes nothing through argv", async () => {
    const r = await cli(["apply", "--spec", "{}"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^cdktf-aic apply: takes no arguments/);
  });

  it("fails clearly when the admin credentials are not set", async () => {
    const r = await apply(t.webApp(), { AIC_SERVICE_ACCOUNT_JWK: undefined });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^cdktf-aic apply: .*AIC_SERVICE_ACCOUNT_JWK/);
  });
});

describe("cdktf-aic delete and prune", () => {
  it("deletes the object of CDKTF_AIC_IDENTITY, and is fine when it is already gone", async () => {
    await apply(t.aiAgent());
    const env = { [PROVISIONER_ENV.identity]: canonicalJson(identityOf(t.aiAgent())) };
    expect((await cli(["delete"], env)).stderr).toBe("- ai-agent digital-assistant-ai-agent: deleted\n");
    expect((await cli(["delete"], env)).stderr).toBe("= ai-agent digital-assistant-ai-agent: absent — already gone\n");
  });

  it("prunes removed objects dependents first, accepting identities as objects or JSON strings", async () => {
    const specs = [t.providerGrants(), t.webApp(), t.aiAgent(), t.agentGrant()];
    for (const s of specs) expect((await apply(s)).status).toBe(0);
    const previous = [canonicalJson(identityOf(specs[1])), identityOf(specs[3]), identityOf(specs[2]), identityOf(specs[0])];
    const r = await cli(["prune"], {
      [PROVISIONER_ENV.previous]: JSON.stringify(previous),
      [PROVISIONER_ENV.keep]: JSON.stringify([identityOf(specs[0])]),
    });
    expect(r.status).toBe(0);
    expect(r.stderr.trim().split("\n").map((l) => l.split(":")[0])).toEqual([
      "- agent-grant digital-assistant-ai-agent/digital-assistant-web-app",
      "- ai-agent digital-assistant-ai-agent",
      "- web-app digital-assistant-web-app",
    ]);
  });
});

describe("cdktf-aic", () => {
  it("prints usage with --help and exits 0", async () => {
    const r = await cli(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: cdktf-aic <command>/);
    for (const command of ["apply", "delete", "prune", "plan", "verify", "tenant"]) expect(r.stdout).toContain(`  ${command} `);
    // apply writes secrets itself: there is no separate secret command.
    expect(r.stdout).not.toContain("set-secret");
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
    for (const s of seedSpecs()) expect((await apply(s)).status).toBe(0);
    dir = mkdtempSync(join(tmpdir(), "cdktf-aic-verify-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A synthesized stack as the constructs write it: specs in the Config resources' triggers. */
  function synthesizedStack(specs: Spec[]): void {
    const stackDir = join(dir, "cdktf.out", "stacks", "alpha");
    mkdirSync(stackDir, { recursive: true });
    const resources = Object.fromEntries(specs.map((s, i) => [`r${i}_Config`, { triggers: { spec: canonicalJson(s) } }]));
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

  it("answers in JSON with --json", async () => {
    const r = await cli(
      ["verify", "--json", "--app", "digital-assistant-web-app", "--agent", "digital-assistant-ai-agent", "--scope", "read-data", "--base-url", t.tenant.baseUrl, "--realm", "alpha", "--app-secret-env", "WEB_APP_CLIENT_SECRET", "--agent-secret-env", "AI_AGENT_CLIENT_SECRET"],
      userEnv(),
      dir,
    );
    const report = JSON.parse(r.stdout);
    expect(report.result).toBe("PASS");
    expect(report.steps.map((s: { step: number; ok: boolean }) => [s.step, s.ok])).toEqual([[1, true], [2, true], [3, true], [4, true]]);
    expect(report.steps[3].act).toEqual({ sub: "digital-assistant-ai-agent" });
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
    await apply(t.agentGrant({ subjects: ["carl.tanaka"] }));
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

describe("secrets", () => {
  it("never appear in anything the CLI printed, even with debug logging", async () => {
    await apply(t.webApp(), { CDKTF_AIC_DEBUG: "1" });
    await apply(t.webApp(), { WEB_APP_CLIENT_SECRET: ROTATED, CDKTF_AIC_DEBUG: "1" });
    await cli(["apply"], { [PROVISIONER_ENV.spec]: canonicalJson(t.webApp()), WEB_APP_CLIENT_SECRET: undefined, CDKTF_AIC_DEBUG: "1" });
    const printed = transcript.map((r) => r.stdout + r.stderr).join("\n");
    expect(printed).toContain("secret written (version 1)");
    for (const secret of [...Object.values(t.secrets), ROTATED, t.password("barbara.jensen")]) expect(printed).not.toContain(secret);
    expect(printed).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });
});
