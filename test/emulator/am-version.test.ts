/**
 * The AM-version profile of OAuth2Client/AIAgent attributes: the embedded tenant knows the
 * attributes of the AM version it plays (current AIC by default), so an AIAgent body exactly as
 * such a tenant returns it is accepted on PUT, and export → import of a real agent round-trips.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { AM_VERSION_ATTRIBUTES } from "../../src/contract/am-defaults";
import { AI_AGENT, API_VERSION, startTestTenant, type TestTenant } from "./helpers";

const RECORDED_READ = path.resolve(__dirname, "../fixtures/aic-recordings/aiagent-read.json");

/** The recorded GET of an AIAgent (realm alpha). */
function recordedAgent(): Record<string, any> {
  const scenario = JSON.parse(readFileSync(RECORDED_READ, "utf8"));
  const read = scenario.exchanges.find((e: any) => e.request.method === "GET" && e.request.path.includes("/AIAgent/"));
  return read.response.body;
}

/**
 * The recorded agent as current AIC returns it: the attributes AM added since the recording, with
 * their read forms (wrapped in every group but the override group).
 */
function currentAicAgent(): Record<string, any> {
  const body = structuredClone(recordedAgent());
  body.advancedOAuth2ClientConfig.tlsCaSecretLabelIdentifier = { inherited: false };
  body.coreOAuth2ClientConfig.authorizationDetailTypes = { inherited: false, value: [] };
  body.overrideOAuth2ClientConfig.tlsClientCertificateChainValidationEnabled = false;
  body.overrideOAuth2ClientConfig.useTokenIntrospectionClaimForJWT = false;
  return body;
}

/** Every AIAgent body a recording PUT (creates and the update), with its scenario, agent id and recorded status. */
function recordedPuts(): { scenario: string; id: string; body: Record<string, unknown>; status: number }[] {
  const dir = path.dirname(RECORDED_READ);
  return readdirSync(dir)
    .filter((f) => f.startsWith("aiagent-") && f.endsWith(".json"))
    .sort()
    .flatMap((f) => {
      const scenario = JSON.parse(readFileSync(path.join(dir, f), "utf8"));
      return scenario.exchanges
        .filter((e: any) => e.request.method === "PUT" && e.request.path.includes("/AIAgent/"))
        .map((e: any) => ({ scenario: scenario.scenario, id: decodeURIComponent(e.request.path.split("/").pop()), body: e.request.body, status: e.response.status }));
    });
}

const put = (t: TestTenant, id: string, body: unknown) => t.call("PUT", `${AI_AGENT}/${id}`, { apiVersion: API_VERSION.aiAgent, body });
const get = (t: TestTenant, id: string) => t.call("GET", `${AI_AGENT}/${id}`, { apiVersion: API_VERSION.aiAgent });

describe("the AM-version profile of client attributes", () => {
  let t: TestTenant;
  beforeAll(async () => {
    t = await startTestTenant();
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(() => t.reset());

  it("accepts an AIAgent body exactly as current AIC returns it", async () => {
    const body = currentAicAgent();
    const reply = await put(t, body._id, body);
    expect(reply.status).toBe(201);
    expect(reply.body.overrideOAuth2ClientConfig).toMatchObject({
      tlsClientCertificateChainValidationEnabled: false,
      useTokenIntrospectionClaimForJWT: false,
    });
    expect(reply.body.advancedOAuth2ClientConfig.tlsCaSecretLabelIdentifier).toEqual({ inherited: false });
  });

  it("accepts every recorded AIAgent PUT body (creates and update) as recorded, and reads back the agent it wrote", async () => {
    const puts = recordedPuts();
    expect(puts.map((p) => p.scenario)).toEqual(["aiagent-create-with-owner", "aiagent-create-with-privileges", "aiagent-create", "aiagent-update"]);
    const problems: string[] = [];
    for (const p of puts) {
      await t.reset();
      // The update replaces an agent that exists (its recorded body, as created).
      if (p.status === 200) await put(t, p.id, p.body);
      const reply = await put(t, p.id, p.body);
      if (reply.status !== p.status) problems.push(`${p.scenario}: ${reply.status}, recorded ${p.status}: ${JSON.stringify(reply.body).slice(0, 200)}`);
      const read = await get(t, p.id);
      if (read.status !== 200 || read.body._id !== p.id) problems.push(`${p.scenario}: read back ${read.status}`);
    }
    expect(problems).toEqual([]);
  });

  it("round-trips a GET → PUT of an agent: the replace answers 200 and the agent reads back unchanged", async () => {
    const body = currentAicAgent();
    await put(t, body._id, body);
    const before = (await get(t, body._id)).body;
    const replace = await put(t, body._id, before);
    expect(replace.status).toBe(200);
    const { _rev: _a, ...after } = (await get(t, body._id)).body;
    const { _rev: _b, ...expected } = before;
    expect(after).toEqual(expected);
  });

  it("shows every attribute of its AM version with AM's default on a fresh agent", async () => {
    const reply = await put(t, "fresh-agent", { aiAgentIdentityAttributes: { name: "Fresh" } });
    for (const [group, attrs] of Object.entries(AM_VERSION_ATTRIBUTES["aic-2026-08"])) {
      for (const [attr, value] of Object.entries(attrs)) {
        const shown = reply.body[group][attr];
        expect(group === "overrideOAuth2ClientConfig" ? shown : shown.value ?? null).toEqual(value);
      }
    }
  });

  it("refuses, when it plays the recorded AM version, an attribute that version does not know", async () => {
    const older = await startTestTenant({ amVersion: "aic-recorded" });
    try {
      const reply = await put(older, "FrodoOpsTestAIAgent1", currentAicAgent());
      expect(reply).toMatchObject({ status: 400, body: { code: 400, message: "Invalid attribute specified." } });
      expect((await put(older, "FrodoOpsTestAIAgent1", recordedAgent())).status).toBe(201);
    } finally {
      await older.close();
    }
  });
});
