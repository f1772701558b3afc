/**
 * The provisioner commands: sync (the tenant's journal) and reconcile (restoreDrift). Everything
 * comes from the environment (the journals, credentials, secrets) and the stack's folder (the
 * specs in cdk.tf.json); argv carries only `--help`. One line per object goes to stderr; a secret
 * never does.
 */
import { createAdminApi, type AdminClient } from "../client/admin-api";
import { existsSync, readFileSync } from "node:fs";
import { COMMANDS, PROVISIONER_ENV } from "../contract/constants";
import { journalKey, parseJournal, type Journal } from "../contract/journal";
import { DELETE_ORDER, identityKey, tenantKey, TenantRef, type Spec } from "../contract/spec";
import { applySpec } from "../engine/apply";
import { formatResult, type ObjectResult } from "../engine/result";
import { syncTenant } from "../engine/sync";
import { secretProof } from "../engine/ownership";
import { createOAuth2Api } from "../client/oauth2-api";
import { CliError, err, out, paint, type Colour } from "./output";
import { siblingStacks, withDeclaringStack } from "../plan/declared-by";

const HELP: Record<string, string> = {
  [COMMANDS.sync]: `Usage: cdktf-aic sync
Run by the provisioners of a tenant's Journal and Origin resources, in the stack's Terraform folder.
Applies the change from the journal in ${PROVISIONER_ENV.previous} (what was applied last; unset on a
stack's first apply) to the journal in ${PROVISIONER_ENV.desired} (what code wants), reading the specs
of changed objects from cdk.tf.json. Every precondition is checked before the first write; new
objects are created before removed ones are deleted; a failed run undoes what it created and exits
1, so Terraform keeps the old journal and the next apply does the work again. Credentials come from
the env vars the journal's tenant.auth names, client secrets from the env vars the specs name.`,
  [COMMANDS.reconcile]: `Usage: cdktf-aic reconcile
Run in the stack's Terraform folder on every apply when the tenant has restoreDrift on: re-applies
each object of the tenant in ${PROVISIONER_ENV.tenant} whose live state differs from the stack's
code (cdk.tf.json), dependencies first. Reads with batched list calls; writes only what differs;
writes a client secret only to create.`,
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
  adopted: "yellow",
  deleted: "red",
  unchanged: "dim",
  absent: "dim",
  failed: "red",
};

function report(r: ObjectResult): void {
  err(paint(process.stderr, COLOUR[r.action], formatResult(r)));
}

/** The specs of the stack in the working directory (cdk.tf.json), by journal key, for one tenant. */
async function specsInFolder(tenant: TenantRef): Promise<Map<string, Spec>> {
  const file = "cdk.tf.json";
  if (!existsSync(file)) throw new CliError(`no ${file} in ${process.cwd()}: sync runs in the stack's Terraform folder (synthesize with cdktf synth)`);
  const { readSynthesized } = await import("../plan/stack");
  const { objects } = readSynthesized(JSON.parse(readFileSync(file, "utf8")));
  const specs = new Map<string, Spec>();
  for (const o of objects.values()) {
    if (o.spec && tenantKey(o.spec.tenant) === tenantKey(tenant)) specs.set(journalKey(o.spec), o.spec);
  }
  return specs;
}

function journalFrom(name: string): Journal | undefined {
  const text = process.env[name];
  if (!text) return undefined;
  try {
    return parseJournal(name, text);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** What a failed sync really did, from its results: written, deleted, rolled back, kept. */
function failureSummary(results: readonly ObjectResult[], deleting: boolean): string {
  const rolledBack = results.filter((r) => r.action === "deleted" && r.notes.some((n) => n.startsWith("rolled back"))).length;
  const deleted = results.filter((r) => r.action === "deleted").length - rolledBack;
  const count = (action: ObjectResult["action"]) => results.filter((r) => r.action === action).length;
  const parts = [
    count("created") > 0 ? `${count("created")} created${deleting ? " (kept: the next apply recognizes them)" : rolledBack > 0 ? ` (${rolledBack} removed again)` : ""}` : "",
    count("updated") + count("adopted") > 0 ? `${count("updated") + count("adopted")} updated (the updates stay)` : "",
    deleted > 0 ? `${deleted} deleted for a removal or a rename` : "no object was deleted for a removal or a rename",
  ].filter(Boolean);
  const wrote = results.some((r) => ["created", "updated", "adopted", "deleted"].includes(r.action));
  return wrote ? parts.join(", ") : "nothing was written";
}

/**
 * Applies a tenant's change from the journal applied last to the journal of code (see HELP).
 * Exits 1 when any object failed, so that Terraform keeps the old journal.
 */
export async function syncCommand(argv: string[]): Promise<number> {
  if (!checkArgs(COMMANDS.sync, argv)) return 0;
  const desired = journalFrom(PROVISIONER_ENV.desired);
  if (!desired) throw new CliError(`${PROVISIONER_ENV.desired} is not set: the provisioner passes the journal of code in it`);
  const previous = journalFrom(PROVISIONER_ENV.previous);
  const specs = Object.keys(desired.objects).length > 0 ? await specsInFolder(desired.tenant) : new Map<string, Spec>();
  // Terraform gone (killed, say): its state will not record this run, so undo what it created.
  const parent = process.ppid;
  let signalled = false;
  const onSignal = () => (signalled = true);
  process.once("SIGINT", onSignal).once("SIGTERM", onSignal);
  const oauth2 = createOAuth2Api({ baseUrl: desired.tenant.baseUrl, realm: desired.tenant.realm });
  // A grant refused for an agent or app another stack declares names that stack.
  const siblings = siblingStacks(process.cwd());
  const withStack = (r: ObjectResult): ObjectResult =>
    r.kind === "agent-grant" && r.action === "failed" ? { ...r, notes: r.notes.map((n) => withDeclaringStack(n, desired.tenant, r.id, siblings.self, siblings.stacks)) } : r;
  const outcome = await withClients((c) =>
    syncTenant((t) => c.for(t), { previous, desired, specs }, {
      onResult: (r) => report(withStack(r)),
      aborted: () => signalled || process.ppid !== parent,
      proveSecret: secretProof(oauth2),
    }),
  ).finally(() => oauth2.close());
  if (outcome.nothingToDo) {
    err(paint(process.stderr, "dim", `= ${desired.tenant.baseUrl} (realm ${desired.tenant.realm}): ${Object.keys(desired.objects).length} objects as applied, nothing to do`));
    return 0;
  }
  if (outcome.aborted) {
    err(
      outcome.deleting
        ? `stopped: Terraform is gone or was interrupted while removals ran; what this run created stays, and the next apply recognizes it and finishes the removals`
        : `stopped: Terraform is gone or was interrupted; what this run created was undone, and the next apply does the work again`,
    );
  }
  if (outcome.failed > 0) {
    err(`${outcome.failed} object${outcome.failed === 1 ? "" : "s"} failed; ${failureSummary(outcome.results, outcome.deleting)}; Terraform keeps the previous journal so that the next apply does the work again`);
    return 1;
  }
  return outcome.aborted ? 1 : 0;
}

/**
 * Re-applies every object whose live state differs from the stack's code, so that changes made
 * outside code (drift) are overwritten: on every apply when the tenant has `restoreDrift` (for the
 * tenant in CDKTF_AIC_TENANT), or by hand in the stack's folder (every tenant of the stack). Reads
 * the specs from `cdk.tf.json` there and the tenant with the plan's batched list calls; writes only
 * what differs, and writes a secret only when creating.
 */
export async function reconcileCommand(argv: string[]): Promise<number> {
  if (!checkArgs(COMMANDS.reconcile, argv)) return 0;
  const only = process.env[PROVISIONER_ENV.tenant];
  const tenant = only ? TenantRef.parse(parseJson(PROVISIONER_ENV.tenant, only)) : undefined;
  const [{ readSynthesized }, { batchRequests, planStack }, { readSnapshot }] = await Promise.all([
    import("../plan/stack"),
    import("../plan/diff"),
    import("../engine/batch"),
  ]);
  const file = "cdk.tf.json";
  if (!existsSync(file)) throw new CliError(`no ${file} in ${process.cwd()}: reconcile runs in the stack's Terraform folder`);
  const all = readSynthesized(JSON.parse(readFileSync(file, "utf8")));
  const objects = new Map([...all.objects].filter(([, o]) => o.spec && (!tenant || tenantKey(o.identity.tenant) === tenantKey(tenant))));
  const code = { objects, inventory: [], journals: [] };
  return withClients(async (c) => {
    for (const [key, { tenant: t, request }] of batchRequests({ code })) {
      const api = c.for(t);
      const snapshots = new Map([[key, await readSnapshot(api, request)]]);
      const differing = planStack({ code }, snapshots).filter((o) => o.action === "create" || o.action === "update");
      for (const kind of [...DELETE_ORDER].reverse()) {
        for (const planned of differing.filter((o) => o.kind === kind)) {
          const spec = [...objects.values()].find((o) => o.identity.kind === kind && o.identity.id === planned.id && tenantKey(o.identity.tenant) === key)!.spec!;
          report(await applySpec(api, spec, { secrets: "on-create" }));
        }
      }
      if (differing.length === 0) err(paint(process.stderr, "dim", `= reconcile: ${t.baseUrl} (realm ${t.realm}) as in code`));
    }
    return 0;
  });
}
