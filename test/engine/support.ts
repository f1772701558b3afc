/**
 * The embedded tenant for engine and CLI tests: real HTTP on 127.0.0.1, credentials from its
 * connection, the real admin client, and the audit log to count what was called.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAdminApi, type AdminClient } from "../../src/client/admin-api";
import { DEFAULT_CREDENTIAL_ENV, TOKEN_EXCHANGE_GRANT } from "../../src/contract/constants";
import { identityKey, identityOf, Spec, tenantKey, type SpecOf, type TenantRef } from "../../src/contract/spec";
import { startTenant, type RunningTenant } from "../../src/emulator";
import { journalIdentity, journalKey, journalOf, type Journal } from "../../src/contract/journal";
import { createOAuth2Api } from "../../src/client/oauth2-api";
import { secretProof } from "../../src/engine/ownership";
import { syncTenant, type ResourcesInState, type SyncOutcome } from "../../src/engine/sync";
import type { ObjectResult } from "../../src/engine/result";
import type { StackContents } from "../../src/plan/stack";

export interface AuditEntry {
  kind: string;
  method: string;
  path: string;
  status: number;
}

export class TestTenant {
  tenant!: RunningTenant;
  api!: AdminClient;
  readonly cacheDir = mkdtempSync(join(tmpdir(), "cdktf-aic-engine-"));
  /** Planted secrets: what a CI job would export; scans look for them in every output. */
  readonly secrets = {
    WEB_APP_CLIENT_SECRET: `web-${Math.random().toString(36).slice(2)}-planted`,
    AI_AGENT_CLIENT_SECRET: `agent-${Math.random().toString(36).slice(2)}-planted`,
  };

  async start(): Promise<this> {
    this.tenant = await startTenant({ port: 0 });
    this.api = createAdminApi({ ...this.ref(), env: this.env(), tokenCacheDir: this.cacheDir });
    return this;
  }

  async stop(): Promise<void> {
    await this.api?.close();
    await this.tenant?.close();
    rmSync(this.cacheDir, { recursive: true, force: true });
  }

  ref(): TenantRef {
    return {
      baseUrl: this.tenant.baseUrl,
      realm: "alpha",
      auth: { method: "service-account", idEnv: DEFAULT_CREDENTIAL_ENV.serviceAccountId, jwkEnv: DEFAULT_CREDENTIAL_ENV.serviceAccountJwk },
    };
  }

  /** Admin credentials and the planted secrets, as the environment Terraform runs in would hold them. */
  env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
    const c = this.tenant.connection;
    return {
      [DEFAULT_CREDENTIAL_ENV.serviceAccountId]: c.serviceAccount.id,
      [DEFAULT_CREDENTIAL_ENV.serviceAccountJwk]: JSON.stringify(c.serviceAccount.jwk),
      CDKTF_AIC_TOKEN_CACHE_DIR: this.cacheDir,
      ...this.secrets,
      ...extra,
    };
  }

  password(userName: string): string {
    return this.tenant.connection.users.find((u) => u.userName === userName)!.password;
  }

  async reset(): Promise<void> {
    await fetch(`${this.tenant.baseUrl}/__emulator/reset`, { method: "POST" });
    await this.clearAudit();
  }

  async clearAudit(): Promise<void> {
    await fetch(`${this.tenant.baseUrl}/__emulator/audit`, { method: "DELETE" });
  }

  /** Admin API calls since the last clear, without the service-account token requests. */
  async adminCalls(): Promise<AuditEntry[]> {
    const res = await fetch(`${this.tenant.baseUrl}/__emulator/audit`);
    const { entries } = (await res.json()) as { entries: AuditEntry[] };
    return entries.filter((e) => e.kind === "admin" && !e.path.startsWith("/am/oauth2/"));
  }

  async writes(): Promise<AuditEntry[]> {
    return (await this.adminCalls()).filter((e) => e.method !== "GET");
  }

  /** Makes the next `times` requests matching the path glob and method answer `status`. */
  async fault(path: string, method: string, status = 500, times = 20): Promise<void> {
    await fetch(`${this.tenant.baseUrl}/__emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ path, method, status, times }),
    });
  }

  async clearFaults(): Promise<void> {
    await fetch(`${this.tenant.baseUrl}/__emulator/faults`, { method: "DELETE" });
  }

  // ---------- the seed's four specs ----------

  spec<K extends Spec["kind"]>(s: Record<string, unknown>): SpecOf<K> {
    return Spec.parse({ tenant: this.ref(), ...s }) as SpecOf<K>;
  }

  providerGrants(owned: Record<string, unknown> = {}, removalPolicy = "retain") {
    return this.spec<"oauth2-provider-grants">({
      kind: "oauth2-provider-grants",
      id: "oauth2-provider",
      owned: { grantTypes: ["password", TOKEN_EXCHANGE_GRANT], ...owned },
      removalPolicy,
    });
  }

  webApp(owned: Record<string, unknown> = {}, id = "digital-assistant-web-app") {
    return this.spec<"web-app">({
      kind: "web-app",
      id,
      owned: {
        name: "Digital Assistant Web App",
        owners: ["alice.walker"],
        scopes: ["openid", "read-data", "write-data", "admin-action"],
        grantTypes: ["authorization_code", "password"],
        tokenEndpointAuthMethod: "client_secret_post",
        redirectUris: [],
        ...owned,
      },
      secret: { env: "WEB_APP_CLIENT_SECRET", version: 1 },
    });
  }

  aiAgent(owned: Record<string, unknown> = {}, id = "digital-assistant-ai-agent") {
    return this.spec<"ai-agent">({
      kind: "ai-agent",
      id,
      owned: {
        name: "Digital Assistant AI Agent",
        owners: ["alice.walker"],
        scopes: [],
        grantTypes: [TOKEN_EXCHANGE_GRANT],
        tokenEndpointAuthMethod: "client_secret_post",
        providerOverrides: { enabled: true, statelessTokens: true, acceptAudienceInTokenExchange: true },
        ...owned,
      },
      secret: { env: "AI_AGENT_CLIENT_SECRET", version: 1 },
    });
  }

  agentGrant(owned: Record<string, unknown> = {}) {
    const o = { agent: "digital-assistant-ai-agent", application: "digital-assistant-web-app", subjects: ["barbara.jensen"], subjectGroups: [], scopes: ["read-data"], ...owned };
    return this.spec<"agent-grant">({ kind: "agent-grant", id: `${o.agent}/${o.application}`, owned: o });
  }
}

/**
 * Runs the engine's sync against a TestTenant as a tenant's Journal would: from the journal applied
 * last to the journal of `specs`, keeping the new one only when the sync succeeded (as Terraform
 * keeps the old journal when the provisioner fails).
 */
export class Journaled {
  applied: Journal | undefined;
  readonly lines: ObjectResult[] = [];

  constructor(private readonly t: TestTenant) {}

  /** As the CLI runs it: able to prove that the stack holds a client's secret. */
  async apply(
    specs: readonly Spec[],
    env: Record<string, string | undefined> = {},
    { resources, ...options }: { aborted?: () => boolean; resources?: ResourcesInState } = {},
  ): Promise<SyncOutcome> {
    const desired = journalOf(this.t.ref(), specs);
    const oauth2 = createOAuth2Api({ baseUrl: this.t.tenant.baseUrl, realm: "alpha" });
    const outcome = await syncTenant(() => this.t.api, { previous: this.applied, desired, specs: new Map(specs.map((s) => [journalKey(s), s])), resources }, {
      env: this.t.env(env),
      onResult: (r) => this.lines.push(r),
      proveSecret: secretProof(oauth2),
      ...options,
    }).finally(() => oauth2.close());
    if (outcome.failed === 0 && !outcome.aborted) this.applied = desired;
    return outcome;
  }
}

/**
 * Starts `t` for the test file and resets it before each test, handing `fresh` a new stack's
 * journal (nothing applied yet) each time.
 */
export function useTenant(t: TestTenant, fresh: (j: Journaled) => void): void {
  beforeAll(() => t.start(), 60_000);
  afterAll(() => t.stop());
  beforeEach(async () => {
    await t.reset();
    fresh(new Journaled(t));
  });
}

/**
 * A stack's contents, as its synth output (or, with `inState`, its applied state) gives them to
 * plan; `inState`: the objects whose `Resource` is in the state (the others were removed from it
 * with `terraform state rm`), its Journal applied after its Gate.
 */
export function stackContents(t: TestTenant, specs: readonly Spec[], inState?: (s: Spec) => boolean): StackContents {
  const journal = journalOf(t.ref(), specs);
  return {
    objects: new Map(specs.map((s) => [identityKey(identityOf(s)), { identity: identityOf(s), spec: s, construct: `alpha/${s.id}` }])),
    inventory: Object.values(journal.objects).map((e) => journalIdentity(journal, e)),
    journals: [journal],
    ...(inState
      ? {
          resources: new Map(specs.filter(inState).map((s) => [`terraform_data.${s.kind}_${s.id}`, identityKey(identityOf(s))])),
          syncFirst: new Set([tenantKey(t.ref())]),
        }
      : {}),
  };
}
