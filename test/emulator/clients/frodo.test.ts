/**
 * frodo (`@rockcarver/frodo-cli`, the community CLI for AIC and AM), unchanged, against the
 * embedded tenant: `amadmin` login, then `oauth client list / export / import / delete`, and, once
 * it has told the tenant for AIC (its authorize probe yields a code), `app list` with the admin
 * bearer token it gets through `idmAdminClient`, and `journey`, `script` and `service list`. frodo
 * runs with its HOME in a temporary folder this test deletes, its update check answered from a
 * fresh version cache (so it reaches for no other host), and every other host behind a proxy
 * that counts connections and refuses them: each run must leave it untouched. Credentials go through its environment (FRODO_USERNAME/FRODO_PASSWORD), never argv,
 * and no output is printed. frodo 3.1 builds a service account's assertion audience as
 * `origin + ":" + port`, which doubles an explicit port (its bug): the service-account side of its
 * login is held to the same answers by test/emulator/frodo-login.test.ts over plain HTTP.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type AddressInfo, type Server } from "node:net";
import { promisify } from "node:util";
import { API_VERSION, fixtures, OAUTH2_CLIENT, startTestTenant, type TestTenant } from "../helpers";

const FRODO = require.resolve("@rockcarver/frodo-cli/dist/launch.cjs");
const run = promisify(execFile);

let tenant: TestTenant;
let home: string;
/** Stands for every host but the tenant: counts and drops each connection frodo opens to it. */
let proxy: Server;
let proxied = 0;

interface Audited {
  method: string;
  path: string;
  status: number;
}

async function frodo(...args: string[]): Promise<{ code: number; output: string }> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    TMPDIR: join(home, "tmp"),
    FRODO_USERNAME: tenant.connection.amAdmin.username,
    FRODO_PASSWORD: tenant.connection.amAdmin.password,
    // Nothing but the tenant: any other host goes to the counting proxy.
    HTTPS_PROXY: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    HTTP_PROXY: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    NO_PROXY: "127.0.0.1",
    NO_COLOR: "1",
  };
  let result: { code: number; output: string };
  try {
    const { stdout, stderr } = await run(process.execPath, [FRODO, ...args], { cwd: home, env, timeout: 90_000 });
    result = { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    result = { code: typeof e.code === "number" ? e.code : -1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
  expect(proxied).toBe(0); // frodo reached for no host but the tenant
  return result;
}

async function audit(): Promise<Audited[]> {
  const res = await tenant.control("GET", "audit");
  return (res.body as { entries: Audited[] }).entries.map(({ method, path, status }) => ({ method, path, status }));
}

const host = () => `${tenant.baseUrl}/am`;

beforeAll(async () => {
  proxy = createServer((socket) => {
    proxied++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  tenant = await startTestTenant();
  home = mkdtempSync(join(tmpdir(), "cdktf-aic-frodo-"));
  mkdirSync(join(home, ".frodo"));
  mkdirSync(join(home, "tmp"));
  // frodo checks for a newer release at most once a day; a fresh cache means it does not look.
  const now = Math.floor(Date.now() / 1000);
  writeFileSync(join(home, ".frodo", "Versions.json"), JSON.stringify({ last_checked: now, github: "3.1.0", npm: "3.1.0" }));
});

afterAll(async () => {
  await tenant?.close();
  await new Promise((resolve) => proxy?.close(resolve));
  if (home) rmSync(home, { recursive: true, force: true });
});

beforeEach(async () => {
  await tenant.reset();
  await tenant.control("DELETE", "audit");
});

describe("frodo oauth client, logged in as amadmin", () => {
  it("logs in (session, session info, server version) and lists the realm's clients", async () => {
    await fixtures(tenant).client("frodo-listed", { coreOAuth2ClientConfig: { scopes: ["openid"] } });
    const { code, output } = await frodo("oauth", "client", "list", host(), "alpha");
    expect(code).toBe(0);
    expect(output).toContain("as user amadmin");
    expect(output.split("\n").map((l) => l.trim())).toContain("frodo-listed");

    const calls = await audit();
    const seen = (method: string, path: string) => calls.find((c) => c.method === method && c.path === path)?.status;
    expect(seen("POST", "/am/json/realms/root/authenticate")).toBe(200);
    expect(seen("POST", "/am/json/realms/root/realms/alpha/sessions/?_action=getSessionInfo")).toBe(200);
    expect(seen("GET", "/am/json/serverinfo/version")).toBe(200);
    expect(seen("GET", "/am/json/realms/root/realms/alpha/realm-config/agents/OAuth2Client?_queryFilter=true")).toBe(200);
    // Nothing it asked for was refused or missing.
    expect(calls.filter((c) => c.status === 401 || c.status === 400)).toEqual([]);
  });

  it("exports a client, deletes it, imports it back, and the tenant holds it again", async () => {
    await fixtures(tenant).client("frodo-roundtrip", {
      coreOAuth2ClientConfig: { scopes: ["openid", "profile"], userpassword: "not-printed-anywhere" },
      advancedOAuth2ClientConfig: { grantTypes: ["client_credentials"] },
    });
    await tenant.control("DELETE", "audit");
    const exported = await frodo("oauth", "client", "export", "-i", "frodo-roundtrip", host(), "alpha");
    expect(exported.code).toBe(0);
    const file = join(home, "frodo-roundtrip.oauth2.app.json");
    const document = JSON.parse(readFileSync(file, "utf8")) as { application: Record<string, Record<string, unknown>> };
    expect(Object.keys(document.application)).toEqual(["frodo-roundtrip"]);
    expect(document.application["frodo-roundtrip"].coreOAuth2ClientConfig).toMatchObject({ scopes: { inherited: false, value: ["openid", "profile"] } });

    expect((await frodo("oauth", "client", "delete", "-i", "frodo-roundtrip", host(), "alpha")).code).toBe(0);
    const gone = await tenant.call("GET", `${OAUTH2_CLIENT}/frodo-roundtrip`, { apiVersion: API_VERSION.oauth2Client });
    expect(gone.status).toBe(404);

    expect((await frodo("oauth", "client", "import", "-i", "frodo-roundtrip", "-f", file, host(), "alpha")).code).toBe(0);
    const back = await tenant.call("GET", `${OAUTH2_CLIENT}/frodo-roundtrip`, { apiVersion: API_VERSION.oauth2Client });
    expect(back.status).toBe(200);
    expect(back.body.coreOAuth2ClientConfig.scopes).toEqual({ inherited: false, value: ["openid", "profile"] });
    expect(back.body.advancedOAuth2ClientConfig.grantTypes).toEqual({ inherited: false, value: ["client_credentials"] });
    const writes = (await audit()).filter((c) => c.method !== "GET" && c.method !== "POST");
    expect(writes).toEqual([
      { method: "DELETE", path: `${OAUTH2_CLIENT}/frodo-roundtrip`, status: 200 },
      { method: "PUT", path: `${OAUTH2_CLIENT}/frodo-roundtrip`, status: 201 },
    ]);
  });

  it("exports every client of the realm, and lists the realms", async () => {
    await fixtures(tenant).client("frodo-all-1");
    await fixtures(tenant).client("frodo-all-2");
    const all = await frodo("oauth", "client", "export", "-a", host(), "alpha");
    expect(all.code).toBe(0);
    const document = JSON.parse(readFileSync(join(home, "allAlphaApplications.oauth2.app.json"), "utf8")) as { application: object };
    expect(Object.keys(document.application).sort()).toEqual(["frodo-all-1", "frodo-all-2"]);

    const realms = await frodo("realm", "list", host(), "alpha");
    expect(realms.code).toBe(0);
    expect(realms.output.split("\n").map((l) => l.trim())).toEqual(expect.arrayContaining(["/", "/alpha"]));
  });
});

describe("frodo sees an AIC tenant (cloud), logged in as amadmin", () => {
  it("detects the cloud deployment, gets an admin bearer token through idmAdminClient, and lists the realm's applications", async () => {
    // Without its cached tokens frodo logs in afresh, so the whole login is seen.
    rmSync(join(home, ".frodo", "TokenCache.json"), { force: true });
    const f = fixtures(tenant);
    await f.client("frodo-cloud-app", { coreOAuth2ClientConfig: { scopes: ["openid"] } });
    await f.application("6b1f2a52-0000-4000-8000-000000000001", "frodo-cloud-app", { description: "listed by frodo" });
    const { code, output } = await frodo("app", "list", host(), "alpha");
    expect(code).toBe(0);
    expect(output).toContain("frodo-cloud-app");

    const calls = await audit();
    const seen = (method: string, path: string) => calls.filter((c) => c.method === method && c.path.split("?")[0] === path).map((c) => c.status);
    // Deployment detection, then the code flow of the admin console's client.
    expect(seen("POST", "/am/oauth2/authorize")).toEqual([302, 302]);
    expect(seen("GET", "/environment/scopes/service-accounts")).toEqual([200]);
    expect(seen("POST", "/am/oauth2/access_token")).toEqual([200]);
    // The IDM call goes with that bearer token.
    expect(seen("GET", "/openidm/managed/alpha_application")).toEqual([200]);
    expect(calls.filter((c) => c.status >= 400)).toEqual([]);
  });

  it("runs with the deployment type given (-m cloud) as well, and lists the ESV secrets", async () => {
    await fixtures(tenant).application("6b1f2a52-0000-4000-8000-000000000002", "frodo-typed-app");
    const { code, output } = await frodo("app", "list", "-m", "cloud", host(), "alpha");
    expect(code).toBe(0);
    expect(output).toContain("frodo-typed-app");
    // The admin bearer carries the ESV scope, so the environment's secrets list for it.
    expect((await frodo("esv", "secret", "list", host())).code).toBe(0);
    expect((await audit()).filter((c) => c.status >= 400)).toEqual([]);
  });

  it("lists the realm's journeys: the Login tree", async () => {
    const journeys = await frodo("journey", "list", host(), "alpha");
    expect(journeys.code).toBe(0);
    expect(journeys.output.split("\n").map((l) => l.trim())).toContain("Login");
    expect((await audit()).filter((c) => c.status >= 400)).toEqual([]);
  });

  it("lists the realm's scripts: none", async () => {
    expect((await frodo("script", "list", host(), "alpha")).code).toBe(0);
    expect((await audit()).filter((c) => c.status >= 400)).toEqual([]);
  });

  it("lists the realm's services: the OAuth2 provider", async () => {
    const services = await frodo("service", "list", host(), "alpha");
    expect(services.code).toBe(0);
    expect(services.output).toContain("oauth-oidc");
    expect((await audit()).filter((c) => c.status >= 400)).toEqual([]);
  });
});
