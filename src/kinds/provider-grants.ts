/**
 * The realm's OAuth2 provider grant types (`OAuth2ProviderGrants`): realm-wide, ensured rather than
 * owned. Deleting it takes the declared grant types off only under `removalPolicy: "destroy"`.
 */
import { ProviderGrantsSpec as schema, type Identity, type SpecOf } from "../contract/spec";
import { result, updateProvider, upsertAction } from "../engine/apply";
import { EngineError } from "../engine/errors";
import { minus } from "../engine/fields";
import { readGrantTypeUsers } from "../engine/batch";
import { GRANT_TYPES_FIELD, PKCE_FIELD, planProviderGrants, planProviderRemoval } from "../engine/provider-grants";
import { providerGrantsExport } from "../export/provider-grants";
import type { KindUnit } from "./unit";

type ProviderGrantsSpec = SpecOf<"oauth2-provider-grants">;

/** Grant types that `removalPolicy: "destroy"` would own although the realm had them before. */
function providerOwnership(spec: ProviderGrantsSpec, previous: { removal?: Identity["removal"] } | undefined, live: string[]): void {
  if (spec.removalPolicy !== "destroy") return;
  const owned = previous?.removal?.policy === "destroy" ? previous.removal.grantTypes : [];
  const preexisting = spec.owned.grantTypes.filter((g) => live.includes(g) && !owned.includes(g));
  if (preexisting.length === 0) return;
  throw new EngineError(
    "OWNED_ELSEWHERE",
    `grant types ${JSON.stringify(preexisting)} are already on in realm ${spec.tenant.realm}, not turned on by this stack; with removalPolicy "destroy" the stack would take them off when it goes. ` +
      `Use removalPolicy "retain", or turn them off first so that this stack owns them`,
  );
}

/** The note on grant types a destroy-policy removal leaves on because clients of the realm still use them. */
function keptNotes(kept: readonly string[]): string[] {
  return kept.length === 0 ? [] : [`kept on, still used in the realm: ${kept.join("; ")} (taking them off would break those clients)`];
}

export const providerGrants: KindUnit<ProviderGrantsSpec> = {
  kind: "oauth2-provider-grants",
  schema,
  dependsOn: [],
  realmWide: true,
  props: {
    [GRANT_TYPES_FIELD]: { name: "grantTypes" },
    "aiAgentsConfig.aiAgentsEnabled": { name: "enableAiAgents" },
    [PKCE_FIELD]: { name: "requirePkce" },
  },
  ensuredFields: [GRANT_TYPES_FIELD],
  changeNote: "realm-wide: declared grant types are ensured present, others are left untouched",

  readsFor(r) {
    r.provider = true;
  },
  readsForRemoved(r, identity) {
    r.provider = true;
    // A removal that takes grant types off first looks for clients and agents that still use them.
    if (identity.removal?.policy === "destroy") r.grantTypeUsers = true;
  },
  exists: (_identity, s) => s.provider !== undefined,
  present: (_spec, s) => s.provider !== undefined,
  diff: (spec, s) => planProviderGrants(spec, s.provider).changes,
  check(spec, previous, s) {
    providerOwnership(spec, previous, s.provider?.advancedOAuth2Config?.grantTypes ?? []);
  },
  write: (api, step) => providerGrants.apply(api, step.spec, {}),
  async apply(api, spec) {
    const { plan, wrote } = await updateProvider(api, (live) => planProviderGrants(spec, live));
    return result(spec.kind, spec.id, upsertAction(plan.write === "create", wrote), plan.changes);
  },
  async delete(api, identity) {
    const { kind, id } = identity;
    if (!identity.removal || identity.removal.policy === "retain") {
      return result(kind, id, "unchanged", [], ["retained (removal policy retain): grant types left on"]);
    }
    const removal = identity.removal;
    // Runs after this sync's other deletions: the clients and agents left are the realm's users.
    const users = await readGrantTypeUsers(api);
    const { plan, wrote } = await updateProvider(api, (live) => planProviderRemoval(removal, live, users));
    const kept = keptNotes(plan.kept);
    return result(kind, id, wrote ? "deleted" : "absent", plan.changes, wrote ? kept : kept.length > 0 ? kept : ["declared grant types already off"]);
  },
  planRemoval(identity, s, deleting) {
    if (!identity.removal || identity.removal.policy === "retain") {
      return { action: "no-change", changes: [], notes: ["retained (removal policy retain): grant types are left on"] };
    }
    const users = new Map([...(s.grantTypeUsers ?? new Map<string, readonly string[]>())].map(([g, ids]) => [g, ids.filter((id) => !deleting.has(id))] as const));
    const plan = planProviderRemoval(identity.removal, s.provider, users);
    const kept = keptNotes(plan.kept);
    const changes = plan.changes.map((c) => ({ type: "list" as const, field: c.field, added: [], removed: minus(c.from, c.to) }));
    return plan.write === "none"
      ? { action: "no-change", changes: [], notes: kept.length > 0 ? kept : ["declared grant types are already off"] }
      : { action: "delete", changes, notes: ["removal policy destroy: the declared grant types are taken off", ...kept] };
  },
  export: providerGrantsExport,
};
