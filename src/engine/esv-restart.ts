/**
 * What the sync does once it wrote ESVs: the tenant counts the changes its running configuration
 * has not loaded yet (variables, placeholder secrets). By default they stay pending and the apply
 * says so, naming them. With the tenant's `esvRestart` policy `after-apply` (the specs' `restart`)
 * the apply restarts the tenant's environment, as frodo does: only once the status is `ready`
 * (Ping's own upgrades restart it too), then it reads the status until `ready` again, saying its
 * progress, for at most the policy's timeout; past it the ESVs still pending fail the apply.
 */
import type { AdminApi } from "../client/types";
import { ESV_RESTART_POLL_MS } from "../contract/esv";
import type { EsvCount } from "../contract/schemas";
import type { Spec } from "../contract/spec";
import type { AfterWritesContext } from "../kinds/unit";
import { result } from "./apply";
import { restartTimeout } from "./errors";
import type { ObjectResult } from "./result";

/** The ESV kinds' specs: what a restart loads. */
export type EsvSpec = Extract<Spec, { kind: "esv-secret" | "esv-variable" }>;

/** Ids named in a line before `… (+N more)`. */
const NAMED = 10;

/** A progress line at most this often while a restart runs. */
const PROGRESS_EVERY_MS = 30_000;

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
const counted = (c: EsvCount) => `${count(c.secrets, "secret")}, ${count(c.variables, "variable")}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What plan says of an ESV whose change the running configuration loads only after a restart. */
export function restartPlanNote(spec: EsvSpec): string {
  return spec.restart
    ? `waits for a restart of the tenant's environment: the apply restarts it after its writes and waits until it is ready (esvRestart "after-apply", at most ${spec.restart.timeoutSeconds} s)`
    : `pending until the tenant's environment restarts: the apply restarts nothing (esvRestart "never")`;
}

/** The ids of the ESVs the running configuration has not loaded (frodo's `loaded === false`). */
export async function pendingEsvIds(api: AdminApi): Promise<string[]> {
  const [secrets, variables] = await Promise.all([api.listEsvSecrets(), api.listEsvVariables()]);
  return [...secrets, ...variables].filter((e) => e.loaded === false).map((e) => e._id).sort();
}

function named(ids: readonly string[]): string {
  const shown = ids.slice(0, NAMED).join(", ");
  return ids.length > NAMED ? `${shown} … (+${ids.length - NAMED} more)` : shown;
}

/**
 * The sync's `afterWrites` of both ESV kinds (`written`: the ESVs this apply wrote): says what is
 * pending, or restarts and waits when their policy says so. Returns the ESVs that fail the apply
 * (a restart that did not finish in time); a failed look at the tenant is said, not a failure.
 */
export async function afterEsvWrites(api: AdminApi, written: readonly Spec[], { say, aborted }: AfterWritesContext): Promise<ObjectResult[]> {
  let pending: EsvCount;
  let ids: string[];
  try {
    pending = await api.countPendingEsvs();
    if (pending.secrets + pending.variables === 0) return [];
    ids = await pendingEsvIds(api);
  } catch (e) {
    say(`could not ask the tenant whether a restart is pending: ${(e as Error).message}`);
    return [];
  }
  const policy = (written as readonly EsvSpec[]).find((s) => s.restart)?.restart;
  if (!policy) {
    say(
      `ESV changes are pending until the tenant restarts (${counted(pending)} not yet loaded: ${named(ids)}); no restart was done (esvRestart policy "never"): restart the tenant's environment when ready, or set the tenant's esvRestart policy to "after-apply"`,
    );
    return [];
  }
  return restartAndWait(api, policy.timeoutSeconds, pending, ids, written as readonly EsvSpec[], { say, aborted });
}

/** Restarts the tenant's environment once it is ready, then waits until it is ready again (see the module comment). */
async function restartAndWait(
  api: AdminApi,
  timeoutSeconds: number,
  pending: EsvCount,
  ids: readonly string[],
  written: readonly EsvSpec[],
  { say, aborted }: AfterWritesContext,
): Promise<ObjectResult[]> {
  const started = Date.now();
  const deadline = started + timeoutSeconds * 1000;
  const elapsed = () => Math.round((Date.now() - started) / 1000);
  say(`restarting the tenant's environment to load ${counted(pending)} (${named(ids)}); waiting up to ${timeoutSeconds} s until it is ready (esvRestart "after-apply")`);
  let restarted = false;
  const ready = async (): Promise<boolean> => {
    let pause = 1000;
    let told = Date.now();
    for (;;) {
      if ((await api.getEsvRestartStatus()) === "ready") return true;
      if (Date.now() >= deadline || aborted()) return false;
      if (Date.now() - told >= PROGRESS_EVERY_MS) {
        say(`the tenant's environment is ${restarted ? "still restarting" : "restarting (not started by this apply)"} after ${elapsed()} s (waiting up to ${timeoutSeconds} s)`);
        told = Date.now();
      }
      await sleep(Math.min(pause, Math.max(0, deadline - Date.now())));
      pause = Math.min(pause * 2, ESV_RESTART_POLL_MS);
    }
  };
  // Stopped while waiting: the sync undoes what it created (a restart already asked for goes on).
  if (!(await ready())) return aborted() ? [] : timedOut(api, written, timeoutSeconds, false);
  await api.restartEsvs();
  restarted = true;
  if (!(await ready())) return aborted() ? [] : timedOut(api, written, timeoutSeconds, true);
  const left = await pendingEsvIds(api);
  say(
    left.length === 0
      ? `the tenant's environment restarted and is ready after ${elapsed()} s: the ESV changes are loaded`
      : `the tenant's environment restarted and is ready after ${elapsed()} s; still pending (changed while it restarted): ${named(left)}`,
  );
  return [];
}

/** The written ESVs still pending fail (each with the same words); when none is, the first written does. */
async function timedOut(api: AdminApi, written: readonly EsvSpec[], timeoutSeconds: number, restarted: boolean): Promise<ObjectResult[]> {
  const left = await pendingEsvIds(api).catch(() => written.map((s) => s.id));
  const mine = written.filter((s) => left.includes(s.id));
  const notes = [restartTimeout(timeoutSeconds, restarted, named(left)).message];
  return (mine.length > 0 ? mine : written.slice(0, 1)).map((s) => result(s.kind, s.id, "failed", [], notes));
}
