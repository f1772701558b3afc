/**
 * Configures a tenant the way the admin console does, by raw admin calls with hand-written bodies
 * (never through the engine's planners): application records and privileges under random ids,
 * AM clients with only the attributes the console sets (AM fills the rest).
 */
import { randomUUID } from "node:crypto";
import type { AdminApi } from "../../src/client/types";
import { refTo } from "../../src/engine/refs";

export interface ConsoleWebApp {
  readonly clientId: string;
  readonly name: string;
  readonly description?: string;
  readonly owners?: readonly string[];
  readonly scopes: readonly string[];
  /** AM's grant strings. */
  readonly grantTypes: readonly string[];
  readonly tokenEndpointAuthMethod: string;
  readonly redirectUris?: readonly string[];
  readonly defaultScopes?: readonly string[];
  readonly accessTokenLifetime?: number;
  /** More AM attributes by group, e.g. `{ coreOAuth2ClientConfig: { refreshTokenLifetime: 7200 } }`. */
  readonly more?: Record<string, Record<string, unknown>>;
  /** IDM template: "web" (the default) for an OIDC web application, "spa", "native" or "service" for the others. */
  readonly template?: string;
  /** Client type; "Confidential" unless said. A public client gets no secret. */
  readonly clientType?: string;
  /** Provider overrides (AM keeps this group raw), e.g. a May Act script. */
  readonly overrides?: Record<string, unknown>;
}

export interface ConsoleAgent {
  readonly clientId: string;
  readonly name: string;
  readonly description?: string;
  readonly owners?: readonly string[];
  readonly scopes?: readonly string[];
  readonly grantTypes: readonly string[];
  readonly tokenEndpointAuthMethod: string;
  /** Provider overrides (raw): the three switches, and scripts such as `validateScopeScript`. */
  readonly overrides: { providerOverridesEnabled: boolean; statelessTokensEnabled: boolean; acceptAudienceParametersInTokenExchangeRequests: boolean } & Record<string, unknown>;
  /** More `advancedOAuth2ClientConfig` attributes, e.g. `allowedResourceServerAudienceValues`. */
  readonly advanced?: Record<string, unknown>;
}

/** An AM script as the console's script editor saves it: under a random id unless one is given. */
export interface ConsoleScript {
  readonly id?: string;
  readonly name: string;
  readonly description?: string;
  readonly context: string;
  readonly source: string;
  readonly language?: string;
}

export interface ConsolePrivilege {
  readonly agent: string;
  readonly application: string;
  readonly subjects?: readonly string[];
  readonly subjectGroups?: readonly string[];
  readonly scopes?: readonly string[];
  readonly description?: string;
}

export interface ConsoleConfig {
  /** AM grant strings the provider must have. */
  readonly providerGrantTypes: readonly string[];
  /** The provider's "Code Verifier Parameter Required" (`codeVerifierEnforced`): "false", "true", "public"; unset: as it is. */
  readonly providerPkce?: string;
  /** The custom applications, of any template (`ConsoleWebApp.template`). */
  readonly webApps: readonly ConsoleWebApp[];
  /** OAuth2 clients without an application record (a service client, a platform client). */
  readonly bareClients?: readonly { clientId: string; grantTypes: readonly string[]; scopes: readonly string[] }[];
  readonly agents: readonly ConsoleAgent[];
  readonly privileges: readonly ConsolePrivilege[];
  /** Scripts, made before the clients that name them. */
  readonly scripts?: readonly ConsoleScript[];
}

const w = (value: unknown) => ({ inherited: false, value });

async function idOf(api: AdminApi, object: "user" | "group", name: string): Promise<string> {
  const found = object === "user" ? await api.findUser(name) : await api.findGroup(name);
  if (!found) throw new Error(`no ${object} ${name} in the tenant`);
  return found._id;
}

/** Writes `config` into the realm of `api`; returns the application record ids by client id. */
export async function configureAsConsole(api: AdminApi, config: ConsoleConfig): Promise<Map<string, string>> {
  for (const s of config.scripts ?? []) {
    await api.putScript(s.id ?? randomUUID(), {
      name: s.name,
      ...(s.description ? { description: s.description } : {}),
      script: Buffer.from(s.source, "utf8").toString("base64"),
      language: s.language ?? "JAVASCRIPT",
      context: s.context,
    });
  }
  const realm = api.realm;
  const provider = (await api.getProvider())!;
  const advanced = (provider.advancedOAuth2Config ?? {}) as { grantTypes?: string[] };
  const grantTypes = [...new Set([...(advanced.grantTypes ?? []), ...config.providerGrantTypes])];
  const pkce = config.providerPkce === undefined ? {} : { codeVerifierEnforced: config.providerPkce };
  await api.putProvider({ ...provider, advancedOAuth2Config: { ...advanced, grantTypes, ...pkce } });
  await api.enableAiAgents();

  const recordIds = new Map<string, string>();
  for (const a of config.webApps) {
    const more = a.more ?? {};
    const clientType = a.clientType ?? "Confidential";
    await api.putOAuth2Client(a.clientId, {
      coreOAuth2ClientConfig: {
        clientType: w(clientType),
        clientName: w([a.name]),
        scopes: w(a.scopes),
        redirectionUris: w(a.redirectUris ?? []),
        defaultScopes: w(a.defaultScopes ?? []),
        accessTokenLifetime: w(a.accessTokenLifetime ?? 0),
        ...(clientType === "Public" ? {} : { userpassword: `console-${randomUUID()}` }),
        ...wrapAll(more.coreOAuth2ClientConfig),
      },
      advancedOAuth2ClientConfig: {
        grantTypes: w(a.grantTypes),
        tokenEndpointAuthMethod: w(a.tokenEndpointAuthMethod),
        descriptions: w(a.description ? [a.description] : []),
        ...wrapAll(more.advancedOAuth2ClientConfig),
      },
      ...Object.fromEntries(Object.entries(more).filter(([g]) => g !== "coreOAuth2ClientConfig" && g !== "advancedOAuth2ClientConfig").map(([g, v]) => [g, wrapAll(v)])),
      ...(a.overrides ? { overrideOAuth2ClientConfig: a.overrides } : {}),
    });
    const id = randomUUID();
    const owners = await Promise.all((a.owners ?? []).map(async (n) => refTo(realm, "user", await idOf(api, "user", n))));
    await api.createManaged("application", id, {
      name: a.name,
      ...(a.description ? { description: a.description } : {}),
      templateName: a.template ?? "web",
      templateVersion: "1.0",
      ssoEntities: { oidcId: a.clientId },
      owners,
    });
    recordIds.set(a.clientId, id);
  }
  for (const c of config.bareClients ?? []) {
    await api.putOAuth2Client(c.clientId, {
      coreOAuth2ClientConfig: { scopes: w(c.scopes), userpassword: `console-${randomUUID()}` },
      advancedOAuth2ClientConfig: { grantTypes: w(c.grantTypes) },
    });
  }
  const uids = new Map<string, string>();
  for (const g of config.agents) {
    const uid = randomUUID();
    uids.set(g.clientId, uid);
    await api.putAiAgent(g.clientId, {
      coreOAuth2ClientConfig: { clientType: w("Confidential"), scopes: w(g.scopes ?? []), userpassword: `console-${randomUUID()}` },
      advancedOAuth2ClientConfig: { grantTypes: w(g.grantTypes), tokenEndpointAuthMethod: w(g.tokenEndpointAuthMethod), ...wrapAll(g.advanced) },
      overrideOAuth2ClientConfig: g.overrides,
      aiAgentIdentityAttributes: w({ _id: uid, oauth2ClientId: g.clientId, name: g.name, ...(g.description ? { description: g.description } : {}) }),
      aiAgentIdentityUid: w(uid),
    });
    const owners = await Promise.all((g.owners ?? []).map(async (n) => refTo(realm, "user", await idOf(api, "user", n))));
    if (owners.length > 0) await api.patchManaged("aiagent", uid, [{ operation: "replace", field: "/owners", value: owners }]);
  }
  for (const p of config.privileges) {
    const subjects = await Promise.all((p.subjects ?? []).map(async (n) => refTo(realm, "user", await idOf(api, "user", n))));
    const groups = await Promise.all((p.subjectGroups ?? []).map(async (n) => refTo(realm, "group", await idOf(api, "group", n))));
    await api.createManaged("aiagentprivilege", randomUUID(), {
      ...(p.description ? { description: p.description } : {}),
      permissions: p.scopes && p.scopes.length > 0 ? [{ type: "scopes", values: p.scopes }] : [],
      agent: refTo(realm, "aiagent", uids.get(p.agent)!),
      resource: refTo(realm, "application", recordIds.get(p.application)!),
      subjects,
      subjectGroups: groups,
    });
  }
  return recordIds;
}

function wrapAll(group: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(group ?? {}).map(([k, v]) => [k, w(v)]));
}
