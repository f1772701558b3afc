/**
 * A stack that would delete an app a grant it does not declare still uses (another stack's, or one
 * made in the console): `cdktf-aic plan` names the grant as a problem on the delete and exits 1,
 * and the apply refuses the delete with the same words, leaving the app and the grant in place.
 */
import { randomUUID } from "node:crypto";
import { agentUid } from "../../src/engine/ai-agent";
import { findApplication } from "../../src/engine/live";
import { refTo } from "../../src/engine/refs";
import { requireCli } from "../cli/run";
import { Workspace } from "../e2e/harness";
import { AGENT, seed } from "./support";

const ws = new Workspace();
const REPORTING = "reporting-app";
const REFUSAL = `web-app ${REPORTING} is used by agent-grant ${AGENT}/${REPORTING}, which this stack does not declare: deleting it would leave the grant pointing at nothing; remove the grant from its stack and apply that stack first, or keep web-app ${REPORTING} in code`;

beforeAll(async () => {
  requireCli();
  await ws.start();
  ws.synth((s) => seed(s, { extraApp: true }));
  await ws.apply();
  // Another stack's grant on the stack's reporting app, written as that stack's apply would.
  const api = ws.adminClient();
  try {
    const agent = await api.getAiAgent(AGENT);
    const application = await findApplication(api, REPORTING);
    await api.createManaged("aiagentprivilege", randomUUID(), {
      permissions: [],
      agent: refTo("alpha", "aiagent", agentUid(agent)!),
      resource: refTo("alpha", "application", application!._id),
    });
  } finally {
    await api.close();
  }
  ws.synth((s) => seed(s));
}, 300_000);
afterAll(() => ws.stop());

describe("deleting an app another grant uses", () => {
  it("is a problem on the delete in plan, naming the grant and the fix, and plan exits 1", async () => {
    const r = await ws.cli(["plan"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`- web-app ${REPORTING}`);
    expect(r.stdout).toContain(`apply would fail: ${REFUSAL}`);
  });

  it("is refused by the apply in the same words, before any write: the app and the grant stay", async () => {
    const r = await ws.terraform(["apply", "-auto-approve", "-input=false", "-no-color"]);
    expect(r.status).not.toBe(0);
    // Terraform prefixes each line the sync prints; the sync wraps a failure at 160 columns.
    const said = r.output.replace(/\n\S*\s*\(local-exec\):\s+/g, " ");
    expect(said).toContain(REFUSAL);
    const api = ws.adminClient();
    try {
      expect(await api.getOAuth2Client(REPORTING)).toBeDefined();
    } finally {
      await api.close();
    }
  });
});
