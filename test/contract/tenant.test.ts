/** The one normalisation of a tenant's base URL and realm: a respelling is not a new identity. */
import { canonicalBaseUrl, canonicalRealm, fillPath, ENDPOINTS, normalizeTenant, tenantKey } from "../../src/contract";

describe("canonicalBaseUrl", () => {
  it.each([
    ["https://Tenant.Example.COM", "https://tenant.example.com"],
    ["https://tenant.example.com/", "https://tenant.example.com"],
    ["https://tenant.example.com:443", "https://tenant.example.com"],
    ["https://tenant.example.com:443//", "https://tenant.example.com"],
    ["https://tenant.example.com:8443", "https://tenant.example.com:8443"],
    ["http://localhost:18443", "http://127.0.0.1:18443"],
    ["http://LOCALHOST:18443/", "http://127.0.0.1:18443"],
    ["http://127.0.0.1:80", "http://127.0.0.1"],
    ["http://localhost", "http://127.0.0.1"],
    ["https://am.example.com/openam/", "https://am.example.com/openam"],
  ])("%s → %s", (input, expected) => {
    expect(canonicalBaseUrl(input)).toBe(expected);
    expect(canonicalBaseUrl(expected)).toBe(expected);
  });
});

describe("canonicalRealm", () => {
  it.each([
    ["alpha", "alpha"],
    ["/alpha", "alpha"],
    ["root/alpha", "alpha"],
    ["/root/alpha/", "alpha"],
    ["alpha/sub", "alpha/sub"],
    ["root/alpha/sub", "alpha/sub"],
    ["root", "root"],
    ["/", "root"],
    ["/root", "root"],
  ])("%s → %s", (input, expected) => {
    expect(canonicalRealm(input)).toBe(expected);
    expect(canonicalRealm(expected)).toBe(expected);
  });

  it("keeps the AM realm path and the IDM object names the client uses", () => {
    const path = (realm: string) => fillPath(ENDPOINTS.oauth2ClientRead.path, { realm, id: "x" });
    expect(path(canonicalRealm("root/alpha/sub"))).toBe("/am/json/realms/root/realms/alpha/realms/sub/realm-config/agents/OAuth2Client/x");
    expect(path(canonicalRealm("/root"))).toBe("/am/json/realms/root/realm-config/agents/OAuth2Client/x");
    // Only the leading root is the root realm: a sub-realm may be named root too.
    expect(path("alpha/root")).toBe("/am/json/realms/root/realms/alpha/realms/root/realm-config/agents/OAuth2Client/x");
    expect(path("/root/alpha/")).toBe("/am/json/realms/root/realms/alpha/realm-config/agents/OAuth2Client/x");
    expect(fillPath(ENDPOINTS.user.query.path, { realm: canonicalRealm("/alpha") })).toBe("/openidm/managed/alpha_user");
  });
});

describe("tenantKey", () => {
  it("is one key for every spelling of one tenant and realm", () => {
    const spellings = [
      { baseUrl: "http://127.0.0.1:18443", realm: "alpha" },
      { baseUrl: "http://localhost:18443/", realm: "/alpha" },
      { baseUrl: "HTTP://LocalHost:18443", realm: "root/alpha" },
    ];
    expect(new Set(spellings.map(tenantKey))).toEqual(new Set(["http://127.0.0.1:18443|alpha"]));
    expect(normalizeTenant(spellings[2])).toEqual(spellings[0]);
  });

  it("keeps different tenants and realms apart", () => {
    const keys = [
      { baseUrl: "https://a.example.com", realm: "alpha" },
      { baseUrl: "https://a.example.com:8443", realm: "alpha" },
      { baseUrl: "https://b.example.com", realm: "alpha" },
      { baseUrl: "https://a.example.com", realm: "bravo" },
      { baseUrl: "https://a.example.com", realm: "alpha/sub" },
    ].map(tenantKey);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
