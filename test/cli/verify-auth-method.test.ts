/**
 * `cdktf-aic verify` authenticates each client with its own token endpoint auth method, as the
 * stack declares it: a ConfidentialWebApp left on its default (client_secret_basic) passes Task 4
 * against the embedded tenant, and an agent on client_secret_basic is signed in with it (AM then
 * refuses the exchange itself, since an agent must use client_secret_post).
 */
import { createOAuth2Api } from "../../src/client/oauth2-api";
import { resolveTarget, runVerify } from "../../src/cli/verify";
import type { Spec } from "../../src/contract/spec";
import { Journaled, TestTenant } from "../engine/support";

const t = new TestTenant();
beforeAll(() => t.start());
afterAll(() => t.stop());
beforeEach(() => t.reset());

/** Applies the seed's four objects with these app and agent methods, then runs verify as the CLI does. */
async function verify(appMethod: string, agentMethod: string) {
  const specs: Spec[] = [
    t.providerGrants(),
    t.webApp({ tokenEndpointAuthMethod: appMethod }),
    t.aiAgent({ tokenEndpointAuthMethod: agentMethod }),
    t.agentGrant(),
  ];
  expect((await new Journaled(t).apply(specs)).failed).toBe(0);
  const env = t.env({ VERIFY_USERNAME: "barbara.jensen", VERIFY_PASSWORD: t.password("barbara.jensen") });
  const target = resolveTarget({}, specs, env);
  const api = createOAuth2Api({ baseUrl: target.baseUrl, realm: target.realm });
  try {
    return await runVerify(api, target, env);
  } finally {
    await api.close();
  }
}

const outcome = (steps: Awaited<ReturnType<typeof verify>>) => steps.map((s) => [s.step, s.ok, s.error]);

describe("cdktf-aic verify: client authentication", () => {
  it("passes with a web app on ConfidentialWebApp's default method, client_secret_basic", async () => {
    expect(outcome(await verify("client_secret_basic", "client_secret_post"))).toEqual([
      [1, true, undefined],
      [2, true, undefined],
      [3, true, undefined],
      [4, true, undefined],
    ]);
  });

  it("signs an agent on client_secret_basic in with it: the exchange fails on AM's rule, not on the credentials", async () => {
    const steps = await verify("client_secret_post", "client_secret_basic");
    expect(outcome(steps).slice(2)).toEqual([[3, false, "invalid_request: Invalid token exchange."]]);
    expect(steps[2].hint).toMatch(/the agent lists the token-exchange grant type and uses client_secret_post/);
  });
});
