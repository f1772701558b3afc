/**
 * The export generator, pure and fast: a realm's listing (as the paged list calls return it) in,
 * the model and the TypeScript file out. The round trip against a tenant and Terraform is
 * test/e2e/export.test.ts.
 */
import type { AmClientListItem, IdmAiAgentPrivilege, IdmApplication } from "../../src/contract/schemas";
import type { Kind } from "../../src/contract/constants";
import { clientSecretLabel } from "../../src/contract/esv";
import { exportModel, type ExportModel, type ModelInput } from "../../src/export/model";
import type { TenantListing } from "../../src/export/read";
import { renderExport } from "../../src/export/render";
import { camelName, upperSnake } from "../../src/export/source";
import { refTo as engineRefTo } from "../../src/engine/refs";
import type { AmScript } from "../../src/contract/schemas";
import { scriptId } from "../../src/contract/ids";
import { mayActScriptSource, SCRIPT_CONTEXTS, scopeLimitScriptSource } from "../../src/contract/scripts";

/** A reference as IDM lists it. */
const refTo = (...args: Parameters<typeof engineRefTo>): { _ref: string; [k: string]: unknown } => ({ ...engineRefTo(...args) });

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const tenant = { baseUrl: "https://tenant.example.com", realm: "alpha", auth: { method: "service-account", idEnv: "AIC_SERVICE_ACCOUNT_ID", jwkEnv: "AIC_SERVICE_ACCOUNT_JWK", scopeEnv: "AIC_SERVICE_ACCOUNT_SCOPE" } } as const;
const EXPORTED_AT = "2026-11-29T12:00:00Z";
const users = new Map([["u-barbara", "barbara.jensen"], ["u-alice", "alice.walker"]]);
const groups = new Map([["g-support", "support-agents"]]);

function client(id: string, core: Record<string, unknown>, advanced: Record<string, unknown>, more: Record<string, unknown> = {}): AmClientListItem {
  return { _id: id, coreOAuth2ClientConfig: { clientType: "Confidential", status: "Active", ...core }, advancedOAuth2ClientConfig: advanced, ...more };
}

function webClient(id: string, name: string, scopes: string[], grantTypes: string[], core: Record<string, unknown> = {}): AmClientListItem {
  return client(id, { clientName: [name], scopes, ...core }, { grantTypes, tokenEndpointAuthMethod: "client_secret_post", descriptions: [] });
}

function application(id: string, oidcId: string | undefined, name: string, owners: string[] = [], templateName = "web"): IdmApplication {
  return { _id: id, name, templateName, ssoEntities: oidcId ? { oidcId } : {}, owners: owners.map((u) => refTo("alpha", "user", u)) };
}

function agent(id: string, uid: string, name: string, overrides = { providerOverridesEnabled: true, statelessTokensEnabled: true, acceptAudienceParametersInTokenExchangeRequests: true }, core: Record<string, unknown> = {}): AmClientListItem {
  return client(id, { scopes: [], ...core }, { grantTypes: [TOKEN_EXCHANGE], tokenEndpointAuthMethod: "client_secret_post" }, {
    overrideOAuth2ClientConfig: overrides,
    aiAgentIdentityUid: uid,
    aiAgentIdentityAttributes: { _id: uid, oauth2ClientId: id, name },
  });
}

function privilege(id: string, agentUid: string, applicationId: string, o: { subjects?: string[]; groups?: string[]; scopes?: string[]; description?: string } = {}): IdmAiAgentPrivilege {
  return {
    _id: id,
    agent: refTo("alpha", "aiagent", agentUid),
    resource: refTo("alpha", "application", applicationId),
    subjects: (o.subjects ?? []).map((u) => refTo("alpha", "user", u)),
    subjectGroups: (o.groups ?? []).map((g) => refTo("alpha", "group", g)),
    permissions: o.scopes ? [{ type: "scopes", values: o.scopes }] : [],
    ...(o.description ? { description: o.description } : {}),
  };
}

/** A public client as the console's SPA and native templates make it. */
function publicClient(id: string, name: string, redirectionUris: string[], core: Record<string, unknown> = {}, advanced: Record<string, unknown> = {}): AmClientListItem {
  return client(id, { clientType: "Public", clientName: [name], scopes: ["openid"], redirectionUris, ...core }, { grantTypes: ["authorization_code"], tokenEndpointAuthMethod: "none", isConsentImplied: true, descriptions: [], ...advanced });
}

/** A public signing key as a JWK set holds it, in the compact sorted form `ServiceApp` writes. */
const SIGNER_JWKS = '{"keys":[{"crv":"P-256","kid":"signer-1","kty":"EC","use":"sig","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}';

/** A realm with web apps, an SPA, a native app, service apps, two agents, privileges and one of each thing export skips. */
function listing(): TenantListing {
  return {
    provider: { advancedOAuth2Config: { grantTypes: ["password", TOKEN_EXCHANGE, "authorization_code", "implicit"], codeVerifierEnforced: "public" }, aiAgentsConfig: { aiAgentsEnabled: true } },
    clients: new Map([
      ["assistant-app", webClient("assistant-app", "Assistant", ["openid", "read-data", "write-data"], ["password"])],
      ["shop-web", webClient("shop-web", "Shop", ["openid", "orders"], ["authorization_code"], { redirectionUris: ["https://shop.example.com/cb"], defaultScopes: ["openid"], accessTokenLifetime: 900, refreshTokenLifetime: 7200 })],
      ["mobile", publicClient("mobile", "Mobile", ["com.example.mobile:/cb", "http://127.0.0.1/cb"], { loopbackInterfaceRedirection: true })],
      ["shop-spa", publicClient("shop-spa", "Shop SPA", ["https://shop.example.com/spa"], {}, { grantTypes: ["authorization_code", "refresh_token"], isConsentImplied: false, javascriptOrigins: ["https://shop.example.com"] })],
      ["legacy-spa", publicClient("legacy-spa", "Legacy SPA", ["https://legacy.example.com/cb"], {}, { grantTypes: ["implicit"] })],
      ["reports-svc", client("reports-svc", { clientName: ["Reports"], scopes: ["read-data"] }, { grantTypes: ["client_credentials"], tokenEndpointAuthMethod: "client_secret_post", descriptions: [] })],
      ["signer-svc", client("signer-svc", { clientName: ["Signer"], scopes: ["read-data"] }, { grantTypes: ["client_credentials"], tokenEndpointAuthMethod: "private_key_jwt", descriptions: [] }, { signEncOAuth2ClientConfig: { publicKeyLocation: "jwks", jwkSet: SIGNER_JWKS } })],
      ["pretty-svc", client("pretty-svc", { clientName: ["Pretty"], scopes: ["read-data"] }, { grantTypes: ["client_credentials"], tokenEndpointAuthMethod: "private_key_jwt", descriptions: [] }, { signEncOAuth2ClientConfig: { publicKeyLocation: "jwks", jwkSet: JSON.stringify(JSON.parse(SIGNER_JWKS), null, 2) } })],
      ["batch-job", webClient("batch-job", "Batch", ["read"], ["client_credentials"])],
      ["twice-web", webClient("twice-web", "Twice", ["openid", "openid"], ["authorization_code"])],
      ["quoted-native", publicClient("quoted-native", "Quoted", ["com.example.quoted:/cb"], { scopes: ["openid", "read data"] })],
      ["RCSClient", webClient("RCSClient", "RCS", ["fr:idm:*"], ["client_credentials"])],
    ]),
    agents: new Map([
      ["assistant-agent", agent("assistant-agent", "uid-1", "Assistant Agent")],
      ["quiet-agent", agent("quiet-agent", "uid-2", "Quiet Agent", { providerOverridesEnabled: true, statelessTokensEnabled: false, acceptAudienceParametersInTokenExchangeRequests: true }, { scopes: ["bot"] })],
    ]),
    applications: [
      application("app-1", "assistant-app", "Assistant", ["u-barbara", "u-gone"]),
      application("app-2", "shop-web", "Shop", ["u-alice"]),
      application("app-3", "mobile", "Mobile", [], "native"),
      application("app-4", undefined, "Bookmark", [], "bookmark"),
      application("app-5", "shop-spa", "Shop SPA", ["u-alice"], "spa"),
      application("app-6", "legacy-spa", "Legacy SPA", [], "spa"),
      application("app-7", "reports-svc", "Reports", [], "service"),
      application("app-8", "signer-svc", "Signer", [], "service"),
      application("app-9", "pretty-svc", "Pretty", [], "service"),
      application("app-10", "twice-web", "Twice"),
      application("app-11", "quoted-native", "Quoted", [], "native"),
    ],
    privileges: [
      privilege("p-1", "uid-1", "app-1", { subjects: ["u-barbara"], scopes: ["read-data"] }),
      privilege("p-2", "uid-2", "app-1", { groups: ["g-support"], description: "Support may delegate" }),
      privilege("p-3", "uid-2", "app-2", { subjects: ["u-alice"], scopes: ["orders"] }),
      privilege("p-4", "uid-1", "app-3", { subjects: ["u-alice"] }),
      privilege("p-5", "uid-1", "app-2", {}),
      privilege("p-6", "uid-1", "app-1", { subjects: ["u-alice"] }),
    ],
    identityOwners: new Map([["uid-2", [refTo("alpha", "user", "u-alice")]]]),
    userNames: users,
    groupNames: groups,
    esvSecrets: [],
    esvVariables: [],
    secretMappings: [],
    scripts: new Map(),
  };
}

const input = (over: Partial<ModelInput> = {}): ModelInput => ({ tenant, listing: listing(), exportedAt: EXPORTED_AT, ...over });

/** The exported objects of one kind, in file order. */
const of = (model: ExportModel, kind: Kind) => model.objects.filter((o) => o.kind === kind);

/** The same listing with every map and list in reverse order. */
function reversed(l: TenantListing): TenantListing {
  const rev = <K, V>(m: ReadonlyMap<K, V>) => new Map([...m].reverse());
  return { ...l, clients: rev(l.clients), agents: rev(l.agents), applications: [...l.applications].reverse(), privileges: [...l.privileges].reverse() };
}

describe("export generator", () => {
  it("renders the realm as a TenantStack file (snapshot)", () => {
    expect(renderExport(exportModel(input()))).toMatchSnapshot();
  });

  it("renders the same text whatever order the lists came in", () => {
    const a = renderExport(exportModel(input()));
    const b = renderExport(exportModel(input({ listing: reversed(listing()) })));
    expect(b).toBe(a);
  });

  it("exports web apps and agents with adopt, derived secret variables and only non-default props", () => {
    const model = exportModel(input());
    expect(of(model, "web-app").map((a) => [a.id, a.variable, a.secretEnv])).toEqual([
      ["assistant-app", "assistantApp", "WEB_APP_ASSISTANT_APP_SECRET"],
      ["shop-web", "shopWeb", "WEB_APP_SHOP_WEB_SECRET"],
    ]);
    expect(of(model, "ai-agent").map((a) => [a.id, a.variable, a.secretEnv])).toEqual([
      ["assistant-agent", "assistantAgent", "AI_AGENT_ASSISTANT_AGENT_SECRET"],
      ["quiet-agent", "quietAgent", "AI_AGENT_QUIET_AGENT_SECRET"],
    ]);
    const text = renderExport(model);
    expect(text).toContain(`providerOverrides: { clientSideTokens: false },`);
    expect(text).not.toMatch(/new AiAgent\(stack, "assistant-agent", \{[^}]*providerOverrides/);
    expect(text).toContain(`grantTypes: ["authorization-code", "client-credentials", "password", "refresh-token", "token-exchange"], enableAiAgents: true`);
    expect(text).not.toMatch(/grantTypes: \[[^\]]*implicit/);
  });

  it("lists per object what no construct expresses, and leaves out owners that name no user", () => {
    const model = exportModel(input());
    expect(of(model, "web-app").find((a) => a.id === "shop-web")!.unexpressed).toEqual(["coreOAuth2ClientConfig.refreshTokenLifetime = 7200"]);
    expect(of(model, "web-app").find((a) => a.id === "assistant-app")!.unexpressed).toEqual(["owners: u-gone is no user of the realm (left out: the apply drops the reference)"]);
    expect(renderExport(model)).toContain("// Not expressed by ConfidentialWebApp shop-web (the apply leaves them as they are):\n//   coreOAuth2ClientConfig.refreshTokenLifetime = 7200\n");
  });

  it("exports each application template as its construct: SPA and native app without a secret, service apps with a secret or public keys", () => {
    const model = exportModel(input());
    expect(of(model, "spa").map((a) => [a.id, a.variable, a.secretEnv])).toEqual([["shop-spa", "shopSpa", undefined]]);
    expect(of(model, "native-app").map((a) => [a.id, a.variable, a.secretEnv])).toEqual([["mobile", "mobile", undefined]]);
    expect(of(model, "service-app").map((a) => [a.id, a.variable, a.secretEnv])).toEqual([
      ["reports-svc", "reportsSvc", "SERVICE_APP_REPORTS_SVC_SECRET"],
      ["signer-svc", "signerSvc", undefined],
    ]);
    const text = renderExport(model);
    expect(text).toContain(`const shopSpa = new SinglePageApp(stack, "shop-spa", {\n  name: "Shop SPA",\n  clientId: "shop-spa",\n  owners: ["alice.walker"],`);
    expect(text).toContain(`  redirectUris: ["https://shop.example.com/spa"],\n  impliedConsent: false,\n  corsOrigins: ["https://shop.example.com"],`);
    const blocks = text.split("\n\n");
    for (const id of ["shop-spa", "mobile", "signer-svc"]) expect(blocks.find((b) => b.includes(`(stack, "${id}"`))).not.toContain("clientSecret");
    expect(text).toContain(`  tokenEndpointAuthMethod: "client_secret_post",\n  adopt: true,`);
    expect(text).toContain(`  publicKeys: PublicKeys.fromJwks(${SIGNER_JWKS}),`);
    // The realm requires PKCE of public clients, as their constructs need: the file keeps it.
    expect(text).toContain(`enableAiAgents: true, requirePkce: "public-clients" });`);
    expect(text).toMatch(/^import \{ AgentApplicationGrant, AiAgent, ConfidentialWebApp, NativeApp, OAuth2ProviderGrants, PublicKeys, Secret, ServiceApp, SinglePageApp, TenantStack \}/m);
  });

  it("gives a service app whose secret label the realm maps Secret.fromEsv, and leaves the label of a public or private_key_jwt client as it is", () => {
    const l = listing();
    const clients = new Map(l.clients);
    const withLabel = (c: AmClientListItem, identifier: string): AmClientListItem => ({ ...c, coreOAuth2ClientConfig: { ...c.coreOAuth2ClientConfig, secretLabelIdentifier: identifier } });
    clients.set("reports-svc", withLabel(clients.get("reports-svc")!, "reports.svc"));
    clients.set("shop-spa", withLabel(clients.get("shop-spa")!, "shop.spa"));
    clients.set("signer-svc", withLabel(clients.get("signer-svc")!, "signer.svc"));
    const secretMappings = ["reports.svc", "shop.spa", "signer.svc"].map((identifier) => ({ _id: clientSecretLabel(identifier), secretId: clientSecretLabel(identifier), aliases: [`esv-${identifier.split(".")[0]}`] }));
    const model = exportModel(input({ listing: { ...l, clients, secretMappings } }));
    const text = renderExport(model);
    expect(text).toContain(`const reportsSvc = new ServiceApp(stack, "reports-svc", {\n  name: "Reports",\n  clientId: "reports-svc",\n  clientSecret: Secret.fromEsv("esv-reports"),`);
    expect(of(model, "service-app").find((a) => a.id === "reports-svc")!.secretEnv).toBeUndefined();
    const spa = of(model, "spa").find((a) => a.id === "shop-spa")!;
    expect(spa.unexpressed).toEqual([`coreOAuth2ClientConfig.secretLabelIdentifier = shop.spa`]);
    // A private_key_jwt client reads no secret from the store either.
    expect(text).toContain(`const signerSvc = new ServiceApp(stack, "signer-svc", {\n  name: "Signer",\n  clientId: "signer-svc",\n  scopes: ["read-data"],\n  publicKeys:`);
    // The service app's construct writes its mapping; the others, which no client construct says, are SecretMappings of their own.
    expect(text.match(/new SecretMapping\(stack, "[^"]*"/g)).toEqual(["shop.spa", "signer.svc"].map((i) => `new SecretMapping(stack, "${clientSecretLabel(i)}"`));
  });

  it("never prints the private key material of a JWK set that no prop says (a secret-method client's)", () => {
    const l = listing();
    const clients = new Map(l.clients);
    const d = "c2VjcmV0LXByaXZhdGUtZXhwb25lbnQtb2YtdGhlLWtleQ";
    const jwkSet = JSON.stringify({ keys: [{ kty: "RSA", kid: "k1", n: "AQAB", e: "AQAB", d, p: "cHJpdmF0ZS1w" }] });
    const reports = clients.get("reports-svc")!;
    clients.set("reports-svc", { ...reports, signEncOAuth2ClientConfig: { publicKeyLocation: "jwks", jwkSet } });
    const text = renderExport(exportModel(input({ listing: { ...l, clients } })));
    expect(text).toContain("reports-svc");
    expect(text).not.toContain(d);
    expect(text).not.toContain("cHJpdmF0ZS1w");
    expect(text).toMatch(/signEncOAuth2ClientConfig\.jwkSet = \(a JWK set with private key material: not shown\)/);
  });

  it("skips public clients in a realm that does not require PKCE, and writes no PKCE requirement then", () => {
    const l = listing();
    const model = exportModel(input({ listing: { ...l, provider: { ...l.provider, advancedOAuth2Config: { grantTypes: ["authorization_code"] } } } }));
    expect(of(model, "spa")).toEqual([]);
    expect(of(model, "native-app")).toEqual([]);
    expect(model.skipped.filter((s) => ["mobile", "shop-spa"].includes(s.id)).map((s) => s.reason)).toEqual([
      expect.stringMatching(/^the realm does not require PKCE of public clients \(codeVerifierEnforced "false"\): NativeApp needs requirePkce/),
      expect.stringMatching(/^the realm does not require PKCE of public clients .*: SinglePageApp needs requirePkce/),
    ]);
    expect(renderExport(model)).not.toContain(`requirePkce: "`);
  });

  it("skips what the constructs cannot express, each with its reason", () => {
    expect(exportModel(input()).skipped).toEqual([
      { kind: "application", id: "Bookmark", reason: "not an OIDC application (template bookmark)" },
      { kind: "oauth2-client", id: "RCSClient", reason: "a platform client every tenant has" },
      { kind: "oauth2-client", id: "batch-job", reason: expect.stringMatching(/^an OAuth2 client without an application record/) },
      { kind: "oauth2-client", id: "legacy-spa", reason: "grant types [implicit], which SinglePageApp, a public client, must not use" },
      { kind: "oauth2-client", id: "pretty-svc", reason: expect.stringMatching(/^its JWK set is held as other JSON text than the compact, sorted form ServiceApp writes/) },
      { kind: "oauth2-client", id: "quoted-native", reason: `its scopes have "read data", not a scope name: NativeApp takes scope names without spaces, quotes or backslashes` },
      { kind: "oauth2-client", id: "twice-web", reason: "its scopes [openid,openid] name one scope twice: ConfidentialWebApp refuses duplicates" },
      { kind: "privilege", id: "assistant-agent/assistant-app", reason: expect.stringMatching(/^a second privilege \(p-6\) for the same agent and application/) },
      { kind: "privilege", id: "assistant-agent/mobile", reason: "its application mobile is exported as a native app: AgentApplicationGrant grants access to a ConfidentialWebApp only" },
      { kind: "privilege", id: "assistant-agent/shop-web", reason: "no user or group it applies to: AgentApplicationGrant needs at least one (none only for an autonomous agent)" },
    ]);
  });

  it("refers to agents and apps by variable, users and groups by name", () => {
    const text = renderExport(exportModel(input()));
    expect(text).toContain(`new AgentApplicationGrant(stack, "grant-quietAgent-assistantApp", {\n  agent: quietAgent,\n  application: assistantApp,\n  subjectGroups: ["support-agents"],`);
    expect(text).not.toMatch(/u-barbara|g-support|uid-1|app-1/);
  });

  it("exports only the chosen client ids and the grants between them", () => {
    const model = exportModel(input({ clientIds: ["assistant-agent", "assistant-app"] }));
    expect(of(model, "web-app").map((a) => a.id)).toEqual(["assistant-app"]);
    expect(of(model, "ai-agent").map((a) => a.id)).toEqual(["assistant-agent"]);
    expect(of(model, "agent-grant").map((g) => g.id)).toEqual(["assistant-agent/assistant-app"]);
  });

  it("derives distinct names for ids that look alike and for reserved words", () => {
    expect(camelName("digital-assistant-web-app")).toBe("digitalAssistantWebApp");
    expect(camelName("9lives")).toBe("_9lives");
    expect(upperSnake("digital-assistant_webApp")).toBe("DIGITAL_ASSISTANT_WEB_APP");
    const l = listing();
    const clients = new Map(l.clients);
    clients.set("a-b", webClient("a-b", "AB", ["openid"], ["password"]));
    clients.set("a_b", webClient("a_b", "AB 2", ["openid"], ["password"]));
    clients.set("app", webClient("app", "App", ["openid"], ["password"]));
    const applications = [...l.applications, application("x-1", "a-b", "AB"), application("x-2", "a_b", "AB 2"), application("x-3", "app", "App")];
    const model = exportModel(input({ listing: { ...l, clients, applications } }));
    const names = Object.fromEntries(of(model, "web-app").map((a) => [a.id, [a.variable, a.secretEnv]]));
    expect(names["a-b"]).toEqual(["aB", "WEB_APP_A_B_SECRET"]);
    expect(names["a_b"]).toEqual(["aB2", "WEB_APP_A_B2_SECRET"]);
    expect(names["app"]).toEqual(["app2", "WEB_APP_APP_SECRET"]);
    // A client id the stack's own children use gets another construct id.
    clients.set("provider", webClient("provider", "Provider", ["openid"], ["password"]));
    applications.push(application("x-4", "provider", "Provider"));
    const text = renderExport(exportModel(input({ listing: { ...l, clients, applications } })));
    expect(text).toContain(`const provider2 = new ConfidentialWebApp(stack, "provider2", {`);
    expect(text).toContain(`new OAuth2ProviderGrants(stack, "provider", {`);
  });

  it("names the credentials the export used when they are not the service account", () => {
    const text = renderExport(exportModel(input({ tenant: { ...tenant, auth: { method: "am-session", usernameEnv: "AM_ADMIN_USERNAME", passwordEnv: "AM_ADMIN_PASSWORD" } } })), { importFrom: "./constructs" });
    expect(text).toContain(`realm: "alpha", credentials: TenantCredentials.amAdmin() },`);
    expect(text).toContain(`import { AgentApplicationGrant, AiAgent, ConfidentialWebApp, NativeApp, OAuth2ProviderGrants, PublicKeys, Secret, ServiceApp, SinglePageApp, TenantCredentials, TenantStack } from "./constructs";`);
  });

  describe("AI agents' delegation, scripts and limits", () => {
    const CC = "client_credentials";
    const script = (name: string, context: string, source: string, o: { id?: string; description?: string } = {}): AmScript => ({
      _id: o.id ?? scriptId("alpha", name),
      name,
      ...(o.description ? { description: o.description } : {}),
      script: Buffer.from(source).toString("base64"),
      language: "JAVASCRIPT",
      context,
      default: false,
    });
    const wired = (s: AmScript, more: Record<string, unknown> = {}) => ({ providerOverridesEnabled: true, accessTokenMayActScript: s._id, oidcMayActScript: s._id, ...more });
    const delegationRule = script("May act: assistant-agent for assistant-app", SCRIPT_CONTEXTS.mayAct, mayActScriptSource({ client_id: "assistant-agent", sub: "(age!assistant-agent)" }));
    const limit = script("Scope limit: assistant-agent", SCRIPT_CONTEXTS.validateScope, scopeLimitScriptSource(["read-data"]));

    /** The base listing with scripts, a web app running `appScript` and the assistant agent's `agentOverrides` and `agentAdvanced`. */
    function withScripts(scripts: AmScript[], appOverrides: Record<string, unknown>, agentOverrides: Record<string, unknown> = {}, agentAdvanced: Record<string, unknown> = {}): TenantListing {
      const l = listing();
      const clients = new Map(l.clients);
      const app = clients.get("assistant-app")!;
      clients.set("assistant-app", { ...app, overrideOAuth2ClientConfig: appOverrides });
      const agents = new Map(l.agents);
      const a = agents.get("assistant-agent")!;
      agents.set("assistant-agent", {
        ...a,
        advancedOAuth2ClientConfig: { ...a.advancedOAuth2ClientConfig, grantTypes: [TOKEN_EXCHANGE, CC], ...agentAdvanced },
        overrideOAuth2ClientConfig: { ...a.overrideOAuth2ClientConfig, ...agentOverrides },
      });
      return { ...l, clients, agents, scripts: new Map(scripts.map((x) => [x._id, x])) };
    }

    it("writes a generated May Act script as a MayActRule, and the agent's actsBy, scopeLimit and allowedAudiences", () => {
      const model = exportModel(input({ listing: withScripts([delegationRule, limit], wired(delegationRule), { validateScopePluginType: "SCRIPTED", validateScopeScript: limit._id }, { allowedResourceServerAudienceValues: ["assistant-app"] }) }));
      const text = renderExport(model);
      expect(text).toContain(`new MayActRule(stack, "may-act-assistant-agent", {\n  agent: assistantAgent,\n  subjectTokensOf: [assistantApp],\n  adopt: true,\n});`);
      expect(text).toMatch(/new AiAgent\(stack, "assistant-agent", \{[^}]*\n {2}actsBy: "delegation",\n {2}autonomous: true,\n {2}scopeLimit: \["read-data"\],\n {2}allowedAudiences: \["assistant-app"\],\n {2}adopt: true,/);
      // The rule comes after the clients it names; the default grant types of a delegating agent are not written.
      expect(text.indexOf("new MayActRule(")).toBeGreaterThan(text.indexOf(`new AiAgent(stack, "assistant-agent"`));
      expect(text).not.toMatch(/new AiAgent\(stack, "assistant-agent", \{[^}]*grantTypes/);
      expect(model.skipped.filter((x) => x.kind === "script" || x.kind === "ai-agent" || x.id === "assistant-app")).toEqual([]);
      // The grant to shop-web (outside the allow-list) is refused by the construct: skipped.
      expect(model.skipped).toContainEqual({ kind: "privilege", id: "assistant-agent/shop-web", reason: expect.stringMatching(/not among the allowed audiences/) });
    });

    it("writes the user's own source as `source`, and an agent the file does not export by client id", () => {
      const own = script("Hand-written", SCRIPT_CONTEXTS.mayAct, `// mine\ntoken.setMayAct({ client_id: "quiet-agent" });\n`, { description: "By hand" });
      const text = renderExport(exportModel(input({ listing: withScripts([own], wired(own)), clientIds: ["assistant-app"] })));
      expect(text).toContain(
        `new MayActRule(stack, "may-act-quiet-agent", {\n  agent: AiAgent.fromClientId(stack, "may-act-quiet-agent-agent", "quiet-agent"),\n  subjectTokensOf: [assistantApp],\n  scriptName: "Hand-written",\n  description: "By hand",\n  source: ${JSON.stringify(`// mine\ntoken.setMayAct({ client_id: "quiet-agent" });\n`)},`,
      );
      expect(text).toContain(`import { AiAgent, ConfidentialWebApp, MayActRule, `);
    });

    it("skips a client whose scripts no construct writes, and scripts no exported object runs, each with its reason", () => {
      const groovy = { ...script("Groovy rule", SCRIPT_CONTEXTS.mayAct, "token.setMayAct([client_id: 'assistant-agent'])\n"), language: "GROOVY" };
      const ownLimit = script("Scope limit: assistant-agent", SCRIPT_CONTEXTS.validateScope, "function validateAccessTokenScope() { return requestedScopes; }\n");
      const decision = script("Login decision", SCRIPT_CONTEXTS.decisionNode, "outcome = 'true';\n");
      const model = exportModel(input({ listing: withScripts([groovy, ownLimit, decision], wired(groovy), { validateScopePluginType: "SCRIPTED", validateScopeScript: ownLimit._id }) }));
      const reasons = Object.fromEntries(model.skipped.filter((x) => ["script", "ai-agent"].includes(x.kind) || x.id === "assistant-app").map((x) => [`${x.kind} ${x.id}`, x.reason]));
      expect(reasons).toEqual({
        "oauth2-client assistant-app": expect.stringMatching(/^it runs a May Act script no MayActRule can write \(May Act script "Groovy rule" \(.*\) is GROOVY: MayActRule writes JavaScript\)$/),
        "ai-agent assistant-agent": expect.stringMatching(/^its scope-validation script "Scope limit: assistant-agent" \(.*\) has a source of its own: AiAgent's scopeLimit writes/),
        "script Groovy rule": expect.stringMatching(/is GROOVY: MayActRule writes JavaScript$/),
        "script Scope limit: assistant-agent": "its AI agents (assistant-agent) are not exported with it as their scopeLimit",
        "script Login decision": "a SCRIPTED_DECISION_NODE script: the constructs write May Act scripts (MayActRule) and AI agents' scope limits (scopeLimit) only",
      });
      const differ = exportModel(input({ listing: withScripts([delegationRule], { ...wired(delegationRule), oidcMayActScript: "[Empty]" }) }));
      expect(differ.skipped).toContainEqual({ kind: "oauth2-client", id: "assistant-app", reason: expect.stringMatching(/access-token and ID-token May Act scripts differ/) });
      const off = exportModel(input({ listing: withScripts([delegationRule], wired(delegationRule, { providerOverridesEnabled: false })) }));
      expect(off.skipped).toContainEqual({ kind: "oauth2-client", id: "assistant-app", reason: expect.stringMatching(/provider overrides off/) });
    });

    it("keeps the id of a script the console saved under a random one (scriptId)", () => {
      const random = script("Console rule", SCRIPT_CONTEXTS.mayAct, mayActScriptSource({ client_id: "quiet-agent" }), { id: "7d3c4b8e-1f0a-4c1e-9a55-2b7f3c1d0e9f" });
      const text = renderExport(exportModel(input({ listing: withScripts([random], wired(random)) })));
      expect(text).toContain(`new MayActRule(stack, "may-act-quiet-agent", {\n  agent: quietAgent,\n  subjectTokensOf: [assistantApp],\n  scriptName: "Console rule",\n  scriptId: "7d3c4b8e-1f0a-4c1e-9a55-2b7f3c1d0e9f",\n  adopt: true,\n});`);
    });

    it("exports an agent with client credentials and a grant naming no one as autonomous, with that grant", () => {
      const l = withScripts([], {});
      const model = exportModel(input({ listing: l }));
      const text = renderExport(model);
      expect(text).toMatch(/new AiAgent\(stack, "assistant-agent", \{[^}]*\n {2}autonomous: true,/);
      expect(text).toContain(`new AgentApplicationGrant(stack, "grant-assistantAgent-shopWeb", {\n  agent: assistantAgent,\n  application: shopWeb,\n  adopt: true,`);
    });
  });
});
