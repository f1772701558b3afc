/**
 * One error voice: every problem plan reports is worded as the apply's sync words it, with the
 * same fix. Each situation is produced twice against the embedded tenant, through plan's own
 * read-and-decide (`readTenant`, `planStack`, as `cdktf-aic plan` runs them) and through a real
 * sync of the same change (`syncTenant`); the texts must be equal. A value only Terraform knows is
 * refused before either reads the tenant, so that case runs the CLI's plan and sync.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createAdminApi } from "../../src/client/admin-api";
import { createOAuth2Api } from "../../src/client/oauth2-api";
import { PROVISIONER_ENV } from "../../src/contract/constants";
import { journalKey, journalOf, type Journal } from "../../src/contract/journal";
import { canonicalJson, identityKey, identityOf, type Spec, type TenantRef } from "../../src/contract/spec";
import type { TenantSnapshot } from "../../src/engine/batch";
import type { GrantDeclarer } from "../../src/engine/grants-in-use";
import { secretProof } from "../../src/engine/ownership";
import { syncTenant } from "../../src/engine/sync";
import { grantDeclarer } from "../../src/plan/declared-by";
import { batchRequests, planStack, type TenantDecision } from "../../src/plan/diff";
import { readTenant } from "../../src/plan/plan";
import type { StackContents } from "../../src/plan/stack";
import { cliTestTenant, runCli } from "../cli/run";
import { scratchDir } from "../support/scratch";

const t = cliTestTenant();

const NO_SECRETS = { WEB_APP_CLIENT_SECRET: undefined, AI_AGENT_CLIENT_SECRET: undefined };

/** Stack `stack`'s view of `specs`, as the synth output or the applied state would give it. */
function contents(specs: readonly Spec[], stack = "alpha"): StackContents {
  const journal = specs.length > 0 ? [journalOf(specs[0].tenant, specs)] : [];
  return {
    objects: new Map(specs.map((s) => [identityKey(identityOf(s)), { identity: identityOf(s), spec: s, construct: `${stack}/${s.kind}` }])),
    inventory: specs.map(identityOf),
    journals: journal,
  };
}

interface Situation {
  /** The problem, as the README and the issue name it. */
  readonly problem: string;
  /** The tenant the stack's code points at (default: the test tenant, realm alpha). */
  readonly tenant?: () => TenantRef;
  /** What this stack applied before (none: its first apply). */
  readonly applied?: () => Spec[];
  /** What happened in the tenant since, outside this stack. */
  readonly meanwhile?: () => Promise<void>;
  /** What code says now. */
  readonly code: () => Spec[];
  readonly env?: Record<string, string | undefined>;
  /** The other stacks of the synth output (who declares a grant). */
  readonly declarer?: () => GrantDeclarer | undefined;
  /** `kind/id` of the object whose problem it is; absent: the whole run fails (nothing per object). */
  readonly object?: string;
  /** What the words must say (besides being the same in both). */
  readonly says: RegExp;
}

const inRealm = (realm: string, baseUrl?: string) => (): TenantRef => ({ ...t.ref(), realm, ...(baseUrl ? { baseUrl } : {}) });
const at = (tenant: TenantRef, specs: Spec[]): Spec[] => specs.map((s) => ({ ...s, tenant }) as Spec);
/** A sync of `specs` from `previous` that must succeed: what an earlier apply left. */
async function applied(tenant: TenantRef, previous: Journal | undefined, specs: Spec[]): Promise<Journal> {
  const desired = journalOf(tenant, specs);
  const outcome = await syncTenant(() => t.api, { previous, desired, specs: new Map(specs.map((s) => [journalKey(s), s])) }, { env: t.env() });
  expect(outcome.results.filter((r) => r.action === "failed")).toEqual([]);
  return desired;
}
const GRANT = `agent-grant digital-assistant-ai-agent/digital-assistant-web-app`;

const SITUATIONS: Situation[] = [
  {
    problem: "a missing realm",
    tenant: inRealm("nowhere"),
    code: () => [t.webApp()],
    says: /^realm "nowhere" does not exist in http:\/\/127\.0\.0\.1:\d+: create it in the admin console or fix the tenant's realm in code; nothing was written$/,
  },
  {
    problem: "an unknown user",
    code: () => [t.webApp({ owners: ["no.such.user"] })],
    object: "web-app/digital-assistant-web-app",
    says: /^owners: user "no\.such\.user" not found in realm alpha; create it first or fix the name$/,
  },
  {
    problem: "an unknown group",
    applied: () => [t.webApp(), t.aiAgent()],
    code: () => [t.webApp(), t.aiAgent(), t.agentGrant({ subjectGroups: ["no-group"] })],
    object: "agent-grant/digital-assistant-ai-agent/digital-assistant-web-app",
    says: /^group "no-group" not found in realm alpha; create it first or fix the name$/,
  },
  {
    problem: "a secret variable unset",
    code: () => [t.webApp()],
    env: NO_SECRETS,
    object: "web-app/digital-assistant-web-app",
    says: /^WEB_APP_CLIENT_SECRET is not set: it is needed to create web-app digital-assistant-web-app; export it in the environment Terraform runs in$/,
  },
  {
    problem: "a secret variable unset for a rotation",
    applied: () => [t.webApp()],
    code: () => [{ ...t.webApp(), secret: { env: "WEB_APP_CLIENT_SECRET", version: 2 } }],
    env: NO_SECRETS,
    object: "web-app/digital-assistant-web-app",
    says: /^WEB_APP_CLIENT_SECRET is not set: web-app digital-assistant-web-app rotates its secret \(version 1 → 2\); export the new secret/,
  },
  {
    problem: "an object that exists but that the stack did not create (takeover)",
    meanwhile: async () => {
      await applied(t.ref(), undefined, [t.webApp()]).then(() => undefined);
      // Someone else's: made with another secret, so the stack cannot prove it its own.
      const client = (await t.api.getOAuth2Client("digital-assistant-web-app"))!;
      await t.api.putOAuth2Client("digital-assistant-web-app", { ...client, coreOAuth2ClientConfig: { ...client.coreOAuth2ClientConfig, userpassword: "someone-elses-secret" } });
    },
    code: () => [t.webApp()],
    object: "web-app/digital-assistant-web-app",
    says: /^web-app digital-assistant-web-app already exists in http:\/\/127\.0\.0\.1:\d+ \(realm alpha\) and was not created by this stack; to manage it from code, set adopt: true/,
  },
  {
    problem: "an unknown cross-stack reference (a grant to an agent and app no apply made yet)",
    code: () => [t.agentGrant()],
    object: "agent-grant/digital-assistant-ai-agent/digital-assistant-web-app",
    // The line that shows it names the grant: the words do not repeat it.
    says: /^AI agent "digital-assistant-ai-agent", application "digital-assistant-web-app" not found in realm alpha; create them first or fix the name$/,
  },
  {
    problem: "a dangling grant (an app deleted that another stack's grant uses)",
    applied: () => [t.webApp(), t.aiAgent()],
    meanwhile: async () => void (await applied(t.ref(), undefined, [t.agentGrant()])),
    code: () => [t.aiAgent()],
    declarer: () => grantDeclarer([{ name: "reports", dir: "reports", code: contents([t.agentGrant()], "reports") }]),
    object: "web-app/digital-assistant-web-app",
    says: new RegExp(
      `^web-app digital-assistant-web-app is used by ${GRANT} of stack reports \\(reports/agent-grant\\): deleting it would leave the grant pointing at nothing; ` +
        `remove the grant from stack reports and apply stack reports first, or keep web-app digital-assistant-web-app in code$`,
    ),
  },
  {
    problem: "a dangling grant no stack declares (made in the console)",
    applied: () => [t.webApp(), t.aiAgent()],
    meanwhile: async () => void (await applied(t.ref(), undefined, [t.agentGrant()])),
    code: () => [t.aiAgent()],
    declarer: () => grantDeclarer([{ name: "alpha", dir: "alpha", code: contents([t.aiAgent()]) }]),
    object: "web-app/digital-assistant-web-app",
    says: new RegExp(`^web-app digital-assistant-web-app is used by ${GRANT}, which no stack of the synth output declares \\(made in the console`),
  },
  {
    problem: "a tenant that does not answer",
    tenant: inRealm("alpha", "http://127.0.0.1:9"),
    code: () => [t.webApp()],
    says: /^could not reach http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\).*Fix: check the base URL and that the tenant is reachable/,
  },
];

/** What plan says of the situation: the object's problems, or why the whole plan failed. */
async function planSays(s: Situation, tenant: TenantRef, previous: Journal | undefined, code: Spec[], env: Record<string, string | undefined>): Promise<string> {
  const inputs = { code: contents(code), applied: previous ? contents(at(tenant, s.applied!())) : undefined };
  const api = createAdminApi({ ...tenant, env, tokenCacheDir: t.cacheDir });
  const oauth2 = createOAuth2Api({ baseUrl: tenant.baseUrl, realm: tenant.realm });
  try {
    const snapshots = new Map<string, TenantSnapshot>();
    const decisions = new Map<string, TenantDecision>();
    for (const [key, request] of batchRequests(inputs)) {
      const read = await readTenant(inputs, request, { api, oauth2, env, declarer: s.declarer?.() });
      snapshots.set(key, read.snapshot);
      if (read.decision) decisions.set(key, read.decision);
    }
    const planned = planStack(inputs, snapshots, decisions).find((o) => `${o.kind}/${o.id}` === s.object);
    return planned ? planned.problems.join("; ") : "(no such object)";
  } catch (e) {
    return (e as Error).message;
  } finally {
    await Promise.all([api.close(), oauth2.close()]);
  }
}

/** What the sync of the same change says: the object's failure, or why the whole sync failed. */
async function syncSays(s: Situation, tenant: TenantRef, previous: Journal | undefined, code: Spec[], env: Record<string, string | undefined>): Promise<string> {
  const api = createAdminApi({ ...tenant, env, tokenCacheDir: t.cacheDir });
  const oauth2 = createOAuth2Api({ baseUrl: tenant.baseUrl, realm: tenant.realm });
  try {
    const outcome = await syncTenant(() => api, { previous, desired: journalOf(tenant, code), specs: new Map(code.map((c) => [journalKey(c), c])) }, {
      env,
      proveSecret: secretProof(oauth2),
      declarer: s.declarer?.(),
    });
    const failed = outcome.results.find((r) => r.action === "failed" && `${r.kind}/${r.id}` === s.object);
    return failed ? failed.notes.join("; ") : `(no failure: ${outcome.results.map((r) => `${r.action} ${r.kind}/${r.id}`).join(", ")})`;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await Promise.all([api.close(), oauth2.close()]);
  }
}

describe("plan and apply word each problem alike", () => {
  it.each(SITUATIONS.map((s) => [s.problem, s] as const))("%s", async (_name, s) => {
    const tenant = s.tenant?.() ?? t.ref();
    const previous = s.applied ? await applied(tenant, undefined, at(tenant, s.applied())) : undefined;
    await s.meanwhile?.();
    const code = at(tenant, s.code());
    const env = t.env(s.env);
    const planned = await planSays(s, tenant, previous, code, env);
    await t.clearAudit();
    const synced = await syncSays(s, tenant, previous, code, env);
    expect(planned).toMatch(s.says);
    expect(synced).toBe(planned);
    // Refused before any write.
    if (!s.tenant) expect(await t.writes()).toEqual([]);
  }, 60_000);

  it("a value only Terraform knows (a spec in cdk.tf.json holds an expression): plan and sync refuse it in the same words, before any read", async () => {
    const spec = { ...t.webApp(), owned: { ...t.webApp().owned, name: "${var.app_name}" } } as Spec;
    const out = scratchDir("cdktf-aic-voice-");
    const stack = join(out, "stacks", "alpha");
    mkdirSync(stack, { recursive: true });
    const resource = { "//": { metadata: { path: "alpha/web-app/Resource" } }, input: { spec } };
    writeFileSync(join(stack, "cdk.tf.json"), JSON.stringify({ resource: { terraform_data: { "web-app_Resource_1": resource } } }));
    await t.clearAudit();
    const plan = await runCli(["plan", "--out", out], t.env());
    const sync = await runCli(["sync"], t.env({ [PROVISIONER_ENV.desired]: canonicalJson(journalOf(t.ref(), [spec])) }), stack);
    expect([plan.status, sync.status]).toEqual([1, 1]);
    const words = (stderr: string, command: string) => stderr.trim().replace(`cdktf-aic ${command}: `, "");
    expect(words(plan.stderr, "plan")).toMatch(
      /^alpha\/web-app: name is known only when Terraform runs \(a TerraformVariable, an Fn call or another resource's attribute\); .*; set name from a value the program reads itself/,
    );
    expect(words(sync.stderr, "sync")).toBe(words(plan.stderr, "plan"));
    expect(await t.adminCalls()).toEqual([]);
  });
});
