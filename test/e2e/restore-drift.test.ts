/**
 * Drift and `restoreDrift`: a change made in the tenant outside code survives `terraform apply`
 * unless the tenant restores drift, in which case the next apply overwrites it, and only it.
 */
import type { AdminClient } from "../../src/client/admin-api";
import { APP, seed } from "../support/seed";
import { isWrite, Workspace } from "./harness";

const SCOPES = ["openid", "read-data", "write-data", "admin-action"];

/** Someone edits the web app's scopes in the console. */
async function drift(api: AdminClient): Promise<void> {
  const live = (await api.getOAuth2Client(APP))!;
  await api.putOAuth2Client(APP, { ...live, coreOAuth2ClientConfig: { ...live.coreOAuth2ClientConfig, scopes: { inherited: false, value: ["openid"] } } });
}

const scopesOf = async (api: AdminClient) => (await api.getOAuth2Client(APP))!.coreOAuth2ClientConfig!.scopes!.value;

describe.each([
  { restoreDrift: false, after: ["openid"] },
  { restoreDrift: true, after: SCOPES },
])("drift with restoreDrift: $restoreDrift", ({ restoreDrift, after }) => {
  const ws = new Workspace();
  let api: AdminClient;
  beforeAll(async () => {
    await ws.start();
    api = ws.adminClient();
    ws.synth((s) => seed(s), { restoreDrift });
    await ws.apply();
  }, 120_000);
  afterAll(async () => {
    await api.close();
    await ws.stop();
  });

  it(restoreDrift ? "overwrites the change on the next apply, writing only that object" : "leaves the change as is on the next apply", async () => {
    await drift(api);
    const plan = await ws.cli(["plan", "--stack", "alpha", "--format", "json"]);
    const report = JSON.parse(plan.stdout) as { stacks: { objects: { kind: string; id: string; drift?: { overwrittenByApply: boolean } }[] }[] };
    const webApp = report.stacks[0].objects.find((o) => o.kind === "web-app" && o.id === APP)!;
    expect(webApp.drift?.overwrittenByApply).toBe(restoreDrift);

    await ws.clearAudit();
    await ws.apply();
    expect(await scopesOf(api)).toEqual(after);
    const writes = (await ws.audit()).filter(isWrite);
    expect(writes.map((e) => `${e.method} ${e.path}`)).toEqual(
      restoreDrift ? [`PUT /am/json/realms/root/realms/alpha/realm-config/agents/OAuth2Client/${APP}`] : [],
    );
  }, 120_000);

  if (restoreDrift) {
    it("re-applies with no write at all when nothing drifted", async () => {
      await ws.clearAudit();
      await ws.apply();
      expect((await ws.audit()).filter(isWrite)).toEqual([]);
    }, 120_000);
  }
});
