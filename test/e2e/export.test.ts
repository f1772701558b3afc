/**
 * Bringing an existing tenant under code, end to end: a tenant configured as the console would,
 * `cdktf-aic export` to a file, the file compiled and synthesized, `cdktf-aic plan` (no change),
 * real Terraform adopting it, a change and a removal in the exported code, and the same file
 * recreating the configuration in a fresh tenant where the seed's Task 4 passes.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { requireCli } from "../cli/run";
import { configureAsConsole, type ConsoleConfig } from "../support/console";
import { compileProject, planJson, prepareProject, synthFile } from "./exported-project";
import { isWrite, REPO, Workspace } from "./harness";

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const OVERRIDES_ON = { providerOverridesEnabled: true, statelessTokensEnabled: true, acceptAudienceParametersInTokenExchangeRequests: true };

/**
 * Several apps with different scopes, grant types and owners, of every template (an SPA with implicit
 * grant, which no construct makes, among them); agents with and without overrides; privileges for
 * users and for groups. The realm requires PKCE of public clients, as SinglePageApp and NativeApp need.
 */
const CONFIG: ConsoleConfig = {
  providerGrantTypes: ["password", TOKEN_EXCHANGE, "authorization_code", "refresh_token", "client_credentials", "implicit"],
  providerPkce: "public",
  webApps: [
    {
      clientId: "digital-assistant-web-app",
      name: "Digital Assistant Web App",
      owners: ["barbara.jensen", "alice.walker"],
      scopes: ["openid", "read-data", "write-data"],
      grantTypes: ["password"],
      tokenEndpointAuthMethod: "client_secret_post",
    },
    {
      clientId: "shop-web",
      name: "Shop",
      description: "The web shop",
      owners: ["carl.tanaka"],
      scopes: ["openid", "profile", "orders"],
      grantTypes: ["authorization_code", "refresh_token"],
      tokenEndpointAuthMethod: "client_secret_basic",
      redirectUris: ["https://shop.example.com/callback"],
      defaultScopes: ["openid"],
      accessTokenLifetime: 1800,
      more: { coreOAuth2ClientConfig: { refreshTokenLifetime: 7200 } },
    },
    {
      clientId: "mobile-spa",
      name: "Mobile SPA",
      scopes: ["openid"],
      grantTypes: ["authorization_code"],
      tokenEndpointAuthMethod: "none",
      clientType: "Public",
      template: "spa",
      redirectUris: ["https://m.shop.example.com/callback"],
      more: { advancedOAuth2ClientConfig: { javascriptOrigins: ["https://m.shop.example.com"], isConsentImplied: true } },
    },
    {
      clientId: "notes-desktop",
      name: "Notes Desktop",
      owners: ["alice.walker"],
      scopes: ["openid", "profile"],
      grantTypes: ["authorization_code", "refresh_token"],
      tokenEndpointAuthMethod: "none",
      clientType: "Public",
      template: "native",
      redirectUris: ["com.example.notes:/oauth2redirect", "http://127.0.0.1/callback"],
      more: { coreOAuth2ClientConfig: { loopbackInterfaceRedirection: true } },
    },
    { clientId: "report-service", name: "Report Service", scopes: ["read-data"], grantTypes: ["client_credentials"], tokenEndpointAuthMethod: "client_secret_post", template: "service" },
    {
      clientId: "legacy-spa",
      name: "Legacy SPA",
      scopes: ["openid"],
      grantTypes: ["implicit"],
      tokenEndpointAuthMethod: "none",
      clientType: "Public",
      template: "spa",
      redirectUris: ["https://legacy.example.com/callback"],
    },
  ],
  bareClients: [
    { clientId: "RCSClient", grantTypes: ["client_credentials"], scopes: ["fr:idm:*"] },
    { clientId: "nightly-batch", grantTypes: ["client_credentials"], scopes: ["read-data"] },
  ],
  agents: [
    { clientId: "digital-assistant-ai-agent", name: "Digital Assistant AI Agent", grantTypes: [TOKEN_EXCHANGE], tokenEndpointAuthMethod: "client_secret_post", overrides: OVERRIDES_ON },
    {
      clientId: "support-bot",
      name: "Support Bot",
      description: "Answers support tickets",
      owners: ["carl.tanaka"],
      scopes: ["bot"],
      grantTypes: [TOKEN_EXCHANGE, "client_credentials"],
      tokenEndpointAuthMethod: "client_secret_basic",
      overrides: { ...OVERRIDES_ON, statelessTokensEnabled: false },
    },
    { clientId: "idle-agent", name: "Idle Agent", grantTypes: [TOKEN_EXCHANGE], tokenEndpointAuthMethod: "client_secret_post", overrides: OVERRIDES_ON },
  ],
  privileges: [
    { agent: "digital-assistant-ai-agent", application: "digital-assistant-web-app", subjects: ["barbara.jensen"], scopes: ["read-data"] },
    { agent: "support-bot", application: "digital-assistant-web-app", subjectGroups: ["support-agents"], description: "Support may delegate" },
    { agent: "support-bot", application: "shop-web", subjects: ["alice.walker", "carl.tanaka"], scopes: ["orders"] },
  ],
};

const SECRETS = [
  "WEB_APP_DIGITAL_ASSISTANT_WEB_APP_SECRET",
  "WEB_APP_SHOP_WEB_SECRET",
  "SERVICE_APP_REPORT_SERVICE_SECRET",
  "AI_AGENT_DIGITAL_ASSISTANT_AI_AGENT_SECRET",
  "AI_AGENT_IDLE_AGENT_SECRET",
  "AI_AGENT_SUPPORT_BOT_SECRET",
];

describe("cdktf-aic export: bringing an existing tenant under code", () => {
  const ws = new Workspace();
  const file = () => join(ws.dir, "tenant.ts");
  let exported = "";
  let exportErr = "";

  beforeAll(async () => {
    requireCli();
    await ws.start();
    const api = ws.adminClient();
    await configureAsConsole(api, CONFIG);
    await api.close();
    prepareProject(ws);
  }, 120_000);
  afterAll(() => ws.stop());

  it("exports the apps, agents and grants to one file, and lists what it skipped", async () => {
    const importFrom = relative(ws.dir, join(REPO, "constructs"));
    const r = await ws.cli(["export", "--file", file(), "--import-from", importFrom], { AIC_BASE_URL: ws.tenant.baseUrl });
    expect(r.status).toBe(0);
    exported = readFileSync(file(), "utf8");
    exportErr = r.stderr;
    expect(exported).toContain(`from ${ws.tenant.baseUrl} (realm alpha)`);
    expect((exported.match(/new ConfidentialWebApp\(/g) ?? []).length).toBe(2);
    expect((exported.match(/new SinglePageApp\(/g) ?? []).length).toBe(1);
    expect((exported.match(/new NativeApp\(/g) ?? []).length).toBe(1);
    expect((exported.match(/new ServiceApp\(/g) ?? []).length).toBe(1);
    expect((exported.match(/new AiAgent\(/g) ?? []).length).toBe(3);
    expect((exported.match(/new AgentApplicationGrant\(/g) ?? []).length).toBe(3);
    expect((exported.match(/^ {2}adopt: true,$/gm) ?? []).length).toBe(11);
    // Public clients have no secret; their redirect URIs, origins and consent as the console set them.
    const block = (id: string) => new RegExp(`new \\w+\\(stack, "${id}", \\{[^]*?\\n\\}\\);`).exec(exported)![0];
    expect(block("mobile-spa")).not.toContain("clientSecret");
    expect(block("mobile-spa")).toContain(`redirectUris: ["https://m.shop.example.com/callback"],\n  corsOrigins: ["https://m.shop.example.com"],`);
    expect(block("notes-desktop")).not.toContain("clientSecret");
    expect(block("notes-desktop")).toContain(`redirectUris: ["com.example.notes:/oauth2redirect", "http://127.0.0.1/callback"],\n  impliedConsent: false,`);
    expect(block("report-service")).toContain(`tokenEndpointAuthMethod: "client_secret_post",`);
    for (const s of SECRETS) expect(exported).toContain(`Secret.fromEnv("${s}")`);
    // Grants refer to the variables, users and groups by name, never by uuid.
    expect(exported).toMatch(/agent: supportBot,\n {2}application: shopWeb,/);
    expect(exported).toContain(`subjectGroups: ["support-agents"]`);
    expect(exported).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    // Only the grant types the exported objects use.
    expect(exported).toContain(`grantTypes: ["authorization-code", "client-credentials", "password", "refresh-token", "token-exchange"], enableAiAgents: true, requirePkce: "public-clients" });`);
    // What no construct says, and what was skipped, in the file and on stderr.
    expect(exported).toContain("//   coreOAuth2ClientConfig.refreshTokenLifetime = 7200");
    expect(exportErr).toMatch(/web app shop-web: not expressed .*refreshTokenLifetime = 7200/);
    expect(exportErr).toMatch(/skipped oauth2-client legacy-spa: grant types \[implicit\], which SinglePageApp, a public client, must not use/);
    expect(exportErr).not.toMatch(/skipped oauth2-client (mobile-spa|notes-desktop|report-service)/);
    expect(exportErr).toMatch(/skipped oauth2-client nightly-batch: an OAuth2 client without an application record/);
    expect(exportErr).toMatch(/skipped oauth2-client RCSClient: a platform client/);
    expect(exportErr).toMatch(/\[export\] read .* in \d+ admin calls/);

    // Stable: exporting the unchanged tenant again gives the same file but for the time in its header.
    const again = await ws.cli(["export", "--import-from", importFrom], { AIC_BASE_URL: ws.tenant.baseUrl });
    const untimed = (t: string) => t.replace(/ at \d{4}-\d\d-\d\dT[\d:]+Z\./, " at (time).");
    expect(untimed(again.stdout)).toBe(untimed(exported));
  }, 60_000);

  it("writes a file that compiles under the project's tsconfig", async () => {
    const tsc = await compileProject(ws);
    expect(tsc.output).toBe("");
    expect(tsc.status).toBe(0);
  }, 120_000);

  it("synthesizes, and cdktf-aic plan against the same tenant shows adoption only: no create, update or delete", async () => {
    await synthFile(ws, ws.tenant.baseUrl);
    await ws.clearAudit();
    const report = await planJson(ws);
    // Adoption changes ownership (the objects are deleted when their constructs go): plan says so.
    expect(report.summary).toMatchObject({ create: 0, update: 0, delete: 0, problems: 0, adopt: 11, noChange: 1 });
    const adopted = report.stacks[0].objects.filter((o) => o.action === "adopt");
    expect(adopted.every((o) => o.changes.length === 0)).toBe(true);
    expect(report.changesPresent).toBe(true);
    // What export skipped stays unmanaged: the SPA no construct makes, and no other application.
    expect(report.unmanaged).toEqual([{ baseUrl: ws.tenant.baseUrl, realm: "alpha", objects: [{ kind: "spa", count: 1, ids: ["legacy-spa"] }] }]);
    expect((await ws.audit()).filter(isWrite)).toEqual([]);
    // --detailed-exitcode says 2: apply changes ownership; --fail-on-unmanaged says 3 for the skipped SPA.
    expect((await ws.cli(["plan", "--detailed-exitcode"])).status).toBe(2);
    expect((await ws.cli(["plan", "--fail-on-unmanaged", "--detailed-exitcode"])).status).toBe(3);
  }, 120_000);

  // Steps 3 and 4 take the objects over through adoption (adopt: true in the engine): deleting a
  // privilege the console made (a random id) needs the delete to find it by its pair.
  it("terraform apply without any secret variable adopts every object with zero writes", async () => {
    await ws.clearAudit();
    for (const name of SECRETS) expect(ws.env()[name]).toBeUndefined();
    const result = await ws.apply();
    expect(result.output).toMatch(/Apply complete!/);
    expect((await ws.audit()).filter(isWrite)).toEqual([]);
  }, 300_000);

  it("applies a scope changed in the exported code as an in-place update", async () => {
    writeFileSync(file(), readFileSync(file(), "utf8").replace(`subjects: ["barbara.jensen"],\n  scopes: ["read-data"],`, `subjects: ["barbara.jensen"],\n  scopes: ["read-data", "write-data"],`));
    await synthFile(ws, ws.tenant.baseUrl);
    await ws.clearAudit();
    await ws.apply();
    const writes = (await ws.audit()).filter(isWrite);
    expect(writes.map((e) => e.method)).toEqual(["PATCH"]);
    expect(writes[0].path).toMatch(/^\/openidm\/managed\/alpha_aiagentprivilege\//);
  }, 300_000);

  it("deletes an object whose construct is removed from the exported code", async () => {
    const text = readFileSync(file(), "utf8");
    const block = /const idleAgent = new AiAgent\([^]*?\n\}\);\n/.exec(text)![0];
    const grant = /new AgentApplicationGrant\(stack, "grant-supportBot-shopWeb"[^]*?\n\}\);\n/.exec(text)![0];
    writeFileSync(file(), text.replace(block, "").replace(grant, ""));
    await synthFile(ws, ws.tenant.baseUrl);
    await ws.clearAudit();
    await ws.apply();
    const deletes = (await ws.audit()).filter((e) => e.method === "DELETE" && e.status < 300).map((e) => e.path.split("?")[0]);
    expect(deletes).toEqual(expect.arrayContaining([expect.stringMatching(/\/AIAgent\/idle-agent$/), expect.stringMatching(/^\/openidm\/managed\/alpha_aiagentprivilege\//)]));
    const api = ws.adminClient();
    const left = await api.queryManaged("aiagentprivilege", { fields: ["_id"] });
    await api.close();
    expect(left).toHaveLength(2);
  }, 300_000);

  describe("the same file in a fresh tenant", () => {
    const fresh = new Workspace();
    beforeAll(async () => {
      await fresh.start();
      prepareProject(fresh);
      writeFileSync(join(fresh.dir, "tenant.ts"), exported.replace(/from "[^"]*constructs"/, `from ${JSON.stringify(relative(fresh.dir, join(REPO, "constructs")))}`));
    }, 60_000);
    afterAll(() => fresh.stop());

    it("recreates the configuration (secrets set) and the seed's Task 4 passes for the exported agent and app", async () => {
      const secrets = Object.fromEntries(SECRETS.map((s, i) => [s, `fresh-secret-${i}-${Math.random().toString(36).slice(2)}`]));
      await synthFile(fresh, fresh.tenant.baseUrl);
      const init = await fresh.terraform(["init", "-input=false", "-no-color"]);
      expect(init.status).toBe(0);
      const apply = await fresh.terraform(["apply", "-auto-approve", "-input=false", "-no-color"], secrets);
      expect(apply.output).toMatch(/Apply complete!/);
      expect(apply.status).toBe(0);
      const verify = await fresh.cli(["verify", "--app", "digital-assistant-web-app", "--agent", "digital-assistant-ai-agent"], secrets);
      expect(verify.output).toMatch(/PASS/);
      expect(verify.status).toBe(0);
      const report = await planJson(fresh);
      expect(report.summary).toMatchObject({ create: 0, update: 0, delete: 0, noChange: 12 });
      for (const value of Object.values(secrets)) expect([...fresh.transcript, apply.output].join("\n")).not.toContain(value);
    }, 300_000);
  });
});
