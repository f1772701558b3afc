/**
 * The embedded tenant's environment secrets and variables (ESVs) as AIC keeps them: versions, what
 * the running configuration has loaded, the restart that loads pending values, and the secrets an
 * OAuth2 client authenticates with when its secret label is mapped to an ESV (reference §3–§8).
 *
 * A restart is kept in the state as "ready at" a time and what it loads; it completes the first
 * time anyone looks after that (`settleRestart`), so the state stays plain JSON and the tenant
 * needs no timer. A restart loads what was there when it began [inf: a change made during a
 * restart stays pending, as the console's "edits are disabled while the tenant restarts" implies].
 */
import { clientSecretLabel, ESV_UNCONFIRMED, type EsvRestartStatus } from "../contract/esv";
import type { EsvSecret, EsvSecretVersion, EsvVariable } from "../contract/schemas";
import type { EmulatorContext } from "./context";
import { clientAttribute, own } from "./token-exchange";
import type { AmClientRecord, EsvSecretRecord, EsvVariableRecord, EsvVersionRecord, RealmState, TenantState } from "./types";

/** The highest ENABLED version: the one new material is made with. The latest is never disabled or destroyed. */
export function activeVersion(secret: EsvSecretRecord): EsvVersionRecord {
  return [...secret.versions].reverse().find((v) => v.status === "ENABLED") ?? secret.versions[secret.versions.length - 1];
}

export const latestVersion = (secret: EsvSecretRecord) => secret.versions[secret.versions.length - 1];

/** A secret with `useInPlaceholders` whose active version is not the loaded one waits for a restart. */
export function secretPending(secret: EsvSecretRecord): boolean {
  return secret.useInPlaceholders && secret.loadedVersion !== String(activeVersion(secret).version);
}

export const variablePending = (variable: EsvVariableRecord) => !variable.loaded;

export function secretView(id: string, secret: EsvSecretRecord): EsvSecret {
  return {
    _id: id,
    activeVersion: String(activeVersion(secret).version),
    description: secret.description,
    encoding: secret.encoding as EsvSecret["encoding"],
    lastChangeDate: secret.lastChangeDate,
    lastChangedBy: secret.lastChangedBy,
    loaded: secret.loadedVersion === String(activeVersion(secret).version),
    loadedVersion: secret.loadedVersion,
    useInPlaceholders: secret.useInPlaceholders,
  };
}

/** `loaded` marks the version the running configuration has [inf: the recordings show one per secret at most]. */
export function versionView(secret: EsvSecretRecord, version: EsvVersionRecord): EsvSecretVersion {
  return { createDate: version.createDate, loaded: secret.loadedVersion === String(version.version), status: version.status, version: String(version.version) };
}

export function variableView(id: string, variable: EsvVariableRecord, withValue: boolean): EsvVariable {
  return {
    _id: id,
    description: variable.description,
    expressionType: variable.expressionType as EsvVariable["expressionType"],
    lastChangeDate: variable.lastChangeDate,
    lastChangedBy: variable.lastChangedBy,
    loaded: variable.loaded,
    ...(withValue ? { valueBase64: variable.valueBase64 } : {}),
  };
}

/** Completes a restart whose time has come: what it began with is now loaded. */
export function settleRestart(ctx: EmulatorContext): void {
  const { esv } = ctx.state;
  if (!esv.restart || ctx.now() < esv.restart.readyAtMs) return;
  for (const [id, version] of Object.entries(esv.restart.secrets)) {
    const secret = own(esv.secrets, id);
    if (secret) secret.loadedVersion = version;
  }
  for (const [id, change] of Object.entries(esv.restart.variables)) {
    const variable = own(esv.variables, id);
    if (variable && variable.change === change) variable.loaded = true;
  }
  esv.restart = null;
  ctx.save();
}

export function restartStatus(ctx: EmulatorContext): EsvRestartStatus {
  settleRestart(ctx);
  return ctx.state.esv.restart ? "restarting" : "ready";
}

/** Starts a restart that loads every pending value; a second request while one runs changes nothing. */
export function startRestart(ctx: EmulatorContext): void {
  settleRestart(ctx);
  const { esv } = ctx.state;
  if (esv.restart && ESV_UNCONFIRMED.restartWhileRestarting === "answer-restarting") return;
  const pendingSecrets = Object.entries(esv.secrets).filter(([, s]) => secretPending(s));
  const pendingVariables = Object.entries(esv.variables).filter(([, v]) => variablePending(v));
  esv.restart = {
    readyAtMs: ctx.now() + ctx.restartDelayMs,
    secrets: Object.fromEntries(pendingSecrets.map(([id, s]) => [id, String(activeVersion(s).version)])),
    variables: Object.fromEntries(pendingVariables.map(([id, v]) => [id, v.change])),
  };
  ctx.save();
}

/**
 * The secrets an OAuth2 client or AI agent authenticates with. With a secret label identifier whose
 * label the realm's ESV store maps, every ENABLED version of the mapped ESV and nothing else (the
 * typed secret is ignored, AM docs); a mapping to an ESV that does not exist gives none [inf]. No
 * mapping: the client's own secret. Mapped secrets need no restart; AM's cache of the active value
 * (up to 600 s) is not modelled [inf: a rotation is seen at once].
 */
export function clientSecrets(state: TenantState, realm: RealmState, record: AmClientRecord): string[] {
  const identifier = clientAttribute(record.body, "coreOAuth2ClientConfig", "secretLabelIdentifier");
  const mapping = typeof identifier === "string" && identifier !== "" ? own(realm.esvMappings, clientSecretLabel(identifier)) : undefined;
  if (!mapping) return record.secret === null ? [] : [record.secret];
  const secret = own(state.esv.secrets, mapping.aliases[0]);
  if (!secret) return [];
  const usable = ESV_UNCONFIRMED.anyEnabledVersionAuthenticates
    ? secret.versions.filter((v) => v.status === "ENABLED")
    : [activeVersion(secret)];
  return usable.flatMap((v) => (v.valueBase64 === null ? [] : [Buffer.from(v.valueBase64, "base64").toString("utf8")]));
}
