import "cdktf/lib/testing/adapters/jest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TerraformVariable, Testing } from "cdktf";
import { AgentApplicationGrant, AiAgent, ConfidentialWebApp, OAuth2ProviderGrants } from "../../constructs";
import { COMMANDS, PROVISIONER_ENV, canonicalJson, identityKey, Identity, WebAppSpec } from "../../src/contract";
import { addressOf, agentProps, resourceOf, synthValidated, tenantStack, webAppProps } from "./helpers";

Testing.setupJest();

const TRICKY = "Costs ${var.price} %{ if x }and $${literal} 100%";

/** What Terraform makes of a JSON string literal, by evaluating it as an output. */
function terraformValueOf(literal: string): string {
  const dir = mkdtempSync(join(tmpdir(), "cdktf-aic-escape-"));
  writeFileSync(join(dir, "main.tf.json"), JSON.stringify({ output: { value: { value: literal } } }));
  const env = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
  execFileSync("terraform", ["apply", "-auto-approve", "-input=false", "-no-color"], { cwd: dir, env, stdio: "pipe" });
  return JSON.parse(execFileSync("terraform", ["output", "-json", "value"], { cwd: dir, env, stdio: "pipe" }).toString("utf8"));
}

const hasTerraform = (() => {
  try {
    execFileSync("terraform", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("the custom resource pattern", () => {
  it("runs the CLI sub-commands with everything in the environment and nothing in argv", () => {
    const { stack } = tenantStack();
    const app = new ConfidentialWebApp(stack, "web-app", webAppProps());
    const synth = Testing.synth(stack);
    const cli = (child: string) => resourceOf(synth, app, child).provisioner[0]["local-exec"];
    expect(cli("Resource")).toEqual({
      command: expect.stringMatching(new RegExp(`^node "assets/[^"]+/cdktf-aic\\.cjs" ${COMMANDS.delete}$`)),
      environment: { [PROVISIONER_ENV.identity]: "${self.triggers.identity}" },
      when: "destroy",
    });
    expect(cli("Config")).toEqual({
      command: expect.stringMatching(new RegExp(` ${COMMANDS.apply}$`)),
      environment: { [PROVISIONER_ENV.spec]: "${self.triggers.spec}" },
    });
    expect(cli("Secret")).toEqual({
      command: expect.stringMatching(new RegExp(` ${COMMANDS.setSecret}$`)),
      environment: { [PROVISIONER_ENV.identity]: "${self.triggers.identity}", [PROVISIONER_ENV.secret]: "${self.triggers.secret}" },
    });
    expect(resourceOf(synth, app, "Config").depends_on).toEqual([addressOf(app, "Resource")]);
    expect(resourceOf(synth, app, "Secret").depends_on).toEqual([addressOf(app, "Config")]);
  });

  it("escapes ${ and %{ in literal triggers so the CLI receives the spec unchanged", () => {
    const { stack } = tenantStack();
    const app = new ConfidentialWebApp(stack, "web-app", webAppProps({ description: TRICKY }));
    const trigger = resourceOf(Testing.synth(stack), app, "Config").triggers.spec;
    expect(trigger).toContain("$${var.price}");
    expect(trigger).toContain("%%{ if x }");
    expect(trigger).toContain("$$${literal}");
    const unescaped = trigger.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
    expect(WebAppSpec.parse(JSON.parse(unescaped)).owned.description).toBe(TRICKY);
    expect(unescaped).toBe(canonicalJson(JSON.parse(unescaped)));
  });

  (hasTerraform ? it : it.skip)("escapes so that Terraform itself reads back the exact canonical spec", () => {
    const { stack } = tenantStack();
    const app = new ConfidentialWebApp(stack, "web-app", webAppProps({ description: TRICKY }));
    const trigger = resourceOf(Testing.synth(stack), app, "Config").triggers.spec;
    const spec = WebAppSpec.parse(JSON.parse(terraformValueOf(trigger)));
    expect(spec.owned.description).toBe(TRICKY);
  }, 60_000);

  it("keeps an inventory of every managed object, sorted, and prunes with previous and current lists", () => {
    const { stack, tenant } = tenantStack();
    const agent = new AiAgent(stack, "agent", agentProps());
    const provider = new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["password", "token-exchange"] });
    const webApp = new ConfidentialWebApp(stack, "web-app", webAppProps());
    const grant = new AgentApplicationGrant(stack, "grant", { agent, application: webApp, subjects: ["barbara.jensen"] });
    const synth = Testing.synth(stack);
    const inventory = resourceOf(synth, tenant, "Inventory");
    const identities = (JSON.parse(inventory.triggers.identities) as Identity[]).map((i) => Identity.parse(i));
    expect(identities.map((i) => i.kind).sort()).toEqual(["agent-grant", "ai-agent", "oauth2-provider-grants", "web-app"]);
    expect(identities.map(identityKey)).toEqual(identities.map(identityKey).sort());
    expect(inventory.provisioner[0]["local-exec"]).toEqual({
      command: expect.stringMatching(new RegExp(` ${COMMANDS.prune}$`)),
      environment: { [PROVISIONER_ENV.previous]: "${self.triggers.identities}", [PROVISIONER_ENV.keep]: inventory.triggers.identities },
      when: "destroy",
    });
    expect(inventory.depends_on).toEqual(
      expect.arrayContaining([agent, provider, webApp, grant].map((c) => addressOf(c, "Config"))),
    );
  });

  it("does not change the inventory when constructs are declared in another order", () => {
    const inventoryOf = (order: "app-first" | "agent-first") => {
      const { stack, tenant } = tenantStack();
      if (order === "app-first") new ConfidentialWebApp(stack, "web-app", webAppProps());
      new AiAgent(stack, "agent", agentProps());
      if (order === "agent-first") new ConfidentialWebApp(stack, "web-app", webAppProps());
      return resourceOf(Testing.synth(stack), tenant, "Inventory").triggers.identities;
    };
    expect(inventoryOf("app-first")).toBe(inventoryOf("agent-first"));
  });
});

describe("tokens in props", () => {
  it("leaves cdktf tokens for Terraform to resolve and skips their validation", () => {
    const { stack } = tenantStack();
    const description = new TerraformVariable(stack, "description", { type: "string" });
    const app = new ConfidentialWebApp(stack, "web-app", webAppProps({ description: description.stringValue }));
    const trigger = resourceOf(synthValidated(stack), app, "Config").triggers.spec;
    expect(trigger).toContain(`"description":"\${var.description}"`);
  });
});
