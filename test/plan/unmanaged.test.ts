/**
 * `plan` reports the objects a tenant holds that no stack in cdktf.out manages (web apps, AI agents,
 * privileges), never the platform's own clients, reads them with paged list calls, and never
 * deletes them; `--fail-on-unmanaged` turns them into a failing exit code.
 */
import { App } from "cdktf";
import { ConfidentialWebApp, Secret, TenantStack } from "../../constructs";
import { KINDS } from "../../src/contract/constants";
import { applySpec } from "../../src/kinds";
import { PlanReport } from "../../src/plan/schema";
import { specsOfStack } from "../../src/plan/stack";
import { requireCli } from "../cli/run";
import { isWrite, STACK, Workspace } from "../e2e/harness";
import { configureAsConsole } from "../support/console";
import { seed } from "../support/seed";

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ws = new Workspace();

/** The seed in stack alpha; stack beta manages one more web app of the same tenant. */
function synth(withBeta: boolean): void {
  const app = new App({ outdir: ws.outdir });
  const tenant = { baseUrl: ws.tenant.baseUrl, realm: "alpha" };
  seed(new TenantStack(app, STACK, { tenant }));
  if (withBeta) {
    new ConfidentialWebApp(new TenantStack(app, "beta", { tenant }), "managed-elsewhere", {
      name: "Managed elsewhere",
      clientId: "managed-elsewhere",
      clientSecret: Secret.fromEnv("WEB_APP_CLIENT_SECRET"),
      scopes: ["openid"],
    });
  }
  app.synth();
}

beforeAll(async () => {
  requireCli();
  await ws.start();
  synth(false);
  const api = ws.adminClient();
  const specs = specsOfStack(ws.outdir, STACK).sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind));
  for (const spec of specs) await applySpec(api, spec, { env: ws.env() });
  await configureAsConsole(api, {
    providerGrantTypes: [],
    webApps: [
      { clientId: "legacy-app", name: "Legacy", scopes: ["openid", "legacy"], grantTypes: ["authorization_code"], tokenEndpointAuthMethod: "client_secret_basic" },
      { clientId: "managed-elsewhere", name: "Managed elsewhere", scopes: ["openid"], grantTypes: ["authorization_code"], tokenEndpointAuthMethod: "client_secret_basic" },
      { clientId: "mobile-spa", name: "SPA", scopes: ["openid"], grantTypes: ["authorization_code"], tokenEndpointAuthMethod: "none", clientType: "Public", template: "spa" },
    ],
    bareClients: [{ clientId: "RCSClient", grantTypes: ["client_credentials"], scopes: ["fr:idm:*"] }],
    agents: [
      { clientId: "legacy-agent", name: "Legacy Agent", grantTypes: [TOKEN_EXCHANGE], tokenEndpointAuthMethod: "client_secret_post", overrides: { providerOverridesEnabled: true, statelessTokensEnabled: true, acceptAudienceParametersInTokenExchangeRequests: true } },
    ],
    privileges: [{ agent: "legacy-agent", application: "legacy-app", subjects: ["barbara.jensen"] }],
  });
  await api.close();
  synth(true);
}, 120_000);
afterAll(() => ws.stop());

describe("cdktf-aic plan: objects no stack manages", () => {
  it("lists them per tenant and kind in json, without the platform's clients or those another stack manages", async () => {
    await ws.clearAudit();
    const r = await ws.cli(["plan", "--stack", STACK, "--format", "json"]);
    expect(r.status).toBe(0);
    const report = PlanReport.parse(JSON.parse(r.stdout));
    expect(report.summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    expect(report.unmanaged).toEqual([
      {
        baseUrl: ws.tenant.baseUrl,
        realm: "alpha",
        objects: [
          { kind: "web-app", count: 1, ids: ["legacy-app"] },
          { kind: "spa", count: 1, ids: ["mobile-spa"] },
          { kind: "ai-agent", count: 1, ids: ["legacy-agent"] },
          { kind: "agent-grant", count: 1, ids: ["legacy-agent/legacy-app"] },
        ],
      },
    ]);
    const calls = await ws.audit();
    expect(calls.filter(isWrite)).toEqual([]);
    // Listed with paged list calls, never one GET per object.
    const listings = calls.filter((c) => /_queryFilter=true/.test(c.path));
    expect(listings.length).toBeGreaterThanOrEqual(3);
    expect(listings.every((c) => /_pageSize=\d+/.test(c.path))).toBe(true);
    expect(calls.some((c) => /\/(legacy-app|legacy-agent)(\?|$)/.test(c.path))).toBe(false);
  }, 60_000);

  it("shows them in text and markdown, and exits 0 unless --fail-on-unmanaged", async () => {
    const text = await ws.cli(["plan", "--stack", STACK]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain("Unmanaged: in the tenant, in no stack of the synth output (apply never deletes them)");
    expect(text.stdout).toContain(`${ws.tenant.baseUrl} realm alpha: 1 web-app: legacy-app`);
    expect(text.stdout).toContain(`${ws.tenant.baseUrl} realm alpha: 1 agent-grant: legacy-agent/legacy-app`);
    expect(text.stdout).toContain(`${ws.tenant.baseUrl} realm alpha: 1 spa: mobile-spa`);
    const markdown = await ws.cli(["plan", "--stack", STACK, "--format", "markdown"]);
    expect(markdown.stdout).toContain("<details><summary><b>Unmanaged</b>: 4 objects in no stack</summary>");

    const strict = await ws.cli(["plan", "--stack", STACK, "--fail-on-unmanaged"]);
    expect(strict.status).toBe(3);
    expect(strict.stderr).toMatch(/the tenant holds objects no stack manages \(1 web-app in .* realm alpha, 1 ai-agent .*\): declare them \(cdktf-aic export writes the code\)/);
  }, 60_000);
});
