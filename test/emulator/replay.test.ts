/**
 * Replays every recorded exchange of a real AIC tenant (fixtures/aic-recordings) against the
 * embedded tenant, after building the state each scenario implies, and compares status and body
 * shape (keys and JSON types; ids, revisions and timestamps differ per run). Every recorded body,
 * and every answer of the embedded tenant, must also parse with the contract schema of its endpoint.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { z } from "zod";
import { API_VERSION, ENDPOINTS, fillPath, type Endpoint } from "../../src/contract/endpoints";
import { CrestError } from "../../src/contract/schemas";
import { fixtures, startTestTenant, type TestTenant } from "./helpers";

const RECORDINGS = path.resolve(__dirname, "../fixtures/aic-recordings");

interface Exchange {
  request: { method: string; path: string; headers: Record<string, string>; body: unknown };
  response: { status: number; headers: Record<string, string>; body: unknown };
}
interface Scenario {
  scenario: string;
  exchanges: Exchange[];
}

/**
 * Attributes AM added after the OAuth2Client and provider recordings were made: the newer AIAgent
 * recordings have them, and the embedded tenant follows the newer schema. They may appear in an
 * answer where the recording has none; no other difference of keys is allowed.
 */
const NEWER_ATTRIBUTES = new Set([
  "enableApplicationContext",
  "acceptAudienceParametersInTokenExchangeRequests",
  "useForceAuthnForMaxAge",
  "treeName",
  "acceptedJwtIssuers",
  "introspectionPolicySets",
  "allowedResourceServerAudienceValues",
  "secretLabelIdentifier",
  "aiAgentsConfig",
]);

const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/** Differences of shape between a recorded value and the tenant's answer, as readable paths. */
function shapeDiff(recorded: unknown, actual: unknown, at = "body"): string[] {
  if (typeOf(recorded) !== typeOf(actual)) return [`${at}: recorded ${typeOf(recorded)}, got ${typeOf(actual)}`];
  if (Array.isArray(recorded)) {
    const a = actual as unknown[];
    if ((recorded.length === 0) !== (a.length === 0)) return [`${at}: recorded ${recorded.length} items, got ${a.length}`];
    // Lists differ in length (the seed adds objects): item i is held to recorded item i, or the last.
    return a.flatMap((item, i) => shapeDiff(recorded[Math.min(i, recorded.length - 1)], item, `${at}[${i}]`));
  }
  if (recorded && typeof recorded === "object") {
    const r = recorded as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    const diffs: string[] = [];
    for (const k of Object.keys(r)) if (!(k in a)) diffs.push(`${at}.${k}: missing`);
    for (const k of Object.keys(a)) if (!(k in r) && !NEWER_ATTRIBUTES.has(k)) diffs.push(`${at}.${k}: unexpected`);
    for (const k of Object.keys(r)) if (k in a) diffs.push(...shapeDiff(r[k], a[k], `${at}.${k}`));
    return diffs;
  }
  return [];
}

/** The contract endpoint a recorded request belongs to, when the contract has one. */
function endpointOf(method: string, requestPath: string): Endpoint | undefined {
  const [pathname, search] = requestPath.split("?");
  const action = new URLSearchParams(search ?? "").get("_action");
  const flat: Endpoint[] = Object.values(ENDPOINTS).flatMap((e) => ("method" in e ? [e as Endpoint] : Object.values(e as Record<string, Endpoint>)));
  return flat.find((e) => {
    if (e.method !== method || (e.query?._action ?? null) !== action) return false;
    const template = fillPath(e.path, { realm: "alpha" }).replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace("{id}", "[^/]+").replace("{version}", "[^/]+");
    return new RegExp(`^${template}$`).test(pathname);
  });
}

function schemaIssues(schema: z.ZodType, body: unknown): string | undefined {
  const result = schema.safeParse(body);
  return result.success ? undefined : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).slice(0, 5).join("; ");
}

function schemaFor(exchange: Exchange): z.ZodType | undefined {
  if (exchange.response.status >= 400) return CrestError;
  return endpointOf(exchange.request.method, exchange.request.path)?.response;
}

const load = (file: string): Scenario => JSON.parse(readFileSync(path.join(RECORDINGS, file), "utf8"));

const recorded = (s: Scenario, i: number) => s.exchanges[i].response.body as Record<string, any>;
const identityOf = (body: Record<string, any>) => {
  const { _id, name, description } = body.aiAgentIdentityAttributes.value ?? body.aiAgentIdentityAttributes;
  return { _id, name, description };
};
const withoutMeta = (body: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(body).filter(([k]) => !k.startsWith("_")));

/** A placeholder ESV secret with this many versions, made through the API. */
async function esvSecret(t: TestTenant, id: string, versions: number): Promise<void> {
  const value = (n: number) => Buffer.from(`value ${n}`).toString("base64");
  const o = { apiVersion: API_VERSION.environment };
  const calls = [
    () => t.call("PUT", `/environment/secrets/${id}`, { ...o, body: { valueBase64: value(1), encoding: "generic", useInPlaceholders: true } }),
    ...Array.from({ length: versions - 1 }, (_, i) => () => t.call("POST", `/environment/secrets/${id}/versions?_action=create`, { ...o, body: { valueBase64: value(i + 2) } })),
  ];
  for (const call of calls) {
    const r = await call();
    if (r.status !== 200) throw new Error(`ESV setup of ${id}: HTTP ${r.status}`);
  }
}

/** The state each scenario implies, built through the admin API with the recorded ids. */
const SETUP: Record<string, (t: TestTenant, s: Scenario) => Promise<void>> = {
  "aiagent-create-with-owner": async (t) => {
    await fixtures(t).user("867cbaf7-03cd-487a-9a96-d9769b297037");
  },
  "aiagent-create-with-privileges": async (t) => {
    const f = fixtures(t);
    await f.user("867cbaf7-03cd-487a-9a96-d9769b297037");
    await f.group("FrodoOpsTestAIPrivGroup");
    await f.application("ffe12bd1-fc1b-422f-a53a-1de5fd7daf97", "FrodoOpsPrivAppffe12bd1");
    await f.application("8e50a390-7858-4117-8f44-5abe558e1ea7", "FrodoOpsPrivApp8e50a390");
  },
  "aiagent-delete": async (t, s) => {
    await fixtures(t).agent("FrodoOpsTestAIAgent9", identityOf(recorded(s, 1)));
  },
  "aiagent-read": async (t, s) => {
    await fixtures(t).agent("FrodoOpsTestAIAgent1", identityOf(recorded(s, 0)));
  },
  "aiagent-update": async (t, s) => {
    await fixtures(t).agent("FrodoOpsTestAIAgent1", identityOf(s.exchanges[0].request.body as Record<string, any>));
  },
  "esv-secret-versions-read": async (t) => {
    // Three versions, the second disabled; placeholder secrets never loaded, as recorded.
    await esvSecret(t, "esv-frodo-test-secret1", 3);
    const r = await t.call("POST", "/environment/secrets/esv-frodo-test-secret1/versions/2?_action=changestatus", { apiVersion: API_VERSION.environment, body: { status: "DISABLED" } });
    if (r.status !== 200) throw new Error(`disable version 2: HTTP ${r.status}`);
  },
  "esv-secret-version-disable": async (t) => {
    // Version 2 is not the latest, or it could not be disabled.
    await esvSecret(t, "esv-frodo-test-secret2", 3);
  },
  "esv-secret-store-read": async (t) => {
    const label = "am.services.oauth2.oidc.signing.EDDSA";
    const path = `/am/json/realms/root/realms/alpha/realm-config/secrets/stores/GoogleSecretManagerSecretStoreProvider/ESV/mappings/${label}`;
    const r = await t.call("PUT", path, { apiVersion: API_VERSION.secretStore, body: { secretId: label, aliases: ["esv-test-signing-cert"] } });
    if (r.status !== 201) throw new Error(`mapping setup: HTTP ${r.status}`);
  },
  "oauth2client-read": async (t, s) => {
    await fixtures(t).client("FrodoTestOAuth2Client1", withoutMeta(recorded(s, 0)));
  },
  "oauth2client-update": async (t, s) => {
    await fixtures(t).client("FrodoTestOAuth2Client3", s.exchanges[0].request.body as Record<string, unknown>);
  },
  "user-groups-read": async (t) => {
    const f = fixtures(t);
    await f.user("346459bf-4159-4c4c-b929-f9ff5acc2f53");
    await f.group("test-group", ["346459bf-4159-4c4c-b929-f9ff5acc2f53"]);
  },
};

const files = existsSync(RECORDINGS) ? readdirSync(RECORDINGS).filter((f) => f.endsWith(".json")).sort() : [];

if (files.length === 0) {
  describe("recorded AIC traffic", () => {
    // The contract's ground truth lives in the repository (test/fixtures): its absence is a failure.
    it(`is there to replay at ${RECORDINGS}`, () => {
      expect(files.length).toBeGreaterThan(0);
    });
  });
} else {
  describe("recorded AIC traffic", () => {
    let tenant: TestTenant;
    beforeAll(async () => {
      // The AM version the recordings were made on (am-version.test.ts covers the current one).
      tenant = await startTestTenant({ amVersion: "aic-recorded" });
    });
    afterAll(async () => {
      await tenant?.close();
    });

    it("covers every scenario that needs state with a setup", () => {
      const scenarios = files.map((f) => load(f).scenario);
      expect(Object.keys(SETUP).filter((s) => !scenarios.includes(s))).toEqual([]);
    });

    describe.each(files)("%s", (file) => {
      const scenario = load(file);

      it("parses every recorded response with the contract schema of its endpoint", () => {
        const problems = scenario.exchanges.flatMap((e) => {
          const schema = schemaFor(e);
          const issue = schema && schemaIssues(schema, e.response.body);
          return issue ? [`${e.request.method} ${e.request.path}: ${issue}`] : [];
        });
        expect(problems).toEqual([]);
      });

      it("answers every recorded request with the recorded status and body shape", async () => {
        await tenant.reset();
        await SETUP[scenario.scenario]?.(tenant, scenario);
        const problems: string[] = [];
        for (const [i, e] of scenario.exchanges.entries()) {
          const headers: Record<string, string> = {};
          for (const h of ["accept-api-version", "if-none-match", "if-match"]) {
            if (e.request.headers[h] !== undefined) headers[h] = e.request.headers[h];
          }
          const got = await tenant.call(e.request.method, e.request.path, { headers, body: e.request.body ?? undefined });
          const where = `#${i} ${e.request.method} ${e.request.path}`;
          if (got.status !== e.response.status) {
            problems.push(`${where}: status ${got.status}, recorded ${e.response.status}: ${JSON.stringify(got.body).slice(0, 300)}`);
            continue;
          }
          problems.push(...shapeDiff(e.response.body, got.body).map((d) => `${where}: ${d}`));
          for (const h of ["etag", "location"]) {
            if (e.response.headers[h] !== undefined && got.headers.get(h) === null) problems.push(`${where}: header ${h} missing`);
          }
          const schema = schemaFor(e);
          const issue = schema && schemaIssues(schema, got.body);
          if (issue) problems.push(`${where}: answer fails the contract schema: ${issue}`);
        }
        expect(problems).toEqual([]);
      });
    });
  });
}
