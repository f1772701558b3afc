/** Helpers to look at errors: every way one can be printed, and the rejection of a promise. */
import { inspect } from "node:util";

/** Every way an error can be printed, for secret scans. */
export function renderings(err: unknown): string[] {
  const e = err as Error;
  return [String(e), e.stack ?? "", JSON.stringify(e), e.message, inspect(e, { depth: 5 })];
}

/** The rejection of a promise (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error("expected a rejection, got a result");
}
