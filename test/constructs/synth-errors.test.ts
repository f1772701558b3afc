/**
 * What synth says about mistakes in props: unknown props (which tsx and JavaScript let through)
 * name the construct, the prop and the one most likely meant; a TenantStack reports all of its
 * errors at once, each once, and without a stack trace unless CDKTF_AIC_DEBUG=1.
 */
import { spawnSync } from "node:child_process";
import { TerraformStack } from "cdktf";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { AgentApplicationGrant, AiAgent, AiAgentProps, AicTenant, ConfidentialWebApp, ConfidentialWebAppProps, OAuth2ProviderGrants, StackValidationError, TenantStack, TenantStackProps } from "../../constructs";
import { scratchDir } from "../support/scratch";
import { agentProps, TENANT_URL, testApp, webAppProps } from "./helpers";

const REPO = resolve(__dirname, "../..");

/** Props as JavaScript or an untyped object would pass them. */
const untyped = <P>(props: object): P => props as P;

function synthErrors(build: (stack: TenantStack) => void): StackValidationError {
  const app = testApp();
  build(new TenantStack(app, "alpha", { tenant: { baseUrl: TENANT_URL } }));
  try {
    app.synth();
  } catch (e) {
    if (e instanceof StackValidationError) return e;
    throw e;
  }
  throw new Error("synth succeeded");
}

describe("unknown props", () => {
  it("fail synth, naming the construct, the prop and the closest known prop", () => {
    const e = synthErrors((stack) => {
      const { redirectUris, ...props } = webAppProps({ redirectUris: ["https://app.example.com/cb"] });
      new ConfidentialWebApp(stack, "web-app", untyped<ConfidentialWebAppProps>({ ...props, redirectUri: redirectUris }));
    });
    expect(e.problems).toEqual([
      expect.stringMatching(/^\[alpha\/web-app\] \[AIC_UNKNOWN_PROP\] redirectUri is not a prop of ConfidentialWebAppProps \(did you mean redirectUris\?\)\. Received: "redirectUri"\. Allowed: name, clientId, .*redirectUris.*\. Fix: rename redirectUri to redirectUris$/),
    ]);
  });

  it("are found in nested props and in the stack's own", () => {
    const app = testApp();
    const stack = new TenantStack(app, "alpha", untyped<TenantStackProps>({ tenant: { baseUrl: TENANT_URL, relm: "alpha" }, backends: false }));
    new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["token-exchange"], enableAiAgents: true });
    new AiAgent(stack, "agent", untyped<AiAgentProps>({ ...agentProps(), providerOverrides: { clientSideToken: false } }));
    expect(() => app.synth()).toThrow(StackValidationError);
    let problems: readonly string[] = [];
    try {
      app.synth();
    } catch (e) {
      problems = (e as StackValidationError).problems;
    }
    expect(problems.map((p) => p.replace(/\. Received: .*/, ""))).toEqual([
      "[alpha] [AIC_UNKNOWN_PROP] backends is not a prop of TenantStackProps (did you mean backend?)",
      "[alpha/Tenant] [AIC_UNKNOWN_PROP] relm is not a prop of AicTenantProps (did you mean realm?)",
      "[alpha/agent] [AIC_UNKNOWN_PROP] providerOverrides.clientSideToken is not a prop of AiAgentProviderOverrides (did you mean providerOverrides.clientSideTokens?)",
    ]);
  });

  it("without a close match say to remove the prop", () => {
    const e = synthErrors((stack) => new OAuth2ProviderGrants(stack, "provider", untyped({ grantTypes: ["password"], colour: "blue" })));
    expect(e.problems[0]).toMatch(/colour is not a prop of OAuth2ProviderGrantsProps\. .*Fix: remove colour$/);
  });
});

describe("a TenantStack's validation errors", () => {
  it("come all at once, each once", () => {
    const e = synthErrors((stack) => {
      new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["password"], enableAiAgents: true });
      const app = new ConfidentialWebApp(stack, "web-app", untyped<ConfidentialWebAppProps>({ ...webAppProps(), redirectUri: [] }));
      const agent = new AiAgent(stack, "agent", agentProps());
      new AgentApplicationGrant(stack, "grant", { agent, application: app, subjects: ["barbara.jensen"], scopes: ["nope"] });
    });
    expect(e.problems.map((p) => /^\[([^\]]+)\] \[([A-Z_]+)\]/.exec(p)?.slice(1).join(" "))).toEqual([
      "alpha/web-app AIC_UNKNOWN_PROP",
      "alpha/agent AIC_PROVIDER_GRANT_TYPE_MISSING",
      "alpha/grant AIC_GRANT_SCOPE_OUTSIDE_APPLICATION",
    ]);
    expect(e.message).toMatch(/^stack alpha has 3 errors; fix them and synthesize again:\n {2}\[alpha\/web-app\]/);
  });

  it("include prop errors the constructors found: each construct is still made, and every error of the stack comes at once, each once", () => {
    const e = synthErrors((stack) => {
      new OAuth2ProviderGrants(stack, "provider", untyped({ grantTypes: ["password", "token-exchange"], removalPolicy: "keep", enableAiAgents: true }));
      const app = new ConfidentialWebApp(stack, "web-app", webAppProps({ clientId: "digital assistant", scopes: [] }));
      const agent = new AiAgent(stack, "agent", { ...agentProps(), tokenEndpointAuthMethod: "client_secret_jwt_typo" as unknown as "client_secret_post" });
      new AgentApplicationGrant(stack, "grant", { agent, application: app, subjects: [] });
      new ConfidentialWebApp(stack, "other", webAppProps({ clientId: "other-app", name: " " }));
    });
    expect(e.problems.map((p) => /^\[([^\]]+)\] \[([A-Z_]+)\]/.exec(p)?.slice(1).join(" "))).toEqual([
      "alpha/provider AIC_INVALID_REMOVAL_POLICY",
      "alpha/web-app AIC_INVALID_CLIENT_ID",
      "alpha/web-app AIC_NO_SCOPES",
      "alpha/agent AIC_INVALID_TOKEN_ENDPOINT_AUTH_METHOD",
      "alpha/grant AIC_NO_SUBJECTS",
      "alpha/other AIC_INVALID_NAME",
    ]);
    expect(e.message).toMatch(/^stack alpha has 6 errors; fix them and synthesize again:/);
  });

  it("in a plain TerraformStack, are thrown by the constructor, as before", () => {
    const app = testApp();
    const stack = new TerraformStack(app, "plain");
    new AicTenant(stack, "Tenant", { baseUrl: TENANT_URL });
    expect(() => new ConfidentialWebApp(stack, "web-app", webAppProps({ scopes: [] }))).toThrow(/plain\/web-app: \[AIC_NO_SCOPES\]/);
  });

  /** Runs a JavaScript app (no type-check at all) that misspells a prop, as `cdktf synth` would run it. */
  function runApp(env: Record<string, string>) {
    const dir = scratchDir();
    const file = join(dir, "main.js");
    writeFileSync(
      file,
      `const { App } = require(${JSON.stringify(join(REPO, "node_modules", "cdktf"))});
const { TenantStack, ConfidentialWebApp, Secret } = require(${JSON.stringify(join(REPO, "constructs"))});
const app = new App({ outdir: ${JSON.stringify(join(dir, "cdktf.out"))} });
const stack = new TenantStack(app, "alpha", { tenant: { baseUrl: "${TENANT_URL}" } });
new ConfidentialWebApp(stack, "web-app", { name: "W", clientId: "w", clientSecret: Secret.fromEnv("W"), scopes: ["openid"], redirectUri: ["https://w.example.com/cb"] });
app.synth();
`,
    );
    return spawnSync(process.execPath, [require.resolve("tsx/cli"), file], { cwd: dir, env: { PATH: process.env.PATH, TMPDIR: dir, ...env }, encoding: "utf8" });
  }

  it("are printed once, without a stack trace, when a JavaScript app is run", () => {
    const r = runApp({});
    expect(r.status).toBe(1);
    expect(r.stderr.match(/redirectUri is not a prop/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/StackValidationError: stack alpha has 1 error; fix them and synthesize again:\n {2}\[alpha\/web-app\] \[AIC_UNKNOWN_PROP\] redirectUri is not a prop of ConfidentialWebAppProps \(did you mean redirectUris\?\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("carry the stack trace with CDKTF_AIC_DEBUG=1", () => {
    const r = runApp({ CDKTF_AIC_DEBUG: "1" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\n\s+at .*runAllValidations/);
  });
});
