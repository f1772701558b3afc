/**
 * A grant in stack g2 to the agent and app of stack g1, planned and applied before g1: plan and
 * apply both name g1 as the stack to apply first (the synth output knows which stack declares them).
 */
import { join } from "node:path";
import { App } from "cdktf";
import { AgentApplicationGrant, AiAgent, ConfidentialWebApp, OAuth2ProviderGrants, TenantStack } from "../../constructs";
import { requireCli } from "../cli/run";
import { Workspace } from "../e2e/harness";
import { agentProps, webAppProps } from "../support/seed";
import { AGENT, APP } from "./support";

const ws = new Workspace();
const HINT = `ai-agent ${AGENT} is declared by stack g1: apply stack g1 first (cdktf deploy g1), then g2; web-app ${APP} is declared by stack g1: apply stack g1 first (cdktf deploy g1), then g2`;

beforeAll(async () => {
  requireCli();
  await ws.start();
  const app = new App({ outdir: ws.outdir });
  const tenant = { baseUrl: ws.tenant.baseUrl, realm: "alpha" };
  const g1 = new TenantStack(app, "g1", { tenant });
  new OAuth2ProviderGrants(g1, "provider", { grantTypes: ["password", "token-exchange"], enableAiAgents: true });
  new ConfidentialWebApp(g1, "web-app", webAppProps());
  new AiAgent(g1, "agent", agentProps());
  const g2 = new TenantStack(app, "g2", { tenant });
  new AgentApplicationGrant(g2, "grant", {
    agent: AiAgent.fromClientId(g2, "agent", AGENT),
    application: ConfidentialWebApp.fromClientId(g2, "web-app", APP),
    subjects: ["barbara.jensen"],
  });
  app.synth();
}, 300_000);
afterAll(() => ws.stop());

describe("a cross-stack grant applied before the stack of its agent and app", () => {
  it("is a problem in plan that names the stack to apply first", async () => {
    const r = await ws.cli(["plan"]);
    expect(r.status).toBe(1);
    // Plan wraps the problem at 160 columns; its object's title names the grant, so the problem does not repeat it.
    const said = r.stdout.replace(/\n\s*!\s+/g, " ");
    expect(said).toContain(`+ agent-grant ${AGENT}/${APP} (g2/grant) apply would fail: AI agent "${AGENT}", application "${APP}" not found in realm alpha`);
    expect(said).toContain(HINT);
  });

  it("fails the apply of g2 with the same words", async () => {
    const dir = join(ws.outdir, "stacks", "g2");
    const terraform = process.env.CDKTF_AIC_TERRAFORM ?? "terraform";
    expect((await ws.run(terraform, ["init", "-input=false", "-no-color"], dir)).status).toBe(0);
    const r = await ws.run(terraform, ["apply", "-auto-approve", "-input=false", "-no-color"], dir);
    expect(r.status).not.toBe(0);
    const said = r.output.replace(/\n\S*\s*\(local-exec\):\s+/g, " ");
    expect(said).toContain(`! agent-grant ${AGENT}/${APP}: failed — AI agent "${AGENT}", application "${APP}" not found in realm alpha`);
    expect(said).toContain(HINT);
  });
});
