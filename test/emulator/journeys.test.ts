/**
 * The login journey over REST, as the ForgeRock JavaScript SDK and a hosted login page run it:
 * POST authenticate → the default Login tree's NameCallback and PasswordCallback with an authId →
 * POST them filled in → tokenId, successUrl and the session cookie.
 */
import { AM, API_VERSION, OAUTH2_CLIENT, startTestTenant, type TestTenant } from "./helpers";

let t: TestTenant;
beforeAll(async () => {
  t = await startTestTenant();
});
afterAll(async () => {
  await t?.close();
});

const barbara = () => t.connection.users.find((u) => u.userName === "barbara.jensen")!;

const authenticate = (path: string, body?: unknown, query = "") =>
  t.call("POST", `${path}/authenticate${query}`, { anonymous: true, apiVersion: API_VERSION.authenticate, body });

/** Fills the page's callbacks in, as a login page does. */
function fill(page: { authId: string; callbacks: { type: string; input: { name: string; value: string }[] }[] }, name: string, password: string) {
  const values: Record<string, string> = { NameCallback: name, PasswordCallback: password };
  return { ...page, callbacks: page.callbacks.map((c) => ({ ...c, input: [{ ...c.input[0], value: values[c.type] }] })) };
}

describe("the login journey (POST .../authenticate)", () => {
  it("answers the default Login tree's first page: a NameCallback and a PasswordCallback with an authId", async () => {
    const res = await authenticate(AM);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      authId: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      callbacks: [
        { type: "NameCallback", output: [{ name: "prompt", value: "User Name" }], input: [{ name: "IDToken1", value: "" }], _id: 0 },
        { type: "PasswordCallback", output: [{ name: "prompt", value: "Password" }], input: [{ name: "IDToken2", value: "" }], _id: 1 },
      ],
      header: "Sign In",
      description: "",
      template: "",
      stage: "",
    });
  });

  it("logs a realm user in: tokenId, the end-user successUrl, the realm, and the session cookie", async () => {
    const page = (await authenticate(AM, undefined, "?authIndexType=service&authIndexValue=Login")).body;
    const res = await authenticate(AM, fill(page, "barbara.jensen", barbara().password));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ tokenId: expect.any(String), successUrl: "/enduser/?realm=/alpha", realm: "/alpha" });
    expect(res.headers.get("set-cookie")).toBe(`iPlanetDirectoryPro=${res.body.tokenId}; Path=/; HttpOnly`);
  });

  it("sends the browser back to a goto on this tenant after login", async () => {
    const goto = `${t.baseUrl}/am/oauth2/realms/root/realms/alpha/authorize?client_id=x`;
    const query = `?goto=${encodeURIComponent(goto)}`;
    const page = (await authenticate(AM, undefined, query)).body;
    const res = await authenticate(AM, fill(page, "barbara.jensen", barbara().password), query);
    expect(res.body.successUrl).toBe(goto);
    // Another host is no place to send a browser that has just logged in.
    const away = `?goto=${encodeURIComponent("https://elsewhere.example/x")}`;
    const res2 = await authenticate(AM, fill(page, "barbara.jensen", barbara().password), away);
    expect(res2.body.successUrl).toBe("/enduser/?realm=/alpha");
  });

  it("fails a wrong password with AM's 401 Login failure, and sets no cookie", async () => {
    const page = (await authenticate(AM)).body;
    const res = await authenticate(AM, fill(page, "barbara.jensen", "not-her-password"));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ code: 401, reason: "Unauthorized", message: "Login failure", detail: { failureUrl: "" } });
    expect(res.headers.get("set-cookie")).toBeNull();
    const unknown = await authenticate(AM, fill(page, "nobody", "x"));
    expect(unknown.body).toEqual(res.body);
  });

  it("refuses an authId of another realm or a forged one", async () => {
    const rootPage = (await authenticate("/am/json/realms/root")).body;
    const res = await authenticate(AM, fill(rootPage, "barbara.jensen", barbara().password));
    expect(res).toMatchObject({ status: 401, body: { code: 401, message: "Session has timed out" } });
    const page = (await authenticate(AM)).body;
    const forged = await authenticate(AM, fill({ ...page, authId: page.authId.slice(0, -4) + "AAAA" }, "barbara.jensen", barbara().password));
    expect(forged.status).toBe(401);
  });

  it("gives a realm user's session no admin access, and an admin's session from the root tree full access", async () => {
    const page = (await authenticate(AM)).body;
    const user = (await authenticate(AM, fill(page, "barbara.jensen", barbara().password))).body.tokenId;
    const asUser = await t.call("GET", `${OAUTH2_CLIENT}?_queryFilter=true`, {
      anonymous: true,
      apiVersion: API_VERSION.oauth2Client,
      headers: { cookie: `iPlanetDirectoryPro=${user}` },
    });
    expect(asUser.status).toBe(401);

    const rootPage = (await authenticate("/am/json/realms/root")).body;
    const admin = await authenticate("/am/json/realms/root", fill(rootPage, t.connection.amAdmin.username, t.connection.amAdmin.password));
    expect(admin.body).toEqual({ tokenId: expect.any(String), successUrl: "/am/console", realm: "/" });
    const asAdmin = await t.call("GET", `${OAUTH2_CLIENT}?_queryFilter=true`, {
      anonymous: true,
      apiVersion: API_VERSION.oauth2Client,
      headers: { cookie: `iPlanetDirectoryPro=${admin.body.tokenId}` },
    });
    expect(asAdmin.status).toBe(200);
  });

  it("still logs in with the X-OpenAM-Username and X-OpenAM-Password headers, without a page", async () => {
    const res = await t.call("POST", `${AM}/authenticate`, {
      anonymous: true,
      apiVersion: API_VERSION.authenticate,
      headers: { "x-openam-username": "barbara.jensen", "x-openam-password": barbara().password },
    });
    expect(res).toMatchObject({ status: 200, body: { successUrl: "/enduser/?realm=/alpha", realm: "/alpha" } });
    const wrong = await t.call("POST", `${AM}/authenticate`, {
      anonymous: true,
      apiVersion: API_VERSION.authenticate,
      headers: { "x-openam-username": "barbara.jensen", "x-openam-password": "nope" },
    });
    expect(wrong).toMatchObject({ status: 401, body: { code: 401, reason: "Unauthorized", message: "Authentication Failed" } });
  });
});
