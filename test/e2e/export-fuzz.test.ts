/**
 * The export round trip, fuzzed: a realm of randomly configured objects, written the way the console
 * writes them (raw admin calls, every field the constructs own, some of them disagreeing with each
 * other: an AM client name that is not the application's, a description on one side only, scopes of
 * a grant the application does not serve, a public client with a secret's auth method or grant type,
 * a redirect URI or origin the constructs refuse, loopback redirection that disagrees with the
 * redirect URIs, a service app's keys elsewhere than its JWK set or in other JSON text, a realm
 * that does not require PKCE), then `cdktf-aic export`, synthesize the file,
 * `cdktf-aic plan` (every exported object adopted with no change, no problem) and the adopting
 * `terraform apply` (zero writes). What no construct can express must be skipped with its reason,
 * never exported into a file whose apply would change the tenant.
 *
 * The seed is printed: `EXPORT_FUZZ_SEED=<n> npx jest test/e2e/export-fuzz.test.ts` replays a run.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { clientSecretLabel, defaultLabelIdentifier } from "../../src/contract/esv";
import { PlanReport } from "../../src/plan/schema";
import { requireCli } from "../cli/run";
import { configureAsConsole, type ConsoleAgent, type ConsolePrivilege, type ConsoleWebApp } from "../support/console";
import { isWrite, REPO, Workspace } from "./harness";

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const SEED = Number(process.env.EXPORT_FUZZ_SEED ?? Date.now() % 2 ** 31);

/** mulberry32: a small seeded generator, so that a failing run can be replayed. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)];
  const chance = (p: number) => next() < p;
  const some = <T>(list: readonly T[], min = 0): T[] => {
    const out = list.filter(() => chance(0.5));
    while (out.length < min) {
      const x = pick(list);
      if (!out.includes(x)) out.push(x);
    }
    return out;
  };
  return { int, pick, chance, some };
}

const USERS = ["barbara.jensen", "alice.walker", "carl.tanaka"];
const SCOPES = ["openid", "profile", "email", "read-data", "write-data", "orders", "admin-action"];
const WORDS = ["Shop", "Portal", "Billing", "Assistant", "Ledger", "Support", "Travel", "Payroll", "Maps", "Inbox"];
const APP_GRANTS = ["authorization_code", "password", "refresh_token", "client_credentials", "implicit"];
const METHODS = ["client_secret_basic", "client_secret_post"];
const EXPRESSION_TYPES: [string, () => string][] = [
  ["string", () => "plain text"],
  ["int", () => "1389"],
  ["number", () => "123.45"],
  ["bool", () => "false"],
  ["list", () => "one,two,three"],
  ["array", () => '["one","two"]'],
  ["object", () => '{"a":1}'],
  ["keyvaluelist", () => '{"k1":"v1"}'],
];

/** Signing keys for service apps' JWK sets: their public JWKs, and their private ones, which a JWK set now and then holds and no file may. */
const SIGNING_KEYS = Array.from({ length: 3 }, (_, i) => {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { public: { ...publicKey.export({ format: "jwk" }), kid: `key-${i}`, use: "sig" }, private: { ...privateKey.export({ format: "jwk" }), kid: `key-${i}`, use: "sig" } };
});

/** JSON with sorted keys and no whitespace, as ServiceApp writes a JWK set. */
function compactSorted(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v;
  return JSON.stringify(sort(value));
}

interface Realm {
  pkce: string;
  webApps: ConsoleWebApp[];
  /** SPAs, native and service apps (templates spa, native, service). */
  otherApps: ConsoleWebApp[];
  agents: ConsoleAgent[];
  privileges: ConsolePrivilege[];
  variables: { id: string; value: string; expressionType: string; description: string }[];
  secrets: { id: string; encoding: string; description: string; useInPlaceholders: boolean }[];
  /** Client secret labels the realm maps to ESV secrets. */
  labels: { identifier: string; esv: string }[];
}

/** At least 100 objects, each field the constructs own set at random, some disagreeing with each other. */
function randomRealm(seed: number): Realm {
  const r = generator(seed);
  const name = (i: number) => `${r.pick(WORDS)} ${r.pick(WORDS)} ${i}`;
  const webApps: ConsoleWebApp[] = Array.from({ length: 40 }, (_, i) => {
    const scopes = r.some(SCOPES, 1);
    const appName = name(i);
    const description = r.chance(0.5) ? `About ${appName}` : undefined;
    const core: Record<string, unknown> = {};
    const advanced: Record<string, unknown> = {};
    // Disagreements between the AM client and the application record, and fields the console sets apart.
    if (r.chance(0.15)) core.clientName = [`${appName} (AM)`];
    if (r.chance(0.15)) advanced.descriptions = [`Other words about ${appName}`];
    if (r.chance(0.1)) core.status = "Inactive";
    return {
      clientId: `app-${i}-${r.pick(WORDS).toLowerCase()}`,
      name: appName,
      description,
      owners: r.some(USERS),
      scopes,
      grantTypes: r.some(APP_GRANTS, 1),
      tokenEndpointAuthMethod: r.pick(METHODS),
      redirectUris: r.chance(0.5) ? [`https://app${i}.example.com/callback`] : [],
      // Default scopes outside the scopes (the console allows it; the construct refuses it) now and then.
      defaultScopes: r.chance(0.3) ? r.some(r.chance(0.2) ? SCOPES : scopes) : [],
      accessTokenLifetime: r.pick([0, 0, 600, 3600]),
      more: { coreOAuth2ClientConfig: core, advancedOAuth2ClientConfig: advanced },
    };
  });
  /** What every application template shares, and the disagreements the console allows between its AM client and record. */
  const application = (prefix: string, i: number) => {
    const appName = name(i);
    const description = r.chance(0.5) ? `About ${appName}` : undefined;
    const core: Record<string, unknown> = {};
    const advanced: Record<string, unknown> = {};
    if (r.chance(0.08)) core.clientName = [`${appName} (AM)`];
    if (r.chance(0.08)) advanced.descriptions = [`Other words about ${appName}`];
    if (r.chance(0.05)) core.status = "Inactive";
    const scopes = r.chance(0.04) ? [] : r.some(SCOPES, 1);
    return {
      clientId: `${prefix}-${i}-${r.pick(WORDS).toLowerCase()}`,
      name: appName,
      description,
      owners: r.some(USERS),
      scopes,
      defaultScopes: r.chance(0.3) ? r.some(r.chance(0.15) ? SCOPES : scopes) : [],
      accessTokenLifetime: r.pick([0, 0, 600, 3600]),
      core,
      advanced,
    };
  };
  const publicApp = (prefix: string, template: string, i: number, redirectUris: string[]): ConsoleWebApp => {
    const { core, advanced, ...base } = application(prefix, i);
    advanced.isConsentImplied = r.chance(0.6);
    return {
      ...base,
      template,
      // Now and then a confidential client, a secret's auth method, or a grant type a public client must not use.
      clientType: r.chance(0.04) ? "Confidential" : "Public",
      tokenEndpointAuthMethod: r.chance(0.04) ? "client_secret_basic" : "none",
      grantTypes: [...r.some(["authorization_code", "refresh_token"], 1), ...(r.chance(0.08) ? [r.pick(["implicit", "password", "client_credentials"])] : [])],
      redirectUris,
      more: { coreOAuth2ClientConfig: core, advancedOAuth2ClientConfig: advanced },
    };
  };
  /** Clients whose secret is in the tenant's store: the realm maps their label to one of the ESV secrets below. */
  const labels: { identifier: string; esv: string }[] = [];
  const storeSecret = (app: ConsoleWebApp, core: Record<string, unknown>, i: number) => {
    const identifier = r.chance(0.5) ? defaultLabelIdentifier(app.clientId) : `label.${i}.${app.template}`;
    core.secretLabelIdentifier = identifier;
    labels.push({ identifier, esv: `esv-fuzz-secret-${r.int(4)}` });
  };
  const spas = Array.from({ length: 14 }, (_, i) => {
    // Mostly URIs a browser app can receive; now and then one the construct refuses, or none.
    const uris = r.chance(0.04) ? [] : r.some([`https://spa${i}.example.com/callback`, "http://127.0.0.1:3000/cb", "http://localhost:8080/cb"], 1);
    if (r.chance(0.1)) uris.push(r.pick([`http://spa${i}.example.com/cb`, `https://spa${i}.example.com/cb#done`, `com.example.spa${i}:/cb`]));
    const app = publicApp("spa", "spa", i, uris);
    const origins = r.some([`https://spa${i}.example.com`, "http://127.0.0.1:3000"]);
    if (r.chance(0.08)) origins.push(`https://spa${i}.example.com/`);
    app.more!.advancedOAuth2ClientConfig.javascriptOrigins = origins;
    // Loopback redirection is no prop of SinglePageApp: left as it is, said in a comment.
    if (r.chance(0.1)) app.more!.coreOAuth2ClientConfig.loopbackInterfaceRedirection = true;
    // A label in the store is no prop of a public client: left as it is, its mapping a SecretMapping of its own.
    if (r.chance(0.1)) storeSecret(app, app.more!.coreOAuth2ClientConfig, i);
    return app;
  });
  const natives = Array.from({ length: 14 }, (_, i) => {
    const uris = r.some([`com.example.app${i}:/oauth2redirect`, "http://127.0.0.1/callback", `https://app${i}.example.com/native`], 1);
    if (r.chance(0.08)) uris.push(r.pick([`http://native${i}.example.com/cb`, "javascript:alert(1)", `https://native${i}.example.com/*`]));
    const app = publicApp("native", "native", i, uris);
    const loopback = uris.some((u) => u.startsWith("http://127.0.0.1"));
    // Mostly as NativeApp sets it (on with a loopback URI); now and then the other way.
    app.more!.coreOAuth2ClientConfig.loopbackInterfaceRedirection = r.chance(0.12) ? !loopback : loopback;
    return app;
  });
  const services = Array.from({ length: 16 }, (_, i): ConsoleWebApp => {
    const { core, advanced, ...base } = application("svc", i);
    const method = r.chance(0.04) ? "tls_client_auth" : r.pick(["client_secret_basic", "client_secret_post", "private_key_jwt", "private_key_jwt"]);
    const signEnc: Record<string, unknown> = {};
    if (method === "private_key_jwt") {
      const keys = r.some(SIGNING_KEYS, 1).map((k) => (r.chance(0.06) ? k.private : k.public));
      // Mostly the JWK set as ServiceApp writes it; now and then pretty-printed, or the keys read from a URI instead.
      signEnc.jwkSet = r.chance(0.15) ? JSON.stringify({ keys }, null, 2) : compactSorted({ keys });
      signEnc.publicKeyLocation = r.chance(0.1) ? "jwks_uri" : "jwks";
    }
    const app: ConsoleWebApp = {
      ...base,
      template: "service",
      clientType: r.chance(0.04) ? "Public" : "Confidential",
      tokenEndpointAuthMethod: method,
      grantTypes: r.some(["client_credentials", "refresh_token"], 1),
      more: { coreOAuth2ClientConfig: core, advancedOAuth2ClientConfig: advanced, signEncOAuth2ClientConfig: signEnc },
    };
    // Now and then a secret in the tenant's store (Secret.fromEsv).
    if (method !== "private_key_jwt" && r.chance(0.3)) storeSecret(app, core, i);
    return app;
  });
  const otherApps = [...spas, ...natives, ...services];
  const agents: ConsoleAgent[] = Array.from({ length: 30 }, (_, i) => ({
    clientId: `agent-${i}`,
    name: `Agent ${name(i)}`,
    description: r.chance(0.5) ? `Agent number ${i}` : undefined,
    owners: r.some(USERS),
    scopes: r.some(SCOPES),
    // Now and then an agent without token exchange (the construct requires it).
    grantTypes: r.chance(0.1) ? ["client_credentials"] : [TOKEN_EXCHANGE, ...r.some(["client_credentials"])],
    tokenEndpointAuthMethod: r.pick(METHODS),
    overrides: { providerOverridesEnabled: r.chance(0.7), statelessTokensEnabled: r.chance(0.7), acceptAudienceParametersInTokenExchangeRequests: r.chance(0.7) },
  }));
  const pairs = new Set<string>();
  const privileges: ConsolePrivilege[] = [];
  while (privileges.length < 20) {
    const agent = r.pick(agents).clientId;
    // Now and then a privilege on an application of another template (no AgentApplicationGrant names one).
    const app = r.chance(0.1) ? r.pick(otherApps) : r.pick(webApps);
    if (pairs.has(`${agent}/${app.clientId}`)) continue;
    pairs.add(`${agent}/${app.clientId}`);
    const subjects = r.some(USERS);
    privileges.push({
      agent,
      application: app.clientId,
      subjects,
      subjectGroups: subjects.length === 0 || r.chance(0.3) ? ["support-agents"] : [],
      // Mostly the application's scopes; now and then one it does not serve.
      scopes: r.chance(0.15) ? r.some(SCOPES, 1) : r.some(app.scopes),
      description: r.chance(0.4) ? `Grant ${privileges.length}` : undefined,
    });
  }
  const variables = Array.from({ length: 8 }, (_, i) => {
    const [expressionType, value] = r.pick(EXPRESSION_TYPES);
    return { id: `esv-fuzz-variable-${i}`, value: value(), expressionType, description: r.chance(0.5) ? `Variable ${i}` : "" };
  });
  const secrets = Array.from({ length: 4 }, (_, i) => ({ id: `esv-fuzz-secret-${i}`, encoding: r.pick(["generic", "generic", "base64hmac"]), description: r.chance(0.5) ? `Secret ${i}` : "", useInPlaceholders: r.chance(0.5) }));
  // Mostly a realm that requires PKCE of public clients (as SinglePageApp and NativeApp need), now and then one that does not.
  const pkce = r.chance(0.15) ? "false" : r.pick(["public", "public", "true"]);
  return { pkce, webApps, otherApps, agents, privileges, variables, secrets, labels };
}

describe(`cdktf-aic export round trip, fuzzed (EXPORT_FUZZ_SEED=${SEED})`, () => {
  const ws = new Workspace();
  const file = () => join(ws.dir, "tenant.ts");
  const realm = randomRealm(SEED);

  beforeAll(async () => {
    requireCli();
    await ws.start();
    const api = ws.adminClient();
    await configureAsConsole(api, { providerGrantTypes: [...APP_GRANTS, TOKEN_EXCHANGE], providerPkce: realm.pkce, webApps: [...realm.webApps, ...realm.otherApps], agents: realm.agents, privileges: realm.privileges });
    for (const v of realm.variables) await api.putEsvVariable(v.id, { value: v.value, expressionType: v.expressionType as never, description: v.description });
    for (const s of realm.secrets) {
      // A key encoding's value is itself a base64 key.
      const value = s.encoding === "generic" ? `value-of-${s.id}` : Buffer.alloc(32, 7).toString("base64");
      await api.createEsvSecret(s.id, { value, encoding: s.encoding as never, useInPlaceholders: s.useInPlaceholders, description: s.description });
    }
    for (const l of realm.labels) await api.putSecretMapping(clientSecretLabel(l.identifier), l.esv);
    await api.close();
    symlinkSync(join(REPO, "node_modules"), join(ws.dir, "node_modules"), "dir");
    writeFileSync(join(ws.dir, "tsconfig.json"), JSON.stringify({ extends: join(REPO, "tsconfig.json"), compilerOptions: { rootDir: "/", noEmit: true }, include: ["tenant.ts"] }));
    mkdirSync(join(ws.dir, "tmp"));
  }, 300_000);
  afterAll(() => ws.stop());

  it("holds at least 100 objects, and the exported file compiles and synthesizes", async () => {
    const count = realm.webApps.length + realm.otherApps.length + realm.agents.length + realm.privileges.length + realm.variables.length + realm.secrets.length;
    expect(count).toBeGreaterThanOrEqual(100);
    const exported = await ws.cli(["export", "--file", file(), "--import-from", relative(ws.dir, join(REPO, "constructs"))], { AIC_BASE_URL: ws.tenant.baseUrl });
    expect({ status: exported.status, output: exported.status === 0 ? "" : exported.output }).toEqual({ status: 0, output: "" });
    const tsc = await ws.run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(ws.dir, "tsconfig.json")], ws.dir);
    expect(tsc.output).toBe("");
    const synth = await ws.run(process.execPath, [require.resolve("tsx/cli"), "tenant.ts"], ws.dir, { AIC_BASE_URL: ws.tenant.baseUrl, TMPDIR: join(ws.dir, "tmp") });
    expect({ status: synth.status, output: synth.status === 0 ? "" : synth.output }).toEqual({ status: 0, output: "" });
  }, 300_000);

  it("plans adoption only, with no change and no problem, and the adopting apply writes nothing", async () => {
    await ws.clearAudit();
    const plan = await ws.cli(["plan", "--format", "json"]);
    expect({ status: plan.status, output: plan.status === 0 ? "" : plan.output }).toEqual({ status: 0, output: "" });
    const report = PlanReport.parse(JSON.parse(plan.stdout));
    const changed = report.stacks[0].objects.filter((o) => !["adopt", "no-change"].includes(o.action) || o.changes.length > 0 || o.problems.length > 0);
    expect(changed.map((o) => ({ object: `${o.kind} ${o.id}`, action: o.action, changes: o.changes, problems: o.problems }))).toEqual([]);
    const adopted = report.stacks[0].objects.filter((o) => o.action === "adopt").length;
    // Most objects are expressible: a skip rate this high means export gives up too easily.
    expect(adopted).toBeGreaterThanOrEqual(60);
    // Every application template is exported by its own construct; public clients only where the realm requires PKCE.
    const adoptedOf = (kinds: string[]) => report.stacks[0].objects.filter((o) => kinds.includes(o.kind) && o.action === "adopt").length;
    expect(adoptedOf(["service-app"])).toBeGreaterThan(0);
    if (realm.pkce === "false") expect(adoptedOf(["spa", "native-app"])).toBe(0);
    else expect(adoptedOf(["spa", "native-app"])).toBeGreaterThan(0);
    // A private key in a live JWK set never reaches the file.
    const text = readFileSync(file(), "utf8");
    for (const k of SIGNING_KEYS) expect(text).not.toContain(String(k.private.d));

    const apply = await ws.apply();
    expect(apply.output).toMatch(/Apply complete!/);
    expect((await ws.audit()).filter(isWrite).map((e) => `${e.method} ${e.path}`)).toEqual([]);
    // What was skipped says why, in the file.
    expect(text).toMatch(/^\/\/ {3}\S+ \S+: \S/m);
  }, 600_000);
});
