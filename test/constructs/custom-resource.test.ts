import "cdktf/lib/testing/adapters/jest";
import { IConstruct } from "constructs";
import { TerraformVariable, Testing } from "cdktf";
import {
  AgentApplicationGrant,
  AiAgent,
  AicTenantProps,
  ConfidentialWebApp,
  ConfidentialWebAppProps,
  OAuth2ProviderGrants,
  Secret,
  TenantCredentials,
} from "../../constructs";
import { ManagedObject } from "../../constructs/private/custom-resource";
import {
  COMMANDS,
  DEFAULT_CREDENTIAL_ENV,
  Identity,
  InventoryList,
  inventoryIdentities,
  PROVISIONER_ENV,
  Spec,
  WebAppSpec,
  canonicalJson,
  identityKey,
  unescapeTemplate,
} from "../../src/contract";
import {
  NullResourceJson,
  RecordedCall,
  TENANT_URL,
  TerraformDataJson,
  TerraformWorkdir,
  addressOf,
  agentProps,
  nullResourceOf,
  resourceOf,
  resourcesOfType,
  specOf,
  synthValidated,
  tenantStack,
  terraformValueOf,
  valueOf,
  webAppProps,
} from "./helpers";

Testing.setupJest();

const TRICKY = "Costs ${var.price} %{ if x }and $${literal} 100%";
const TRICKY_ESCAPED = "Costs $${var.price} %%{ if x }and $$${literal} 100%";
// Tests that run Terraform need it on PATH: `npm test` puts the project's build there.

/** The seed's four kinds of object in one stack. */
function seedStack(tenantProps: Partial<AicTenantProps> = {}, webApp: Partial<ConfidentialWebAppProps> = {}) {
  const { stack, tenant } = tenantStack(tenantProps);
  const agent = new AiAgent(stack, "agent", agentProps());
  const provider = new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["password", "token-exchange"] });
  const app = new ConfidentialWebApp(stack, "web-app", webAppProps(webApp));
  const grant = new AgentApplicationGrant(stack, "grant", { agent, application: app, subjects: ["barbara.jensen"] });
  const objects = [agent, provider, app, grant].map((c) => ManagedObject.of(c)!);
  return { stack, tenant, agent, provider, app, grant, objects, synth: Testing.synth(stack) };
}

/** The CDKTF_AIC_* variable `name` of a recorded CLI run, parsed. */
const envJson = (call: RecordedCall, name: string): unknown => JSON.parse(call.env[name]);
const commandsOf = (calls: RecordedCall[]) => calls.map((c) => c.argv.join(" "));

/** The addresses of the children `childIds` of each of `constructs`. */
const addresses = (constructs: IConstruct[], ...childIds: string[]) =>
  constructs.flatMap((c) => childIds.filter((id) => c.node.tryFindChild(id)).map((id) => addressOf(c, id)));

describe("the custom resource pattern", () => {
  it("runs the CLI sub-commands with everything in the environment and nothing in argv", () => {
    const { stack } = tenantStack();
    const app = new ConfidentialWebApp(stack, "web-app", webAppProps());
    const synth = Testing.synth(stack);
    const cli = (child: string) => resourceOf(synth, app, child).provisioner[0]["local-exec"];
    expect(cli("Resource")).toEqual({
      command: expect.stringMatching(new RegExp(`^node "assets/[^"]+/cdktf-aic\\.mjs" ${COMMANDS.delete}$`)),
      environment: { [PROVISIONER_ENV.identity]: "${jsonencode(self.input.identity)}" },
      when: "destroy",
    });
    expect(cli("Config")).toEqual({
      command: expect.stringMatching(new RegExp(` ${COMMANDS.apply}$`)),
      environment: { [PROVISIONER_ENV.spec]: "${jsonencode(self.triggers_replace.spec)}" },
    });
    expect(resourceOf(synth, app, "Config").depends_on).toEqual([addressOf(app, "Resource")]);
    expect(app.node.tryFindChild("Secret")).toBeUndefined();
  });

  it("replaces Resource only for another object, and carries the full identity in input", () => {
    const { stack, tenant } = tenantStack();
    const app = new ConfidentialWebApp(stack, "web-app", webAppProps());
    const synth = Testing.synth(stack);
    const object = { kind: "web-app", baseUrl: TENANT_URL, realm: "alpha", id: "digital-assistant-web-app" };
    const identity = { kind: "web-app", tenant: tenant.tenantRef, id: "digital-assistant-web-app" };
    const resource = resourceOf(synth, app, "Resource");
    expect([resource.triggers_replace, resource.input]).toEqual([{ object }, { identity }]);
    const config = resourceOf(synth, app, "Config");
    expect(Object.keys(config.triggers_replace)).toEqual(["spec"]);
    expect(config.input).toBeUndefined();
  });

  it("gives Terraform the spec as an object, not a JSON string, so that a plan shows each changed field", () => {
    const { stack } = tenantStack();
    const app = new ConfidentialWebApp(stack, "web-app", webAppProps());
    const spec = resourceOf(Testing.synth(stack), app, "Config").triggers_replace.spec;
    expect(typeof spec).toBe("object");
    expect(spec).toEqual(
      expect.objectContaining({
        kind: "web-app",
        owned: expect.objectContaining({ scopes: ["openid", "read-data", "write-data", "admin-action"] }),
        secret: { env: "WEB_APP_CLIENT_SECRET", version: 1 },
      }),
    );
  });

  it("shows a changed field of the spec in terraform plan and replaces only Config", () => {
    const synthWith = (scopes: string[]) => {
      const { stack } = tenantStack();
      const app = new ConfidentialWebApp(stack, "web-app", webAppProps({ scopes }));
      return { app, synth: Testing.synth(stack) };
    };
    const before = synthWith(["openid", "read-data", "write-data", "admin-action"]);
    const after = synthWith(["openid", "read-data"]);
    const workdir = new TerraformWorkdir();
    workdir.apply(before.synth);
    const plan = workdir.plan(after.synth);
    expect(plan.changes).toEqual({ [addressOf(after.app, "Config")]: ["delete", "create"] });
    expect(plan.rendered).toMatch(/~ scopes\s+= \[/);
    expect(plan.rendered).toMatch(/^\s+- "write-data",$/m);
    expect(plan.rendered).toMatch(/^\s+- "admin-action",$/m);
  });

  it("escapes ${ and %{ in literal strings so that Terraform reads the spec unchanged", () => {
    const { stack } = tenantStack();
    const app = new ConfidentialWebApp(stack, "web-app", webAppProps({ description: TRICKY }));
    const synth = Testing.synth(stack);
    const spec = resourceOf(synth, app, "Config").triggers_replace.spec as { owned: { description: string } };
    expect(spec.owned.description).toBe(TRICKY_ESCAPED);
    expect(WebAppSpec.parse(specOf(synth, app)).owned.description).toBe(TRICKY);
  });

  it("hands the CLI exactly the specs (secret references included), identities and lists, through real Terraform", () => {
    const { objects, synth } = seedStack({}, { description: TRICKY });
    const identities = objects.map((o) => o.identity).sort((a, b) => (identityKey(a) < identityKey(b) ? -1 : 1));
    const workdir = new TerraformWorkdir();

    workdir.apply(synth);
    const created = workdir.takeCalls();
    // One process per object: apply sends the secret with the create.
    expect(commandsOf(created)).toEqual([COMMANDS.apply, COMMANDS.apply, COMMANDS.apply, COMMANDS.apply]);
    const applied = created.map((c) => envJson(c, PROVISIONER_ENV.spec) as Spec);
    expect(applied).toEqual(expect.arrayContaining(objects.map((o) => o.spec)));
    expect(WebAppSpec.parse(applied.find((s) => s.kind === "web-app")).owned.description).toBe(TRICKY);
    expect(applied.flatMap((s) => ("secret" in s ? [s.secret] : [])).sort((a, b) => (a.env < b.env ? -1 : 1))).toEqual([
      { env: "AI_AGENT_CLIENT_SECRET", version: 1 },
      { env: "WEB_APP_CLIENT_SECRET", version: 1 },
    ]);

    workdir.destroy();
    const destroyed = workdir.takeCalls();
    expect(commandsOf(destroyed)).toEqual(["prune", "delete", "delete", "delete", "delete"]);
    const listed = (name: string) => inventoryIdentities(InventoryList.parse(envJson(destroyed[0], name)));
    expect(listed(PROVISIONER_ENV.previous)).toEqual(identities);
    expect(listed(PROVISIONER_ENV.keep)).toEqual(identities);
    const deleted = destroyed.slice(1).map((c) => envJson(c, PROVISIONER_ENV.identity) as Identity);
    expect(deleted).toEqual(expect.arrayContaining(identities));
    expect(deleted[0].kind).toBe("agent-grant");
    expect(deleted[3].kind).toBe("oauth2-provider-grants");
  });

  it("a version bump replaces only Config (its spec carries the new version), never Resource", () => {
    const synthWith = (version: number) => {
      const { stack } = tenantStack();
      const clientSecret = Secret.fromEnv("WEB_APP_CLIENT_SECRET", { version });
      const app = new ConfidentialWebApp(stack, "web-app", webAppProps({ clientSecret }));
      return { app, synth: Testing.synth(stack) };
    };
    const [v1, v2] = [synthWith(1), synthWith(2)];
    const configSpec = (s: typeof v1) => WebAppSpec.parse(specOf(s.synth, s.app));
    expect(configSpec(v1).secret).toEqual({ env: "WEB_APP_CLIENT_SECRET", version: 1 });
    expect(configSpec(v2)).toEqual({ ...configSpec(v1), secret: { env: "WEB_APP_CLIENT_SECRET", version: 2 } });
    const withoutConfig = (s: typeof v1) => {
      const resources = { ...resourcesOfType<TerraformDataJson>(s.synth, "terraform_data") };
      delete resources[addressOf(s.app, "Config").split(".")[1]];
      return resources;
    };
    expect(Object.keys(withoutConfig(v1))).toHaveLength(2);
    expect(withoutConfig(v2)).toEqual(withoutConfig(v1));
  });

  it("a version bump replaces only Config and re-runs apply, never Resource (no delete)", () => {
    const synthWith = (version: number) => seedStack({}, { clientSecret: Secret.fromEnv("WEB_APP_CLIENT_SECRET", { version }) });
    const [v1, v2] = [synthWith(1), synthWith(2)];
    const workdir = new TerraformWorkdir();
    workdir.apply(v1.synth);
    workdir.takeCalls();
    expect(workdir.plan(v2.synth).changes).toEqual({ [addressOf(v2.app, "Config")]: ["delete", "create"] });
    workdir.apply(v2.synth);
    const calls = workdir.takeCalls();
    expect(commandsOf(calls)).toEqual([COMMANDS.apply]);
    expect(envJson(calls[0], PROVISIONER_ENV.spec)).toEqual(ManagedObject.of(v2.app)!.spec);
    expect(WebAppSpec.parse(envJson(calls[0], PROVISIONER_ENV.spec)).secret).toEqual({ env: "WEB_APP_CLIENT_SECRET", version: 2 });
  });

  it("changes the identity Resource carries, not what replaces it, when the credential env names change", () => {
    const before = seedStack();
    const after = seedStack({ credentials: TenantCredentials.serviceAccount({ idEnv: "OTHER_ID" }) });
    const children = (s: typeof before) =>
      [
        ...[s.agent, s.provider, s.app, s.grant].map((c) => resourceOf(s.synth, c, "Resource")),
        resourceOf(s.synth, s.tenant, "Inventory"),
      ];
    const [was, is] = [children(before), children(after)];
    expect(is).toHaveLength(4 + 1);
    expect(is.map((r) => r.triggers_replace)).toEqual(was.map((r) => r.triggers_replace));
    const authsIn = (r: TerraformDataJson) =>
      r.input!.identity ? [(r.input!.identity as Identity).tenant.auth] : [InventoryList.parse(r.input!.inventory).tenant.auth];
    for (const [i, resource] of is.entries()) {
      expect(authsIn(was[i])).toEqual(expect.arrayContaining([expect.objectContaining({ idEnv: DEFAULT_CREDENTIAL_ENV.serviceAccountId })]));
      expect(authsIn(resource)).toEqual(authsIn(was[i]).map((auth) => ({ ...auth, idEnv: "OTHER_ID" })));
    }
  });

  it("updates in place, deleting and pruning nothing, when the credential env names change", () => {
    const before = seedStack();
    const after = seedStack({ credentials: TenantCredentials.serviceAccount({ idEnv: "OTHER_ID" }) });
    const workdir = new TerraformWorkdir();
    workdir.apply(before.synth);
    workdir.takeCalls();
    const managed = [after.agent, after.provider, after.app, after.grant];
    expect(workdir.plan(after.synth).changes).toEqual({
      ...Object.fromEntries(addresses(managed, "Resource").map((a) => [a, ["update"]])),
      [addressOf(after.tenant, "Inventory")]: ["update"],
      // The spec names the variables the CLI reads, so Config applies again (idempotently).
      ...Object.fromEntries(addresses(managed, "Config").map((a) => [a, ["delete", "create"]])),
    });
    workdir.apply(after.synth);
    const calls = workdir.takeCalls();
    expect(commandsOf(calls)).toEqual([COMMANDS.apply, COMMANDS.apply, COMMANDS.apply, COMMANDS.apply]);
    expect(calls.map((c) => (envJson(c, PROVISIONER_ENV.spec) as Spec).tenant.auth)).toEqual(
      Array(4).fill(expect.objectContaining({ idEnv: "OTHER_ID" })),
    );
    workdir.destroy();
    const deleted = workdir.takeCalls().filter((c) => c.argv[0] === COMMANDS.delete);
    expect(deleted.map((c) => (envJson(c, PROVISIONER_ENV.identity) as Identity).tenant.auth)).toEqual(
      Array(4).fill(expect.objectContaining({ idEnv: "OTHER_ID" })),
    );
  });

  it("keeps an inventory of every managed object, sorted, and prunes with previous and current lists", () => {
    const { tenant, agent, provider, app, grant, synth } = seedStack();
    const inventory = resourceOf(synth, tenant, "Inventory");
    const identities = inventoryIdentities(InventoryList.parse(valueOf(inventory, "inventory")));
    expect(identities.map((i) => i.kind).sort()).toEqual(["agent-grant", "ai-agent", "oauth2-provider-grants", "web-app"]);
    expect(identities.map(identityKey)).toEqual(identities.map(identityKey).sort());
    expect(valueOf(inventory, "objects")).toEqual(
      identities.map((i) => ({ kind: i.kind, baseUrl: i.tenant.baseUrl, realm: i.tenant.realm, id: i.id })),
    );
    expect(inventory.provisioner[0]["local-exec"]).toEqual({
      command: expect.stringMatching(new RegExp(` ${COMMANDS.prune}$`)),
      environment: {
        [PROVISIONER_ENV.previous]: "${jsonencode(self.input.inventory)}",
        [PROVISIONER_ENV.keep]: expect.any(String),
      },
      when: "destroy",
    });
    const keep = inventory.provisioner[0]["local-exec"].environment[PROVISIONER_ENV.keep];
    expect(unescapeTemplate(keep)).toBe(canonicalJson(valueOf(inventory, "inventory")));
    expect(inventory.depends_on).toEqual(expect.arrayContaining([agent, provider, app, grant].map((c) => addressOf(c, "Config"))));
  });

  it("does not change the inventory when constructs are declared in another order", () => {
    const inventoryOf = (order: "app-first" | "agent-first") => {
      const { stack, tenant } = tenantStack();
      if (order === "app-first") new ConfidentialWebApp(stack, "web-app", webAppProps());
      new AiAgent(stack, "agent", agentProps());
      if (order === "agent-first") new ConfidentialWebApp(stack, "web-app", webAppProps());
      const { triggers_replace, input, provisioner } = resourceOf(Testing.synth(stack), tenant, "Inventory");
      return { triggers_replace, input, provisioner };
    };
    expect(inventoryOf("app-first")).toEqual(inventoryOf("agent-first"));
  });
});

describe('customResourceType: "null_resource"', () => {
  it("synthesizes null_resources and the null provider instead of terraform_data", () => {
    const { stack, tenant, agent, provider, app, grant, synth } = seedStack({ customResourceType: "null_resource" });
    expect(resourcesOfType(synth, "terraform_data")).toEqual({});
    expect(Object.keys(resourcesOfType(synth, "null_resource")).map((id) => `null_resource.${id}`).sort()).toEqual(
      [...addresses([agent, provider, app, grant], "Resource", "Config"), addressOf(tenant, "Inventory")].sort(),
    );
    expect(JSON.parse(synth).provider).toEqual({ null: [{}] });
    expect(JSON.parse(synth).terraform.required_providers.null).toEqual(expect.objectContaining({ source: expect.stringMatching(/null$/) }));
    expect(stack.node.findAll().filter((c) => c.node.id === "NullProvider")).toHaveLength(1);
  });

  it("writes every value as canonical JSON triggers, the same values as terraform_data's", () => {
    const nulls = resourcesOfType<NullResourceJson>(seedStack({ customResourceType: "null_resource" }, { description: TRICKY }).synth, "null_resource");
    const datas = resourcesOfType<TerraformDataJson>(seedStack({}, { description: TRICKY }).synth, "terraform_data");
    expect(Object.keys(nulls).sort()).toEqual(Object.keys(datas).sort());
    for (const [id, resource] of Object.entries(nulls)) {
      const names = Object.keys({ ...datas[id].triggers_replace, ...datas[id].input }).sort();
      expect(Object.keys(resource.triggers).sort()).toEqual(names);
      for (const name of names) {
        expect(typeof resource.triggers[name]).toBe("string");
        expect(unescapeTemplate(resource.triggers[name])).toBe(canonicalJson(valueOf(datas[id], name)));
      }
    }
  });

  it("runs the CLI sub-commands with the triggers' JSON strings in the environment", () => {
    const { tenant, app, synth } = seedStack({ customResourceType: "null_resource" });
    const cli = (construct: IConstruct, child: string) => nullResourceOf(synth, construct, child).provisioner[0]["local-exec"];
    expect(cli(app, "Resource")).toEqual({
      command: expect.stringMatching(new RegExp(`^node "assets/[^"]+/cdktf-aic\\.mjs" ${COMMANDS.delete}$`)),
      environment: { [PROVISIONER_ENV.identity]: "${self.triggers.identity}" },
      when: "destroy",
    });
    expect(cli(app, "Config")).toEqual({
      command: expect.stringMatching(new RegExp(` ${COMMANDS.apply}$`)),
      environment: { [PROVISIONER_ENV.spec]: "${self.triggers.spec}" },
    });
    const inventory = nullResourceOf(synth, tenant, "Inventory");
    expect(inventory.provisioner[0]["local-exec"]).toEqual({
      command: expect.stringMatching(new RegExp(` ${COMMANDS.prune}$`)),
      environment: { [PROVISIONER_ENV.previous]: "${self.triggers.inventory}", [PROVISIONER_ENV.keep]: inventory.triggers.inventory },
      when: "destroy",
    });
    expect(nullResourceOf(synth, app, "Config").depends_on).toContain(addressOf(app, "Resource"));
  });

  it("escapes ${ and %{ in literal triggers so the CLI receives the spec unchanged", () => {
    const { stack } = tenantStack({ customResourceType: "null_resource" });
    const app = new ConfidentialWebApp(stack, "web-app", webAppProps({ description: TRICKY }));
    const trigger = nullResourceOf(Testing.synth(stack), app, "Config").triggers.spec;
    expect(trigger).toContain("$${var.price}");
    expect(trigger).toContain("%%{ if x }");
    expect(trigger).toContain("$$${literal}");
    const unescaped = unescapeTemplate(trigger);
    expect(WebAppSpec.parse(JSON.parse(unescaped)).owned.description).toBe(TRICKY);
    expect(unescaped).toBe(canonicalJson(JSON.parse(unescaped)));
  });

  it("escapes so that Terraform itself reads back the exact canonical spec", () => {
    const { stack } = tenantStack({ customResourceType: "null_resource" });
    const app = new ConfidentialWebApp(stack, "web-app", webAppProps({ description: TRICKY }));
    const trigger = nullResourceOf(Testing.synth(stack), app, "Config").triggers.spec;
    const read = terraformValueOf(trigger) as string;
    expect(WebAppSpec.parse(JSON.parse(read)).owned.description).toBe(TRICKY);
    expect(read).toBe(canonicalJson(ManagedObject.of(app)!.spec));
  });
});

describe("tokens in props", () => {
  it("leaves cdktf tokens for Terraform to resolve and skips their validation", () => {
    const { stack } = tenantStack();
    const description = new TerraformVariable(stack, "description", { type: "string" });
    const app = new ConfidentialWebApp(stack, "web-app", webAppProps({ description: description.stringValue }));
    const spec = resourceOf(synthValidated(stack), app, "Config").triggers_replace.spec as { owned: { description: string } };
    expect(spec.owned.description).toBe("${var.description}");
  });

  it("skips the cross-construct checks for tokens in scopes, grant types and the auth method", () => {
    const { stack } = tenantStack();
    const variable = (name: string) => new TerraformVariable(stack, name, { type: "string" }).stringValue;
    new OAuth2ProviderGrants(stack, "provider", { grantTypes: ["token-exchange", variable("providerGrant")] });
    const app = new ConfidentialWebApp(
      stack,
      "web-app",
      webAppProps({ scopes: ["openid", variable("appScope")], grantTypes: [variable("appGrant")], tokenEndpointAuthMethod: variable("authMethod") as "client_secret_post" }),
    );
    const agent = new AiAgent(stack, "agent", agentProps());
    new AgentApplicationGrant(stack, "grant", { agent, application: app, subjects: ["barbara.jensen"], scopes: [variable("grantScope")] });
    expect(() => synthValidated(stack)).not.toThrow();
  });
});
