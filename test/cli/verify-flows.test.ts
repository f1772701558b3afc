/**
 * verify's flows against the embedded tenant over HTTP, with the stack applied by the engine: what
 * it reads from the specs, and that it fails a check when the tenant no longer does what the stack
 * says (a limit taken off behind the stack's back lets a refused scope through).
 */
import { createOAuth2Api } from "../../src/client/oauth2-api";
import { runFlows, StackFlows } from "../../src/cli/verify-flows";
import { TOKEN_EXCHANGE_GRANT } from "../../src/contract/constants";
import { scriptId } from "../../src/contract/ids";
import { mayActScriptSource, SCRIPT_CONTEXTS, scopeLimitScriptSource } from "../../src/contract/scripts";
import { Journaled, TestTenant, useTenant } from "../engine/support";

const t = new TestTenant();
let j: Journaled;
useTenant(t, (fresh) => (j = fresh));

const AGENT = "digital-assistant-ai-agent";
const script = (name: string, context: string, source: string) =>
  t.spec<"script">({ kind: "script", id: scriptId("alpha", name), owned: { name, language: "JAVASCRIPT", context, source } });

/** The seed's app and a delegating agent limited to read-data and one audience. */
function specs() {
  const mayAct = script("may act", SCRIPT_CONTEXTS.mayAct, mayActScriptSource({ client_id: AGENT, sub: `(age!${AGENT})` }));
  const limit = script("limit", SCRIPT_CONTEXTS.validateScope, scopeLimitScriptSource(["read-data"]));
  return [
    t.providerGrants({ grantTypes: ["password", TOKEN_EXCHANGE_GRANT, "client_credentials"] }),
    mayAct,
    limit,
    t.webApp({ mayActScript: mayAct.id }),
    t.aiAgent({ scopes: ["read-data", "write-data"], grantTypes: [TOKEN_EXCHANGE_GRANT, "client_credentials"], scopeLimitScript: limit.id, audiences: ["digital-assistant-web-app"] }),
  ];
}

async function flows() {
  const api = createOAuth2Api({ baseUrl: t.tenant.baseUrl, realm: "alpha" });
  try {
    return await runFlows(api, new StackFlows(specs()), { env: { ...t.env(), VERIFY_USERNAME: "barbara.jensen", VERIFY_PASSWORD: t.password("barbara.jensen") }, usernameEnv: "VERIFY_USERNAME", passwordEnv: "VERIFY_PASSWORD" });
  } finally {
    await api.close();
  }
}

describe("verify's flows", () => {
  it("reads the rule from the stack and passes the delegation and its refusals", async () => {
    expect((await j.apply(specs())).failed).toBe(0);
    const checks = await flows();
    expect(checks.map((c) => `${c.ok ? "ok" : "FAIL"} ${c.flow}: ${c.name}`)).toEqual([
      `ok delegation: ${AGENT} for a user of digital-assistant-web-app (its own token as actor token, audience digital-assistant-web-app)`,
      `ok refusal: ${AGENT} asks for scope write-data, outside its scope limit`,
      `ok refusal: ${AGENT} asks for audience cdktf-aic-verify-outside, outside its allow-list`,
    ]);
    expect(checks[0].claims).toMatchObject({ act: { sub: AGENT }, client_id: AGENT, scope: "read-data", aud: [AGENT, "digital-assistant-web-app"] });
  });

  it("fails the refusal when the tenant grants what the stack's limit forbids", async () => {
    await j.apply(specs());
    const live = (await t.api.getAiAgent(AGENT))!;
    await t.api.putAiAgent(AGENT, { ...live, overrideOAuth2ClientConfig: { ...(live.overrideOAuth2ClientConfig as object), validateScopeScript: "[Empty]" } });
    const limit = (await flows()).find((c) => c.name.includes("outside its scope limit"));
    expect(limit).toMatchObject({ ok: false, error: "the tenant granted it" });
  });
});
