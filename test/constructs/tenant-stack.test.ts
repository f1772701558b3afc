import "cdktf/lib/testing/adapters/jest";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { S3Backend, Testing } from "cdktf";
import { ConfidentialWebApp, OAuth2ProviderGrants, TenantStack } from "../../constructs";
import { TENANT_URL, testApp, webAppProps } from "./helpers";

Testing.setupJest();

/** The synthesized stack JSON of `id` after a real `app.synth()`. */
function synthesizedStack(app: ReturnType<typeof Testing.app>, id: string) {
  app.synth();
  return JSON.parse(readFileSync(join(app.outdir, "stacks", id, "cdk.tf.json"), "utf8"));
}

describe(TenantStack, () => {
  it("has the construct tree Tenant, CdktfAicCli (public API)", () => {
    const stack = new TenantStack(testApp(), "alpha", { tenant: { baseUrl: TENANT_URL } });
    expect(Testing.renderConstructTree(stack)).toMatchSnapshot();
  });

  it("adds a local backend whose state is outside the synth output, by a path relative to the stack's working directory", () => {
    const app = testApp();
    new TenantStack(app, "alpha", { tenant: { baseUrl: TENANT_URL } });
    const { path } = synthesizedStack(app, "alpha").terraform.backend.local;
    expect(path).toBe("../../../.cdktf-aic/state/alpha.tfstate");
    // From cdktf.out/stacks/alpha, that is .cdktf-aic/state beside cdktf.out: rm -rf cdktf.out keeps it.
    expect(resolve(app.outdir, "stacks", "alpha", path)).toBe(join(dirname(resolve(app.outdir)), ".cdktf-aic", "state", "alpha.tfstate"));
  });

  it("leaves a backend the user configured alone", () => {
    const app = testApp();
    const stack = new TenantStack(app, "alpha", { tenant: { baseUrl: TENANT_URL } });
    new S3Backend(stack, { bucket: "state", key: "alpha.tfstate", region: "eu-west-1" });
    expect(Object.keys(synthesizedStack(app, "alpha").terraform.backend)).toEqual(["s3"]);
  });

  it("leaves the backend to cdktf with backend: false", () => {
    const app = testApp();
    new TenantStack(app, "alpha", { tenant: { baseUrl: TENANT_URL }, backend: false });
    expect(synthesizedStack(app, "alpha").terraform.backend.local.path).not.toBe("terraform.alpha.tfstate");
  });

  it("surfaces cross-construct validation errors from app.synth()", () => {
    const app = testApp();
    const stack = new TenantStack(app, "alpha", { tenant: { baseUrl: TENANT_URL } });
    new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["token-exchange"] });
    new ConfidentialWebApp(stack, "web-app", webAppProps({ grantTypes: ["password"] }));
    expect(() => app.synth()).toThrow(/\[alpha\/web-app\] \[AIC_PROVIDER_GRANT_TYPE_MISSING\]/);
  });
});
