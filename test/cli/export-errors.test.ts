/** `cdktf-aic export` refuses to start without what it needs, saying what is missing and the fix. */
import { requireCli, runCli } from "./run";

beforeAll(() => requireCli());

describe("cdktf-aic export errors", () => {
  it("needs the tenant's base URL", async () => {
    const r = await runCli(["export"], {});
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^cdktf-aic export: AIC_BASE_URL is not set: it must hold the tenant's http\(s\) base URL, without \/am/m);
  });

  it("names every credential variable it would accept", async () => {
    const r = await runCli(["export"], { AIC_BASE_URL: "http://127.0.0.1:1" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no credentials in the environment: set AIC_SERVICE_ACCOUNT_ID and AIC_SERVICE_ACCOUNT_JWK .*, or AM_ADMIN_USERNAME and AM_ADMIN_PASSWORD, or AIC_BEARER_TOKEN/);
  });

  it("refuses client ids the constructs would not accept", async () => {
    const r = await runCli(["export", "--client-ids", "good-one,bad id"], { AIC_BASE_URL: "http://127.0.0.1:1", AIC_BEARER_TOKEN: "t" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--client-ids "good-one,bad id" is not a comma-separated list of client ids \(\["bad id"\] do not match .*\): pass e\.g\. --client-ids my-app,my-agent/);
  });

  it("says which tenant it could not read", async () => {
    const r = await runCli(["export"], { AIC_BASE_URL: "http://127.0.0.1:1", AIC_BEARER_TOKEN: "t", CDKTF_AIC_TOKEN_CACHE_DIR: "/nonexistent-cache" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot read tenant http:\/\/127\.0\.0\.1:1 \(realm alpha\)/);
    expect(r.stderr).not.toMatch(/\bt\b.*Bearer/);
  }, 60_000);
});
