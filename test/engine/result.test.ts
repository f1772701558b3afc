import { formatResult, type ObjectResult } from "../../src/engine/result";
import { SECRET_CHANGE } from "../../src/engine/owned";

const MAX_COLUMNS = 160;

function line(r: Partial<ObjectResult> & Pick<ObjectResult, "kind" | "id" | "action">): string {
  return formatResult({ changes: [], notes: [], ...r });
}

const scopes = (n: number) => Array.from({ length: n }, (_, i) => `scope-${String(i).padStart(2, "0")}`);

describe("formatResult", () => {
  it("names a change by the construct prop that sets it, with the value as code writes it", () => {
    const r = line({ kind: "web-app", id: "crm", action: "updated", changes: [{ field: "coreOAuth2ClientConfig.clientName", from: ["Old CRM"], to: ["CRM"] }] });
    expect(r).toBe("~ web-app crm: name: Old CRM → CRM");
  });

  it("shows a list change as what it adds and removes", () => {
    const r = line({
      kind: "web-app",
      id: "crm",
      action: "updated",
      changes: [{ field: "advancedOAuth2ClientConfig.grantTypes", from: ["authorization_code", "refresh_token"], to: ["authorization_code", "password"] }],
    });
    expect(r).toBe("~ web-app crm: grantTypes +password −refresh_token");
  });

  it("says a change once when the AM client and the IDM record carry the same prop", () => {
    const r = line({
      kind: "web-app",
      id: "crm",
      action: "updated",
      changes: [
        { field: "coreOAuth2ClientConfig.clientName", from: ["Old"], to: ["New"] },
        { field: "application.name", from: "Old", to: "New" },
      ],
    });
    expect(r).toBe("~ web-app crm: name: Old → New");
  });

  it("uses each kind's own prop names: a grant's permissions are its scopes, an agent's overrides its providerOverrides", () => {
    expect(line({ kind: "agent-grant", id: "bot/crm", action: "updated", changes: [{ field: "privilege.permissions", from: ["read"], to: ["read", "write"] }] })).toBe(
      "~ agent-grant bot/crm: scopes +write",
    );
    expect(
      line({ kind: "ai-agent", id: "bot", action: "updated", changes: [{ field: "overrideOAuth2ClientConfig.statelessTokensEnabled", from: false, to: true }] }),
    ).toBe("~ ai-agent bot: providerOverrides.clientSideTokens: false → true");
    expect(line({ kind: "oauth2-provider-grants", id: "alpha", action: "updated", changes: [{ field: "advancedOAuth2Config.grantTypes", from: ["a"], to: ["a", "b"] }] })).toBe(
      "~ oauth2-provider-grants alpha: grantTypes +b",
    );
  });

  it("keeps the path of a field no prop sets", () => {
    const r = line({ kind: "web-app", id: "crm", action: "updated", changes: [{ field: "coreOAuth2ClientConfig.status", from: "Inactive", to: "Active" }] });
    expect(r).toBe("~ web-app crm: coreOAuth2ClientConfig.status: Inactive → Active");
  });

  it("mentions a secret once, by name, never by value", () => {
    const r = line({
      kind: "ai-agent",
      id: "bot",
      action: "updated",
      changes: [SECRET_CHANGE, { ...SECRET_CHANGE, from: "old-value", to: "new-value" }],
      notes: ["secret rotated (version 1 → 2)"],
    });
    expect(r).toBe("~ ai-agent bot: secret rotated (version 1 → 2)");
    expect(line({ kind: "web-app", id: "crm", action: "created", changes: [SECRET_CHANGE, SECRET_CHANGE] })).toBe("+ web-app crm: created — secret (sensitive)");
  });

  it("on a create, says what code sets and leaves out what the tool fills in itself", () => {
    const r = line({
      kind: "web-app",
      id: "crm",
      action: "created",
      changes: [
        { field: "coreOAuth2ClientConfig.clientType", from: undefined, to: "Confidential" },
        { field: "coreOAuth2ClientConfig.clientName", from: undefined, to: ["CRM"] },
        { field: "coreOAuth2ClientConfig.scopes", from: undefined, to: ["openid", "profile"] },
        SECRET_CHANGE,
      ],
    });
    expect(r).toBe("+ web-app crm: created — secret (sensitive); name: CRM; scopes +openid +profile");
  });

  it("shortens a long list with an ellipsis and a count", () => {
    const r = line({ kind: "web-app", id: "crm", action: "updated", changes: [{ field: "coreOAuth2ClientConfig.scopes", from: [], to: scopes(14) }] });
    expect(r).toMatch(/^~ web-app crm: scopes \+scope-00 \+scope-01 .*… \(\+\d+ more\)$/);
    expect(r.length).toBeLessThanOrEqual(MAX_COLUMNS);
  });

  it("keeps every line within 160 columns, whatever the number and length of changes", () => {
    const long = "x".repeat(400);
    const r = line({
      kind: "web-app",
      id: "crm",
      action: "created",
      changes: [
        { field: "coreOAuth2ClientConfig.clientName", from: undefined, to: [long] },
        { field: "advancedOAuth2ClientConfig.descriptions", from: undefined, to: [long] },
        { field: "coreOAuth2ClientConfig.scopes", from: undefined, to: scopes(40) },
        { field: "coreOAuth2ClientConfig.redirectionUris", from: undefined, to: scopes(40).map((s) => `https://${s}.example.com/callback`) },
        { field: "application.owners", from: undefined, to: ["alice", "bob"] },
        SECRET_CHANGE,
      ],
    });
    expect(r.split("\n")).toHaveLength(1);
    expect(r.length).toBeLessThanOrEqual(MAX_COLUMNS);
    expect(r).toMatch(/^\+ web-app crm: created — secret \(sensitive\); name: x+…/);
    expect(r).toMatch(/… \(\+\d+ more\)$/);
  });

  it("wraps a long failure within 160 columns rather than cut the fix it names", () => {
    const message = `web-app crm already exists in https://tenant.example.com (realm alpha) and was not created by this stack; ${"to manage it from code, set adopt: true on its construct ".repeat(4)}or choose another id`;
    const r = line({ kind: "web-app", id: "crm", action: "failed", notes: [message] });
    const lines = r.split("\n");
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(MAX_COLUMNS);
    expect(lines.map((l) => l.trim()).join(" ")).toBe(`! web-app crm: failed — ${message}`);
  });

  it("escapes control characters a live value may hold", () => {
    const r = line({ kind: "web-app", id: "crm", action: "updated", changes: [{ field: "coreOAuth2ClientConfig.clientName", from: ["a\nb"], to: ["CRM"] }] });
    expect(r).toBe("~ web-app crm: name: a\\nb → CRM");
  });
});
