/**
 * The ESV part of the contract: the schemas hold bodies shaped as a real tenant answered them
 * (frodo-lib's recordings of AIC; ids, dates and account names here are made up), and the label
 * and id rules say what AIC says.
 */
import {
  clientLabelIdentifier,
  clientSecretLabel,
  ENDPOINTS,
  ESV_ID_PATTERN,
  ESV_UNCONFIRMED,
  fillPath,
  schemas as S,
  toValueBase64,
} from "../../src/contract";

describe("ESV schemas", () => {
  it("parse a recorded placeholder secret as created: version 1 active, not loaded", () => {
    const created = {
      _id: "esv-frodo-test-secret4",
      activeVersion: "1",
      description: "Frodo Test Secret Four Description",
      encoding: "generic",
      lastChangeDate: "2024-01-20T04:38:09.351923Z",
      lastChangedBy: "Frodo-SA-1701393386423",
      loaded: false,
      loadedVersion: "",
      useInPlaceholders: true,
    };
    expect(S.EsvSecret.parse(created)).toEqual(created);
  });

  it("parse the recorded version list, a bare array newest first, and refuse a version with another status", () => {
    const versions = [
      { createDate: "2024-01-20T04:38:09.351923Z", loaded: false, status: "ENABLED", version: "3" },
      { createDate: "2024-01-20T04:38:08.1Z", loaded: false, status: "DISABLED", version: "2" },
      { createDate: "2024-01-20T04:38:07.1Z", loaded: true, status: "DESTROYED", version: "1" },
    ];
    expect(S.EsvSecretVersions.parse(versions)).toEqual(versions);
    expect(S.EsvSecretVersion.safeParse({ ...versions[0], status: "PENDING" }).success).toBe(false);
  });

  it("let a status change ask only ENABLED or DISABLED (destroying is a DELETE)", () => {
    expect(S.EsvVersionStatusChange.safeParse({ status: "DISABLED" }).success).toBe(true);
    expect(S.EsvVersionStatusChange.safeParse({ status: "DESTROYED" }).success).toBe(false);
  });

  it("take values only as padded standard base64", () => {
    expect(S.EsvVersionCreate.safeParse({ valueBase64: toValueBase64("s3cret!") }).success).toBe(true);
    expect(S.EsvVersionCreate.safeParse({ valueBase64: "czNjcmV0IQ" }).success).toBe(false); // unpadded
    expect(S.EsvVersionCreate.safeParse({ valueBase64: "czNj_mV0IQ==" }).success).toBe(false); // base64url
  });

  it("parse a recorded mapping and the restart answers", () => {
    const mapping = {
      _id: "am.services.oauth2.oidc.signing.EDDSA",
      _rev: "77842068",
      secretId: "am.services.oauth2.oidc.signing.EDDSA",
      aliases: ["esv-test-signing-cert"],
      _type: { _id: "mappings", name: "Mappings", collection: true },
    };
    expect(S.SecretStoreMapping.parse(mapping)).toEqual(mapping);
    expect(S.EsvStartup.parse({ restartStatus: "restarting" })).toEqual({ restartStatus: "restarting" });
    expect(S.EsvStartup.safeParse({ restartStatus: "done" }).success).toBe(false);
  });
});

describe("ESV names", () => {
  it("accept esv- ids of lower-case letters, digits, - and _ up to 128 characters", () => {
    expect(ESV_ID_PATTERN.test("esv-web-app_secret1")).toBe(true);
    expect(ESV_ID_PATTERN.test(`esv-${"a".repeat(124)}`)).toBe(true);
    expect(ESV_ID_PATTERN.test(`esv-${"a".repeat(125)}`)).toBe(false);
    expect(ESV_ID_PATTERN.test("esv-Web")).toBe(false);
    expect(ESV_ID_PATTERN.test("web-secret")).toBe(false);
  });

  it("derive a client's secret label from its identifier, and the identifier back from any of its labels", () => {
    expect(clientSecretLabel("webapp")).toBe("am.applications.oauth2.client.webapp.secret");
    expect(clientSecretLabel("web.app", "jwtPublicKey")).toBe("am.applications.oauth2.client.web.app.jwt.public.key");
    expect(clientLabelIdentifier("am.applications.oauth2.client.web.app.secret")).toBe("web.app");
    expect(clientLabelIdentifier("am.applications.oauth2.client.web.app.mtls.trusted.cert")).toBe("web.app");
    expect(clientLabelIdentifier("am.services.oauth2.oidc.signing.EDDSA")).toBeUndefined();
  });

  it("name an ESV's placeholder with its dashes read as dots", () => {
    expect(ESV_UNCONFIRMED.placeholder("esv-my-key")).toBe("&{esv.my.key}");
  });

  it("fill a version path with the id and the version, the label's dots unescaped", () => {
    expect(fillPath(ENDPOINTS.esvVersionSetStatus.path, { realm: "alpha", id: "esv-a", version: "2" })).toBe("/environment/secrets/esv-a/versions/2");
    expect(fillPath(ENDPOINTS.secretMappingRead.path, { realm: "alpha", id: "am.applications.oauth2.client.x.secret" })).toBe(
      "/am/json/realms/root/realms/alpha/realm-config/secrets/stores/GoogleSecretManagerSecretStoreProvider/ESV/mappings/am.applications.oauth2.client.x.secret",
    );
  });
});
