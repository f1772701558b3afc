/** Ids the tool derives rather than lets the tenant choose (shared by constructs, engine and CLI). */
import { createHash } from "node:crypto";

/**
 * A stable uuid-shaped id from its parts (sha256, RFC 9562 version 8 "custom" layout), so the
 * same object gets the same id on every apply and a lost create can be found again.
 */
export function deterministicUuid(...parts: string[]): string {
  const bytes = createHash("sha256").update(parts.join("\u0000")).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x80;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id of the realm's script named `name` (AM script names are unique in a realm): known at
 * synth, so a client can name the script it runs before the script exists.
 */
export function scriptId(realm: string, name: string): string {
  return deterministicUuid("script", realm, name);
}
