/**
 * `cdktf-aic export`: reads a live realm (batched, paged list calls; it never writes) and writes one
 * TypeScript file that synthesizes a `TenantStack` adopting what it found.
 */
import { writeFileSync } from "node:fs";
import { createAdminApi } from "../client/admin-api";
import { isAicApiError } from "../client/errors";
import { CLIENT_ID_PATTERN, DEFAULT_CREDENTIAL_ENV, SERVICE_ACCOUNT_SCOPE } from "../contract/constants";
import type { AuthConfig } from "../contract/spec";
import { normalizeTenant } from "../contract/tenant";
import { exportCounts, exportModel, labelOf, type ExportModel } from "../export/model";
import { listTenant } from "../export/read";
import { renderExport } from "../export/render";
import { CliError } from "../contract/errors";
import { unitOf } from "../kinds";
import { unmanagedObjects } from "../plan/unmanaged";
import { parseOptions } from "./args";
import { err, out } from "./output";

/** The env var with the tenant's base URL, as a stack's code reads it. */
const BASE_URL_ENV = "AIC_BASE_URL";

const HELP = `Usage: cdktf-aic export [options]
Reads the web apps, AI agents, their privileges and May Act scripts of a live realm and writes one
TypeScript file that synthesizes a TenantStack with a construct per object, each with adopt: true,
so that the first apply takes them over (writing nothing where they match). It only reads the
tenant.

  --realm REALM          the realm (default: alpha)
  --client-ids A,B,...   only these apps and agents (and the privileges between them)
  --file FILE            where to write the file (default: stdout)
  --import-from MODULE   the module the constructs come from (default: cdktf-aic)

The tenant is ${BASE_URL_ENV}; credentials come from the env vars a stack uses by default:
${DEFAULT_CREDENTIAL_ENV.serviceAccountId} and ${DEFAULT_CREDENTIAL_ENV.serviceAccountJwk} (service account), else
${DEFAULT_CREDENTIAL_ENV.amAdminUsername} and ${DEFAULT_CREDENTIAL_ENV.amAdminPassword}, else ${DEFAULT_CREDENTIAL_ENV.bearerToken}.
Fields no construct expresses and skipped objects are listed in the file and on stderr.

Exit codes: 0 ok; 1 error, or a client id of --client-ids that the realm does not hold (nothing
is written then).`;

/** The credentials the environment holds, in the order a stack's default would try them. */
function authFromEnv(env: Record<string, string | undefined>): AuthConfig {
  const d = DEFAULT_CREDENTIAL_ENV;
  if (env[d.serviceAccountId] && env[d.serviceAccountJwk]) {
    return { method: "service-account", idEnv: d.serviceAccountId, jwkEnv: d.serviceAccountJwk, scopeEnv: d.serviceAccountScope };
  }
  if (env[d.amAdminUsername] && env[d.amAdminPassword]) return { method: "am-session", usernameEnv: d.amAdminUsername, passwordEnv: d.amAdminPassword };
  if (env[d.bearerToken]) return { method: "bearer", tokenEnv: d.bearerToken };
  throw new CliError(
    `no credentials in the environment: set ${d.serviceAccountId} and ${d.serviceAccountJwk} (a service account with scope ${SERVICE_ACCOUNT_SCOPE}), or ${d.amAdminUsername} and ${d.amAdminPassword}, or ${d.bearerToken}`,
  );
}

function parseClientIds(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const ids = [...new Set(text.split(",").map((s) => s.trim()).filter(Boolean))].sort();
  const bad = ids.filter((id) => !CLIENT_ID_PATTERN.test(id));
  if (ids.length === 0 || bad.length > 0) {
    throw new CliError(`--client-ids ${JSON.stringify(text)} is not a comma-separated list of client ids${bad.length ? ` (${JSON.stringify(bad)} do not match ${CLIENT_ID_PATTERN})` : ""}: pass e.g. --client-ids my-app,my-agent`);
  }
  return ids;
}

/** The stderr summary: what was exported, per object what no construct expresses, what was skipped. */
function exportSummary(model: ExportModel, calls: number, ms: number): string[] {
  const lines = [
    `[export] read ${model.tenant.baseUrl} (realm ${model.tenant.realm}) in ${calls} admin calls, ${(ms / 1000).toFixed(1)} s: ` +
      `${exportCounts(model)} exported, ${model.skipped.length} skipped`,
  ];
  for (const o of model.objects.filter((o) => o.unexpressed.length > 0)) {
    lines.push(`[export] ${labelOf(o)} ${o.id}: not expressed (left as in the tenant): ${o.unexpressed.join("; ")}`);
  }
  for (const s of model.skipped) lines.push(`[export] skipped ${s.kind} ${s.id}: ${s.reason}`);
  return lines;
}

export async function exportCommand(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const values = parseOptions("export", argv, {
    help: { type: "boolean", short: "h" },
    realm: { type: "string" },
    "client-ids": { type: "string" },
    file: { type: "string" },
    out: { type: "string" },
    "import-from": { type: "string" },
  });
  if (values.help) {
    out(HELP);
    return 0;
  }
  if (values.out !== undefined) {
    throw new CliError(`--out names the synth output folder in every command; export writes its file with --file ${values.out} (or to stdout)`);
  }
  const given = env[BASE_URL_ENV];
  if (!given || !/^https?:\/\/[^/]/.test(given)) {
    throw new CliError(`${BASE_URL_ENV} is ${given ? JSON.stringify(given) : "not set"}: it must hold the tenant's http(s) base URL, without /am (e.g. https://tenant.example.com)`);
  }
  // The spelling a stack's identities use (host case, default port, slash, localhost, "/alpha").
  const { baseUrl, realm } = normalizeTenant({ baseUrl: given, realm: values.realm ?? "alpha" });
  const clientIds = parseClientIds(values["client-ids"]);
  const auth = authFromEnv(env);
  let calls = 0;
  const started = Date.now();
  const api = createAdminApi({ baseUrl, realm, auth, env, onRequest: () => calls++ });
  let model: ExportModel;
  try {
    const listing = await listTenant(api, { clientIds, full: true });
    model = exportModel({ tenant: { baseUrl, realm, auth }, listing, exportedAt: new Date(started).toISOString().replace(/\.\d+Z$/, "Z"), clientIds });
    // Realm-wide objects are named by no client id.
    const seen = new Set([...model.objects.filter((o) => !unitOf(o.kind).realmWide).map((o) => o.id), ...model.skipped.map((s) => s.id)]);
    const missing = (clientIds ?? []).filter((id) => !seen.has(id));
    if (missing.length > 0) throw new CliError(`--client-ids ${missing.join(", ")}: no such web app or AI agent in ${baseUrl} realm ${realm}; ${await clientIdsThere(api, { baseUrl, realm, auth })} (check the ids, or the realm with --realm)`);
  } catch (e) {
    if (!isAicApiError(e)) throw e;
    throw new CliError(`cannot read tenant ${baseUrl} (realm ${realm}): ${e.message}`);
  } finally {
    await api.close();
  }
  const text = renderExport(model, { importFrom: values["import-from"] });
  if (values.file) writeFileSync(values.file, text);
  else process.stdout.write(text);
  for (const line of exportSummary(model, calls, Date.now() - started)) err(line);
  if (values.file) err(`[export] wrote ${values.file}: review it, then synth and run cdktf-aic plan (it should show no change)`);
  return 0;
}

/** The web apps and AI agents a realm holds (the platform's own clients aside), for an error that names what exists. */
async function clientIdsThere(api: Parameters<typeof listTenant>[0], tenant: Parameters<typeof unmanagedObjects>[0]): Promise<string> {
  const { objects } = unmanagedObjects(tenant, await listTenant(api, { full: false }), new Set());
  const ids = objects.filter((o) => o.kind !== "agent-grant").map((o) => `${unitOf(o.kind).export?.label ?? o.kind}s: ${o.ids.join(", ")}`);
  return ids.length > 0 ? `the realm holds ${ids.join("; ")}` : "the realm holds no web app or AI agent";
}
