/**
 * Environment secrets and variables through real Terraform against the embedded tenant: created,
 * a secret version bump adds a version (the older stays enabled), a variable change updates it,
 * removals delete them; the apply says once that the change waits for a tenant restart. The
 * secret's value appears nowhere: not in cdk.tf.json, the state, Terraform's output or plan's JSON.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EnvironmentSecret, EnvironmentVariable, Secret } from "../../constructs";
import { adminOf, workspace, type Workspace } from "./harness";

const VALUE_V1 = `esv-value-${Math.random().toString(36).slice(2)}-planted-one`;
const VALUE_V2 = `esv-value-${Math.random().toString(36).slice(2)}-planted-two`;

function synth(ws: Workspace, o: { secret?: number; variable?: string }): void {
  ws.synth((stack) => {
    if (o.secret !== undefined) new EnvironmentSecret(stack, "ApiKey", { esvId: "esv-api-key", description: "API key", value: Secret.fromEnv("ESV_API_KEY", { version: o.secret }) });
    if (o.variable !== undefined) new EnvironmentVariable(stack, "Port", { esvId: "esv-ldap-port", value: o.variable, expressionType: "int" });
  });
  cdkJsons.push(readFileSync(join(ws.stackDir, "cdk.tf.json"), "utf8"));
}

/** Every cdk.tf.json synthesized, for the scan. */
const cdkJsons: string[] = [];

const stateOf = (ws: Workspace) => readFileSync(join(ws.dir, ".cdktf-aic", "state", "alpha.tfstate"), "utf8");

/** Everything a value must not appear in: the synthesized stack, the states after each apply, and what every command printed. */
function leaks(ws: Workspace, states: string[]): string[] {
  const places = {
    "cdk.tf.json": cdkJsons.join("\n"),
    state: states.join("\n"),
    output: ws.transcript.join("\n"),
  };
  // The places are the real ones: the env var's name is in each of the files, the ESV's id in the output.
  expect(places["cdk.tf.json"]).toContain("ESV_API_KEY");
  expect(places.state).toContain("ESV_API_KEY");
  expect(places.output).toContain("esv-api-key");
  const b64 = (v: string) => Buffer.from(v).toString("base64");
  return Object.entries(places).flatMap(([where, text]) => [VALUE_V1, VALUE_V2, b64(VALUE_V1), b64(VALUE_V2)].filter((v) => text.includes(v)).map(() => where));
}

describe("environment secrets and variables", () => {
  const ws = workspace();

  it("are created, rotated, changed and deleted by the apply; the secret's value appears nowhere", async () => {
    const admin = adminOf(ws);
    synth(ws, { secret: 1, variable: "1389" });
    const plan1 = await ws.cli(["plan", "--format", "json"], { ESV_API_KEY: VALUE_V1 });
    expect(plan1.status).toBe(0);
    const planned = JSON.parse(plan1.stdout).stacks[0].objects as { kind: string; action: string; changes: { type: string; field: string }[] }[];
    expect(planned.find((o) => o.kind === "esv-secret")).toMatchObject({ action: "create", changes: expect.arrayContaining([{ type: "sensitive", field: "valueBase64" }]) });
    expect(planned.find((o) => o.kind === "esv-variable")).toMatchObject({ action: "create" });
    const text = await ws.cli(["plan"], { ESV_API_KEY: VALUE_V1 });
    expect(text.status).toBe(0);
    expect(text.output).toMatch(/esv-secret esv-api-key[\s\S]*value \(sensitive\)/);

    expect((await ws.terraform(["init", "-input=false", "-no-color"])).status).toBe(0);
    const first = await ws.terraform(["apply", "-auto-approve", "-input=false", "-no-color"], { ESV_API_KEY: VALUE_V1 });
    expect(first.status).toBe(0);
    const states = [stateOf(ws)];
    expect(first.output).toMatch(/\+ esv-secret esv-api-key: created/);
    expect(first.output).toMatch(/\+ esv-variable esv-ldap-port: created/);
    expect(first.output).toMatch(/ESV changes are pending until the tenant restarts .*no restart was done/);
    expect((first.output.match(/ESV changes are pending/g) ?? []).length).toBe(1);
    expect(await admin.getEsvSecret("esv-api-key")).toMatchObject({ description: "API key", encoding: "generic", activeVersion: "1" });
    expect(await admin.getEsvVariable("esv-ldap-port")).toMatchObject({ expressionType: "int", valueBase64: Buffer.from("1389").toString("base64") });

    // A version bump: plan says rotate; the apply adds version 2, version 1 stays enabled.
    synth(ws, { secret: 2, variable: "1636" });
    const plan2 = await ws.cli(["plan", "--format", "json"], { ESV_API_KEY: VALUE_V2 });
    expect(plan2.status).toBe(0);
    const rotated = JSON.parse(plan2.stdout).stacks[0].objects as { kind: string; action: string; changes: Record<string, unknown>[] }[];
    expect(rotated.find((o) => o.kind === "esv-secret")).toMatchObject({ action: "rotate", changes: [expect.objectContaining({ type: "rotate", field: "valueBase64", appliedVersion: "1", desiredVersion: "2" })] });
    expect(rotated.find((o) => o.kind === "esv-variable")).toMatchObject({ action: "update" });
    const second = await ws.terraform(["apply", "-auto-approve", "-input=false", "-no-color"], { ESV_API_KEY: VALUE_V2 });
    expect(second.status).toBe(0);
    states.push(stateOf(ws));
    expect(second.output).toMatch(/~ esv-secret esv-api-key: .*rotated \(version 1 → 2\)/);
    expect(second.output).toMatch(/~ esv-variable esv-ldap-port: value: 1389 → 1636/);
    const versions = await admin.listEsvSecretVersions("esv-api-key");
    expect(versions?.map((v) => [v.version, v.status])).toEqual([
      ["2", "ENABLED"],
      ["1", "ENABLED"],
    ]);
    expect(await admin.getEsvVariable("esv-ldap-port")).toMatchObject({ valueBase64: Buffer.from("1636").toString("base64") });

    // Both removed: plan says delete, the apply deletes them.
    synth(ws, {});
    const plan3 = await ws.cli(["plan", "--format", "json"]);
    expect(plan3.status).toBe(0);
    const removed = JSON.parse(plan3.stdout).stacks[0].objects as { kind: string; action: string }[];
    expect(removed.map((o) => `${o.action} ${o.kind}`).sort()).toEqual(["delete esv-secret", "delete esv-variable"]);
    const third = await ws.terraform(["apply", "-auto-approve", "-input=false", "-no-color"]);
    expect(third.status).toBe(0);
    states.push(stateOf(ws));
    expect(third.output).toMatch(/- esv-secret esv-api-key: deleted/);
    expect(third.output).toMatch(/- esv-variable esv-ldap-port: deleted/);
    expect(await admin.getEsvSecret("esv-api-key")).toBeUndefined();
    expect(await admin.getEsvVariable("esv-ldap-port")).toBeUndefined();

    expect(leaks(ws, states)).toEqual([]);
  }, 300_000);
});
