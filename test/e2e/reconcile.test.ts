/**
 * `cdktf-aic reconcile` run by hand in a stack's folder (issue 16 item 8): it restores drift only on
 * objects the last apply recorded, as recorded; an object whose code changed since, or that was never
 * applied, is skipped by name (terraform apply writes it) — so the journal never misses what it did.
 */
import { join } from "node:path";
import { ConfidentialWebApp } from "../../constructs";
import { webAppProps } from "../support/seed";
import { CLI, isWrite, Workspace } from "./harness";

describe("cdktf-aic reconcile by hand", () => {
  const ws = new Workspace();
  beforeAll(() => ws.start(), 60_000);
  afterAll(() => ws.stop());

  it("restores drift on what the last apply recorded and touches nothing apply has yet to write", async () => {
    ws.synth((s) => new ConfidentialWebApp(s, "a", webAppProps({ clientId: "app-a", name: "App a", owners: ["barbara.jensen"] })));
    expect((await ws.apply()).status).toBe(0);
    const api = ws.adminClient();
    try {
      const client = (await api.getOAuth2Client("app-a"))!;
      const core = client.coreOAuth2ClientConfig!;
      await api.putOAuth2Client("app-a", { ...client, coreOAuth2ClientConfig: { ...core, scopes: { inherited: false, value: ["openid", "hotfix-scope"] } } });

      // Code moves on (a new app, not applied yet).
      ws.synth((s) => {
        new ConfidentialWebApp(s, "a", webAppProps({ clientId: "app-a", name: "App a", owners: ["barbara.jensen"] }));
        new ConfidentialWebApp(s, "b", webAppProps({ clientId: "app-b", name: "App b", owners: ["barbara.jensen"] }));
      });
      await ws.clearAudit();
      const r = await ws.run("node", [CLI, "reconcile"], ws.stackDir);
      expect(r.status).toBe(0);
      expect(r.stderr).toMatch(/web-app app-b: skipped — not as the last apply recorded it/);
      expect(await api.getOAuth2Client("app-b")).toBeUndefined();
      expect((await api.getOAuth2Client("app-a"))!.coreOAuth2ClientConfig!.scopes!.value).not.toContain("hotfix-scope");
      expect((await ws.audit()).filter(isWrite).every((w) => w.path.includes("app-a") || w.path.includes("managed/alpha_application"))).toBe(true);

      // The next apply creates app-b: the journal records it, nothing is refused.
      const applied = await ws.apply();
      expect(applied.status).toBe(0);
      expect(applied.output).toMatch(/\+ web-app app-b: created/);
    } finally {
      await api.close();
    }
  }, 300_000);

  it("refuses without an applied state", async () => {
    const r = await ws.run("node", [CLI, "reconcile", "--state", join(ws.dir, "no-such.tfstate")], ws.stackDir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/restores only what the last apply recorded, and no applied state was found/);
  });
});
