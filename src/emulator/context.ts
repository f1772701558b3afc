/**
 * What every handler of the embedded tenant gets besides the request: the state it reads and
 * writes, where it is reachable, the admin sessions, the realm signing keys, a clock and the hooks
 * that give out revisions and persist the state after a write.
 */
import type { AmVersion } from "../contract/am-defaults";
import type { SigningKeys } from "./keys";
import type { SessionRegistry } from "./sessions";
import type { TenantState } from "./types";

export interface EmulatorContext {
  /** Replaced as a whole by a reset: read it through the context each time, never keep it. */
  state: TenantState;
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  baseUrl: string;
  sessions: SessionRegistry;
  /** The AM version the tenant plays: which client attributes it knows. */
  amVersion: AmVersion;
  signingKeys: SigningKeys;
  /**
   * `authGrantId`s revoked at `token/revoke`: their tokens no longer verify. Kept in memory like the
   * signing key (tokens do not outlive the process) and, like the tokens, kept across a reset.
   */
  revokedGrants: Set<string>;
  now(): number;
  /** How long an ESV restart (`/environment/startup?_action=restart`) stays `restarting`. */
  restartDelayMs: number;
  /** A revision never given out before (IDM `_rev` values, AM `_rev` counters). */
  nextRev(): string;
  /** Persists the state when the tenant has a state file; a no-op otherwise. */
  save(): void;
}
