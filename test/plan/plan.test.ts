/**
 * `cdktf-aic plan` against the embedded tenant: stacks synthesized from the real constructs,
 * applied by real Terraform (so the state is Terraform's own), then changed in code or in the
 * tenant, and planned by the bundled CLI.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findApplication } from "../../src/engine/live";
import { PlanReport } from "../../src/plan/schema";
import { readState } from "../../src/plan/stack";
import { requireCli } from "../cli/run";
import { isWrite, Workspace } from "../e2e/harness";
import { AGENT, APP, seed, symbolLines, type SeedKnobs } from "./support";

const ws = new Workspace();

async function plan(knobs: SeedKnobs, args: string[] = [], env: Record<string, string> = {}) {
  ws.synth((s) => seed(s, knobs));
  return ws.cli(["plan", ...args], env);
}

async function planJson(knobs: SeedKnobs = {}) {
  const r = await plan(knobs, ["--format", "json"]);
  return PlanReport.parse(JSON.parse(r.stdout));
}

beforeAll(async () => {
  requireCli();
  await ws.start();
  ws.synth((s) => seed(s));
  await ws.apply();
}, 300_000);
afterAll(() => ws.stop());

describe("cdktf-aic plan", () => {
  it("reports no change right after an apply, and exits 0 with --detailed-exitcode", async () => {
    const r = await plan({}, ["--detailed-exitcode"]);
    expect(r.stdout).toContain("No changes. The tenant matches the code.");
    expect(r.stdout).toContain("4 unchanged.");
    expect(r.status).toBe(0);
  });

  it("reports an object in code but not in the tenant as create, and exits 2 with --detailed-exitcode", async () => {
    const r = await plan({ extraApp: true }, ["--detailed-exitcode"]);
    expect(symbolLines(r.stdout)).toEqual(
      expect.arrayContaining([
        "+ web-app reporting-app (alpha/reporting-app)",
        "+     secret (sensitive)",
        "+     scopes +openid",
        "+     redirectUris +https://reporting.example.com/cb",
        "+     name: Reporting",
      ]),
    );
    expect(r.stdout).toContain("Plan: 1 to create, 0 to update, 0 to delete.");
    expect(r.status).toBe(2);
  });

  it("reports changed owned fields as update in the constructs' words, each as prop: live → desired, lists as added and removed items", async () => {
    const r = await plan({ appName: "Assistant", grantScopes: ["write-data"] });
    const lines = symbolLines(r.stdout);
    expect(lines).toEqual(
      expect.arrayContaining([
        `~ web-app ${APP} (alpha/web-app)`,
        // The AM client and the IDM record both carry the name: said once.
        "~     name: Digital Assistant Web App → Assistant",
        `~ agent-grant ${AGENT}/${APP} (alpha/grant)`,
        "~     scopes +write-data −read-data",
      ]),
    );
    expect(r.stdout).toContain("Plan: 0 to create, 2 to update, 0 to delete.");
    expect(r.status).toBe(0);
  });

  it("says a renamed client id is one replacement: the new client (new secret) and the old one deleted after", async () => {
    const report = await planJson({ agentClientId: "renamed-agent" });
    const objects = report.stacks[0].objects;
    const created = objects.find((o) => o.kind === "ai-agent" && o.id === "renamed-agent")!;
    const deleted = objects.find((o) => o.kind === "ai-agent" && o.id === AGENT)!;
    expect(created).toMatchObject({ action: "create" });
    expect(created.notes).toContain(`replaces ${AGENT} (a new client); ${AGENT} is deleted once everything else succeeded`);
    expect(deleted).toMatchObject({ action: "delete", notes: ["replaced by renamed-agent"] });
  });

  it("reports an object removed from code that the last apply managed as delete", async () => {
    const r = await plan({ withGrant: false });
    expect(symbolLines(r.stdout)).toContain(`- agent-grant ${AGENT}/${APP} will be deleted`);
    expect(r.stdout).toContain("Plan: 0 to create, 0 to update, 1 to delete.");
  });

  it("shows a bumped secret version as rotate, by version only, against the version in the applied Config spec", async () => {
    const stateFile = join(ws.dir, ".cdktf-aic", "state", "alpha.tfstate");
    const applied = readState(JSON.parse(readFileSync(stateFile, "utf8")), stateFile);
    const appliedApp = [...applied.objects.values()].find((o) => o.identity.id === APP)!;
    expect(appliedApp.spec).toMatchObject({ secret: { env: "WEB_APP_CLIENT_SECRET", version: 1 } });

    const r = await plan({ appSecretVersion: 2 });
    expect(symbolLines(r.stdout)).toContain("~     secret (sensitive): version 1 → 2");
    expect(r.stdout).toContain("Plan: 0 to create, 0 to update, 1 to rotate, 0 to delete.");
    // The version is part of the spec, yet only the rotation shows: no field of the app changes.
    const app = (await planJson({ appSecretVersion: 2 })).stacks[0].objects.find((o) => o.id === APP)!;
    expect(app).toMatchObject({
      action: "rotate",
      changes: [{ type: "rotate", field: "coreOAuth2ClientConfig.userpassword", appliedVersion: "1", desiredVersion: "2" }],
    });
    expect(app.drift).toBeUndefined();
  });

  it("shows realm-wide grant types turned off outside code as drift that apply leaves (the code did not change)", async () => {
    const api = ws.adminClient();
    const provider = (await api.getProvider())!;
    const before = provider.advancedOAuth2Config!.grantTypes!;
    await api.putProvider({ ...provider, advancedOAuth2Config: { ...provider.advancedOAuth2Config, grantTypes: before.filter((g) => g !== "password") } });
    try {
      const report = await planJson();
      const grants = report.stacks[0].objects.find((o) => o.kind === "oauth2-provider-grants")!;
      expect(grants).toMatchObject({ action: "no-change", changes: [], drift: { status: "changed", overwrittenByApply: false } });
      const text = await ws.cli(["plan", "--detailed-exitcode"]);
      expect(text.status).toBe(0);
    } finally {
      await api.putProvider({ ...provider, advancedOAuth2Config: { ...provider.advancedOAuth2Config, grantTypes: before } });
      await api.close();
    }
  });

  it("reports fields changed in the tenant outside code as drift, apart from the changes", async () => {
    const api = ws.adminClient();
    const application = (await findApplication(api, APP))!;
    await api.patchManaged("application", application._id, [{ operation: "replace", field: "/name", value: "Renamed in the console" }]);
    const client = (await api.getOAuth2Client(APP))!;
    const scopes = client.coreOAuth2ClientConfig!.scopes!.value!;
    await api.putOAuth2Client(APP, { ...client, coreOAuth2ClientConfig: { ...client.coreOAuth2ClientConfig, scopes: { inherited: false, value: [...scopes, "extra"] } } });
    try {
      const r = await plan({});
      const drift = r.stdout.slice(r.stdout.indexOf("Drift: changed in the tenant outside code"));
      expect(symbolLines(drift)).toEqual([
        `! web-app ${APP} (alpha/web-app)`,
        "!     scopes +extra (applied → live)",
        "!     name: Digital Assistant Web App → Renamed in the console (applied → live)",
      ]);
      // The spec did not change, so Terraform would not re-run the apply: the plan says how to restore.
      expect(drift).toMatch(/to restore: cdktf-aic reconcile \(in the stack's folder\)/);
      expect(r.stdout).toContain("Drift: 1 object changed outside code.");

      const report = await planJson();
      const app = report.stacks[0].objects.find((o) => o.kind === "web-app")!;
      expect(app.drift).toMatchObject({ status: "changed", overwrittenByApply: false });
      // Apply leaves drift on an object whose code did not change: no change is planned for it.
      expect(app).toMatchObject({ action: "no-change", changes: [] });
    } finally {
      await api.putOAuth2Client(APP, client);
      await api.patchManaged("application", application._id, [{ operation: "replace", field: "/name", value: application.name }]);
      await api.close();
    }
  });

  it("escapes control characters of live values in every format, so a name cannot forge a line", async () => {
    const api = ws.adminClient();
    const application = (await findApplication(api, APP))!;
    const forged = "Evil\n\nNo changes. The tenant matches the code.\u001b[2K\u001b[32m\r";
    await api.patchManaged("application", application._id, [{ operation: "replace", field: "/name", value: forged }]);
    try {
      for (const format of ["text", "markdown"]) {
        const r = await plan({}, ["--format", format]);
        expect(r.stdout).toContain("No changes. The tenant matches the code.");
        // Apply leaves the drifted name (the code did not change): only the drift line holds it, escaped.
        const lines = r.stdout.split("\n").filter((l) => l.includes("Evil"));
        expect(lines).toHaveLength(1);
        for (const l of lines) expect(l).toContain(" Evil\\n\\nNo changes. The tenant matches the code.\\u001b[2K\\u001b[32m\\r");
        expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
      }
      const json = await plan({}, ["--format", "json"]);
      expect(json.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
      const app = PlanReport.parse(JSON.parse(json.stdout)).stacks[0].objects.find((o) => o.kind === "web-app")!;
      expect(app.drift!.changes).toContainEqual(expect.objectContaining({ field: "application.name", live: forged }));
    } finally {
      await api.patchManaged("application", application._id, [{ operation: "replace", field: "/name", value: application.name }]);
      await api.close();
    }
  });

  it("compares with code only when there is no state file, and says so", async () => {
    const copy = join(ws.dir, "no-state");
    ws.synth((s) => seed(s));
    cpSync(ws.outdir, join(copy, "cdktf.out"), { recursive: true });
    // The state stays beside the original cdktf.out: the copy's stack has none.
    const r = await ws.cli(["plan", "--out", join(copy, "cdktf.out"), "--format", "json"]);
    const report = PlanReport.parse(JSON.parse(r.stdout));
    expect(report.stacks[0].state).toMatchObject({ read: false, note: expect.stringMatching(/no state file .*drift is not shown/) });
    expect(report.stacks[0].objects.every((o) => o.drift === undefined)).toBe(true);
  });

  it("writes nothing to the tenant", async () => {
    await ws.clearAudit();
    await plan({ appName: "Assistant", withGrant: false, extraApp: true });
    const calls = await ws.audit();
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter(isWrite)).toEqual([]);
  });
});

describe("cdktf-aic plan --format json", () => {
  it("validates against the documented schema, with a version", async () => {
    const r = await plan({ appName: "Assistant", withGrant: false, extraApp: true, appSecretVersion: 3 }, ["--format", "json"]);
    const report = PlanReport.parse(JSON.parse(r.stdout));
    expect(report.version).toBe(5);
    expect(report.summary).toMatchObject({ create: 1, update: 0, rotate: 1, delete: 1 });
    expect(report.changesPresent).toBe(true);
  });
});

describe("cdktf-aic plan --format markdown", () => {
  it("renders one collapsible section per stack, ready for a pull-request comment", async () => {
    const r = await plan({ appName: "Assistant", grantScopes: ["write-data"], extraApp: true, appSecretVersion: 2 }, ["--format", "markdown"]);
    expect(r.status).toBe(0);
    expect(r.stdout.split(ws.tenant.baseUrl).join("http://127.0.0.1:PORT")).toMatchSnapshot();
  });
});

describe("secrets in plan output", () => {
  it("never shows a secret value planted in the environment, in any format", async () => {
    const outputs: string[] = [];
    for (const format of ["text", "markdown", "json"]) {
      const r = await plan({ extraApp: true, appSecretVersion: 5 }, ["--format", format]);
      expect(r.status).toBe(0);
      outputs.push(r.stdout, r.stderr);
    }
    const all = outputs.join("\n");
    expect(all).toContain("(sensitive)");
    for (const secret of Object.values(ws.secrets)) expect(all).not.toContain(secret);
  });
});

describe("cdktf-aic plan failures", () => {
  it("fails with one line when no stack is synthesized", async () => {
    const r = await ws.cli(["plan", "--out", join(ws.dir, "nothing-here")]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^cdktf-aic plan: no synthesized stacks in .*run cdktf synth first/)]);
  });

  it("fails with one line when the credentials are wrong", async () => {
    const r = await plan({}, [], { AIC_SERVICE_ACCOUNT_ID: "no-such-account" });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^cdktf-aic plan: cannot read tenant http:\/\/127\.0\.0\.1:\d+ \(realm alpha\) for stack alpha: /);
  });

  it("fails with one line when the tenant is unreachable", async () => {
    ws.synth((s) => seed(s));
    const unreachable = await ws.cli(["plan", "--out", rewriteBaseUrl(ws, "http://127.0.0.1:9")]);
    expect(unreachable.status).toBe(1);
    // Progress lines may come first (the retries take more than a moment); the error is one line.
    const lines = unreachable.stderr.trim().split("\n").filter((l) => !l.startsWith("[plan]"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^cdktf-aic plan: cannot read tenant http:\/\/127\.0\.0\.1:9 \(realm alpha\)/);
  }, 120_000);
});

describe("cdktf-aic plan after a deletion outside code", () => {
  // Last: the agent comes back without its privilege and owners.
  it("reports an object deleted outside code as drift, which apply leaves (its code did not change)", async () => {
    const api = ws.adminClient();
    const privilege = (await planJson()).stacks[0].objects.find((o) => o.kind === "agent-grant")!;
    expect(privilege.action).toBe("no-change");
    const agent = (await api.getAiAgent(AGENT))!;
    // Deleting the agent takes its identity and privileges with it.
    await api.deleteAiAgent(AGENT);
    try {
      const report = await planJson();
      const byKind = Object.fromEntries(report.stacks[0].objects.map((o) => [o.kind, o]));
      expect(byKind["ai-agent"]).toMatchObject({ action: "no-change", drift: { status: "deleted", overwrittenByApply: false } });
      expect(byKind["agent-grant"]).toMatchObject({ action: "no-change", drift: { status: "deleted", overwrittenByApply: false } });
    } finally {
      await api.putAiAgent(AGENT, agent, { createOnly: true });
      await api.close();
    }
  });
});

/** A copy of the synthesized stacks that point at another base URL (state left out). */
function rewriteBaseUrl(w: Workspace, baseUrl: string): string {
  const dir = join(w.dir, "elsewhere", "cdktf.out", "stacks", "alpha");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "cdk.tf.json"), readFileSync(join(w.stackDir, "cdk.tf.json"), "utf8").split(w.tenant.baseUrl).join(baseUrl));
  return join(w.dir, "elsewhere", "cdktf.out");
}

describe("cdktf-aic plan and the apply after it", () => {
  /** The props a change text names: what comes before `:`, ` +`, ` −` or ` (sensitive)`. */
  const propOf = (text: string) => text.match(/^(\S+?)(?::| [+−(])/)?.[1] ?? text;
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

  /** The change lines plan's text gives an object, as props. */
  function planned(stdout: string, kind: string, id: string): string[] {
    const lines = stdout.split("\n");
    const start = lines.findIndex((l) => new RegExp(`^  [+~] ${escape(kind)} ${escape(id)} \\(`).test(l));
    expect(start).toBeGreaterThanOrEqual(0);
    const props: string[] = [];
    for (const l of lines.slice(start + 1)) {
      const m = l.match(/^  [+~] {5}(\S.*)$/);
      if (!m) break;
      props.push(propOf(m[1]));
    }
    return props;
  }

  /** The apply's line of an object (Terraform prefixes it), as props and how many it left off for room. */
  function appliedLine(output: string, kind: string, id: string): { props: string[]; more: number } {
    const m = output.match(new RegExp(`[+~] ${escape(kind)} ${escape(id)}: (?:created — |updated — )?(.*)$`, "m"));
    expect(m).not.toBeNull();
    const parts = m![1].split("; ");
    const more = Number(parts.at(-1)!.match(/^… \(\+(\d+) more\)$/)?.[1] ?? 0);
    return { props: (more > 0 ? parts.slice(0, -1) : parts).map(propOf), more };
  }

  it("names the same props for an object in plan's text as the apply's line for it", async () => {
    ws.synth((s) => seed(s, { appName: "Assistant", grantScopes: ["write-data"], extraApp: true }));
    const r = await ws.cli(["plan"]);
    const applied = await ws.apply();
    for (const [kind, id] of [["web-app", APP], ["web-app", "reporting-app"], ["agent-grant", `${AGENT}/${APP}`]]) {
      const inPlan = planned(r.stdout, kind, id);
      const inApply = appliedLine(applied.output, kind, id);
      expect(inPlan.length).toBeGreaterThan(0);
      // The apply's one line gives way to `… (+N more)` when the props do not fit: the first ones are the plan's.
      expect(inApply.props).toEqual(inPlan.slice(0, inApply.props.length));
      expect(inApply.props.length + inApply.more).toBe(inPlan.length);
    }
  });
});
