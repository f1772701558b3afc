import { createAdminApi, createOAuth2Api, redact, type AdminClient, type OAuth2Client } from "../../src/client";
import { rejection, renderings } from "./errors-of";
import { TestTenant } from "./tenant";

const t = new TestTenant();
let admin: AdminClient;
let oauth2: OAuth2Client;
const APP = "ropc-app";
const APP_SECRET = "app-secret-planted-5150";

beforeAll(async () => {
  await t.start();
  admin = createAdminApi(t.options());
  oauth2 = createOAuth2Api({ baseUrl: t.baseUrl, realm: t.connection.realm });
  const provider = (await admin.getProvider())!;
  const grantTypes = [...new Set([...(provider.advancedOAuth2Config?.grantTypes ?? []), "password"])];
  await admin.putProvider({ ...provider, advancedOAuth2Config: { ...provider.advancedOAuth2Config, grantTypes } });
  await admin.putOAuth2Client(APP, {
    coreOAuth2ClientConfig: { clientType: "Confidential", userpassword: APP_SECRET, scopes: ["openid", "read-data"] },
    advancedOAuth2ClientConfig: { grantTypes: ["password"], tokenEndpointAuthMethod: "client_secret_post" },
  });
});
afterAll(async () => {
  await Promise.all([admin.close(), oauth2.close()]);
  await t.stop();
});

const user = () => t.connection.users[0];
const passwordGrant = (overrides: Record<string, string> = {}) => ({
  grant_type: "password",
  username: user().userName,
  password: user().password,
  client_id: APP,
  client_secret: APP_SECRET,
  scope: "read-data",
  ...overrides,
});

describe("OAuth2Api", () => {
  it("gets a user token, introspects it and reads its tokeninfo", async () => {
    const token = await oauth2.token(passwordGrant());
    expect(token).toMatchObject({ token_type: "Bearer", scope: "read-data" });
    const info = await oauth2.introspect({ token: token.access_token, client_id: APP, client_secret: APP_SECRET });
    expect(info).toMatchObject({ active: true, client_id: APP, sub: user()._id });
    expect(await oauth2.tokenInfo(token.access_token)).toMatchObject({ scope: ["read-data"] });
  });

  it("turns an OAuth2 error body into an AicApiError with the error string, never the form values", async () => {
    const wrong = "wrong-secret-planted-8080";
    const err = await rejection(oauth2.token(passwordGrant({ client_secret: wrong })));
    expect(err).toMatchObject({ code: "UNAUTHORIZED", status: 401, apiMessage: "invalid_client", endpoint: "accessToken" });
    for (const text of renderings(err)) {
      for (const secret of [wrong, user().password, APP_SECRET]) expect(text).not.toContain(secret);
    }
  });

  it("keeps the token out of a failed tokeninfo's path", async () => {
    const planted = "planted-access-token-value-31337";
    const err = await rejection(oauth2.tokenInfo(planted));
    expect(err).toMatchObject({ path: expect.stringContaining("access_token=<redacted>") });
    for (const text of renderings(err)) expect(text).not.toContain(planted);
  });
});

describe("client_secret_basic", () => {
  it("registers the Authorization header's value as a secret: redacted wherever it shows, also without its Basic word", async () => {
    await oauth2.introspect({ token: "not-a-token" }, { clientId: APP, secret: APP_SECRET, method: "client_secret_basic" }).catch(() => undefined);
    const basic = Buffer.from(`${APP}:${APP_SECRET}`).toString("base64");
    expect(redact(`header value ${basic} in a log line`)).toBe("header value <redacted> in a log line");
  });
});
