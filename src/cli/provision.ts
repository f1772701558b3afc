/**
 * The provisioner commands: sync (the tenant's journal) and reconcile (restoreDrift). Everything
 * comes from the environment (the journals, credentials, secrets) and the stack's folder (the
 * specs in cdk.tf.json); argv carries only `--help`. One line per object goes to stderr; a secret
 * never does.
 */
import { createAdminApi, type AdminClient } from "../client/admin-api";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { COMMANDS, PROVISIONER_ENV } from "../contract/constants";
import { MAX_JOURNAL_PARTS, destroyedMarker, journalKey, parseJournal, partName, specHash, syncedMarker, type Journal } from "../contract/journal";
import { identityKey, tenantKey, TenantRef, type Spec } from "../contract/spec";
import { APPLY_ORDER, applySpec, unitOf } from "../kinds";
import { formatResult, type ObjectResult } from "../engine/result";
import { syncTenant, type ResourcesInState } from "../engine/sync";
import { EngineError } from "../engine/errors";
import { secretProof } from "../engine/ownership";
import { createOAuth2Api } from "../client/oauth2-api";
import { redact } from "../client/errors";
import { CliError } from "../contract/errors";
import { err, out, outputClosed, paint, type Colour } from "./output";
import { terraformPid, terraformProcess, type TerraformRun } from "./terraform-run";
import { grantDeclarer, siblingStacks, withDeclaringStack } from "../plan/declared-by";

const HELP: Record<string, string> = {
  [COMMANDS.sync]: `Usage: cdktf-aic sync
Run by the provisioners of a tenant's Journal and Origin resources, in the stack's Terraform folder.
Applies the change from the journal in ${PROVISIONER_ENV.previous} (what was applied last; unset on a
stack's first apply or when the journal was lost: then it converges on code) to the journal in
${PROVISIONER_ENV.desired} (what code wants), reading the specs of changed objects from cdk.tf.json.
A large journal comes in parts (${partName(PROVISIONER_ENV.desired, 1)} …). Under terraform destroy it
deletes exactly what ${PROVISIONER_ENV.previous} lists; under -target it refuses. Every precondition is
checked before the first write; new objects are created before removed ones are deleted; a failed
run undoes what it created and exits 1, so Terraform keeps the old journal and the next apply does
the work again. Credentials come from the env vars the journal's tenant.auth names, client secrets
from the env vars the specs name. A failure before the first deletion undoes what the run created;
once deletions started, what it created stays and the next apply recognizes it. An object code no
longer declares is forgotten (left in the tenant, no longer managed) instead of deleted when its
construct had removalPolicy "retain", or when its resource is not in Terraform's state (terraform
state rm; read with the running Terraform's state pull) or a removed block drops it.

Exit codes: 0 applied (or nothing to do); 1 error or an object failed (Terraform keeps the previous
journal).`,
  [COMMANDS.reconcile]: `Usage: cdktf-aic reconcile
Re-applies each object whose live state differs from the stack's code (cdk.tf.json), dependencies
first: it overwrites drift, the changes made in the tenant outside code that cdktf-aic plan shows.
Reads with batched list calls; writes only what differs; writes a client secret only to create.

By hand, after cdktf-aic plan showed drift: synthesize, then run it in the stack's folder with the
credentials the stack's tenant names in the environment (as for terraform apply):
  npx cdktf synth && cd cdktf.out/stacks/<stack> && npx cdktf-aic reconcile [--state FILE]
It then covers every tenant of the stack, and only objects the last apply recorded, as recorded: it
reads the applied journal from the stack's local state file (or FILE, from terraform state pull) and
skips, naming them, objects whose code changed since (terraform apply writes those) or that were
never applied. Without a state it refuses. With restoreDrift on, every apply runs it for the tenant
in ${PROVISIONER_ENV.tenant}.

Exit codes: 0 the tenant is as in code (or was made so); 1 error.`,
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
  forgotten: "yellow",
  failed: "red",
};

function report(r: ObjectResult): void {
  err(paint(process.stderr, COLOUR[r.action], formatResult(r)));
}

/** The stack in the working directory (cdk.tf.json): its specs by journal key for one tenant, and its `removed` blocks. */
async function stackInFolder(tenant: TenantRef): Promise<{ specs: Map<string, Spec>; forgets: readonly string[] }> {
  const file = "cdk.tf.json";
  if (!existsSync(file)) throw new CliError(`no ${file} in ${process.cwd()}: sync runs in the stack's Terraform folder (synthesize with cdktf synth)`);
  const { readSynthesized } = await import("../plan/stack");
  const { objects, forgets } = readSynthesized(JSON.parse(readFileSync(file, "utf8")));
  const specs = new Map<string, Spec>();
  for (const o of objects.values()) {
    if (o.spec && tenantKey(o.spec.tenant) === tenantKey(tenant)) specs.set(journalKey(o.spec), o.spec);
  }
  return { specs, forgets: forgets ?? [] };
}

/**
 * What Terraform's state says of the objects' resources (`ResourcesInState`), read with the
 * running Terraform's own binary (`terraform state pull`, which takes no lock), only when code
 * dropped an object that is not `removalPolicy: "retain"`: whether its resource is still there
 * decides between deleting and forgetting it. Undefined when it cannot be read (not Linux, run by
 * hand): then removed objects are deleted, as before the state could be read.
 */
async function resourcesOfState(run: TerraformRun | undefined, tenant: TenantRef, forgets: readonly string[]): Promise<ResourcesInState | undefined> {
  if (!run) return undefined;
  const { readState, resourcesInState } = await import("../plan/stack");
  try {
    const exe = readlinkSync(`/proc/${run.pid}/exe`);
    // TF_CLI_ARGS would pass apply's flags to state pull, which takes none.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TF_CLI_ARGS")));
    const text = execFileSync(exe, ["state", "pull"], { env: { ...env, CHECKPOINT_DISABLE: "1" }, encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
    return resourcesInState({ forgets }, readState(JSON.parse(text), "terraform state pull"), tenantKey(tenant));
  } catch (e) {
    const why = (e as { stderr?: string }).stderr?.trim().split("\n").pop() || (e as Error).message;
    err(`cannot read Terraform's state (${redact(why)}): objects no longer in code are deleted, since a resource removed from the state cannot be told apart`);
    return undefined;
  }
}

/** The journal in the variables `name`, `name_1` … (undefined when `name` is unset). */
function journalFrom(name: string): Journal | undefined {
  if (!process.env[name]) return undefined;
  try {
    return parseJournal(name, Array.from({ length: MAX_JOURNAL_PARTS }, (_, i) => process.env[partName(name, i)] || undefined));
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

const emptyJournal = (journal: Journal): Journal => ({ tenant: journal.tenant, objects: {} });

/**
 * What this run of the sync is to do, from its variables and Terraform's verb: the journals to
 * sync between, and the marker file to leave when it succeeds. Throws when the verb forbids it.
 */
function syncInput(run: TerraformRun | undefined): { previous: Journal | undefined; desired: Journal; marker?: string } {
  const targets = run?.targets ?? [];
  if (targets.length > 0 && run!.mode === "destroy") {
    throw new CliError(
      `terraform destroy -target=${targets.join(",")}: destroy -target cannot remove one object: its client would stay in the tenant while the journal still lists it; nothing was deleted. ` +
        `To remove an object, delete its construct and run terraform apply; to remove the whole stack, run terraform destroy without -target`,
    );
  }
  if (targets.length > 0) {
    throw new CliError(
      `terraform ${run!.mode === "destroy" ? "destroy" : "apply"} -target=${targets.join(",")}: the tenant's journal applies every change of the stack at once, ` +
        `so it cannot act on the targeted objects alone (and would record the others as applied); nothing was written. ` +
        `Run it without -target; to remove one object, delete its construct and apply`,
    );
  }
  const teardown = journalFrom(PROVISIONER_ENV.teardown);
  if (teardown) {
    // The Origin's destroy: under terraform destroy the Journal's sync deleted everything (its
    // marker skips this run), so reaching here means the Journal's destroy provisioner never ran.
    if (run?.mode === "destroy") {
      throw new CliError(
        `terraform destroy: the tenant's Journal was not synced by this destroy (it was tainted or removed from the state), so what was applied is not known and nothing was deleted. ` +
          `Run terraform apply (it converges on code and records the journal again), then terraform destroy`,
      );
    }
    if (run?.mode === "apply") throw new CliError(`the tenant's Origin is destroyed by terraform apply (-replace?): that would delete every object the stack manages; nothing was deleted`);
    return { previous: teardown, desired: emptyJournal(teardown) };
  }
  const desired = journalFrom(PROVISIONER_ENV.desired);
  if (!desired) throw new CliError(`${PROVISIONER_ENV.desired} is not set: the provisioner passes the journal of code in it`);
  const previous = journalFrom(PROVISIONER_ENV.previous);
  if (run?.mode === "destroy" && previous) {
    // terraform destroy deletes what the state says was applied, and never creates or adopts.
    err(`terraform destroy: deleting the ${Object.keys(previous.objects).length} objects the state says were applied; nothing of code is applied`);
    return { previous, desired: emptyJournal(previous), marker: destroyedMarker(previous.tenant, run.pid) };
  }
  if (!previous) return { previous, desired };
  // Without Terraform's pid (Windows) no marker: the create provisioner then runs the sync again.
  const pid = run?.pid ?? terraformPid();
  return { previous, desired, marker: pid === undefined ? undefined : syncedMarker(desired, pid) };
}

/** A process's state, parent and start time from /proc (Linux); undefined once it is gone, or without /proc. */
function procStat(pid: number): { state: string; ppid: number; started: string } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name, in parentheses, may hold spaces and parentheses: the fields follow the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0], ppid: Number(fields[1]), started: fields[19] };
}

/**
 * Why the sync must stop and undo what it created, or undefined while it may go on. Terraform runs
 * the sync through `/bin/sh -c` (process.ppid), so Terraform itself is the shell's parent: it is
 * gone once it exited, was killed, or the shell was (Terraform kills the shell to stop a
 * provisioner on Ctrl-C); a closed output means the same. SIGINT, SIGTERM and SIGHUP (Ctrl-C to
 * the process group, a cancelled CI job, a closed terminal) stop it once; repeats are ignored, so
 * that the rollback finishes. Only a SIGKILL of the sync itself cannot be handled here.
 */
function stopWatch(): () => string | undefined {
  let interrupted: string | undefined;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => (interrupted ??= `interrupted by ${signal}`));
  const shell = process.ppid;
  const terraform = procStat(shell)?.ppid;
  const started = terraform === undefined ? undefined : procStat(terraform)?.started;
  const gone = (): string | undefined => {
    if (process.ppid !== shell) return "its shell is gone: Terraform stopped the provisioner or was killed";
    const now = terraform === undefined ? undefined : procStat(terraform);
    // Without /proc only the shell is watched.
    if (terraform !== undefined && (now === undefined || now.started !== started || now.state === "Z" || now.state === "X")) return "Terraform is gone";
    return outputClosed() ? "its output is closed: Terraform is gone" : undefined;
  };
  return () => interrupted ?? gone();
}

/** How long a sync waits for an earlier one of the same tenant and folder (see `holdSyncLock`). */
const SYNC_LOCK_WAIT_MS = 10 * 60_000;

/**
 * Makes the sync the only one of its tenant in this stack folder, waiting for an earlier one: a sync
 * whose Terraform was stopped or killed goes on rolling back alone, and the next apply's sync must
 * not read the tenant before it is done (it would take objects about to be removed for applied).
 * The lock file names its holder by pid and start time, so a holder that is gone (even by SIGKILL)
 * holds nothing. Returns the release.
 */
async function holdSyncLock(tenant: TenantRef, stop: () => string | undefined): Promise<() => void> {
  const file = `.cdktf-aic-sync-${createHash("sha256").update(tenantKey(tenant)).digest("hex").slice(0, 16)}.lock`;
  const mine = `${process.pid} ${procStat(process.pid)?.started ?? ""}`;
  const until = Date.now() + SYNC_LOCK_WAIT_MS;
  let told = false;
  for (;;) {
    try {
      writeFileSync(file, mine, { flag: "wx" });
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let held: string;
    try {
      held = readFileSync(file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") continue; // released meanwhile
      throw e;
    }
    const [pid, started] = held.split(" ");
    const holder = procStat(Number(pid));
    // An empty file is being written by its holder.
    if (held !== "" && (!holder || holder.started !== started || holder.state === "Z")) {
      rmSync(file, { force: true });
      continue;
    }
    const stopped = stop();
    if (stopped) throw new CliError(`stopped (${stopped}) while waiting for an earlier sync of this stack; nothing was written`);
    if (Date.now() > until) throw new CliError(`an earlier sync of this stack (pid ${pid}) still runs after ${SYNC_LOCK_WAIT_MS / 60_000} minutes: let it finish or stop it, then apply again`);
    if (!told) err(`waiting for an earlier sync of this stack (pid ${pid}), left running by an interrupted apply, to finish`);
    told = true;
    await sleep(200);
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
  const stop = stopWatch();
  const run = terraformProcess();
  const { previous, desired, marker } = syncInput(run);
  const { specs, forgets } = Object.keys(desired.objects).length > 0 || existsSync("cdk.tf.json") ? await stackInFolder(desired.tenant) : { specs: new Map<string, Spec>(), forgets: [] };
  // Objects code dropped: forgotten rather than deleted when their resource left the state without a destroy.
  const dropped = Object.entries(previous?.objects ?? {}).some(([key, e]) => !(key in desired.objects) && !e.retain);
  const resources = previous && dropped ? await resourcesOfState(run, desired.tenant, forgets) : undefined;
  if (!previous && Object.keys(desired.objects).length > 0) {
    // A first apply, or a journal lost to state rm, taint or a renamed tenant (README).
    err(paint(process.stderr, "dim", `= ${desired.tenant.baseUrl} (realm ${desired.tenant.realm}): no previous journal (a first apply, or the journal was lost): converging on code`));
  }
  const release = await holdSyncLock(desired.tenant, stop);
  const oauth2 = createOAuth2Api({ baseUrl: desired.tenant.baseUrl, realm: desired.tenant.realm });
  // A grant refused for an agent or app another stack declares names that stack; so does the
  // refusal to delete an app or agent another stack's grant uses.
  const siblings = siblingStacks(process.cwd());
  const withStack = (r: ObjectResult): ObjectResult =>
    unitOf(r.kind).references && r.action === "failed" ? { ...r, notes: r.notes.map((n) => withDeclaringStack(n, desired.tenant, r.kind, r.id, siblings.self, siblings.stacks)) } : r;
  let outcome;
  try {
    outcome = await withClients((c) =>
      syncTenant((t) => c.for(t), { previous, desired, specs, resources }, {
        onResult: (r) => report(withStack(r)),
        aborted: () => stop() !== undefined,
        proveSecret: secretProof(oauth2),
        declarer: grantDeclarer(siblings.stacks),
        onNotice: (line) => err(paint(process.stderr, "yellow", `! ${line}`)),
      }),
    );
  } finally {
    release();
    await oauth2.close();
  }
  // For the provisioner that runs next in this apply (see syncedMarker, destroyedMarker).
  const succeeded = () => marker && writeFileSync(marker, "");
  if (outcome.nothingToDo) {
    err(paint(process.stderr, "dim", `= ${desired.tenant.baseUrl} (realm ${desired.tenant.realm}): ${Object.keys(desired.objects).length} objects as applied, nothing to do`));
    succeeded();
    return 0;
  }
  if (outcome.aborted) {
    err(
      outcome.deleting
        ? `stopped (${stop()}) while removals ran: what this run created stays, and the next apply recognizes it and finishes the removals`
        : `stopped (${stop()}): what this run created was undone, and the next apply does the work again`,
    );
  }
  if (outcome.failed > 0) {
    err(`${outcome.failed} object${outcome.failed === 1 ? "" : "s"} failed; ${failureSummary(outcome.results, outcome.deleting)}; Terraform keeps the previous journal so that the next apply does the work again`);
    return 1;
  }
  if (outcome.aborted) return 1;
  succeeded();
  return 0;
}

/**
 * Re-applies every object whose live state differs from the stack's code, so that changes made
 * outside code (drift) are overwritten: on every apply when the tenant has `restoreDrift` (for the
 * tenant in CDKTF_AIC_TENANT), or by hand in the stack's folder (every tenant of the stack). Reads
 * the specs from `cdk.tf.json` there and the tenant with the plan's batched list calls; writes only
 * what differs, and writes a secret only when creating.
 */
export async function reconcileCommand(argv: string[]): Promise<number> {
  const stateAt = argv.indexOf("--state");
  const stateFile = stateAt >= 0 ? argv[stateAt + 1] : undefined;
  if (stateAt >= 0 && !stateFile) throw new CliError(`--state needs a file (terraform state pull > FILE); see cdktf-aic reconcile --help`);
  if (!checkArgs(COMMANDS.reconcile, stateAt >= 0 ? [...argv.slice(0, stateAt), ...argv.slice(stateAt + 2)] : argv)) return 0;
  const only = process.env[PROVISIONER_ENV.tenant];
  const tenant = only ? TenantRef.parse(parseJson(PROVISIONER_ENV.tenant, only)) : undefined;
  const [{ readSynthesized, readState }, { batchRequests, planStack }, { readSnapshot }] = await Promise.all([
    import("../plan/stack"),
    import("../plan/diff"),
    import("../engine/batch"),
  ]);
  const file = "cdk.tf.json";
  if (!existsSync(file)) throw new CliError(`no ${file} in ${process.cwd()}: reconcile runs in the stack's Terraform folder`);
  const synthesized = JSON.parse(readFileSync(file, "utf8")) as { terraform?: { backend?: { local?: { path?: string } } } };
  const all = readSynthesized(synthesized);
  // By hand, only what the last apply recorded, as recorded: never an object that apply has yet to create or change.
  let recorded: ((spec: Spec) => boolean) | undefined;
  if (!tenant) {
    const state = stateFile ?? synthesized.terraform?.backend?.local?.path;
    if (!state || !existsSync(state)) {
      throw new CliError(`run by hand, reconcile restores only what the last apply recorded, and no applied state was found${state ? ` at ${state}` : ""}: pass --state FILE (terraform state pull > FILE)`);
    }
    const applied = readState(JSON.parse(readFileSync(state, "utf8")), state);
    const hashes = new Map(applied.journals.flatMap((j) => Object.values(j.objects).map((e) => [`${tenantKey(j.tenant)}|${journalKey(e)}`, e.hash] as const)));
    recorded = (spec) => hashes.get(`${tenantKey(spec.tenant)}|${journalKey(spec)}`) === specHash(spec);
  }
  const objects = new Map([...all.objects].filter(([, o]) => o.spec && (!tenant || tenantKey(o.identity.tenant) === tenantKey(tenant))));
  if (recorded) {
    for (const [key, o] of objects) {
      if (recorded(o.spec!)) continue;
      objects.delete(key);
      err(paint(process.stderr, "dim", `= ${o.identity.kind} ${o.identity.id}: skipped — not as the last apply recorded it (its code changed, or it was never applied): terraform apply writes it`));
    }
  }
  // Reconcile is what restores drift: every object counts as restoring it.
  const code = { objects: new Map([...objects].map(([k, o]) => [k, { ...o, restoresDrift: true }])), inventory: [], journals: [] };
  return withClients(async (c) => {
    for (const [key, { tenant: t, request }] of batchRequests({ code })) {
      const api = c.for(t);
      const snapshots = new Map([[key, await readSnapshot(api, request)]]);
      const differing = planStack({ code }, snapshots).filter((o) => o.action === "create" || o.action === "update");
      for (const kind of APPLY_ORDER) {
        for (const planned of differing.filter((o) => o.kind === kind)) {
          const spec = [...objects.values()].find((o) => o.identity.kind === kind && o.identity.id === planned.id && tenantKey(o.identity.tenant) === key)!.spec!;
          try {
            report(await applySpec(api, spec, { secrets: "on-create" }));
          } catch (e) {
            // Named as the sync names it: the object, then the engine's words (which do not repeat it).
            if (!(e instanceof EngineError)) throw e;
            report({ kind, id: planned.id, action: "failed", changes: [], notes: [e.message] });
            return 1;
          }
        }
      }
      if (differing.length === 0) err(paint(process.stderr, "dim", `= reconcile: ${t.baseUrl} (realm ${t.realm}) as in code`));
    }
    return 0;
  });
}
