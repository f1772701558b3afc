/**
 * The export model as one TypeScript file: a `TenantStack` with the realm's provider grants, a
 * construct per exported object (`adopt: true` on each), secrets by derived variable names, and
 * comments for what no construct can say and what was skipped. Pure and deterministic: the same
 * model always renders to the same text.
 */
import { DEFAULT_CREDENTIAL_ENV } from "../contract/constants";
import type { AuthConfig } from "../contract/spec";
import { unitOf } from "../kinds";
import { exportCounts, labelOf, type ExportModel } from "./model";
import { Names, q } from "./source";

export interface RenderOptions {
  /** The module the constructs are imported from. @default "cdktf-aic" */
  readonly importFrom?: string;
}

/** A comment line's text, safe inside a line comment. */
const commentText = (s: string) => s.replace(/[\r\n]+/g, " ");

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

/** The stack id: the realm's name as a construct id. */
export function stackId(realm: string): string {
  return realm.replace(/[^A-Za-z0-9_-]+/g, "-") || "tenant";
}

export function renderExport(model: ExportModel, options: RenderOptions = {}): string {
  const { tenant } = model;
  const creds = credentials(tenant.auth);
  const secrets = model.objects.flatMap((o) => (o.secretEnv ? [[o.secretEnv, `${labelOf(o)} ${o.id}`] as const] : []));
  const used = new Set(["TenantStack", ...model.objects.flatMap((o) => ((e) => [e.construct, ...(e.imports?.(o) ?? []), ...(o.imports ?? [])])(unitOf(o.kind).export!))]);
  if (secrets.length > 0) used.add("Secret");
  if (creds) used.add("TenantCredentials");

  const width = Math.max(0, ...secrets.map(([env]) => env.length));
  const header = [
    "/**",
    ` * Exported by \`cdktf-aic export\` from ${tenant.baseUrl} (realm ${tenant.realm}) at ${model.exportedAt}.`,
    ` * ${exportCounts(model)}; ${model.skipped.length} object(s) skipped (listed at the end).`,
    " *",
    " * Every construct has `adopt: true`: the first apply takes the existing object over, writing nothing",
    " * where it matches. AM never returns client secrets, so none is exported: the variables below are",
    " * needed to create an object anew (a fresh tenant) or to rotate its secret, not to adopt it.",
    ...secrets.map(([env, what]) => ` *   ${env.padEnd(width)}  ${what}`),
    " */",
  ];
  const tenantLine = `tenant: { baseUrl: process.env.AIC_BASE_URL ?? ${q(tenant.baseUrl)}, realm: ${q(tenant.realm)}${creds ? `, credentials: ${creds}` : ""} },`;
  // Construct ids: each object's own, suffixed where an earlier one or the stack's own child took it.
  const ids = new Names(["Tenant"]);
  const body = model.objects.map((o) => {
    const kind = unitOf(o.kind).export!;
    return [...unexpressedComment(`${kind.construct} ${o.id}`, o.unexpressed), ...kind.render(o, ids.take(o.constructId))];
  });
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
