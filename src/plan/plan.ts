/**
 * `plan`: synthesized stacks + last applied state + one batched read per tenant → the report.
 * It only reads: no write call is ever made to a tenant.
 */
import { createAdminApi } from "../client/admin-api";
import { isAicApiError } from "../client/errors";
import { SERVICE_ACCOUNT_SCOPE } from "../contract/constants";
import { readSnapshot, type TenantSnapshot } from "../engine/batch";
import { CliError } from "../cli/output";
import { addSummaries, batchRequests, planStack, summarize, type StackInputs } from "./diff";
import { PLAN_FORMAT_VERSION, type PlanReport, type StackPlan } from "./schema";
import { readAppliedState, readStacks } from "./stack";

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
function readFailure(stack: string, baseUrl: string, realm: string, e: unknown): Error {
  if (!isAicApiError(e)) return e as Error;
  const fix =
    e.code === "FORBIDDEN" && !e.fix
      ? ` Fix: the credentials need read access to AM realm config and IDM managed objects (service account scope ${SERVICE_ACCOUNT_SCOPE}).`
      : "";
  return new CliError(`cannot read tenant ${baseUrl} (realm ${realm}) for stack ${stack}: ${e.message}${fix}`);
}

export async function runPlan(options: PlanOptions = {}): Promise<PlanReport> {
  const stacks = readStacks(options.outDir ?? "cdktf.out", options.stack);
  if (options.stateFile && stacks.length > 1) {
    throw new CliError(`--state applies to one stack, and ${options.outDir ?? "cdktf.out"} holds ${stacks.length} (${stacks.map((s) => s.name).join(", ")}): pass --stack NAME`);
  }
  const plans: StackPlan[] = [];
  for (const stack of stacks) {
    const state = readAppliedState(stack, options.stateFile);
    const inputs: StackInputs = { code: stack.code, applied: state.contents };
    const requests = batchRequests(inputs);
    const snapshots = new Map<string, TenantSnapshot>();
    for (const [key, { tenant, request }] of requests) {
      const api = createAdminApi({ baseUrl: tenant.baseUrl, realm: tenant.realm, auth: tenant.auth, env: options.env, onRequest: options.onRequest });
      try {
        snapshots.set(key, await readSnapshot(api, request, (what) => options.onStage?.(`stack ${stack.name}: reading ${what}`)));
      } catch (e) {
        throw readFailure(stack.name, tenant.baseUrl, tenant.realm, e);
      } finally {
        await api.close();
      }
    }
    const objects = planStack(inputs, snapshots);
    plans.push({
      name: stack.name,
      tenants: [...requests.values()].map(({ tenant }) => ({ baseUrl: tenant.baseUrl, realm: tenant.realm })),
      state: { read: state.contents !== undefined, ...(state.path ? { path: state.path } : {}), note: state.note },
      objects,
      summary: summarize(objects),
    });
  }
  const summary = addSummaries(plans.map((p) => p.summary));
  return { version: PLAN_FORMAT_VERSION, stacks: plans, summary, changesPresent: summary.create + summary.update + summary.delete > 0 };
}
