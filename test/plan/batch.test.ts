import { orFilters, wrappedForm } from "../../src/engine/batch";

describe("orFilters", () => {
  it("joins terms with or, each value once", () => {
    expect(orFilters(["a", "b", "a"], (v) => `_id eq "${v}"`)).toEqual(['_id eq "a" or _id eq "b"']);
  });

  it("chunks so that no URL-encoded filter grows past a few kilobytes or 50 terms", () => {
    const ids = Array.from({ length: 500 }, (_, i) => `a-rather-long-client-identifier-${i}`);
    const filters = orFilters(ids, (v) => `_id eq "${v}"`);
    expect(filters.length).toBeGreaterThan(1);
    for (const f of filters) {
      expect(encodeURIComponent(f).length).toBeLessThanOrEqual(3000);
      expect(f.split(" or ").length).toBeLessThanOrEqual(50);
    }
    expect(filters.flatMap((f) => f.split(" or "))).toHaveLength(500);
  });

  it("gives no filter for no values", () => {
    expect(orFilters([], (v) => v)).toEqual([]);
  });
});

describe("wrappedForm", () => {
  it("wraps the plain values of a list item as a GET returns them", () => {
    const item = { _id: "x", coreOAuth2ClientConfig: { scopes: ["openid"], clientName: null }, overrideOAuth2ClientConfig: { providerOverridesEnabled: true }, aiAgentIdentityUid: "u-1" };
    expect(wrappedForm(item)).toEqual({
      _id: "x",
      coreOAuth2ClientConfig: { scopes: { inherited: false, value: ["openid"] }, clientName: { inherited: false } },
      overrideOAuth2ClientConfig: { providerOverridesEnabled: true },
      aiAgentIdentityUid: { inherited: false, value: "u-1" },
    });
  });
});
