/**
 * The token-exchange rules of reference §8 over a seeded tenant state configured as the seed's
 * Tasks 1–3 leave it: one success, then each prerequisite taken away in turn.
 */
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from "../../src/contract/constants";
import { makeEdge } from "../../src/emulator/idm-model";
import { createSeedCredentials, seedState, type SeedCredentials } from "../../src/emulator/seed";
import { evaluateTokenExchange, type TokenExchangeRequest } from "../../src/emulator/token-exchange";
import type { TenantState } from "../../src/emulator/types";

const APP = "digital-assistant-web-app";
const AGENT = "digital-assistant-ai-agent";
const AGENT_UID = "0f5c3a52-1d0e-4c1b-9a57-8a7d2a0c9e11";
const APP_ID = "6b1d7c2e-93a4-4f0b-8d55-3c2f1e0a7b90";
const PRIVILEGE_ID = "c0e7d1a4-55b2-4e8f-a1c3-7d9e2b4f6a08";
const wrapped = <T>(value: T) => ({ inherited: false, value });

let seed: SeedCredentials;
beforeAll(async () => {
  seed = await createSeedCredentials();
});

const userId = (userName: string) => seed.users.find((u) => u.userName === userName)!._id;

/** The seeded tenant after Tasks 1–3: grants on, the web app, the agent and its privilege for barbara. */
function configuredState(): TenantState {
  const state = seedState(seed);
  const alpha = state.realms.alpha;
  const advanced = alpha.provider!.advancedOAuth2Config as { grantTypes: string[] };
  advanced.grantTypes.push("password", TOKEN_EXCHANGE_GRANT);
  alpha.oauth2Clients[APP] = {
    body: {
      _id: APP,
      coreOAuth2ClientConfig: { scopes: wrapped(["openid", "read-data", "write-data", "admin-action"]) },
      advancedOAuth2ClientConfig: { grantTypes: wrapped(["authorization_code", "password"]) },
    },
    secret: "app-secret",
    rev: 1,
  };
  alpha.aiAgents[AGENT] = {
    body: {
      _id: AGENT,
      advancedOAuth2ClientConfig: {
        grantTypes: wrapped([TOKEN_EXCHANGE_GRANT]),
        tokenEndpointAuthMethod: wrapped("client_secret_post"),
      },
      overrideOAuth2ClientConfig: {
        providerOverridesEnabled: true,
        statelessTokensEnabled: true,
        acceptAudienceParametersInTokenExchangeRequests: true,
      },
      aiAgentIdentityUid: wrapped(AGENT_UID),
    },
    secret: "agent-secret",
    rev: 1,
  };
  state.managed.alpha_aiagent = { [AGENT_UID]: { _id: AGENT_UID, _rev: "1", name: "Digital Assistant AI Agent", oauth2ClientId: AGENT } };
  state.managed.alpha_application = {
    [APP_ID]: { _id: APP_ID, _rev: "1", name: "Digital Assistant Web App", ssoEntities: { oidcId: APP } },
  };
  state.managed.alpha_aiagentprivilege = {
    [PRIVILEGE_ID]: {
      _id: PRIVILEGE_ID,
      _rev: "1",
      agent: makeEdge("managed/alpha_aiagent", AGENT_UID),
      resource: makeEdge("managed/alpha_application", APP_ID),
      subjects: [makeEdge("managed/alpha_user", userId("barbara.jensen"))],
      subjectGroups: [],
      permissions: [{ type: "scopes", values: ["read-data"] }],
    },
  };
  return state;
}

function request(state: TenantState, overrides: Partial<TokenExchangeRequest> = {}): TokenExchangeRequest {
  return {
    realm: "alpha",
    state,
    agent: { id: AGENT, body: state.realms.alpha.aiAgents[AGENT].body },
    clientAuthMethod: "client_secret_post",
    subjectTokenType: ACCESS_TOKEN_TYPE,
    subject: { sub: userId("barbara.jensen") },
    requestedTokenType: undefined,
    audiences: [APP],
    scopes: ["read-data"],
    ...overrides,
  };
}

const privilege = (state: TenantState) => state.managed.alpha_aiagentprivilege[PRIVILEGE_ID];
const agentBody = (state: TenantState) => state.realms.alpha.aiAgents[AGENT].body as Record<string, Record<string, unknown>>;
const INVALID = { ok: false, status: 400, error: "invalid_request", error_description: "Invalid token exchange." };

describe("evaluateTokenExchange", () => {
  it("grants the requested scopes when every prerequisite holds", () => {
    expect(evaluateTokenExchange(request(configuredState()))).toEqual({
      ok: true,
      scopes: ["read-data"],
      aud: [AGENT, APP],
      act: { sub: AGENT },
      issuedTokenType: ACCESS_TOKEN_TYPE,
    });
  });

  it("grants the privilege's scopes when none are requested", () => {
    expect(evaluateTokenExchange(request(configuredState(), { scopes: [] }))).toMatchObject({ ok: true, scopes: ["read-data"] });
  });

  it("grants any scope of the application's client when the privilege's permissions are empty", () => {
    const state = configuredState();
    privilege(state).permissions = [];
    expect(evaluateTokenExchange(request(state, { scopes: ["write-data", "openid"] }))).toMatchObject({
      ok: true,
      scopes: ["write-data", "openid"],
    });
  });

  it("covers a user who is a member of one of the privilege's subject groups", () => {
    const state = configuredState();
    privilege(state).subjects = [];
    privilege(state).subjectGroups = [makeEdge("managed/alpha_group", "support-agents")];
    expect(evaluateTokenExchange(request(state, { subject: { sub: userId("alice.walker") } }))).toMatchObject({ ok: true });
  });

  it("covers a user whose own groups list one of the subject groups", () => {
    const state = configuredState();
    state.managed.alpha_group["support-agents"].members = [];
    state.managed.alpha_user[userId("barbara.jensen")].groups = [makeEdge("managed/alpha_group", "support-agents")];
    privilege(state).subjects = [];
    privilege(state).subjectGroups = [makeEdge("managed/alpha_group", "support-agents")];
    expect(evaluateTokenExchange(request(state))).toMatchObject({ ok: true });
  });

  it("applies the provider's own settings when the agent's overrides are off", () => {
    const state = configuredState();
    agentBody(state).overrideOAuth2ClientConfig = { providerOverridesEnabled: false };
    const provider = state.realms.alpha.provider as Record<string, Record<string, unknown>>;
    provider.coreOAuth2Config.statelessTokensEnabled = true;
    provider.advancedOAuth2Config.acceptAudienceParametersInTokenExchangeRequests = true;
    expect(evaluateTokenExchange(request(state))).toMatchObject({ ok: true });
  });

  it("fails with unsupported_grant_type when the provider lacks token exchange", () => {
    const state = configuredState();
    const advanced = state.realms.alpha.provider!.advancedOAuth2Config as { grantTypes: string[] };
    advanced.grantTypes = advanced.grantTypes.filter((g) => g !== TOKEN_EXCHANGE_GRANT);
    expect(evaluateTokenExchange(request(state))).toEqual({
      ok: false,
      status: 400,
      error: "unsupported_grant_type",
      error_description: "Grant type is not supported",
      reason: "provider-grant",
    });
  });

  it.each([
    ["the agent does not list the token-exchange grant", "client-grant", (s: TenantState) => {
      agentBody(s).advancedOAuth2ClientConfig.grantTypes = wrapped(["authorization_code"]);
    }],
    ["provider overrides are off and the provider does not accept audience parameters", "audience-parameter", (s: TenantState) => {
      agentBody(s).overrideOAuth2ClientConfig.providerOverridesEnabled = false;
    }],
    ["the agent does not use client-side tokens", "stateless-tokens", (s: TenantState) => {
      agentBody(s).overrideOAuth2ClientConfig.statelessTokensEnabled = false;
    }],
    ["the agent does not accept audience parameters", "audience-parameter", (s: TenantState) => {
      agentBody(s).overrideOAuth2ClientConfig.acceptAudienceParametersInTokenExchangeRequests = false;
    }],
    ["no privilege links the agent to an application", "no-privilege", (s: TenantState) => {
      s.managed.alpha_aiagentprivilege = {};
    }],
    ["the privilege belongs to another agent identity", "no-privilege", (s: TenantState) => {
      privilege(s).agent = makeEdge("managed/alpha_aiagent", "another-agent");
    }],
    ["the privilege's application has another client id", "no-privilege", (s: TenantState) => {
      s.managed.alpha_application[APP_ID].ssoEntities = { oidcId: "another-app" };
    }],
    ["the user is neither a subject nor in a subject group", "subject-not-allowed", (s: TenantState) => {
      privilege(s).subjects = [makeEdge("managed/alpha_user", userId("carl.tanaka"))];
    }],
    ["the user is in no subject group", "subject-not-allowed", (s: TenantState) => {
      privilege(s).subjects = [];
      privilege(s).subjectGroups = [makeEdge("managed/alpha_group", "support-agents")];
    }],
  ] as const)("fails as an invalid exchange when %s", (_, reason, breakIt) => {
    const state = configuredState();
    breakIt(state);
    expect(evaluateTokenExchange(request(state))).toEqual({ ...INVALID, reason });
  });

  it.each([
    ["the agent authenticated with client_secret_basic", { clientAuthMethod: "client_secret_basic" }, "client-auth-method"],
    ["the subject token type is neither an access nor an ID token", { subjectTokenType: "urn:ietf:params:oauth:token-type:saml2" }, "subject-token-type"],
    ["the subject token is not a live token of the realm", { subject: undefined }, "subject-token"],
    ["the subject user no longer exists", { subject: { sub: "deleted-user" } }, "subject-token"],
    ["no audience is given", { audiences: [] }, "audience"],
    ["the audience names an application the agent has no privilege for", { audiences: ["another-app"] }, "no-privilege"],
  ] as const)("fails as an invalid exchange when %s", (_, overrides, reason) => {
    expect(evaluateTokenExchange(request(configuredState(), overrides as Partial<TokenExchangeRequest>))).toEqual({
      ...INVALID,
      reason,
    });
  });

  it("fails as an invalid exchange when an OAuth2Client exchanges a subject token whose may_act does not name it", () => {
    const state = configuredState();
    const { aiAgentIdentityUid, ...clientBody } = agentBody(state);
    expect(aiAgentIdentityUid).toBeDefined();
    expect(evaluateTokenExchange(request(state, { agent: { id: "plain-client", body: clientBody } }))).toEqual({
      ...INVALID,
      reason: "may-act",
    });
  });

  it("fails with invalid_scope when a requested scope is outside the privilege's permissions", () => {
    expect(evaluateTokenExchange(request(configuredState(), { scopes: ["read-data", "admin-action"] }))).toEqual({
      ok: false,
      status: 400,
      error: "invalid_scope",
      error_description: "Unknown/invalid scope(s): [admin-action]",
      reason: "scope",
    });
  });

  it("fails with invalid_scope when permissions are empty and the scope is not the application's", () => {
    const state = configuredState();
    privilege(state).permissions = [];
    expect(evaluateTokenExchange(request(state, { scopes: ["delete-everything"] }))).toMatchObject({
      error: "invalid_scope",
      reason: "scope",
    });
  });
});
