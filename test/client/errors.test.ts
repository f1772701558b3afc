import { AicApiError, redact, registerSecret } from "../../src/client";
import { renderings } from "./errors-of";

const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLWJ5dGVz";

describe("AicApiError", () => {
  it("scrubs registered secrets and credential-shaped text from every rendering", () => {
    const planted = "planted-Secret-Value-9f3a";
    registerSecret(planted);
    const err = new AicApiError({
      code: "BAD_REQUEST",
      message: `request with ${planted} failed`,
      method: "GET",
      path: `/am/oauth2/realms/root/realms/alpha/tokeninfo?access_token=abcdef123456&x=1`,
      status: 400,
      apiMessage: `Bearer ${JWT} client_secret=hunter22 password=pa55word "access_token":"raw-token-abc" ${planted}`,
    });
    for (const text of renderings(err)) {
      expect(text).not.toContain(planted);
      expect(text).not.toContain(JWT);
      expect(text).not.toContain("eyJ");
      expect(text).not.toContain("hunter22");
      expect(text).not.toContain("pa55word");
      expect(text).not.toContain("raw-token-abc");
      expect(text).not.toContain("abcdef123456");
    }
    expect(err.path).toBe("/am/oauth2/realms/root/realms/alpha/tokeninfo?access_token=<redacted>&x=1");
  });

  it("prints one line: the code, what happened, where, the API's words and the fix", () => {
    const err = new AicApiError({
      code: "UNAUTHORIZED",
      message: "providerRead failed with 401 Unauthorized",
      method: "GET",
      path: "/am/json/realms/root/realms/alpha/realm-config/services/oauth-oidc",
      status: 401,
      apiMessage: "Access Denied",
      fix: "check the service account id and JWK in AIC_SERVICE_ACCOUNT_ID / AIC_SERVICE_ACCOUNT_JWK",
      attempts: 2,
    });
    expect(String(err)).toBe(
      'AicApiError [UNAUTHORIZED]: providerRead failed with 401 Unauthorized (GET /am/json/realms/root/realms/alpha/realm-config/services/oauth-oidc → 401, 2 attempts) API said: "Access Denied" Fix: check the service account id and JWK in AIC_SERVICE_ACCOUNT_ID / AIC_SERVICE_ACCOUNT_JWK',
    );
    expect(String(err)).not.toContain("\n");
    expect(err.stack?.split("\n")[0]).toBe(`AicApiError: ${err.message}`);
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({ code: "UNAUTHORIZED", status: 401, method: "GET", apiMessage: "Access Denied" });
  });

  it("redacts cookies, Authorization and AM password headers quoted in text", () => {
    const text = redact("cookie: iPlanetDirectoryPro=AQIC5wM2LY4Sfcz; authorization: Basic dXNlcjpwYXNz X-OpenAM-Password: letmein99");
    expect(text).not.toMatch(/AQIC5wM2LY4Sfcz|dXNlcjpwYXNz|letmein99/);
  });
});
