/**
 * Test helpers of the admin client: the embedded tenant over real HTTP, its control endpoints
 * (faults, audit, sessions, reset), and client options with credentials in a private env.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONTROL_PREFIX, DEFAULT_CREDENTIAL_ENV, type AuthConfig } from "../../src/contract";
import { startTenant } from "../../src/emulator";
import type { AdminClientOptions } from "../../src/client";

export type Tenant = Awaited<ReturnType<typeof startTenant>>;

export interface Fault {
  /** A glob over the request path: `*` within a segment, `**` across; with `?` the query too. */
  path: string;
  method?: string;
  times: number;
  status?: number;
  retryAfterSeconds?: number;
  drop?: boolean;
  /** Handle the request, then drop the connection unanswered (a lost response). */
  dropAfter?: boolean;
  latencyMs?: number;
  /** The answer's body (default: a CREST error body of the status); a string is sent as is. */
  body?: unknown;
  /** The answer's Content-Type (default: JSON). */
  contentType?: string;
}

export interface AuditEntry {
  method: string;
  path: string;
  status: number;
  time: string;
  kind?: string;
}

export const SERVICE_ACCOUNT_AUTH: AuthConfig = {
  method: "service-account",
  idEnv: DEFAULT_CREDENTIAL_ENV.serviceAccountId,
  jwkEnv: DEFAULT_CREDENTIAL_ENV.serviceAccountJwk,
};
export const AM_SESSION_AUTH: AuthConfig = {
  method: "am-session",
  usernameEnv: DEFAULT_CREDENTIAL_ENV.amAdminUsername,
  passwordEnv: DEFAULT_CREDENTIAL_ENV.amAdminPassword,
};
export const TOKEN_PATH = "/am/oauth2/access_token";

/** One tenant for a test file; reset between tests, each test with its own token cache. */
export class TestTenant {
  tenant!: Tenant;
  private readonly dirs: string[] = [];
  private sharedCacheDir?: string;

  async start(): Promise<this> {
    this.tenant = await startTenant({ port: 0 });
    return this;
  }

  async stop(): Promise<void> {
    await this.tenant?.close();
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }

  get baseUrl(): string {
    return this.tenant.baseUrl;
  }

  get connection() {
    return this.tenant.connection;
  }

  /** A fresh, empty directory that is removed when the tenant stops. */
  tempDir(prefix = "cdktf-aic-client-"): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** The credentials a CI job would have, in their default env var names. */
  env(): Record<string, string> {
    const c = this.connection;
    return {
      [DEFAULT_CREDENTIAL_ENV.serviceAccountId]: c.serviceAccount.id,
      [DEFAULT_CREDENTIAL_ENV.serviceAccountJwk]: JSON.stringify(c.serviceAccount.jwk),
      [DEFAULT_CREDENTIAL_ENV.amAdminUsername]: c.amAdmin.username,
      [DEFAULT_CREDENTIAL_ENV.amAdminPassword]: c.amAdmin.password,
    };
  }

  /**
   * The token cache the clients of this tenant share by default: the tenant caps sessions at 5
   * per account and `reset` keeps them, so tests mint only when they mean to.
   */
  get cacheDir(): string {
    this.sharedCacheDir ??= this.tempDir("cdktf-aic-cache-");
    return this.sharedCacheDir;
  }

  /** Client options against this tenant with the shared token cache; fast retries unless given. */
  options(overrides: Partial<AdminClientOptions> = {}): AdminClientOptions {
    return {
      baseUrl: this.baseUrl,
      realm: this.connection.realm,
      auth: SERVICE_ACCOUNT_AUTH,
      env: this.env(),
      tokenCacheDir: this.cacheDir,
      retry: { baseDelayMs: 20, maxDelayMs: 200 },
      ...overrides,
    };
  }

  async reset(): Promise<void> {
    await this.control("POST", "/reset");
  }

  async fault(fault: Fault): Promise<void> {
    await this.control("POST", "/faults", fault);
  }

  async audit(): Promise<AuditEntry[]> {
    return ((await this.control("GET", "/audit")) as { entries: AuditEntry[] }).entries;
  }

  /** Statuses of the audited calls of one method whose path (without query) matches. */
  async statuses(method: string, path: string | RegExp): Promise<number[]> {
    const matches = (p: string) => (typeof path === "string" ? p === path : path.test(p));
    return (await this.audit()).filter((e) => e.method === method && matches(e.path.split("?")[0])).map((e) => e.status);
  }

  async sessions(): Promise<Record<string, { peak: number; active: number }>> {
    return (await this.control("GET", "/sessions")) as Record<string, { peak: number; active: number }>;
  }

  private async control(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.baseUrl}${CONTROL_PREFIX}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`control ${method} ${path} failed with ${res.status}: ${await res.text()}`);
    const text = await res.text();
    return text ? JSON.parse(text) : undefined;
  }
}
