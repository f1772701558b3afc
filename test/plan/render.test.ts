/**
 * The plan's text and markdown, rendered from a report: each change in the constructs' words (the
 * engine's wording, as the apply's lines say them), the secret once, every line at most 160 columns.
 */
import { renderMarkdown, renderText } from "../../src/plan/render";
import { PLAN_FORMAT_VERSION, type PlannedObject, type PlanReport } from "../../src/plan/schema";

const NONE = { create: 0, update: 0, adopt: 0, rotate: 0, delete: 0, forget: 0, noChange: 0, drifted: 0, problems: 0 };

function report(...objects: PlannedObject[]): PlanReport {
  return {
    version: PLAN_FORMAT_VERSION,
    changesPresent: true,
    summary: { ...NONE, update: objects.length },
    stacks: [{ name: "alpha", tenants: [{ baseUrl: "https://tenant.example.com", realm: "alpha" }], state: { read: true, note: "applied state from x.tfstate" }, objects, summary: { ...NONE, update: objects.length } }],
    unmanaged: [],
  };
}

const object = (o: Partial<PlannedObject>): PlannedObject => ({ kind: "web-app", id: "crm", construct: "alpha/crm", action: "update", changes: [], notes: [], problems: [], ...o });
const scopes = (n: number) => Array.from({ length: n }, (_, i) => `https://api.example.com/scopes/${String(i).padStart(2, "0")}.read`);
const body = (text: string) => text.split("\n").filter((l) => l.startsWith("  "));

describe("renderText", () => {
  it("names each change by its construct prop, a list by what it adds and removes", () => {
    const text = renderText(
      report(
        object({
          changes: [
            { type: "set", field: "application.description", live: "old", desired: "new" },
            { type: "list", field: "advancedOAuth2ClientConfig.grantTypes", added: ["password"], removed: ["implicit"] },
            { type: "list", field: "coreOAuth2ClientConfig.clientName", added: ["CRM"], removed: ["Old CRM"] },
            { type: "set", field: "application.name", live: "Old CRM", desired: "CRM" },
          ],
        }),
      ),
    );
    expect(body(text)).toEqual(["  ~ web-app crm (alpha/crm)", "  ~     description: old → new", "  ~     grantTypes +password −implicit", "  ~     name: Old CRM → CRM"]);
  });

  it("says on a create what code sets, the secret once, and nothing of what the tool fills in itself", () => {
    const text = renderText(
      report(
        object({
          action: "create",
          changes: [
            { type: "set", field: "coreOAuth2ClientConfig.clientType", desired: "Confidential" },
            { type: "set", field: "coreOAuth2ClientConfig.scopes", desired: ["openid"] },
            { type: "sensitive", field: "coreOAuth2ClientConfig.userpassword" },
            { type: "sensitive", field: "coreOAuth2ClientConfig.userpassword" },
          ],
        }),
      ),
    );
    expect(body(text)).toEqual(["  + web-app crm (alpha/crm)", "  +     secret (sensitive)", "  +     scopes +openid"]);
  });

  it("shows a rotation by version, and does not say the secret again", () => {
    const text = renderText(
      report(
        object({
          action: "rotate",
          changes: [
            { type: "rotate", field: "coreOAuth2ClientConfig.userpassword", appliedVersion: "1", desiredVersion: "2" },
            { type: "sensitive", field: "coreOAuth2ClientConfig.userpassword" },
          ],
        }),
      ),
    );
    expect(body(text)).toEqual(["  ~ web-app crm (alpha/crm) will get a new secret", "  ~     secret (sensitive): version 1 → 2"]);
  });

  it("shows every item of a long list and wraps it at 160 columns, each line led by the sign", () => {
    const added = scopes(12);
    const text = renderText(report(object({ changes: [{ type: "list", field: "coreOAuth2ClientConfig.scopes", added, removed: [] }] })));
    const lines = body(text).slice(1);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l).toMatch(/^ {2}~ {5}/);
    for (const item of added) expect(text).toContain(`+${item}`);
    for (const l of text.split("\n")) expect([...l].length).toBeLessThanOrEqual(160);
  });

  it("wraps a long problem and a long drift line at 160 columns", () => {
    const problem = `WEB_APP_CLIENT_SECRET is not set: it is needed to create web-app crm; ${"export it in the environment Terraform runs in ".repeat(5)}`;
    const o = object({
      problems: [problem.trim()],
      drift: { status: "changed", changes: [{ type: "list", field: "coreOAuth2ClientConfig.scopes", added: scopes(10), removed: [] }], overwrittenByApply: false },
    });
    for (const text of [renderText(report(o)), renderMarkdown(report(o))]) {
      for (const l of text.split("\n")) expect([...l].length).toBeLessThanOrEqual(160);
      expect(text.replace(/\n\s*!\s+/g, " ")).toContain(`apply would fail: ${problem.trim()}`);
    }
  });
});
