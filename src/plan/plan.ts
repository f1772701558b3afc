/**
 * `plan`: synthesized stacks + last applied state + one batched read per tenant → the report.
 * It only reads: no write call is ever made to a tenant.
 */
import { createAdminApi } from "../client/admin-api";
import { isAicApiError } from "../client/errors";
import { SERVICE_ACCOUNT_SCOPE } from "../contract/constants";
import { readSnapshot, type BatchRequest, type TenantSnapshot } from "../engine/batch";
import type { AdminApi, OAuth2Api } from "../client/types";
import { CliError } from "../contract/errors";
import { addSummaries, batchRequests, decide, planStack, summarize, syncWorkOf, type StackInputs, type TenantDecision } from "./diff";
import { createOAuth2Api } from "../client/oauth2-api";
import { EngineError, realmNotFound } from "../engine/errors";
import { grantsInUse, type GrantDeclarer } from "../engine/grants-in-use";
import { grantDeclarer, withDeclaringStack } from "./declared-by";
import { unitOf } from "../kinds";
import { secretProof } from "../engine/ownership";
import { recognize } from "../engine/sync";
import { tenantKey, type TenantRef } from "../contract/spec";
import { listTenant } from "../export/read";
import { PLAN_FORMAT_VERSION, type PlanReport, type StackPlan, type UnmanagedInTenant } from "./schema";
import { readAppliedState, readStacks, type StackContents, type SynthesizedStack } from "./stack";
import { managedKeys, unmanagedObjects } from "./unmanaged";

export interface PlanOptions {
  /** The synth output folder. @default "cdktf.out" */
  readonly outDir?: string;
  /** One stack; default: every stack in `outDir`. */
  readonly stack?: string;
  /** A state file (`terraform state pull`) instead of the stack's local backend file; needs one stack. */
  readonly stateFile?: string;
  /** Where credentials are read from. @default process.env */
  readonly env?: Record<string, string | undefined>;
  /** Told of each stage and each admin call (progress). */
  readonly onStage?: (stage: string) => void;
  readonly onRequest?: () => void;
}

/** The one line a failed read says: which tenant, what happened, the fix. */
function readFailure(what: string, baseUrl: string, realm: string, e: unknown): Error {
  if (!isAicApiError(e)) return e as Error;
  const fix =
    e.code === "FORBIDDEN" && !e.fix
      ? ` Fix: the credentials need read access to AM realm config and IDM managed objects (service account scope ${SERVICE_ACCOUNT_SCOPE}).`
      : "";
  return new CliError(`cannot read tenant ${baseUrl} (realm ${realm}) ${what}: ${e.message}${fix}`);
}

/**
 * Per tenant the plan read, the objects no stack in `outDir` manages (every stack counts, not only
 * `--stack`): one more round of paged list calls per tenant.
 */
async function readUnmanaged(options: PlanOptions, all: readonly SynthesizedStack[], tenants: ReadonlyMap<string, TenantRef>, applied: ReadonlyMap<string, StackContents | undefined>): Promise<UnmanagedInTenant[]> {
  const contents = all.flatMap((s) => [s.code, applied.has(s.name) ? applied.get(s.name) : readAppliedState(s, undefined).contents]);
  const managed = managedKeys(contents);
  const out: UnmanagedInTenant[] = [];
  for (const tenant of tenants.values()) {
    const api = createAdminApi({ baseUrl: tenant.baseUrl, realm: tenant.realm, auth: tenant.auth, env: options.env, onRequest: options.onRequest });
    try {
      options.onStage?.(`tenant ${tenant.baseUrl} realm ${tenant.realm}: listing objects no stack manages`);
      out.push(unmanagedObjects(tenant, await listTenant(api, { full: false }), managed));
    } catch (e) {
      throw readFailure("to list the objects no stack manages", tenant.baseUrl, tenant.realm, e);
    } finally {
      await api.close();
    }
  }
  return out;
}

/**
 * One tenant of a stack, read (never written): its snapshot, and the sync's own decision for the
 * objects whose code changed, so that what plan says of them is what apply does.
 */
export async function readTenant(
  inputs: StackInputs,
  { tenant, request }: { tenant: TenantRef; request: BatchRequest },
  { api, oauth2, env, declarer }: { api: AdminApi; oauth2: OAuth2Api; env: Record<string, string | undefined>; declarer?: GrantDeclarer },
  onRound?: (what: string) => void,
): Promise<{ snapshot: TenantSnapshot; decision?: TenantDecision }> {
  if (!(await api.realmExists())) throw realmNotFound(tenant.realm, tenant.baseUrl);
  const snapshot = await readSnapshot(api, request, onRound);
  const work = syncWorkOf(inputs).get(tenantKey(tenant))?.work;
  if (!work) return { snapshot };
  const recognized = await recognize(work.changed, work.before, snapshot, env, secretProof(oauth2));
  const removed = work.removed.filter((i) => tenantKey(i.tenant) === tenantKey(tenant));
  return { snapshot, decision: decide(work, tenant, snapshot, env, recognized, await grantsInUse(() => api, removed, declarer)) };
}

export async function runPlan(options: PlanOptions = {}): Promise<PlanReport> {
  const stacks = readStacks(options.outDir ?? "cdktf.out", options.stack);
  // Every stack of the synth output, also with --stack: who declares a grant another stack uses.
  const all = options.stack === undefined ? stacks : readStacks(options.outDir ?? "cdktf.out");
  const declarer = grantDeclarer(all);
  const tenants = new Map<string, TenantRef>();
  const applied = new Map<string, StackContents | undefined>();
  if (options.stateFile && stacks.length > 1) {
    throw new CliError(`--state applies to one stack, and ${options.outDir ?? "cdktf.out"} holds ${stacks.length} (${stacks.map((s) => s.name).join(", ")}): pass --stack NAME`);
  }
  const plans: StackPlan[] = [];
  for (const stack of stacks) {
    const state = readAppliedState(stack, options.stateFile);
    applied.set(stack.name, state.contents);
    const inputs: StackInputs = { code: stack.code, applied: state.contents };
    const requests = batchRequests(inputs);
    for (const { tenant } of requests.values()) if (!tenants.has(tenantKey(tenant))) tenants.set(tenantKey(tenant), tenant);
    const snapshots = new Map<string, TenantSnapshot>();
    const decisions = new Map<string, TenantDecision>();
    const env = options.env ?? process.env;
    for (const [key, { tenant, request }] of requests) {
      const api = createAdminApi({ baseUrl: tenant.baseUrl, realm: tenant.realm, auth: tenant.auth, env: options.env, onRequest: options.onRequest });
      const oauth2 = createOAuth2Api({ baseUrl: tenant.baseUrl, realm: tenant.realm });
      try {
        const read = await readTenant(inputs, { tenant, request }, { api, oauth2, env, declarer }, (what) => options.onStage?.(`stack ${stack.name}: reading ${what}`));
        snapshots.set(key, read.snapshot);
        if (read.decision) decisions.set(key, read.decision);
      } catch (e) {
        if (e instanceof EngineError) throw new CliError(e.message);
        throw readFailure(`for stack ${stack.name}`, tenant.baseUrl, tenant.realm, e);
      } finally {
        await Promise.all([api.close(), oauth2.close()]);
      }
    }
    const objects = planStack(inputs, snapshots, decisions).map((o) => {
      const tenant = unitOf(o.kind).references ? [...stack.code.objects.values()].find((c) => c.spec?.kind === o.kind && c.spec.id === o.id)?.spec?.tenant : undefined;
      return tenant ? { ...o, problems: o.problems.map((p) => withDeclaringStack(p, tenant, o.kind, o.id, stack.name, all)) } : o;
    });
    plans.push({
      name: stack.name,
      tenants: [...requests.values()].map(({ tenant }) => ({ baseUrl: tenant.baseUrl, realm: tenant.realm })),
      state: { read: state.contents !== undefined, ...(state.path ? { path: state.path } : {}), note: state.note },
      objects,
      summary: summarize(objects),
    });
  }
  const summary = addSummaries(plans.map((p) => p.summary));
  const unmanaged = await readUnmanaged(options, all, tenants, applied);
  return { version: PLAN_FORMAT_VERSION, stacks: plans, unmanaged, summary, changesPresent: summary.create + summary.update + summary.adopt + summary.rotate + summary.delete + summary.forget > 0 };
}
