/**
 * `cdktf-aic export` of the tenant's secret store, end to end: ESV secrets (listed without values),
 * ESV variables, a web app whose secret the realm maps from an ESV (exported as `Secret.fromEsv`)
 * and a mapping of another label (a `SecretMapping`). The exported file compiles and synthesizes,
 * `cdktf-aic plan` shows adoption only, and real Terraform adopts it all with zero writes and no
 * secret variable set.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { clientSecretLabel } from "../../src/contract/esv";
import { PlanReport } from "../../src/plan/schema";
import { requireCli } from "../cli/run";
import { configureAsConsole } from "../support/console";
import { isWrite, REPO, Workspace } from "./harness";

const SIGNING_LABEL = "am.services.oauth2.oidc.signing.RSA";

describe("cdktf-aic export of ESVs and secret labels", () => {
  const ws = new Workspace();
  const file = () => join(ws.dir, "tenant.ts");

  beforeAll(async () => {
    requireCli();
    await ws.start();
    const api = ws.adminClient();
    await configureAsConsole(api, {
      providerGrantTypes: ["authorization_code"],
      webApps: [
        {
          clientId: "shop-web",
          name: "Shop",
          scopes: ["openid", "orders"],
          grantTypes: ["authorization_code"],
          tokenEndpointAuthMethod: "client_secret_basic",
          more: { coreOAuth2ClientConfig: { secretLabelIdentifier: "shop.web" } },
        },
      ],
      bareClients: [],
      agents: [],
      privileges: [],
    });
    await api.createEsvSecret("esv-shop-web-secret", { value: "the-shop-secret-in-the-store", encoding: "generic", useInPlaceholders: true, description: "Shop client secret" });
    await api.createEsvSecret("esv-signing-key", { value: "-----BEGIN X-----\nabc\n-----END X-----\n", encoding: "generic", useInPlaceholders: true });
    await api.putEsvVariable("esv-ldap-port", { value: "1389", expressionType: "int", description: "LDAP port" });
    await api.putSecretMapping(clientSecretLabel("shop.web"), "esv-shop-web-secret");
    await api.putSecretMapping(SIGNING_LABEL, "esv-signing-key");
    await api.close();
    symlinkSync(join(REPO, "node_modules"), join(ws.dir, "node_modules"), "dir");
    writeFileSync(join(ws.dir, "tsconfig.json"), JSON.stringify({ extends: join(REPO, "tsconfig.json"), compilerOptions: { rootDir: "/", noEmit: true }, include: ["tenant.ts"] }));
  }, 120_000);
  afterAll(() => ws.stop());

  it("writes Secret.fromEsv for the mapped client, the ESVs without values, and the other mapping as a SecretMapping", async () => {
    const r = await ws.cli(["export", "--file", file(), "--import-from", relative(ws.dir, join(REPO, "constructs"))], { AIC_BASE_URL: ws.tenant.baseUrl });
    expect({ status: r.status, output: r.status === 0 ? "" : r.output }).toEqual({ status: 0, output: "" });
    const text = readFileSync(file(), "utf8");
    expect(text).toContain('const esvShopWebSecret = new EnvironmentSecret(stack, "esv-shop-web-secret", {');
    expect(text).toContain("clientSecret: Secret.fromEsv(esvShopWebSecret),");
    expect(text).toContain('value: Secret.fromEnv("ESV_SHOP_WEB_SECRET_SECRET"),');
    expect(text).toMatch(/new EnvironmentVariable\(stack, "esv-ldap-port", \{\n {2}esvId: "esv-ldap-port",\n {2}description: "LDAP port",\n {2}value: "1389",\n {2}expressionType: "int",/);
    expect(text).toContain(`new SecretMapping(stack, "${SIGNING_LABEL}", {\n  label: "${SIGNING_LABEL}",\n  secret: esvSigningKey,`);
    expect(text).not.toContain("WEB_APP_SHOP_WEB_SECRET");
    expect(text).not.toContain("the-shop-secret-in-the-store");
    expect(text).not.toContain(clientSecretLabel("shop.web") + '", {');
  }, 120_000);

  it("compiles, synthesizes, plans adoption only and applies with zero writes and no secret variable", async () => {
    const tsc = await ws.run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(ws.dir, "tsconfig.json")], ws.dir);
    expect(tsc.output).toBe("");
    mkdirSync(join(ws.dir, "tmp"), { recursive: true });
    const synth = await ws.run(process.execPath, [require.resolve("tsx/cli"), "tenant.ts"], ws.dir, { AIC_BASE_URL: ws.tenant.baseUrl, TMPDIR: join(ws.dir, "tmp") });
    if (synth.status !== 0) throw new Error(synth.output);

    await ws.clearAudit();
    const plan = await ws.cli(["plan", "--format", "json"]);
    if (plan.status !== 0) throw new Error(plan.output);
    const report = PlanReport.parse(JSON.parse(plan.stdout));
    expect(report.summary).toMatchObject({ create: 0, update: 0, delete: 0, problems: 0 });
    const objects = report.stacks[0].objects;
    expect(objects.filter((o) => o.action === "adopt").map((o) => `${o.kind} ${o.id}`).sort()).toEqual([
      "esv-secret esv-shop-web-secret",
      "esv-secret esv-signing-key",
      "esv-variable esv-ldap-port",
      `secret-mapping ${clientSecretLabel("shop.web")}`,
      `secret-mapping ${SIGNING_LABEL}`,
      "web-app shop-web",
    ]);
    expect(objects.every((o) => o.changes.length === 0)).toBe(true);

    const result = await ws.apply();
    expect(result.output).toMatch(/Apply complete!/);
    expect((await ws.audit()).filter(isWrite)).toEqual([]);
  }, 300_000);
});
