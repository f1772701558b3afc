/**
 * Mappings of the realm's ESV secret store (`SecretMapping`, and the one a client construct declares
 * for `Secret.fromEsv`): AM reads the secret of a label from one ESV secret. AM configuration, not
 * an ESV: a mapping needs no tenant restart (reference: esv-secret-store §7–8).
 */
import { SecretMappingSpec as schema, type SpecOf } from "../contract/spec";
import { result, upsertAction } from "../engine/apply";
import { EngineError } from "../engine/errors";
import { sameValue, type FieldChange } from "../engine/fields";
import type { SecretStoreMapping } from "../contract/schemas";
import { secretMappingExport } from "../export/esv";
import type { KindUnit, Pending } from "./unit";

type SecretMappingSpec = SpecOf<"secret-mapping">;

/** The mapping's one change: the ESV its label reads (`aliases`, one entry for this store). */
function diffMapping(spec: SecretMappingSpec, live: SecretStoreMapping | undefined): FieldChange[] {
  const to = [spec.owned.esv];
  return live && sameValue(live.aliases, to) ? [] : [{ field: "aliases", from: live?.aliases, to }];
}

/**
 * The tenant does not check that the ESV exists [PAM-15]: a mapping to none would leave the label's
 * consumers (a client's authentication) failing, so it is refused before any write.
 */
function checkEsv(spec: SecretMappingSpec, exists: boolean, pending: Pending): void {
  if (exists || pending.has("esv-secret", spec.owned.esv)) return;
  throw new EngineError(
    "UNKNOWN_REFERENCE",
    `ESV secret "${spec.owned.esv}" not found in ${spec.tenant.baseUrl}; declare it with an EnvironmentSecret in this stack ` +
      `(its value then comes from a variable at apply) or create it in the tenant first`,
  );
}

export const secretMapping: KindUnit<SecretMappingSpec> = {
  kind: "secret-mapping",
  schema,
  // The ESV it reads comes first; AM takes a client's label only once a client of the realm carries
  // its identifier. Deleted before both.
  dependsOn: ["esv-secret", "web-app", "service-app", "ai-agent"],
  realmWide: false,
  props: { aliases: { name: "secret", single: true } },
  export: secretMappingExport,

  readsFor(r, spec) {
    r.secretMappings.push(spec.id);
    r.esvSecrets.push(spec.owned.esv);
  },
  readsForRemoved(r, identity) {
    r.secretMappings.push(identity.id);
  },
  exists: (identity, s) => s.secretMappings.has(identity.id),
  present: (spec, s) => s.secretMappings.has(spec.id),
  diff(spec, s, pending) {
    checkEsv(spec, s.esvSecrets.has(spec.owned.esv), pending);
    return diffMapping(spec, s.secretMappings.get(spec.id));
  },
  // Mapped to the stack's own ESV secret already: what an interrupted apply of this stack left.
  recognizes: (spec, s, ours) => ours("esv-secret", spec.owned.esv) && sameValue(s.secretMappings.get(spec.id)?.aliases, [spec.owned.esv]),
  async write(api, step, s, context) {
    const { spec } = step;
    const changes = diffMapping(spec, s.secretMappings.get(spec.id));
    if (changes.length > 0) await api.putSecretMapping(spec.id, spec.owned.esv);
    if (!step.exists) context.created({ kind: spec.kind, tenant: spec.tenant, id: spec.id });
    const action = !step.exists ? "created" : step.adopting ? "adopted" : changes.length > 0 ? "updated" : "unchanged";
    return result(spec.kind, spec.id, action, changes);
  },
  async apply(api, spec) {
    const live = await api.getSecretMapping(spec.id);
    checkEsv(spec, (await api.getEsvSecret(spec.owned.esv)) !== undefined, { placeholder: "", has: () => false });
    const changes = diffMapping(spec, live);
    if (changes.length > 0) await api.putSecretMapping(spec.id, spec.owned.esv);
    return result(spec.kind, spec.id, upsertAction(live === undefined, changes.length > 0), changes);
  },
  async delete(api, { kind, id }) {
    const deleted = await api.deleteSecretMapping(id);
    return result(kind, id, deleted ? "deleted" : "absent", [], deleted ? [] : ["already gone"]);
  },
};
