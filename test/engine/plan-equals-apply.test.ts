/**
 * Plan = apply, as a property: for random situations — what was applied before, what happened to
 * the tenant since (deleted, drifted, someone else's object, leftovers of an interrupted apply),
 * what code wants now, which secrets are set — the action `cdktf-aic plan` reports for each object,
 * refusals included, is what the following apply does to it, read from the tenant's audit of admin
 * calls. Runs the plan's own read-and-decide (src/plan/plan.ts) and the sync against one embedded
 * tenant over HTTP.
 */
import { createOAuth2Api } from "../../src/client/oauth2-api";
import { tenantKey, type Spec } from "../../src/contract/spec";
import { batchRequests, planStack, type StackInputs, type TenantDecision } from "../../src/plan/diff";
import { readTenant } from "../../src/plan/plan";
import type { PlannedObject } from "../../src/plan/schema";
import { resourcesInState } from "../../src/plan/stack";
import type { TenantSnapshot } from "../../src/engine/batch";
import { Journaled, stackContents, TestTenant } from "./support";

const SITUATIONS = 200;

const t = new TestTenant();
beforeAll(() => t.start(), 60_000);
afterAll(() => t.stop());

/** A small deterministic PRNG (mulberry32), so a failing situation can be replayed by its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), a | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return { chance: (p: number) => next() < p, pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}
type Random = ReturnType<typeof random>;

const APPS = ["app-1", "app-2", "app-3"];
const AGENTS = ["agent-1", "agent-2"];

/** One object of the universe, in one of a few variants (what a code change moves between). */
function variant(r: Random, kind: "web-app" | "ai-agent" | "agent-grant", id: string, version: number): Spec {
  if (kind === "web-app") {
    return { ...t.webApp({ scopes: r.pick([["openid", "read-data"], ["openid", "read-data", "write-data"]]), description: r.pick(["first", "second"]) }, id), secret: { env: "WEB_APP_CLIENT_SECRET", version } } as Spec;
  }
  if (kind === "ai-agent") return { ...t.aiAgent({ name: r.pick(["Agent", "Renamed agent"]) }, id), secret: { env: "AI_AGENT_CLIENT_SECRET", version } } as Spec;
  const [agent, application] = id.split("|");
  return t.agentGrant({ agent, application, scopes: r.pick([["read-data"], []]) });
}

/** A random set of objects: some apps, some agents, grants between those present (or, rarely, absent). */
function objects(r: Random, version: (id: string) => number, strays = 0.03): Spec[] {
  const apps = APPS.filter(() => r.chance(0.6));
  const agents = AGENTS.filter(() => r.chance(0.6));
  const specs = [...apps.map((id) => variant(r, "web-app", id, version(id))), ...agents.map((id) => variant(r, "ai-agent", id, version(id)))];
  for (const agent of AGENTS) for (const app of APPS) {
    const present = agents.includes(agent) && apps.includes(app);
    if (r.chance(present ? 0.4 : strays)) specs.push(variant(r, "agent-grant", `${agent}|${app}`, 1));
  }
  return specs;
}

const contents = (specs: readonly Spec[], inState?: (s: Spec) => boolean) => stackContents(t, specs, inState);

/** What happened to the tenant since the last apply: each kind of outside change, by chance. */
async function meddle(r: Random, applied: readonly Spec[], next: readonly Spec[]): Promise<string[]> {
  const said: string[] = [];
  const appliedClients = applied.filter((s) => s.kind === "web-app");
  if (appliedClients.length > 0 && r.chance(0.2)) {
    const victim = r.pick(appliedClients);
    await t.api.deleteOAuth2Client(victim.id);
    said.push(`deleted ${victim.id} in the console`);
  }
  if (appliedClients.length > 0 && r.chance(0.2)) {
    const drifted = r.pick(appliedClients);
    const client = await t.api.getOAuth2Client(drifted.id);
    if (client) {
      const core = client.coreOAuth2ClientConfig!;
      await t.api.putOAuth2Client(drifted.id, { ...client, coreOAuth2ClientConfig: { ...core, scopes: { inherited: false, value: [...(core.scopes?.value ?? []), "hotfix-scope"] } } });
      said.push(`drifted ${drifted.id}`);
    }
  }
  const unapplied = next.filter((s) => (s.kind === "web-app" || s.kind === "ai-agent") && !applied.some((a) => a.id === s.id));
  if (unapplied.length > 0 && r.chance(0.25)) {
    const spec = r.pick(unapplied);
    const leftover = r.chance(0.5);
    // A leftover of an interrupted apply holds the stack's secret; someone else's object does not.
    await new Journaled(t).apply([spec], leftover ? {} : { [spec.kind === "web-app" ? "WEB_APP_CLIENT_SECRET" : "AI_AGENT_CLIENT_SECRET"]: "someone-elses-secret" });
    said.push(`${leftover ? "leftover" : "foreign"} ${spec.id}`);
  }
  return said;
}

/** The sync's result actions that a planned action allows. */
const EXPECTED: Record<PlannedObject["action"], readonly (string | undefined)[]> = {
  create: ["created"],
  update: ["updated"],
  adopt: ["adopted"],
  rotate: ["updated"],
  delete: ["deleted"],
  forget: ["forgotten"],
  "no-change": [undefined, "unchanged", "absent"],
};

describe("cdktf-aic plan against the apply that follows", () => {
  it(`reports for each object what apply then does, in ${SITUATIONS} random situations`, async () => {
    const mismatches: string[] = [];
    const seen = new Set<string>();
    for (let seed = 1; seed <= SITUATIONS; seed++) {
      const r = random(seed);
      await t.reset();
      const provider = t.providerGrants();
      // Some objects let go when they leave the code (removalPolicy retain).
      const before = objects(r, () => 1, 0).map((s) => (s.kind !== "oauth2-provider-grants" && r.chance(0.15) ? ({ ...s, removalPolicy: "retain" } as Spec) : s));
      const j = new Journaled(t);
      await j.apply([provider, ...before]);
      expect(j.applied).toBeDefined();

      const after = [provider, ...objects(r, (id) => (before.some((b) => b.id === id) && r.chance(0.2) ? 2 : 1))].map((s) =>
        !before.some((b) => b.id === s.id) && s.kind !== "oauth2-provider-grants" && r.chance(0.3) ? ({ ...s, adopt: true } as Spec) : s,
      );
      const meddled = await meddle(r, before, after);
      const env = t.env({
        WEB_APP_CLIENT_SECRET: r.chance(0.75) ? t.secrets.WEB_APP_CLIENT_SECRET : undefined,
        AI_AGENT_CLIENT_SECRET: r.chance(0.75) ? t.secrets.AI_AGENT_CLIENT_SECRET : undefined,
      });

      // The plan, exactly as `cdktf-aic plan` makes it.
      // Some objects' resources were removed from the state by hand (terraform state rm).
      const removedByHand = new Set(before.filter(() => r.chance(0.1)).map((s) => s.id));
      const inputs: StackInputs = { code: contents(after), applied: contents([provider, ...before], (s) => !removedByHand.has(s.id)) };
      const snapshots = new Map<string, TenantSnapshot>();
      const decisions = new Map<string, TenantDecision>();
      const oauth2 = createOAuth2Api({ baseUrl: t.tenant.baseUrl, realm: "alpha" });
      try {
        for (const [key, request] of batchRequests(inputs)) {
          const read = await readTenant(inputs, request, { api: t.api, oauth2, env });
          snapshots.set(key, read.snapshot);
          if (read.decision) decisions.set(key, read.decision);
        }
      } finally {
        await oauth2.close();
      }
      const planned = planStack(inputs, snapshots, decisions);

      // The apply.
      await t.clearAudit();
      const outcome = await j.apply(after, Object.fromEntries(["WEB_APP_CLIENT_SECRET", "AI_AGENT_CLIENT_SECRET"].map((k) => [k, env[k]])), {
        resources: resourcesInState(inputs.code, inputs.applied, tenantKey(t.ref())),
      });
      const writes = await t.writes();

      const situation = `seed ${seed} [${meddled.join(", ") || "tenant untouched"}]`;
      const refused = planned.filter((o) => o.problems.length > 0);
      if (refused.length > 0) {
        seen.add("refuse");
        const failed = outcome.results.filter((x) => x.action === "failed").map((x) => `${x.kind}/${x.id}`).sort();
        const expected = refused.map((o) => `${o.kind}/${o.id}`).sort();
        if (JSON.stringify(failed) !== JSON.stringify(expected)) mismatches.push(`${situation}: plan refuses ${expected.join(" ")}, apply failed ${failed.join(" ")}`);
        if (writes.length > 0) mismatches.push(`${situation}: plan refuses, yet apply wrote ${writes.length} times`);
        continue;
      }
      if (outcome.failed > 0) {
        mismatches.push(`${situation}: plan foresaw no problem, apply failed: ${outcome.results.filter((x) => x.action === "failed").map((x) => `${x.id}: ${x.notes.join("; ")}`).join(" | ")}`);
        continue;
      }
      for (const o of planned) {
        seen.add(o.action);
        const done = outcome.results.find((x) => x.kind === o.kind && x.id === o.id)?.action;
        if (!EXPECTED[o.action].includes(done)) mismatches.push(`${situation}: ${o.kind} ${o.id}: plan ${o.action}, apply ${done ?? "nothing"}`);
      }
      const quiet = planned.every((o) => o.action === "no-change" || o.action === "forget");
      if (quiet && writes.length > 0) mismatches.push(`${situation}: plan says no changes, apply wrote ${writes.map((w) => `${w.method} ${w.path}`).join(", ")}`);
      if (!quiet && writes.length === 0) mismatches.push(`${situation}: plan says changes, apply wrote nothing`);
    }
    expect(mismatches).toEqual([]);
    // The generator reached every action, refusals included.
    expect([...seen].sort()).toEqual(["adopt", "create", "delete", "forget", "no-change", "refuse", "rotate", "update"]);
  }, 600_000);
});
