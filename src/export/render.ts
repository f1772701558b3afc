/**
 * The export model as one TypeScript file: a `TenantStack` with the realm's provider grants, a
 * construct per exported object (`adopt: true` on each), secrets by derived variable names, and
 * comments for what no construct can say and what was skipped. Pure and deterministic: the same
 * model always renders to the same text.
 */
import { DEFAULT_CREDENTIAL_ENV } from "../contract/constants";
import type { AuthConfig } from "../contract/spec";
import { AGENT_DEFAULTS, camelName, Names, notDefault, WEB_APP_DEFAULTS, type ExportedAgent, type ExportedGrant, type ExportedWebApp, type ExportModel } from "./model";

export interface RenderOptions {
  /** The module the constructs are imported from. @default "cdktf-aic" */
  readonly importFrom?: string;
}

const q = (s: string) => JSON.stringify(s);
const list = (values: readonly string[]) => `[${values.map(q).join(", ")}]`;
/** A comment line's text, safe inside a line comment. */
const commentText = (s: string) => s.replace(/[\r\n]+/g, " ");

/** `key: value,` lines of an object literal, indented. */
function props(entries: readonly Entry[], indent: string): string[] {
  return entries.filter((e): e is readonly [string, string] => e !== undefined).map(([k, v]) => `${indent}${k}: ${v},`);
}

function comments(lines: readonly string[], indent = ""): string[] {
  return lines.map((l) => `${indent}// ${commentText(l)}`);
}

function unexpressedComment(what: string, lines: readonly string[]): string[] {
  if (lines.length === 0) return [];
  return comments([`Not expressed by ${what} (the apply leaves them as they are):`, ...lines.map((l) => `  ${l}`)]);
}

function credentials(auth: AuthConfig): string | undefined {
  const d = DEFAULT_CREDENTIAL_ENV;
  const opts = (pairs: [string, string, string][]) => {
    const set = pairs.filter(([, value, def]) => value !== def).map(([key, value]) => `${key}: ${q(value)}`);
    return set.length === 0 ? "" : `{ ${set.join(", ")} }`;
  };
  switch (auth.method) {
    case "service-account": {
      const o = opts([["idEnv", auth.idEnv, d.serviceAccountId], ["jwkEnv", auth.jwkEnv, d.serviceAccountJwk], ["scopeEnv", auth.scopeEnv ?? d.serviceAccountScope, d.serviceAccountScope]]);
      return o ? `TenantCredentials.serviceAccount(${o})` : undefined;
    }
    case "am-session":
      return `TenantCredentials.amAdmin(${opts([["usernameEnv", auth.usernameEnv, d.amAdminUsername], ["passwordEnv", auth.passwordEnv, d.amAdminPassword]])})`;
    case "bearer":
      return `TenantCredentials.bearerToken(${opts([["tokenEnv", auth.tokenEnv, d.bearerToken]])})`;
  }
}

type Entry = readonly [string, string] | undefined;

/** A client construct: the comment of what it cannot say, then `const x = new C(stack, id, { … adopt: true })`. */
function client(construct: string, a: ExportedWebApp | ExportedAgent, id: string, rest: readonly Entry[]): string[] {
  const p = a.props;
  return [
    ...unexpressedComment(`${construct} ${a.clientId}`, a.unexpressed),
    `const ${a.variable} = new ${construct}(stack, ${q(id)}, {`,
    ...props(
      [
        ["name", q(p.name)],
        ["clientId", q(a.clientId)],
        ["clientSecret", `Secret.fromEnv(${q(a.secretEnv)})`],
        p.description !== undefined ? ["description", q(p.description)] : undefined,
        p.owners.length > 0 ? ["owners", list(p.owners)] : undefined,
        ...rest,
        ["adopt", "true"],
      ],
      "  ",
    ),
    "});",
  ];
}

function webApp(a: ExportedWebApp, id: string): string[] {
  const p = a.props;
  return client("ConfidentialWebApp", a, id, [
    ["scopes", list(p.scopes)],
    p.defaultScopes.length > 0 ? ["defaultScopes", list(p.defaultScopes)] : undefined,
    notDefault(p.grantTypes, WEB_APP_DEFAULTS.grantTypes) ? ["grantTypes", list(p.grantTypes)] : undefined,
    p.tokenEndpointAuthMethod !== WEB_APP_DEFAULTS.tokenEndpointAuthMethod ? ["tokenEndpointAuthMethod", q(p.tokenEndpointAuthMethod)] : undefined,
    p.redirectUris.length > 0 ? ["redirectUris", list(p.redirectUris)] : undefined,
    p.accessTokenLifetime !== 0 ? ["accessTokenLifetime", String(p.accessTokenLifetime)] : undefined,
  ]);
}

function agent(a: ExportedAgent, id: string): string[] {
  const p = a.props;
  const o = p.providerOverrides;
  const overrides = [
    o.enabled ? undefined : "enabled: false",
    o.clientSideTokens ? undefined : "clientSideTokens: false",
    o.acceptAudienceInTokenExchange ? undefined : "acceptAudienceInTokenExchange: false",
  ].filter(Boolean);
  return client("AiAgent", a, id, [
    p.scopes.length > 0 ? ["scopes", list(p.scopes)] : undefined,
    notDefault(p.grantTypes, AGENT_DEFAULTS.grantTypes) ? ["grantTypes", list(p.grantTypes)] : undefined,
    p.tokenEndpointAuthMethod !== AGENT_DEFAULTS.tokenEndpointAuthMethod ? ["tokenEndpointAuthMethod", q(p.tokenEndpointAuthMethod)] : undefined,
    overrides.length > 0 ? ["providerOverrides", `{ ${overrides.join(", ")} }`] : undefined,
  ]);
}

function grant(g: ExportedGrant, constructId: string): string[] {
  return [
    ...unexpressedComment(`AgentApplicationGrant ${g.id}`, g.unexpressed),
    `new AgentApplicationGrant(stack, ${q(constructId)}, {`,
    ...props(
      [
        ["agent", g.agent.variable],
        ["application", g.application.variable],
        g.subjects.length > 0 ? ["subjects", list(g.subjects)] : undefined,
        g.subjectGroups.length > 0 ? ["subjectGroups", list(g.subjectGroups)] : undefined,
        g.scopes.length > 0 ? ["scopes", list(g.scopes)] : undefined,
        g.description !== undefined ? ["description", q(g.description)] : undefined,
        ["adopt", "true"],
      ],
      "  ",
    ),
    "});",
  ];
}

/** The stack id: the realm's name as a construct id. */
export function stackId(realm: string): string {
  return realm.replace(/[^A-Za-z0-9_-]+/g, "-") || "tenant";
}

export function renderExport(model: ExportModel, options: RenderOptions = {}): string {
  const { tenant } = model;
  const creds = credentials(tenant.auth);
  const used = ["Secret", "TenantStack"];
  if (model.providerGrantTypes.length > 0) used.push("OAuth2ProviderGrants");
  if (model.webApps.length > 0) used.push("ConfidentialWebApp");
  if (model.agents.length > 0) used.push("AiAgent");
  if (model.grants.length > 0) used.push("AgentApplicationGrant");
  if (creds) used.push("TenantCredentials");
  if (model.webApps.length + model.agents.length === 0) used.splice(used.indexOf("Secret"), 1);

  const secrets = [...model.webApps.map((a) => [a.secretEnv, `web app ${a.clientId}`]), ...model.agents.map((a) => [a.secretEnv, `AI agent ${a.clientId}`])];
  const width = Math.max(0, ...secrets.map(([env]) => env.length));
  const header = [
    "/**",
    ` * Exported by \`cdktf-aic export\` from ${tenant.baseUrl} (realm ${tenant.realm}) at ${model.exportedAt}.`,
    ` * ${model.webApps.length} web app(s), ${model.agents.length} AI agent(s), ${model.grants.length} grant(s); ${model.skipped.length} object(s) skipped (listed at the end).`,
    " *",
    " * Every construct has `adopt: true`: the first apply takes the existing object over, writing nothing",
    " * where it matches. AM never returns client secrets, so none is exported: the variables below are",
    " * needed to create an object anew (a fresh tenant) or to rotate its secret, not to adopt it.",
    ...secrets.map(([env, what]) => ` *   ${env.padEnd(width)}  ${what}`),
    " */",
  ];
  const tenantLine = `tenant: { baseUrl: process.env.AIC_BASE_URL ?? ${q(tenant.baseUrl)}, realm: ${q(tenant.realm)}${creds ? `, credentials: ${creds}` : ""} },`;
  const body: string[][] = [];
  if (model.providerGrantTypes.length > 0) {
    body.push([
      `new OAuth2ProviderGrants(stack, "provider", { grantTypes: ${list(model.providerGrantTypes)}${model.enableAiAgents ? ", enableAiAgents: true" : ""} });`,
    ]);
  }
  // Construct ids: the client id, unless the stack's own children already use it.
  const ids = new Names(["provider", "Tenant"]);
  for (const a of model.webApps) body.push(webApp(a, ids.take(a.clientId)));
  for (const a of model.agents) body.push(agent(a, ids.take(a.clientId)));
  for (const g of model.grants) body.push(grant(g, ids.take(`grant-${camelName(g.agent.clientId)}-${camelName(g.application.clientId)}`)));
  const skipped =
    model.skipped.length === 0
      ? []
      : [comments(["Skipped (no construct of this library expresses them; manage them elsewhere):", ...model.skipped.map((s) => `  ${s.kind} ${s.id}: ${s.reason}`)])];
  return [
    ...header,
    `import { App } from "cdktf";`,
    `import { ${[...used].sort().join(", ")} } from ${q(options.importFrom ?? "cdktf-aic")};`,
    "",
    "const app = new App();",
    `const stack = new TenantStack(app, ${q(stackId(tenant.realm))}, {`,
    `  ${tenantLine}`,
    "});",
    "",
    ...[...body, ...skipped].flatMap((block) => [...block, ""]),
    "app.synth();",
    "",
  ].join("\n");
}
