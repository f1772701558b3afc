import { diffOwned, mergeOwned, plainField, sameValue, setIn, wrappedField } from "../../src/engine/fields";
import { describeChange } from "../../src/engine/wording";
import { deterministicUuid, refId, refTo } from "../../src/engine/refs";

describe("mergeOwned", () => {
  const live = {
    _id: "my-app",
    _rev: "123",
    _type: { _id: "OAuth2Client", name: "OAuth2 Clients", collection: true },
    "secret-encrypted": "xyz",
    coreOAuth2ClientConfig: {
      scopes: { inherited: false, value: ["openid"] },
      redirectionUris: { inherited: false, value: ["https://foreign.example/cb"] },
    },
    advancedOAuth2ClientConfig: { isConsentImplied: { inherited: false, value: true } },
  };

  it("replaces owned fields and keeps every foreign field", () => {
    const merged = mergeOwned(live, [wrappedField("coreOAuth2ClientConfig", "scopes", ["openid", "read"])]);
    expect(merged).toEqual({
      coreOAuth2ClientConfig: {
        scopes: { inherited: false, value: ["openid", "read"] },
        redirectionUris: { inherited: false, value: ["https://foreign.example/cb"] },
      },
      advancedOAuth2ClientConfig: { isConsentImplied: { inherited: false, value: true } },
    });
  });

  it("drops read-only keys (_id, _rev, _type, *-encrypted) and leaves the live object untouched", () => {
    const merged = mergeOwned(live, []);
    expect(Object.keys(merged).sort()).toEqual(["advancedOAuth2ClientConfig", "coreOAuth2ClientConfig"]);
    expect(live._rev).toBe("123");
  });

  it("creates wrapped attributes with inherited:false when they are missing", () => {
    const merged = mergeOwned(undefined, [
      wrappedField("advancedOAuth2ClientConfig", "grantTypes", ["password"]),
      plainField(["overrideOAuth2ClientConfig", "providerOverridesEnabled"], true),
    ]);
    expect(merged).toEqual({
      advancedOAuth2ClientConfig: { grantTypes: { inherited: false, value: ["password"] } },
      overrideOAuth2ClientConfig: { providerOverridesEnabled: true },
    });
  });
});

describe("diffOwned", () => {
  it("names the field, the live value and the desired value", () => {
    const live = { coreOAuth2ClientConfig: { scopes: { inherited: false, value: ["a"] } } };
    expect(diffOwned(live, [wrappedField("coreOAuth2ClientConfig", "scopes", ["a", "b"])])).toEqual([
      { field: "coreOAuth2ClientConfig.scopes", from: ["a"], to: ["a", "b"] },
    ]);
  });

  it("reports nothing when only the order of a list differs", () => {
    const live = { advancedOAuth2ClientConfig: { grantTypes: { inherited: false, value: ["b", "a"] } } };
    expect(diffOwned(live, [wrappedField("advancedOAuth2ClientConfig", "grantTypes", ["a", "b"])])).toEqual([]);
  });

  it("treats an unset wrapped value like an empty list", () => {
    const live = { coreOAuth2ClientConfig: { redirectionUris: { inherited: false } } };
    expect(diffOwned(live, [wrappedField("coreOAuth2ClientConfig", "redirectionUris", [])])).toEqual([]);
  });
});

describe("sameValue", () => {
  it("keeps duplicates meaningful and compares objects structurally", () => {
    expect(sameValue(["a", "a"], ["a"])).toBe(false);
    expect(sameValue({ x: 1, y: [1] }, { y: [1], x: 1 })).toBe(true);
    expect(sameValue(null, "")).toBe(true);
    expect(sameValue(false, undefined)).toBe(false);
  });
});

describe("describeChange", () => {
  it("renders a list change as what it adds, in the construct's words", () => {
    expect(describeChange("web-app", { field: "coreOAuth2ClientConfig.scopes", from: ["a"], to: ["a", "b"] })).toBe("scopes +b");
  });

  it("never renders a sensitive value", () => {
    const line = describeChange("web-app", { field: "coreOAuth2ClientConfig.userpassword", from: "old-s3cret", to: "new-s3cret", sensitive: true });
    expect(line).toBe("secret (sensitive)");
  });
});

describe("setIn", () => {
  it("replaces a non-object on the way", () => {
    const o: Record<string, unknown> = { a: "x" };
    setIn(o, ["a", "b"], 1);
    expect(o).toEqual({ a: { b: 1 } });
  });
});

describe("deterministicUuid", () => {
  it("is stable, uuid-shaped and different per input", () => {
    const a = deterministicUuid("application", "alpha", "my-app");
    expect(a).toBe(deterministicUuid("application", "alpha", "my-app"));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(deterministicUuid("application", "bravo", "my-app"));
  });
});

describe("refTo / refId", () => {
  it("builds the console's reference and reads ids back, ignoring _refProperties", () => {
    const ref = refTo("alpha", "user", "u-1");
    expect(ref).toEqual({ _ref: "managed/alpha_user/u-1", _refResourceCollection: "managed/alpha_user", _refResourceId: "u-1" });
    expect(refId({ _ref: "managed/alpha_user/u-2", _refProperties: { _id: "p" } })).toBe("u-2");
  });
});
