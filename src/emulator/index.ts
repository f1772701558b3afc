/**
 * The embedded tenant: a local AM/IDM on 127.0.0.1 that answers the admin and OAuth2 endpoints
 * this tool uses, faithfully to the reference and the recordings. `startTenant({port: 0})` gives
 * an ephemeral port; with `statePath` the state (and the credentials) survive restarts.
 */
import type { AddressInfo } from "node:net";
import { CURRENT_AM_VERSION, type AmVersion } from "../contract/am-defaults";
import type { TenantConnection } from "../contract/connection";
import type { EmulatorContext } from "./context";
import { ControlPlane } from "./control";
import { createSigningKeys } from "./keys";
import { connectionOf, createSeedCredentials, seedState } from "./seed";
import { createTenantServer } from "./server";
import { SessionRegistry } from "./sessions";
import { readStateFile, STATE_FILE_FORMAT, writeStateFile } from "./store";

export interface StartTenantOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Only the loopback interface: the tenant has no TLS and publishes its credentials. */
  readonly host?: "127.0.0.1";
  /** A JSON file to load the state from and save it to after every write. @default - in memory */
  readonly statePath?: string;
  /** Added to every admin call. @default 0 */
  readonly latencyMs?: number;
  /** The AM version whose client attributes the tenant knows. @default current AIC */
  readonly amVersion?: AmVersion;
  /**
   * How long an ESV restart stays `restarting` before it is `ready` with the new values loaded
   * (AIC takes minutes; the embedded tenant keeps it short). @default 1000
   */
  readonly restartDelayMs?: number;
}

export const DEFAULT_RESTART_DELAY_MS = 1000;

export interface RunningTenant {
  readonly baseUrl: string;
  readonly connection: TenantConnection;
  close(): Promise<void>;
}

export async function startTenant(opts: StartTenantOptions = {}): Promise<RunningTenant> {
  const { statePath } = opts;
  const saved = statePath ? readStateFile(statePath) : undefined;
  const seed = saved?.seed ?? (await createSeedCredentials());
  const ctx: EmulatorContext = {
    state: saved?.tenant ?? seedState(seed),
    baseUrl: "",
    sessions: new SessionRegistry({ maxPerAccount: 5 }),
    amVersion: opts.amVersion ?? CURRENT_AM_VERSION,
    signingKeys: await createSigningKeys(),
    revokedGrants: new Set(),
    now: () => Date.now(),
    restartDelayMs: opts.restartDelayMs ?? DEFAULT_RESTART_DELAY_MS,
    nextRev: () => String(++ctx.state.counter),
    save: () => {
      if (statePath) writeStateFile(statePath, { format: STATE_FILE_FORMAT, tenant: ctx.state, seed });
    },
  };
  const control = new ControlPlane(() => {
    ctx.state = seedState(seed);
    ctx.restartDelayMs = opts.restartDelayMs ?? DEFAULT_RESTART_DELAY_MS;
    ctx.save();
  });
  control.latencyMs = opts.latencyMs ?? 0;

  const server = createTenantServer(ctx, control);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  ctx.baseUrl = `http://127.0.0.1:${port}`;
  ctx.save();

  return {
    baseUrl: ctx.baseUrl,
    connection: connectionOf(seed, ctx.baseUrl),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export type { TenantConnection };
