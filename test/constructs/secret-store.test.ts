/**
 * `Secret.fromEsv` and `SecretMapping` at synth: a client whose secret is in the tenant's store
 * carries a secret label identifier and no secret reference, and declares the mapping of its label
 * to the ESV; what AM or the store would refuse is refused here.
 */
import { Testing } from "cdktf";
import { AiAgent, ConfidentialWebApp, EnvironmentSecret, Secret, SecretMapping, VALIDATION_CODES as C } from "../../constructs";
import { AiAgentSpec, SecretMappingSpec, WebAppSpec } from "../../src/contract";
import { agentProps, captureError, specOf, tenantStack, webAppProps } from "./helpers";

describe("Secret.fromEsv", () => {
  it("gives the client a label identifier read from its client id, no secret reference, and maps the label to the ESV", () => {
    const { stack } = tenantStack();
    const esv = new EnvironmentSecret(stack, "WebAppSecret", { esvId: "esv-web-app-secret", value: Secret.fromEnv("WEB_APP_CLIENT_SECRET") });
    const app = new ConfidentialWebApp(stack, "WebApp", webAppProps({ clientSecret: Secret.fromEsv(esv) }));
    const synth = Testing.synth(stack);
    const spec = WebAppSpec.parse(specOf(synth, app));
    expect(spec.owned.secretLabelIdentifier).toBe("digital.assistant.web.app");
    expect(spec.secret).toBeUndefined();
    const mapping = SecretMappingSpec.parse(specOf(synth, app.node.findChild("SecretMapping")));
    expect(mapping).toMatchObject({ kind: "secret-mapping", id: "am.applications.oauth2.client.digital.assistant.web.app.secret", owned: { esv: "esv-web-app-secret" } });
  });

  it("takes an ESV id made elsewhere and a label identifier of the user's; retain and adopt reach the mapping", () => {
    const { stack } = tenantStack();
    const agent = new AiAgent(stack, "Agent", agentProps({ clientSecret: Secret.fromEsv("esv-agent-secret", { labelIdentifier: "assistant.agent" }), removalPolicy: "retain", adopt: true }));
    const synth = Testing.synth(stack);
    expect(AiAgentSpec.parse(specOf(synth, agent)).owned.secretLabelIdentifier).toBe("assistant.agent");
    expect(SecretMappingSpec.parse(specOf(synth, agent.node.findChild("SecretMapping")))).toMatchObject({
      id: "am.applications.oauth2.client.assistant.agent.secret",
      owned: { esv: "esv-agent-secret" },
      adopt: true,
      removalPolicy: "retain",
    });
  });

  it.each([
    ["an ESV id that is none", () => webAppProps({ clientSecret: Secret.fromEsv("web-app-secret") }), C.invalidEsvId, /Secret\.fromEsv.*esv-web-app-secret/],
    ["a label identifier with a dash", () => webAppProps({ clientSecret: Secret.fromEsv("esv-x", { labelIdentifier: "web-app" }) }), C.invalidLabelIdentifier, /use e\.g\. "web\.app"/],
    ["a method that is not a client secret's", () => webAppProps({ clientSecret: Secret.fromEsv("esv-x"), tokenEndpointAuthMethod: "private_key_jwt" }), C.secretStoreClientAuthMethod, /"client_secret_basic" or "client_secret_post"/],
  ])("refuses %s", (_what, props, code, message) => {
    const { stack } = tenantStack();
    const e = captureError(() => new ConfidentialWebApp(stack, "WebApp", props()));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it("is refused as an environment secret's own value, which only the environment can give", () => {
    const { stack } = tenantStack();
    const e = captureError(() => new EnvironmentSecret(stack, "S", { esvId: "esv-a", value: Secret.fromEsv("esv-b") }));
    expect(e.code).toBe(C.secretNotInEnv);
    expect(e.message).toMatch(/Secret\.fromEnv\("MY_SECRET"\)/);
  });
});

describe(SecretMapping, () => {
  it("maps any label of the realm to an ESV secret", () => {
    const { stack } = tenantStack();
    const esv = new EnvironmentSecret(stack, "Signing", { esvId: "esv-signing-key", value: Secret.fromEnv("SIGNING_KEY"), encoding: "pem" });
    const mapping = new SecretMapping(stack, "Rsa", { label: "am.services.oauth2.oidc.signing.RSA", secret: esv });
    expect(SecretMappingSpec.parse(specOf(Testing.synth(stack), mapping))).toMatchObject({ id: "am.services.oauth2.oidc.signing.RSA", owned: { esv: "esv-signing-key" } });
  });

  it.each([
    ["a label with a space", { label: "am.services x", secret: "esv-a" }, C.invalidSecretLabel],
    ["a secret that is no ESV id", { label: "am.services.x", secret: "Key" }, C.invalidEsvId],
  ])("refuses %s", (_what, props, code) => {
    const { stack } = tenantStack();
    expect(captureError(() => new SecretMapping(stack, "M", props)).code).toBe(code);
  });
});
