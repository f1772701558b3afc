/**
 * A stack that would delete an app a grant it does not declare still uses (another stack's, or one
 * made in the console): `cdktf-aic plan` names the grant, the stack that declares it (and its
 * construct) or that no stack does, and the fix, as a problem on the delete, and exits 1; the apply
 * refuses the delete with the same words, leaving the app and the grant in place.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { App } from "cdktf";
import { AgentApplicationGrant, AiAgent, ConfidentialWebApp, TenantStack } from "../../constructs";
import { requireCli } from "../cli/run";
import { terraformBinary, Workspace } from "../e2e/harness";
import { AGENT, seed } from "./support";

const ws = new Workspace();
const REPORTING = "reporting-app";
const GRANT = `${AGENT}/${REPORTING}`;
const KEEP = `or keep web-app ${REPORTING} in code`;
const BY_STACK =
  `web-app ${REPORTING} is used by agent-grant ${GRANT} of stack reports (reports/grant): deleting it would leave the grant pointing at nothing; ` +
  `remove the grant from stack reports and apply stack reports first, ${KEEP}`;
const BY_NO_STACK =
  `web-app ${REPORTING} is used by agent-grant ${GRANT}, which no stack of the synth output declares (made in the console or by another tool, or removed from its stack's code and not applied yet): ` +
  `deleting it would leave the grant pointing at nothing; delete agent-grant ${GRANT} in the tenant (or apply the stack that removed it) first, ${KEEP}`;

/** Stack alpha (the seed, with the reporting app while `extraApp`) and stack reports, whose grant uses alpha's agent and reporting app. */
function synth(extraApp: boolean): void {
  const app = new App({ outdir: ws.outdir });
  const tenant = { baseUrl: ws.tenant.baseUrl, realm: "alpha" };
  seed(new TenantStack(app, "alpha", { tenant }), { extraApp });
  const reports = new TenantStack(app, "reports", { tenant });
  new AgentApplicationGrant(reports, "grant", {
    agent: AiAgent.fromClientId(reports, "agent", AGENT),
    application: ConfidentialWebApp.fromClientId(reports, "reporting-app", REPORTING),
    subjects: ["barbara.jensen"],
  });
  app.synth();
}

/** What an apply of stack alpha printed, its lines joined as the sync wrote them (Terraform prefixes each). */
async function applyAlpha(): Promise<{ status: number; said: string }> {
  const r = await ws.terraform(["apply", "-auto-approve", "-input=false", "-no-color"]);
  return { status: r.status, said: r.output.replace(/\n\S*\s*\(local-exec\):\s+/g, " ") };
}

async function reportingAppExists(): Promise<boolean> {
  const api = ws.adminClient();
  try {
    return (await api.getOAuth2Client(REPORTING)) !== undefined;
  } finally {
    await api.close();
  }
}

beforeAll(async () => {
  requireCli();
  await ws.start();
  synth(true);
  await ws.apply();
  const dir = join(ws.outdir, "stacks", "reports");
  for (const args of [["init", "-input=false", "-no-color"], ["apply", "-auto-approve", "-input=false", "-no-color"]]) {
    const r = await ws.run(terraformBinary(), args, dir);
    if (r.status !== 0) throw new Error(`terraform ${args[0]} of stack reports failed:\n${r.output}`);
  }
  synth(false);
}, 300_000);
afterAll(() => ws.stop());

describe("deleting an app another stack's grant uses", () => {
  it("is a problem on the delete in plan, naming the grant, its stack and construct, and the fix; plan exits 1", async () => {
    const r = await ws.cli(["plan", "--stack", "alpha"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`- web-app ${REPORTING}`);
    expect(r.stdout.replace(/\n\s*!\s+/g, " ")).toContain(`apply would fail: ${BY_STACK}`);
    for (const l of r.stdout.split("\n")) expect([...l].length).toBeLessThanOrEqual(160);
  });

  it("is refused by the apply in the same words, before any write: the app and the grant stay", async () => {
    const r = await applyAlpha();
    expect(r.status).not.toBe(0);
    expect(r.said).toContain(BY_STACK);
    expect(await reportingAppExists()).toBe(true);
  });
});

describe("deleting an app a grant of no stack uses (made in the console, say)", () => {
  beforeAll(() => rmSync(join(ws.outdir, "stacks", "reports"), { recursive: true }));

  it("is a problem in plan that says no stack declares the grant, and how to remove it", async () => {
    const r = await ws.cli(["plan"]);
    expect(r.status).toBe(1);
    expect(r.stdout.replace(/\n\s*!\s+/g, " ")).toContain(`apply would fail: ${BY_NO_STACK}`);
  });

  it("is refused by the apply in the same words", async () => {
    const r = await applyAlpha();
    expect(r.status).not.toBe(0);
    expect(r.said).toContain(BY_NO_STACK);
    expect(await reportingAppExists()).toBe(true);
  });
});
