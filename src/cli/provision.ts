/**
 * The provisioner commands: apply, delete, prune, reconcile. Everything comes from the
 * environment (the spec, the identities, credentials, secrets); argv carries only `--help`.
 * One line per object goes to stderr; a secret never does.
 */
import { createAdminApi, type AdminClient } from "../client/admin-api";
import { existsSync, readFileSync } from "node:fs";
import { COMMANDS, PROVISIONER_ENV } from "../contract/constants";
import {
  DELETE_ORDER,
  Identity,
  identityKey,
  InventoryList,
  inventoryIdentities,
  parseSpec,
  TenantRef,
} from "../contract/spec";
import { applySpec, deleteIdentity, prune } from "../engine/apply";
import { realmNotFound } from "../engine/errors";
import { formatResult, type ObjectResult } from "../engine/result";
import { CliError, err, out, paint, type Colour } from "./output";

const HELP: Record<string, string> = {
  [COMMANDS.apply]: `Usage: cdktf-aic apply
Creates or updates, in place, the object described by the spec JSON in ${PROVISIONER_ENV.spec}.
Only owned fields are compared and written; a write happens only when one differs, or when
there is a client secret to write. The tenant's credentials are read from the env vars the
spec's tenant.auth names; the client secret from the env var named in spec.secret.env: required
to create, and written on an update whenever it is set (bump spec.secret.version to rotate).`,
  [COMMANDS.reconcile]: `Usage: cdktf-aic reconcile
Run in the stack's Terraform folder on every apply when the tenant has restoreDrift on: re-applies
each object of the tenant in ${PROVISIONER_ENV.tenant} whose live state differs from the stack's
code (cdk.tf.json), dependencies first. Reads with batched list calls; writes only what differs;
writes a client secret only to create.`,
  [COMMANDS.delete]: `Usage: cdktf-aic delete
Deletes the object named by the identity JSON in ${PROVISIONER_ENV.identity}; an object already
gone is fine. Provider grant types are taken off only with removal policy "destroy".`,
  [COMMANDS.prune]: `Usage: cdktf-aic prune
Deletes the identities listed in ${PROVISIONER_ENV.previous} that ${PROVISIONER_ENV.keep} no longer lists
(both a tenant's inventory {"tenant": {...}, "objects": [{kind, id}, ...]}, or JSON arrays of
identities), dependents first.`,
};

/** Handles `--help`; rejects any other argument, since provisioners pass nothing through argv. */
function checkArgs(command: string, argv: string[]): boolean {
  if (argv.includes("--help") || argv.includes("-h")) {
    out(HELP[command]);
    return false;
  }
  if (argv.length > 0) {
    throw new CliError(`takes no arguments (got "${argv[0]}"); input comes from the environment, see cdktf-aic ${command} --help`);
  }
  return true;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new CliError(`${name} is not set: the provisioner passes the object's JSON in it`);
  return value;
}

function parseJson(name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`${name} is not valid JSON (${(e as Error).message})`);
  }
}

function parseIdentity(name: string, value: unknown): Identity {
  const raw = typeof value === "string" ? parseJson(name, value) : value;
  const result = Identity.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new CliError(`${name} is not a valid identity at ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return result.data;
}

/** A JSON array of identities (objects, or identity JSON strings as Terraform may hand them). */
function parseIdentities(name: string): Identity[] {
  const value = parseJson(name, requiredEnv(name));
  if (Array.isArray(value)) return value.map((item, i) => parseIdentity(`${name}[${i}]`, item));
  const inventory = InventoryList.safeParse(value);
  if (!inventory.success) {
    const issue = inventory.error.issues[0];
    throw new CliError(`${name} is not an inventory at ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return inventoryIdentities(inventory.data);
}

/** One admin client per tenant, closed when the command ends. */
class Clients {
  private readonly clients = new Map<string, AdminClient>();

  for(tenant: TenantRef): AdminClient {
    const key = identityKey({ kind: "web-app", tenant, id: "" }) + JSON.stringify(tenant.auth);
    let client = this.clients.get(key);
    if (!client) {
      // CDKTF_AIC_DEBUG=1 makes the transport log each call (once).
      client = createAdminApi({ baseUrl: tenant.baseUrl, realm: tenant.realm, auth: tenant.auth });
      this.clients.set(key, client);
    }
    return client;
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close()));
  }
}

async function withClients<T>(run: (clients: Clients) => Promise<T>): Promise<T> {
  const clients = new Clients();
  try {
    return await run(clients);
  } finally {
    await clients.close();
  }
}

const COLOUR: Record<ObjectResult["action"], Colour> = {
  created: "green",
  updated: "yellow",
  deleted: "red",
  unchanged: "dim",
  absent: "dim",
};

function report(r: ObjectResult): void {
  err(paint(process.stderr, COLOUR[r.action], formatResult(r)));
}

export async function applyCommand(argv: string[]): Promise<number> {
  if (!checkArgs(COMMANDS.apply, argv)) return 0;
  const spec = parseSpec(requiredEnv(PROVISIONER_ENV.spec));
  report(
    await withClients(async (c) => {
      const api = c.for(spec.tenant);
      if (!(await api.realmExists())) throw realmNotFound(spec.tenant.realm, spec.tenant.baseUrl);
      return applySpec(api, spec);
    }),
  );
  return 0;
}

export async function deleteCommand(argv: string[]): Promise<number> {
  if (!checkArgs(COMMANDS.delete, argv)) return 0;
  const identity = parseIdentity(PROVISIONER_ENV.identity, requiredEnv(PROVISIONER_ENV.identity));
  report(await withClients((c) => deleteIdentity(c.for(identity.tenant), identity)));
  return 0;
}

/**
 * Re-applies every object of one tenant whose live state differs from the stack's code, so that
 * changes made outside code (drift) are overwritten. Runs on every apply (see
 * `AicTenantProps.restoreDrift`) in the stack's folder, reading the specs from `cdk.tf.json`
 * there and the tenant with the plan's batched list calls; writes only what differs, and writes
 * a secret only when creating (the object's own apply writes it when its spec changes).
 */
export async function reconcileCommand(argv: string[]): Promise<number> {
  if (!checkArgs(COMMANDS.reconcile, argv)) return 0;
  const tenant = TenantRef.parse(parseJson(PROVISIONER_ENV.tenant, requiredEnv(PROVISIONER_ENV.tenant)));
  const [{ readSynthesized }, { batchRequests, planStack, tenantKey }, { readSnapshot }] = await Promise.all([
    import("../plan/stack"),
    import("../plan/diff"),
    import("../engine/batch"),
  ]);
  const file = "cdk.tf.json";
  if (!existsSync(file)) throw new CliError(`no ${file} in ${process.cwd()}: reconcile runs in the stack's Terraform folder`);
  const all = readSynthesized(JSON.parse(readFileSync(file, "utf8")));
  const objects = new Map([...all.objects].filter(([, o]) => o.spec && tenantKey(o.identity.tenant) === tenantKey(tenant)));
  const code = { objects, inventory: [] };
  return withClients(async (c) => {
    const api = c.for(tenant);
    const request = batchRequests({ code }).get(tenantKey(tenant));
    const snapshots = request ? new Map([[tenantKey(tenant), await readSnapshot(api, request.request)]]) : new Map();
    const differing = planStack({ code }, snapshots).filter((o) => o.action === "create" || o.action === "update");
    for (const kind of [...DELETE_ORDER].reverse()) {
      for (const planned of differing.filter((o) => o.kind === kind)) {
        const spec = [...objects.values()].find((o) => o.identity.kind === kind && o.identity.id === planned.id)!.spec!;
        report(await applySpec(api, spec, { secrets: "on-create" }));
      }
    }
    if (differing.length === 0) err(paint(process.stderr, "dim", `= reconcile: ${objects.size} objects as in code`));
    return 0;
  });
}

export async function pruneCommand(argv: string[]): Promise<number> {
  if (!checkArgs(COMMANDS.prune, argv)) return 0;
  const previous = parseIdentities(PROVISIONER_ENV.previous);
  const keep = parseIdentities(PROVISIONER_ENV.keep);
  const results = await withClients((c) => prune((t) => c.for(t), previous, keep, report));
  if (results.length === 0) err(paint(process.stderr, "dim", "= prune: nothing to delete"));
  return 0;
}
