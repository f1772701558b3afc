/** Shared fixtures of the construct tests: a stack with a tenant, synth helpers, seed props, real Terraform. */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Construct, IConstruct } from "constructs";
import { App, TerraformResource, TerraformStack, Testing } from "cdktf";
import { AicTenant, AicTenantProps, ValidationError } from "../../constructs";
import { mapStrings, unescapeTemplate } from "../../src/contract";
import { scratchDir } from "../support/scratch";

export const TENANT_URL = "https://tenant.example.com";

/** Synthesizes a stack with an AicTenant (`Tenant`) and whatever `fn` adds (no validations). */
export function synthTenantScope(fn: (stack: Construct) => void): string {
  // Testing.synthScope would leave its app's temp outdir behind; this app's goes with the test file.
  const stack = new TerraformStack(testApp(), "stack");
  new AicTenant(stack, "Tenant", { baseUrl: TENANT_URL });
  fn(stack);
  return Testing.synth(stack);
}

/** `Testing.app()` with its outdir in a scratch folder removed when the test file ends. */
export function testApp(): App {
  return Testing.app({ outdir: scratchDir("cdktf-aic-app-") });
}

/** A test app and stack with an AicTenant (the test URL, and `props`), for tests that run validations or a full synth. */
export function tenantStack(props: Partial<AicTenantProps> = {}): { app: App; stack: TerraformStack; tenant: AicTenant } {
  const app = testApp();
  const stack = new TerraformStack(app, "stack");
  const tenant = new AicTenant(stack, "Tenant", { baseUrl: TENANT_URL, ...props });
  return { app, stack, tenant };
}

/** Synthesizes with the stack's validations, as `cdktf synth` does. */
export function synthValidated(stack: TerraformStack): string {
  return Testing.synth(stack, true);
}

export interface LocalExecJson {
  "local-exec": { command: string; environment: Record<string, string>; when?: string };
}

/** A synthesized terraform_data: what replaces it, what it only carries, its provisioner. */
export interface TerraformDataJson {
  triggers_replace: Record<string, unknown>;
  input?: Record<string, unknown>;
  depends_on?: string[];
  provisioner?: LocalExecJson[];
}

/** A synthesized null_resource: every value a canonical JSON string. */
export interface NullResourceJson {
  triggers: Record<string, string>;
  depends_on?: string[];
  provisioner?: LocalExecJson[];
}

/** The resources of type `type` in a synthesized stack, by logical id. */
export function resourcesOfType<T>(synth: string, type: "terraform_data" | "null_resource"): Record<string, T> {
  return (JSON.parse(synth).resource?.[type] ?? {}) as Record<string, T>;
}

function synthesizedChild<T>(synth: string, construct: IConstruct, childId: string, type: "terraform_data" | "null_resource"): T {
  const element = construct.node.findChild(childId) as TerraformResource;
  const found = resourcesOfType<T>(synth, type)[TerraformStack.of(element).getLogicalId(element)];
  if (!found) throw new Error(`no ${type} for ${element.node.path}`);
  return found;
}

/** The synthesized terraform_data `childId` (e.g. `Resource`) of `construct`. */
export function resourceOf(synth: string, construct: IConstruct, childId: string): TerraformDataJson {
  return synthesizedChild(synth, construct, childId, "terraform_data");
}

/** The synthesized null_resource `childId` of `construct` (customResourceType "null_resource"). */
export function nullResourceOf(synth: string, construct: IConstruct, childId: string): NullResourceJson {
  return synthesizedChild(synth, construct, childId, "null_resource");
}

/** `<type>.<logical id>` of the child `childId` of `construct`, as depends_on names it. */
export function addressOf(construct: IConstruct, childId: string): string {
  const element = construct.node.findChild(childId) as TerraformResource;
  return `${element.terraformResourceType}.${TerraformStack.of(element).getLogicalId(element)}`;
}

/**
 * The value `name` of a terraform_data (from `triggers_replace` or `input`) as Terraform reads it:
 * every string a template, so `$${` and `%%{` are literal `${` and `%{`; a JSON string decoded.
 */
export function valueOf(resource: TerraformDataJson, name: string): unknown {
  const values = { ...resource.input, ...resource.triggers_replace };
  if (!(name in values)) throw new Error(`no value ${name} in ${Object.keys(values).join(", ")}`);
  const value = values[name];
  // What a resource carries in `input` is a JSON string (custom-resource.ts).
  return typeof value === "string" && name in (resource.input ?? {}) ? JSON.parse(unescapeTemplate(value)) : mapStrings(value, unescapeTemplate);
}

/** The spec of `construct`: its `Resource` records it without the tenant, which its tenant's `Journal` holds. */
export function specOf(synth: string, construct: IConstruct): unknown {
  const recorded = valueOf(resourceOf(synth, construct, "Resource"), "spec") as Record<string, unknown>;
  const journal = valueOf(resourceOf(synth, AicTenant.of(construct), "Journal"), "journal") as { tenant: unknown };
  return { ...recorded, tenant: journal.tenant };
}

/** Terraform as the project installs it (`source "$(bash scripts/install-terraform.sh)"` puts it on PATH). */
const TERRAFORM = process.env.CDKTF_AIC_TERRAFORM ?? "terraform";

/** One run of the CLI as Terraform started it: the sub-command and the CDKTF_AIC_* environment. */
export interface RecordedCall {
  argv: string[];
  env: Record<string, string>;
}

/** Stands in for the bundled CLI: appends what it was given to calls.jsonl in Terraform's working directory. */
const RECORDER = `import * as fs from "node:fs";
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("CDKTF_AIC_")));
fs.appendFileSync("calls.jsonl", JSON.stringify({ argv: process.argv.slice(2), env }) + "\\n");
`;

/**
 * A Terraform working directory for synthesized stacks. Real Terraform evaluates the provisioners;
 * the CLI asset they run is a recorder, so a test reads exactly what the CLI would receive.
 * terraform_data is built in, so this needs no provider and no network.
 */
export class TerraformWorkdir {
  readonly dir = scratchDir("cdktf-aic-tf-");

  apply(synth: string): void {
    this.write(synth);
    this.terraform("apply", "-auto-approve", "-input=false", "-no-color");
  }

  destroy(): void {
    this.terraform("destroy", "-auto-approve", "-input=false", "-no-color");
  }

  /**
   * What Terraform plans for `synth` against the current state: the actions of every resource that
   * changes, by address, and the plan as a person reads it.
   */
  plan(synth: string): { changes: Record<string, string[]>; rendered: string } {
    this.write(synth);
    this.terraform("plan", "-out=tfplan", "-input=false", "-no-color");
    const plan = JSON.parse(this.terraform("show", "-json", "tfplan")) as {
      resource_changes?: { address: string; change: { actions: string[] } }[];
    };
    const changes = (plan.resource_changes ?? []).filter((c) => c.change.actions.join() !== "no-op");
    return {
      changes: Object.fromEntries(changes.map((c) => [c.address, c.change.actions])),
      rendered: this.terraform("show", "-no-color", "tfplan"),
    };
  }

  /** An output's value after apply. */
  output(name: string): unknown {
    return JSON.parse(this.terraform("output", "-json", name));
  }

  /** The CLI runs since the last call, in the order Terraform made them. */
  takeCalls(): RecordedCall[] {
    const file = join(this.dir, "calls.jsonl");
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      return [];
    }
    writeFileSync(file, "");
    return text
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as RecordedCall);
  }

  /** Writes the configuration, and the recorder where its provisioners look for the CLI. */
  private write(synth: string): void {
    writeFileSync(join(this.dir, "main.tf.json"), synth);
    const resources = Object.values((JSON.parse(synth) as { resource?: Record<string, Record<string, { provisioner?: LocalExecJson[] }>> }).resource ?? {});
    for (const provisioner of resources.flatMap((byId) => Object.values(byId)).flatMap((r) => r.provisioner ?? [])) {
      // Provisioners run the CLI, or only a shell (each object's guard against destroy -target).
      const cli = /node "([^"]+)"/.exec(provisioner["local-exec"].command)?.[1];
      if (!cli) continue;
      mkdirSync(dirname(join(this.dir, cli)), { recursive: true });
      writeFileSync(join(this.dir, cli), RECORDER);
    }
  }

  private terraform(...args: string[]): string {
    const env = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
    return execFileSync(TERRAFORM, args, { cwd: this.dir, env, stdio: "pipe" }).toString("utf8");
  }
}

/** What Terraform makes of a string literal of a JSON configuration, by evaluating it as an output. */
export function terraformValueOf(literal: string): unknown {
  const workdir = new TerraformWorkdir();
  workdir.apply(JSON.stringify({ output: { value: { value: literal } } }));
  return workdir.output("value");
}

/** Every file below `dir` with its text. */
export function filesBelow(dir: string): { path: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesBelow(path) : [{ path, text: readFileSync(path, "utf8") }];
  });
}

export { agentProps, webAppProps } from "../support/seed";

/** The ValidationError `fn` throws. */
export function captureError(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error("expected a ValidationError");
}
