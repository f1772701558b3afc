/**
 * What the plan tests share: the seed's configuration with knobs and readable views of the output.
 * (Writes behind the stack's back go through `Workspace.adminClient()`.)
 */
export { APP, AGENT, seed, type SeedKnobs } from "../support/seed";

/** The lines of the plan's stdout that start with a symbol, for readable assertions. */
export function symbolLines(stdout: string): string[] {
  return stdout.split("\n").map((l) => l.trim()).filter((l) => /^[+~\-!=]/.test(l));
}
