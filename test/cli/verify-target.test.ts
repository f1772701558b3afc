import { Spec } from "../../src/contract/spec";
import { checkExchanged, hintFor, resolveTarget } from "../../src/cli/verify";

const tenant = { baseUrl: "http://127.0.0.1:1", realm: "alpha", auth: { method: "bearer", tokenEnv: "T" } };
const client = { owners: [], grantTypes: ["password"], tokenEndpointAuthMethod: "client_secret_post" };
const specs = [
  { kind: "web-app", id: "app", owned: { ...client, name: "App", scopes: ["read-data", "openid"], redirectUris: [] }, secret: { env: "APP_SECRET", version: 1 } },
  {
    kind: "ai-agent",
    id: "agent",
    owned: { ...client, name: "Agent", scopes: [], providerOverrides: { enabled: true, statelessTokens: true, acceptAudienceInTokenExchange: true } },
    secret: { env: "AGENT_SECRET", version: 1 },
  },
  { kind: "agent-grant", id: "agent/app", owned: { agent: "agent", application: "app", subjects: ["u"], subjectGroups: [], scopes: ["read-data"] } },
].map((s) => Spec.parse({ tenant, ...s }));

describe("resolveTarget", () => {
  it("learns the pair, secrets, scopes and tenant from the stack's grant", () => {
    expect(resolveTarget({}, specs, {})).toEqual({
      baseUrl: "http://127.0.0.1:1",
      realm: "alpha",
      app: "app",
      agent: "agent",
      scopes: ["read-data"],
      userScope: "openid",
      appSecretEnv: "APP_SECRET",
      agentSecretEnv: "AGENT_SECRET",
      appAuthMethod: "client_secret_post",
      agentAuthMethod: "client_secret_post",
      usernameEnv: "VERIFY_USERNAME",
      passwordEnv: "VERIFY_PASSWORD",
    });
  });

  it("lets flags and VERIFY_*_SECRET_ENV override the stack", () => {
    const t = resolveTarget({ scope: ["write-data"], "username-env": "U", "agent-secret-env": "X" }, specs, { VERIFY_APP_SECRET_ENV: "OTHER" });
    expect([t.scopes, t.usernameEnv, t.agentSecretEnv, t.appSecretEnv]).toEqual([["write-data"], "U", "X", "OTHER"]);
  });

  it("asks for --app and --agent when there is nothing to go on", () => {
    expect(() => resolveTarget({}, [], {})).toThrow(/pass --app and --agent/);
  });

  it("takes each client's token endpoint auth method from the stack, client_secret_post for a client not in it", () => {
    const basic = specs.map((s) => (s.kind === "web-app" ? { ...s, owned: { ...s.owned, tokenEndpointAuthMethod: "client_secret_basic" as const } } : s));
    expect(resolveTarget({}, basic, {})).toMatchObject({ appAuthMethod: "client_secret_basic", agentAuthMethod: "client_secret_post" });
    const elsewhere = resolveTarget({ app: "x", agent: "agent", "app-secret-env": "X" }, basic, {});
    expect(elsewhere.appAuthMethod).toBe("client_secret_post");
  });

  it("refuses a client that authenticates without a secret", () => {
    const jwt = specs.map((s) => (s.kind === "web-app" ? { ...s, owned: { ...s.owned, tokenEndpointAuthMethod: "private_key_jwt" as const } } : s));
    expect(() => resolveTarget({}, jwt, {})).toThrow(/app authenticates with private_key_jwt: verify signs clients in with their secret/);
  });

  it("asks for the secret env var when neither the stack nor the flags name it", () => {
    expect(() => resolveTarget({ app: "x", agent: "agent", "base-url": "http://h", realm: "alpha" }, specs, {})).toThrow(
      /no env var known for the app secret: pass --app-secret-env NAME/,
    );
  });
});

describe("hintFor", () => {
  const t = resolveTarget({}, specs, {});
  it("names the provider grant when token exchange is not supported", () => {
    expect(hintFor(3, "unsupported_grant_type", undefined, t)).toBe(
      "the provider does not allow token exchange: add 'token-exchange' to OAuth2ProviderGrants",
    );
  });
  it("lists the prerequisites for AM's one refusal message", () => {
    expect(hintFor(3, "invalid_request", "Invalid token exchange.", t)).toMatch(/provider overrides .* subjects .* scopes/);
  });
  it("blames the client's secret for invalid_client at introspection", () => {
    expect(hintFor(4, "invalid_client", undefined, t)).toMatch(/check the secret in AGENT_SECRET/);
  });
});

describe("checkExchanged", () => {
  const t = resolveTarget({}, specs, {});
  const base = { active: true as const, scope: "read-data", realm: "/alpha", client_id: "agent", token_type: "Bearer", exp: 1, iss: "i", sub: "u-1" };
  it("accepts the user as sub and the agent as act.sub", () => {
    expect(checkExchanged({ ...base, act: { sub: "agent" } }, "u-1", t)).toEqual([]);
  });
  it("reports every mismatch", () => {
    expect(checkExchanged({ ...base, sub: "agent", scope: "openid" }, "u-1", t)).toEqual([
      "sub is agent, expected the user u-1",
      "act.sub is (none), expected the agent agent",
      'scope is "openid", expected "read-data"',
    ]);
  });
});
