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
import { readSynthesized } from "../../src/plan/stack";
import {
  COMMANDS,
  MAX_JOURNAL_PARTS,
  destroyedMarker,
  parseJournal,
  syncedMarker,
  DEFAULT_CREDENTIAL_ENV,
  Journal,
  PROVISIONER_ENV,
  WebAppSpec,
  canonicalJson,
  journalKey,
  journalOf,
  specWithoutTenant,
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
  it("records each object in one inert Resource: its identity replaces it, its spec (canonical JSON, without the tenant) updates it", () => {
    const { stack, tenant } = tenantStack();
    const app = new ConfidentialWebApp(stack, "web-app", webAppProps());
    const synth = Testing.synth(stack);
    const resource = resourceOf(synth, app, "Resource");
    expect(resource.triggers_replace).toEqual({ object: `web-app|${TENANT_URL}|alpha|digital-assistant-web-app` });
    expect(resource.input!.spec).toBe(canonicalJson(specWithoutTenant(ManagedObject.of(app)!.spec)));
    expect(resource.input!.spec).not.toContain(TENANT_URL);
    // Only a shell guard against destroy -target (no CLI per object).
    expect(resource.provisioner!.map((p) => [p["local-exec"].when, /node/.test(p["local-exec"].command)])).toEqual([["destroy", false]]);
    // Recorded only once the journal's sync has applied it.
    // It depends on the Gate (replaced with the journal: -target of it fails there); the Journal on it.
    expect(resource.depends_on).toEqual([addressOf(tenant, "Gate")]);
    expect(app.node.tryFindChild("Config")).toBeUndefined();
  });

  it("runs the CLI from the tenant's Journal and Origin only, with everything in the environment and nothing in argv", () => {
    const { tenant, objects, synth } = seedStack();
    const journal = journalOf(tenant.tenantRef, objects.map((o) => o.spec));
    const journalResource = resourceOf(synth, tenant, "Journal");
    expect(valueOf(journalResource, "journal")).toEqual(journal);
    const cli = `node "assets/[^"]+/cdktf-aic\\.mjs" ${COMMANDS.sync}$`;
    const previousParts = Object.fromEntries(
      Array.from({ length: MAX_JOURNAL_PARTS - 1 }, (_, i) => [`${PROVISIONER_ENV.previous}_${i + 1}`, `\${jsonencode(try(self.triggers_replace.journal_${i + 1}, null))}`]),
    );
    expect(journalResource.provisioner).toEqual([
      {
        "local-exec": {
          // The sync of the destroy provisioner just before leaves the marker: no second run.
          command: expect.stringMatching(new RegExp(`^rm -- "${syncedMarker(journal, "$PPID").replace("$", "\\$")}" 2>/dev/null \\|\\| ${cli}`)),
          environment: { [PROVISIONER_ENV.desired]: expect.any(String) },
        },
      },
      {
        "local-exec": {
          command: expect.stringMatching(new RegExp(`^${cli}`)),
          environment: { [PROVISIONER_ENV.previous]: "${jsonencode(self.triggers_replace.journal)}", ...previousParts, [PROVISIONER_ENV.desired]: expect.any(String) },
          when: "destroy",
        },
      },
    ]);
    const desired = journalResource.provisioner![1]["local-exec"].environment[PROVISIONER_ENV.desired];
    expect(JSON.parse(unescapeTemplate(desired))).toEqual(journal);
    const origin = resourceOf(synth, tenant, "Origin");
    expect(origin.triggers_replace).toEqual({ origin: "cdktf-aic" });
    expect(origin.provisioner).toEqual([
      {
        "local-exec": {
          command: expect.stringMatching(new RegExp(`^rm -- "${destroyedMarker(tenant.tenantRef, "$PPID").replace("$", "\\$")}" 2>/dev/null \\|\\| ${cli}`)),
          environment: { [PROVISIONER_ENV.teardown]: desired },
          when: "destroy",
        },
      },
    ]);
    // The Journal depends on every object's resource: its sync runs before Terraform destroys any.
    const objectResources = [...objects].sort((a, b) => (journalKey(a.spec) < journalKey(b.spec) ? -1 : 1)).map((o) => addressOf(o.owner, "Resource"));
    expect(journalResource.depends_on).toEqual([addressOf(tenant, "Origin"), addressOf(tenant, "Gate"), ...objectResources]);
  });

  it("carries a journal over 96 KiB in parts, each a journal of some objects under its own key and variable", () => {
    const { stack, tenant } = tenantStack();
    // Long client ids: a journal of 2 parts from 40 objects.
    for (let i = 0; i < 40; i++) new ConfidentialWebApp(stack, `app${i}`, webAppProps({ clientId: `app-${i}-${"x".repeat(1500)}` }));
    const journalResource = resourceOf(Testing.synth(stack), tenant, "Journal");
    const parts = Object.keys(journalResource.triggers_replace as object);
    expect(parts).toEqual(["journal", "journal_1"]);
    const env = journalResource.provisioner![1]["local-exec"].environment;
    expect(Object.keys(env).filter((k) => k.startsWith(PROVISIONER_ENV.desired))).toEqual([PROVISIONER_ENV.desired, `${PROVISIONER_ENV.desired}_1`]);
    for (const value of Object.values(env)) expect(Buffer.byteLength(value)).toBeLessThan(100 * 1024);
    const joined = parseJournal("journal", [0, 1].map((i) => unescapeTemplate(env[i === 0 ? PROVISIONER_ENV.desired : `${PROVISIONER_ENV.desired}_1`])));
    expect(Object.keys(joined.objects)).toHaveLength(40);
    expect(valueOf(journalResource, "journal")).toEqual(expect.objectContaining({ parts: 2 }));
  });

  it("journals each object by kind and id with a hash of its spec and its secret's version, in key order", () => {
    const { tenant, synth } = seedStack();
    const journal = Journal.parse(valueOf(resourceOf(synth, tenant, "Journal"), "journal"));
    expect(Object.keys(journal.objects)).toEqual([
      "agent-grant/digital-assistant-ai-agent/digital-assistant-web-app",
      "ai-agent/digital-assistant-ai-agent",
      "oauth2-provider-grants/oauth2-provider",
      "web-app/digital-assistant-web-app",
    ]);
    expect(journal.objects["web-app/digital-assistant-web-app"]).toEqual({ kind: "web-app", id: "digital-assistant-web-app", hash: expect.stringMatching(/^[0-9a-f]{16}$/), secret: "1" });
    expect(journal.objects["oauth2-provider-grants/oauth2-provider"].removal).toEqual({ policy: "retain", grantTypes: ["password", "urn:ietf:params:oauth:grant-type:token-exchange"] });
  });

  it("does not change the journal when constructs are declared in another order", () => {
    const journalOfOrder = (order: "app-first" | "agent-first") => {
      const { stack, tenant } = tenantStack();
      if (order === "app-first") new ConfidentialWebApp(stack, "web-app", webAppProps());
      new AiAgent(stack, "agent", agentProps());
      if (order === "agent-first") new ConfidentialWebApp(stack, "web-app", webAppProps());
      return resourceOf(Testing.synth(stack), tenant, "Journal");
    };
    expect(journalOfOrder("app-first")).toEqual(journalOfOrder("agent-first"));
  });

  it("shows a changed field on the object's own Resource, updated in place, and replaces the Journal", () => {
    const synthWith = (scopes: string[]) => seedStack({}, { scopes });
    const before = synthWith(["openid", "read-data", "write-data", "admin-action"]);
    const after = synthWith(["openid", "read-data"]);
    const workdir = new TerraformWorkdir();
    workdir.apply(before.synth);
    const plan = workdir.plan(after.synth);
    expect(plan.changes).toEqual({
      [addressOf(after.app, "Resource")]: ["update"],
      [addressOf(after.tenant, "Journal")]: ["delete", "create"],
      [addressOf(after.tenant, "Gate")]: ["delete", "create"],
    });
    expect(plan.rendered).toMatch(/~ scopes\s+= \[/);
    expect(plan.rendered).toMatch(/^\s+- "write-data",$/m);
    expect(plan.rendered).toMatch(/^\s+- "admin-action",$/m);
  });

  it("says in terraform plan what a grant without scopes means (any scope of the application), which readers drop", () => {
    const { grant, synth } = seedStack();
    const plan = new TerraformWorkdir().plan(synth);
    expect(plan.rendered).toMatch(/scopesNote\s+= "no scopes: any scope of the application"/);
    const read = [...readSynthesized(JSON.parse(synth)).objects.values()].find((o) => o.identity.kind === "agent-grant")!;
    expect(read.spec).toEqual(ManagedObject.of(grant)!.spec);
  });

  it("escapes ${ and %{ in literal strings so that Terraform reads the spec unchanged", () => {
    const { stack } = tenantStack();
    const app = new ConfidentialWebApp(stack, "web-app", webAppProps({ description: TRICKY }));
    const synth = Testing.synth(stack);
    const spec = resourceOf(synth, app, "Resource").input!.spec as string;
    expect(spec).toContain(JSON.stringify(TRICKY_ESCAPED));
    expect(WebAppSpec.parse(specOf(synth, app)).owned.description).toBe(TRICKY);
  });

  it("runs the sync through real Terraform: first from the Journal's create, then old → new journal, and the applied journal on destroy", () => {
    const first = seedStack({}, { description: TRICKY });
    const second = seedStack({}, { description: TRICKY, scopes: ["openid", "read-data"] });
    const journalOfStack = (s: typeof first) => journalOf(s.tenant.tenantRef, s.objects.map((o) => o.spec));
    const workdir = new TerraformWorkdir();

    workdir.apply(first.synth);
    const created = workdir.takeCalls();
    expect(commandsOf(created)).toEqual([COMMANDS.sync]);
    expect(created[0].env[PROVISIONER_ENV.previous]).toBeUndefined();
    expect(envJson(created[0], PROVISIONER_ENV.desired)).toEqual(journalOfStack(first));

    workdir.apply(first.synth);
    expect(workdir.takeCalls()).toEqual([]);

    workdir.apply(second.synth);
    // The destroy provisioner's sync, then the create provisioner's (which the real CLI's marker skips).
    const changed = workdir.takeCalls();
    expect(commandsOf(changed)).toEqual([COMMANDS.sync, COMMANDS.sync]);
    expect(envJson(changed[0], PROVISIONER_ENV.previous)).toEqual(journalOfStack(first));
    expect(envJson(changed[0], PROVISIONER_ENV.desired)).toEqual(journalOfStack(second));
    expect(changed[1].env[PROVISIONER_ENV.previous]).toBeUndefined();

    workdir.destroy();
    const destroyed = workdir.takeCalls();
    expect(commandsOf(destroyed)).toEqual([COMMANDS.sync, COMMANDS.sync]);
    expect(envJson(destroyed[0], PROVISIONER_ENV.previous)).toEqual(journalOfStack(second));
    expect(envJson(destroyed[1], PROVISIONER_ENV.teardown)).toEqual(journalOfStack(second));
  });

  it("a version bump updates the Resource in place and syncs the new version, replacing no object", () => {
    const synthWith = (version: number) => seedStack({}, { clientSecret: Secret.fromEnv("WEB_APP_CLIENT_SECRET", { version }) });
    const [v1, v2] = [synthWith(1), synthWith(2)];
    expect(WebAppSpec.parse(specOf(v2.synth, v2.app)).secret).toEqual({ env: "WEB_APP_CLIENT_SECRET", version: 2 });
    const workdir = new TerraformWorkdir();
    workdir.apply(v1.synth);
    workdir.takeCalls();
    expect(workdir.plan(v2.synth).changes).toEqual({
      [addressOf(v2.app, "Resource")]: ["update"],
      [addressOf(v2.tenant, "Journal")]: ["delete", "create"],
      [addressOf(v2.tenant, "Gate")]: ["delete", "create"],
    });
    workdir.apply(v2.synth);
    const calls = workdir.takeCalls();
    expect(commandsOf(calls)).toEqual([COMMANDS.sync, COMMANDS.sync]);
    expect((envJson(calls[0], PROVISIONER_ENV.desired) as Journal).objects["web-app/digital-assistant-web-app"].secret).toBe("2");
  });

  it("changes only the journal, never an object's resource, when the credential env names change", () => {
    const before = seedStack();
    const after = seedStack({ credentials: TenantCredentials.serviceAccount({ idEnv: "OTHER_ID" }) });
    const workdir = new TerraformWorkdir();
    workdir.apply(before.synth);
    workdir.takeCalls();
    expect(workdir.plan(after.synth).changes).toEqual({ [addressOf(after.tenant, "Journal")]: ["delete", "create"], [addressOf(after.tenant, "Gate")]: ["delete", "create"] });
    workdir.apply(after.synth);
    const calls = workdir.takeCalls();
    expect(commandsOf(calls)).toEqual([COMMANDS.sync, COMMANDS.sync]);
    expect((envJson(calls[0], PROVISIONER_ENV.previous) as Journal).tenant.auth).toEqual(expect.objectContaining({ idEnv: DEFAULT_CREDENTIAL_ENV.serviceAccountId }));
    expect((envJson(calls[0], PROVISIONER_ENV.desired) as Journal).tenant.auth).toEqual(expect.objectContaining({ idEnv: "OTHER_ID" }));
  });
});

describe('customResourceType: "null_resource"', () => {
  it("synthesizes null_resources and the null provider instead of terraform_data", () => {
    const { stack, tenant, agent, provider, app, grant, synth } = seedStack({ customResourceType: "null_resource" });
    expect(resourcesOfType(synth, "terraform_data")).toEqual({});
    expect(Object.keys(resourcesOfType(synth, "null_resource")).map((id) => `null_resource.${id}`).sort()).toEqual(
      [...addresses([agent, provider, app, grant], "Resource"), addressOf(tenant, "Journal"), addressOf(tenant, "Gate"), addressOf(tenant, "Origin")].sort(),
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

  it("runs sync with the journal's JSON string from the triggers in the environment", () => {
    const { tenant, app, synth } = seedStack({ customResourceType: "null_resource" });
    const journal = nullResourceOf(synth, tenant, "Journal");
    expect(journal.provisioner![1]["local-exec"]).toEqual({
      command: expect.stringMatching(new RegExp(`^node "assets/[^"]+/cdktf-aic\\.mjs" ${COMMANDS.sync}$`)),
      environment: expect.objectContaining({
        [PROVISIONER_ENV.previous]: "${self.triggers.journal}",
        [`${PROVISIONER_ENV.previous}_1`]: '${try(self.triggers.journal_1, "null")}',
        [PROVISIONER_ENV.desired]: journal.triggers.journal,
      }),
      when: "destroy",
    });
    expect(nullResourceOf(synth, app, "Resource").depends_on).toEqual([addressOf(tenant, "Gate")]);
  });

  it("escapes ${ and %{ in literal triggers so the CLI receives the spec unchanged", () => {
    const { stack } = tenantStack({ customResourceType: "null_resource" });
    const app = new ConfidentialWebApp(stack, "web-app", webAppProps({ description: TRICKY }));
    const trigger = nullResourceOf(Testing.synth(stack), app, "Resource").triggers.spec;
    expect(trigger).toContain("$${var.price}");
    expect(trigger).toContain("%%{ if x }");
    expect(trigger).toContain("$$${literal}");
    const unescaped = unescapeTemplate(trigger);
    expect(WebAppSpec.omit({ tenant: true }).parse(JSON.parse(unescaped)).owned.description).toBe(TRICKY);
    expect(unescaped).toBe(canonicalJson(JSON.parse(unescaped)));
  });

  it("escapes so that Terraform itself reads back the exact canonical spec", () => {
    const { stack } = tenantStack({ customResourceType: "null_resource" });
    const app = new ConfidentialWebApp(stack, "web-app", webAppProps({ description: TRICKY }));
    const trigger = nullResourceOf(Testing.synth(stack), app, "Resource").triggers.spec;
    const read = terraformValueOf(trigger) as string;
    expect(WebAppSpec.omit({ tenant: true }).parse(JSON.parse(read)).owned.description).toBe(TRICKY);
    expect(read).toBe(canonicalJson(specWithoutTenant(ManagedObject.of(app)!.spec)));
  });
});
