import { AIAgent } from "../../src/contract/schemas";
import { Spec, type SpecOf } from "../../src/contract/spec";
import { planAgentGrant } from "../../src/engine/agent-grant";
import { planAiAgent } from "../../src/engine/ai-agent";
import { planProviderGrants, planProviderRemoval } from "../../src/engine/provider-grants";
import { refTo } from "../../src/engine/refs";
import { planWebApp } from "../../src/engine/web-app";

const tenant = { baseUrl: "http://127.0.0.1:1", realm: "alpha", auth: { method: "bearer", tokenEnv: "T" } };
const spec = <K extends Spec["kind"]>(s: Record<string, unknown>) => Spec.parse({ tenant, ...s }) as SpecOf<K>;

const webApp = spec<"web-app">({
  kind: "web-app",
  id: "my-app",
  owned: {
    name: "My App",
    owners: ["bjensen"],
    scopes: ["openid", "read"],
    grantTypes: ["password"],
    tokenEndpointAuthMethod: "client_secret_post",
    redirectUris: [],
  },
  secret: { env: "MY_APP_SECRET", version: 1 },
});
const users = new Map([["bjensen", "u-1"]]);
const w = (value: unknown) => ({ inherited: false, value });

describe("planProviderGrants", () => {
  const grants = spec<"oauth2-provider-grants">({
    kind: "oauth2-provider-grants",
    id: "oauth2-provider",
    owned: { grantTypes: ["password", "urn:ietf:params:oauth:grant-type:token-exchange"], aiAgentsEnabled: true },
    removalPolicy: "destroy",
  });

  it("adds only the missing grant types and keeps the others", () => {
    const live = { _id: "", _rev: "1", advancedOAuth2Config: { grantTypes: ["authorization_code", "password"], x: 1 }, aiAgentsConfig: { aiAgentsEnabled: true } };
    const plan = planProviderGrants(grants, live);
    expect(plan.write).toBe("update");
    expect(plan.body).toEqual({
      advancedOAuth2Config: { grantTypes: ["authorization_code", "password", "urn:ietf:params:oauth:grant-type:token-exchange"], x: 1 },
      aiAgentsConfig: { aiAgentsEnabled: true },
    });
    expect(plan.enableAiAgents).toBe(false);
  });

  it("writes nothing when every declared grant type is on", () => {
    const live = { advancedOAuth2Config: { grantTypes: ["urn:ietf:params:oauth:grant-type:token-exchange", "password"] }, aiAgentsConfig: { aiAgentsEnabled: true } };
    expect(planProviderGrants(grants, live)).toEqual({ write: "none", body: undefined, enableAiAgents: false, changes: [] });
  });

  it("creates the provider when the realm has none", () => {
    const plan = planProviderGrants(grants, undefined);
    expect(plan.write).toBe("create");
    expect(plan.body).toEqual({ advancedOAuth2Config: { grantTypes: grants.owned.grantTypes } });
  });

  it("switches AI agents on when the provider says they are off", () => {
    const live = { advancedOAuth2Config: { grantTypes: grants.owned.grantTypes }, aiAgentsConfig: { aiAgentsEnabled: false } };
    const plan = planProviderGrants(grants, live);
    expect(plan.write).toBe("none");
    expect(plan.enableAiAgents).toBe(true);
    expect(plan.changes).toEqual([{ field: "aiAgentsConfig.aiAgentsEnabled", from: false, to: true }]);
  });

  it("removes exactly the declared grant types on destroy, and nothing on retain", () => {
    const live = { advancedOAuth2Config: { grantTypes: ["authorization_code", "password"] } };
    const destroy = planProviderRemoval({ policy: "destroy", grantTypes: ["password", "implicit"] }, live);
    expect(destroy.body).toEqual({ advancedOAuth2Config: { grantTypes: ["authorization_code"] } });
    expect(planProviderRemoval({ policy: "retain", grantTypes: ["password"] }, live).write).toBe("none");
  });
});

describe("planWebApp", () => {
  it("fails naming every unknown owner", () => {
    const s = { ...webApp, owned: { ...webApp.owned, owners: ["bjensen", "nobody", "ghost"] } };
    expect(() => planWebApp(s, { client: undefined, application: undefined, users })).toThrow(
      /^owners: user "nobody", user "ghost" not found in realm alpha/,
    );
  });

  it("creates the client with the owned fields and an application record with a deterministic id", () => {
    const plan = planWebApp(webApp, { client: undefined, application: undefined, users });
    expect(plan.client.write).toBe("create");
    expect(plan.client.body).toEqual({
      coreOAuth2ClientConfig: {
        clientType: w("Confidential"),
        scopes: w(["openid", "read"]),
        redirectionUris: w([]),
        clientName: w(["My App"]),
        status: w("Active"),
      },
      advancedOAuth2ClientConfig: { grantTypes: w(["password"]), tokenEndpointAuthMethod: w("client_secret_post"), descriptions: w([]) },
    });
    expect(plan.client.changes.find((c) => c.sensitive)).toEqual({
      field: "coreOAuth2ClientConfig.userpassword",
      from: undefined,
      to: undefined,
      sensitive: true,
    });
    expect(plan.application.write).toBe("create");
    expect(plan.application.id).toBe(planWebApp(webApp, { client: undefined, application: undefined, users }).application.id);
    expect(plan.application.body).toEqual({
      name: "My App",
      description: null,
      owners: [refTo("alpha", "user", "u-1")],
      templateName: "web",
      templateVersion: "1.0",
      ssoEntities: { oidcId: "my-app" },
    });
  });

  it("patches only the application fields that differ, comparing owners by id", () => {
    const application = {
      _id: "app-1",
      name: "Old name",
      description: null,
      owners: [{ _ref: "managed/alpha_user/u-1", _refProperties: { _id: "x" } }],
    };
    const plan = planWebApp(webApp, { client: undefined, application, users });
    expect(plan.application.write).toBe("patch");
    expect(plan.application.patch).toEqual([{ operation: "replace", field: "/name", value: "My App" }]);
    expect(plan.application.changes).toEqual([{ field: "application.name", from: "Old name", to: "My App" }]);
  });

  it("owns default scopes and the access token lifetime only when the spec sets them", () => {
    const live = planWebApp(webApp, { client: undefined, application: undefined, users }).client.body;
    live.coreOAuth2ClientConfig = { ...(live.coreOAuth2ClientConfig as object), defaultScopes: w(["read"]), accessTokenLifetime: w(600) };
    expect(planWebApp(webApp, { client: live as never, application: undefined, users }).client.write).toBe("none");

    const owning = spec<"web-app">({ ...webApp, owned: { ...webApp.owned, defaultScopes: ["openid"], accessTokenLifetime: 3600 } });
    const plan = planWebApp(owning, { client: live as never, application: undefined, users });
    expect(plan.client.write).toBe("update");
    expect(plan.client.changes).toEqual([
      { field: "coreOAuth2ClientConfig.defaultScopes", from: ["read"], to: ["openid"] },
      { field: "coreOAuth2ClientConfig.accessTokenLifetime", from: 600, to: 3600 },
    ]);
    expect(plan.client.body.coreOAuth2ClientConfig).toMatchObject({ defaultScopes: w(["openid"]), accessTokenLifetime: w(3600) });
  });
});

describe("planAiAgent", () => {
  const agent = spec<"ai-agent">({
    kind: "ai-agent",
    id: "my-agent",
    owned: {
      name: "My Agent",
      owners: ["bjensen"],
      scopes: [],
      grantTypes: ["urn:ietf:params:oauth:grant-type:token-exchange"],
      tokenEndpointAuthMethod: "client_secret_post",
      providerOverrides: { enabled: true, statelessTokens: true, acceptAudienceInTokenExchange: true },
    },
    secret: { env: "MY_AGENT_SECRET", version: 1 },
  });

  it("creates the agent with its identity under the new uid and then sets owners", () => {
    const plan = planAiAgent(agent, { agent: undefined, identityOwners: undefined, users }, "uid-1");
    expect(plan.uid).toBe("uid-1");
    expect(plan.agent.body.aiAgentIdentityAttributes).toEqual(w({ _id: "uid-1", oauth2ClientId: "my-agent", name: "My Agent", description: null }));
    expect(plan.agent.body.aiAgentIdentityUid).toEqual(w("uid-1"));
    expect(plan.agent.body.overrideOAuth2ClientConfig).toEqual({
      providerOverridesEnabled: true,
      statelessTokensEnabled: true,
      acceptAudienceParametersInTokenExchangeRequests: true,
    });
    expect(plan.owners.patch).toEqual([{ operation: "replace", field: "/owners", value: [refTo("alpha", "user", "u-1")] }]);
  });

  it("merges into the live agent, keeping its uid, foreign overrides and dropping the identity _rev", () => {
    const live = AIAgent.parse({
      _id: "my-agent",
      _rev: "9",
      overrideOAuth2ClientConfig: { providerOverridesEnabled: false, statelessTokensEnabled: true, acceptAudienceParametersInTokenExchangeRequests: true, issueRefreshToken: true },
      coreOAuth2ClientConfig: { clientType: w("Confidential"), scopes: w([]), userpassword: null },
      advancedOAuth2ClientConfig: { grantTypes: w(agent.owned.grantTypes), tokenEndpointAuthMethod: w("client_secret_post") },
      aiAgentIdentityAttributes: w({ _id: "uid-0", _rev: "r", oauth2ClientId: "my-agent", name: "My Agent", description: null, customAttributes: null }),
      aiAgentIdentityUid: w("uid-0"),
    });
    const plan = planAiAgent(agent, { agent: live, identityOwners: [{ _ref: "managed/alpha_user/u-1" }], users }, "unused");
    expect(plan.uid).toBe("uid-0");
    expect(plan.agent.write).toBe("update");
    expect(plan.agent.changes).toEqual([{ field: "overrideOAuth2ClientConfig.providerOverridesEnabled", from: false, to: true }]);
    expect(plan.agent.body.overrideOAuth2ClientConfig).toMatchObject({ providerOverridesEnabled: true, issueRefreshToken: true });
    expect(plan.agent.body.aiAgentIdentityAttributes).toEqual(
      w({ _id: "uid-0", oauth2ClientId: "my-agent", name: "My Agent", description: null, customAttributes: null }),
    );
    expect(plan.owners.write).toBe("none");
  });
});

describe("planAgentGrant", () => {
  const grant = spec<"agent-grant">({
    kind: "agent-grant",
    id: "my-agent/my-app",
    owned: { agent: "my-agent", application: "my-app", subjects: ["bjensen"], subjectGroups: ["staff"], scopes: ["read"] },
  });
  const live = { agentUid: "uid-1", applicationId: "app-1", users, groups: new Map([["staff", "g-1"]]), privilege: undefined };

  it("fails naming the missing agent, application and group before any write", () => {
    expect(() => planAgentGrant(grant, { ...live, agentUid: undefined, applicationId: undefined, groups: new Map([["staff", undefined]]) })).toThrow(
      // The line that shows it names the grant: the message does not repeat it.
      /^AI agent "my-agent", application "my-app", group "staff" not found in realm alpha; create them first or fix the name$/,
    );
  });

  it("creates the privilege with references as the console records them", () => {
    const plan = planAgentGrant(grant, live);
    expect(plan.write).toBe("create");
    expect(plan.body).toEqual({
      description: null,
      permissions: [{ type: "scopes", values: ["read"] }],
      agent: refTo("alpha", "aiagent", "uid-1"),
      resource: refTo("alpha", "application", "app-1"),
      subjects: [refTo("alpha", "user", "u-1")],
      subjectGroups: [refTo("alpha", "group", "g-1")],
    });
  });

  it("grants every application scope with empty permissions when no scope is declared", () => {
    const plan = planAgentGrant({ ...grant, owned: { ...grant.owned, scopes: [] } }, live);
    expect(plan.body?.permissions).toEqual([]);
  });

  it("patches only what differs, ignoring _refProperties", () => {
    const privilege = {
      _id: "p",
      description: null,
      permissions: [{ type: "scopes", values: ["read"] }],
      agent: { ...refTo("alpha", "aiagent", "uid-1"), _refProperties: { _id: "a" } },
      resource: { ...refTo("alpha", "application", "app-1"), _refProperties: { _id: "b" } },
      subjects: [],
      subjectGroups: [{ _ref: "managed/alpha_group/g-1", _refProperties: { _id: "c" } }],
    };
    const plan = planAgentGrant(grant, { ...live, privilege });
    expect(plan.patch).toEqual([{ operation: "replace", field: "/subjects", value: [refTo("alpha", "user", "u-1")] }]);
    expect(plan.changes).toEqual([{ field: "privilege.subjects", from: [], to: ["bjensen"] }]);
  });
});
