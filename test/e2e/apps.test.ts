/**
 * The application constructs through real Terraform against the embedded tenant: one SPA, native
 * app and service app of each authentication, applied; a second apply writes nothing; plan says a
 * change in the constructs' words; `cdktf-aic verify` signs the test user in to each public app
 * (authorization code + PKCE through the login journey) and gets each service a client-credentials
 * token; neither a secret nor the private key shows anywhere.
 */
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NativeApp, OAuth2ProviderGrants, PublicKeys, Secret, ServiceApp, SinglePageApp, type TenantStack } from "../../constructs";
import { findApplication } from "../../src/engine/live";
import { requireCli } from "../cli/run";
import { symbolLines } from "../plan/support";
import { isWrite, STACK, workspace } from "./harness";

const ws = workspace();
const SERVICE_SECRET = `billing-${Math.random().toString(36).slice(2)}-planted`;
const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PRIVATE_JWK = JSON.stringify({ ...privateKey.export({ format: "jwk" }), kid: "reports-1" });
const JWKS = { keys: [{ ...publicKey.export({ format: "jwk" }), kid: "reports-1", alg: "RS256", use: "sig" }] };
const env = { BILLING_SECRET: SERVICE_SECRET, REPORTS_PRIVATE_KEY: PRIVATE_JWK };

function apps(stack: TenantStack, corsOrigins = ["https://shop.example.com"], { extra = false, mobile = true } = {}): void {
  new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["authorization-code", "client-credentials"], requirePkce: "public-clients" });
  new SinglePageApp(stack, "shop", { name: "Shop", clientId: "shop", scopes: ["openid", "profile"], redirectUris: ["https://shop.example.com/cb"], corsOrigins });
  if (mobile) new NativeApp(stack, "mobile", { name: "Mobile", clientId: "mobile", scopes: ["openid"], redirectUris: ["com.example.mobile:/cb"] });
  if (extra) new SinglePageApp(stack, "admin", { name: "Admin", clientId: "admin-spa", scopes: ["openid"], redirectUris: ["https://admin.example.com/cb"] });
  new ServiceApp(stack, "billing", { name: "Billing", clientId: "billing", scopes: ["read-data"], clientSecret: Secret.fromEnv("BILLING_SECRET"), tokenEndpointAuthMethod: "client_secret_post" });
  new ServiceApp(stack, "reports", { name: "Reports", clientId: "reports", scopes: ["read-data"], publicKeys: PublicKeys.fromJwks(JWKS) });
}

beforeAll(async () => {
  requireCli();
  ws.synth((s) => apps(s));
  for (const args of [["init", "-input=false", "-no-color"], ["apply", "-auto-approve", "-input=false", "-no-color"]]) {
    const r = await ws.terraform(args, env);
    if (r.status !== 0) throw new Error(`terraform ${args[0]} failed:\n${r.output}`);
  }
}, 300_000);

describe("SPA, native and service apps through Terraform", () => {
  it("applies them, and a second apply writes nothing", async () => {
    const admin = ws.adminClient();
    expect(await admin.getOAuth2Client("shop")).toBeDefined();
    await admin.close();
    await ws.clearAudit();
    const again = await ws.terraform(["apply", "-auto-approve", "-input=false", "-no-color"], env);
    expect(again.status).toBe(0);
    expect((await ws.audit()).filter(isWrite)).toEqual([]);
  });

  it("has the realm refuse a public client's authorization request without a code challenge", async () => {
    const query = new URLSearchParams({ client_id: "shop", redirect_uri: "https://shop.example.com/cb", response_type: "code", scope: "openid" });
    const res = await fetch(`${ws.tenant.baseUrl}/am/oauth2/realms/root/realms/alpha/authorize?${query}`, { redirect: "manual" });
    expect(new URL(res.headers.get("location")!).searchParams.get("error_description")).toBe("Missing parameter, 'code_challenge'");
  });

  it("plans a changed prop and a new public client in the constructs' words, the new one without a secret", async () => {
    ws.synth((s) => apps(s, ["https://shop.example.com", "http://127.0.0.1:5173"], { extra: true }));
    const r = await ws.cli(["plan"], env);
    ws.synth((s) => apps(s));
    expect(r.stdout).toContain(`~ spa shop (${STACK}/shop)`);
    expect(r.stdout).toContain("corsOrigins +http://127.0.0.1:5173");
    const created = symbolLines(r.stdout).filter((l) => l.startsWith("+"));
    expect(created).toEqual(expect.arrayContaining([`+ spa admin-spa (${STACK}/admin)`, "+     redirectUris +https://admin.example.com/cb"]));
    expect(created.join("\n")).not.toContain("secret");
  });

  it("verify signs the user in to each public app with PKCE and gets each service a token, printing claims only", async () => {
    const r = await ws.cli(["verify"], env);
    expect(r.status).toBe(0);
    const barbara = ws.tenant.connection.users.find((u) => u.userName === "barbara.jensen")!._id;
    const [head, ...rest] = r.stdout.trim().split("\n");
    expect(head).toBe(`verify: 4 application(s) (${ws.tenant.baseUrl}, realm alpha)`);
    expect(rest.pop()).toBe("PASS");
    // By kind, in plan's order, then client id.
    expect(rest).toEqual([
      `  spa shop: authorization code + PKCE for barbara.jensen via https://shop.example.com/cb: ok sub=${barbara} scope=openid profile client_id=shop`,
      `  native-app mobile: authorization code + PKCE for barbara.jensen via com.example.mobile:/cb: ok sub=${barbara} scope=openid client_id=mobile`,
      "  service-app billing: client credentials (client_secret_post): ok sub=billing scope=read-data client_id=billing",
      "  service-app reports: client credentials (private_key_jwt): ok sub=reports scope=read-data client_id=reports",
    ]);
  });

  it("verify --format json reports each application's claims and no token", async () => {
    const r = await ws.cli(["verify", "--format", "json"], env);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { result: string; steps: unknown[]; apps: { kind: string; id: string; ok: boolean; client_id?: string }[] };
    expect(report).toMatchObject({ result: "PASS", steps: [], tenant: { realm: "alpha" } });
    expect(report.apps.map((a) => [a.kind, a.id, a.ok, a.client_id])).toEqual([
      ["spa", "shop", true, "shop"],
      ["native-app", "mobile", true, "mobile"],
      ["service-app", "billing", true, "billing"],
      ["service-app", "reports", true, "reports"],
    ]);
    // No JWT (an ID or access token, an assertion) in what verify prints.
    expect(r.output).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
  });

  it("verify fails, saying why, when the service's key is not the one applied", async () => {
    const stranger = JSON.stringify({ ...generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }), kid: "reports-1" });
    const r = await ws.cli(["verify"], { ...env, REPORTS_PRIVATE_KEY: stranger });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/service-app reports: client credentials \(private_key_jwt\): FAIL — invalid_client/);
    expect(r.stdout).toContain("FAIL at service-app reports: reports rejected its credentials: the key does not match the public keys applied");
  });

  it("deletes an app removed from code: its client and its application record", async () => {
    ws.synth((s) => apps(s, undefined, { mobile: false }));
    const r = await ws.terraform(["apply", "-auto-approve", "-input=false", "-no-color"], env);
    expect(r.status).toBe(0);
    const admin = ws.adminClient();
    try {
      expect(await admin.getOAuth2Client("mobile")).toBeUndefined();
      expect(await findApplication(admin, "mobile")).toBeUndefined();
    } finally {
      await admin.close();
    }
  });

  it("shows no secret and no private key in the stack, the state or any output", () => {
    const d = JSON.parse(PRIVATE_JWK).d as string;
    const files = [join(ws.stackDir, "cdk.tf.json"), join(ws.dir, ".cdktf-aic", "state", `${STACK}.tfstate`)].map((f) => readFileSync(f, "utf8"));
    for (const text of [...files, ws.transcript.join("\n")]) {
      expect(text).not.toContain(SERVICE_SECRET);
      expect(text).not.toContain(d);
    }
  });
});
