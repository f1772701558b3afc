/** Errors the engine raises before touching the tenant: each says what, the value, and the fix. */

export type EngineErrorCode =
  | "UNKNOWN_REFERENCE"
  | "SECRET_NOT_SET"
  | "SECRET_TOO_SHORT"
  | "ROTATION_PENDING"
  | "OWNED_ELSEWHERE"
  | "STALE_CODE"
  | "REALM_NOT_FOUND"
  | "FIXED_ON_CREATE"
  | "RESTART_TIMEOUT";

export class EngineError extends Error {
  override readonly name = "EngineError";
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One error naming every missing user, group, agent or application, raised before any write. The
 * line that shows it names the object already (plan's title, the apply's `! kind id: failed —`),
 * so the message names only the prop, when one prop holds them all (`owners`).
 */
export function unknownReferences(prop: string | undefined, missing: readonly { type: string; name: string }[], realm: string): EngineError {
  const list = missing.map((m) => `${m.type} "${m.name}"`).join(", ");
  return new EngineError(
    "UNKNOWN_REFERENCE",
    `${prop ? `${prop}: ` : ""}${list} not found in realm ${realm}; create ${missing.length > 1 ? "them" : "it"} first or fix the name`,
  );
}

export function secretNotSet(env: string, id: string): EngineError {
  return new EngineError(
    "SECRET_NOT_SET",
    `${env} is not set: it is needed to create ${id}; export it in the environment Terraform runs in`,
  );
}

/** A version bump whose new secret is not in the environment: refused before any write. */
export function rotationPending(env: string, id: string, appliedVersion: string | undefined, version: string | number): EngineError {
  return new EngineError(
    "ROTATION_PENDING",
    `${env} is not set: ${id} rotates its secret (${appliedVersion === undefined ? "the tenant's secret store → version" : `version ${appliedVersion} →`} ${version}); export the new secret in the environment Terraform runs in and apply again`,
  );
}

/**
 * The tenant's environment was not ready within the restart policy's timeout: `restarted`, after
 * the restart the apply asked for; otherwise a restart it did not start (another one, a Ping
 * upgrade) still ran, and it could not restart. `pending`: the ESVs not loaded, named.
 */
export function restartTimeout(timeoutSeconds: number, restarted: boolean, pending: string): EngineError {
  const what = restarted
    ? `the tenant's environment was still restarting ${timeoutSeconds} s after this apply restarted it to load its ESV changes`
    : `the tenant's environment was restarting (not started by this apply: another restart or a Ping upgrade) for all of ${timeoutSeconds} s, so this apply could not restart it`;
  return new EngineError(
    "RESTART_TIMEOUT",
    `${what} (esvRestart timeoutSeconds ${timeoutSeconds}); not loaded: ${pending || "(none)"}; apply again once GET /environment/startup says ready, or raise the tenant's esvRestart timeoutSeconds`,
  );
}

/** A secret too short to be scrubbed from error text safely (the value is never printed). */
export function secretTooShort(env: string, id: string, min: number): EngineError {
  return new EngineError(
    "SECRET_TOO_SHORT",
    `${env} is too short for the secret of ${id}: it must have at least ${min} characters (shorter ones cannot be kept out of error output); set a longer secret`,
  );
}

export function realmNotFound(realm: string, baseUrl: string): EngineError {
  return new EngineError(
    "REALM_NOT_FOUND",
    `realm "${realm}" does not exist in ${baseUrl}: create it in the admin console or fix the tenant's realm in code; nothing was written`,
  );
}
