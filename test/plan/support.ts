/**
 * What the plan tests share: the seed's configuration with knobs, an admin client that writes to
 * the tenant behind the stack's back (drift), and the scans of every output.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAdminApi, type AdminClient } from "../../src/client/admin-api";
import { DEFAULT_CREDENTIAL_ENV } from "../../src/contract/constants";
import type { Workspace } from "../e2e/harness";
export { APP, AGENT, seed, type SeedKnobs } from "../support/seed";

/** An admin client of the workspace's tenant, for writes made outside code. */
export function directClient(ws: Workspace): AdminClient {
  const env = ws.env();
  return createAdminApi({
    baseUrl: ws.tenant.baseUrl,
    realm: "alpha",
    auth: { method: "service-account", idEnv: DEFAULT_CREDENTIAL_ENV.serviceAccountId, jwkEnv: DEFAULT_CREDENTIAL_ENV.serviceAccountJwk },
    env,
    tokenCacheDir: mkdtempSync(join(tmpdir(), "cdktf-aic-plan-direct-")),
  });
}

/** The lines of the plan's stdout that start with a symbol, for readable assertions. */
export function symbolLines(stdout: string): string[] {
  return stdout.split("\n").map((l) => l.trim()).filter((l) => /^[+~\-!=]/.test(l));
}
