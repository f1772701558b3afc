/**
 * The custom resource pattern: one managed tenant object = a few Terraform resources whose
 * local-exec provisioners run the bundled CLI. This is the one module that knows which Terraform
 * resource type carries them; the rest of the library speaks in specs and identities.
 *
 * | child      | replaced when                                        | provisioner                    |
 * |------------|------------------------------------------------------|--------------------------------|
 * | `Resource` | the object's key changes                             | on destroy: `cdktf-aic delete` |
 * | `Config`   | the spec changes (its secret's `{env, version}` too) | on create: `cdktf-aic apply`   |
 *
 * A secret rotation is a spec change like any other: `apply` writes the value of the variable
 * the spec names whenever it is set, so one process per object covers create, update and rotate.
 *
 * Two resource types can carry the pattern:
 * - `terraform_data` (default): built into Terraform ≥ 1.4 and OpenTofu, so a stack needs no
 *   provider at all. Values are objects, so `terraform plan` shows a change field by field
 *   (`~ scopes = [...]`), and what must not replace the object (the credential env names)
 *   rides along in `input`, which updates in place.
 * - `null_resource` (hashicorp/null): values are canonical JSON strings in `triggers`, and every
 *   value replaces.
 *
 * Everything reaches the CLI through `environment`, from `self` (the only thing a destroy
 * provisioner may reference); nothing through argv but the sub-command.
 */
import { Construct, IConstruct } from "constructs";
import {
  Lazy,
  TerraformResource,
  TerraformStack,
  anyToHclTerraform,
  anyToTerraform,
  dependable,
  hashMapper,
  hashMapperHcl,
  type TerraformResourceConfig,
} from "cdktf";
import { NullProvider } from "@cdktf/provider-null/lib/provider";
import { Resource as NullResource } from "@cdktf/provider-null/lib/resource";
import {
  COMMANDS,
  PROVISIONER_ENV,
  Identity,
  Spec,
  canonicalJson,
  escapeTemplate,
  identityOf,
  tenantKey,
  mapStrings,
} from "../../src/contract";

export { escapeTemplate };

/** The Terraform resource type that carries the custom resources. */
export type CustomResourceType = "terraform_data" | "null_resource";

type Command = (typeof COMMANDS)[keyof typeof COMMANDS];

/** What names an object in the tenant: a change of it means another object. */
export function objectKey(identity: Identity): Record<string, string> {
  return { kind: identity.kind, baseUrl: identity.tenant.baseUrl, realm: identity.tenant.realm, id: identity.id };
}

/** A value computed at synth time, once every construct exists (the inventory's lists). */
export class LateValue {
  constructor(public readonly produce: () => unknown) {}
}

export interface CustomResourceProps {
  /** Values whose change replaces the resource, and so runs its create provisioner again. */
  readonly replaceOn: Record<string, unknown>;
  /** Values the provisioner needs that do not replace the resource (terraform_data only). */
  readonly carry?: Record<string, unknown>;
  readonly command: Command;
  /** Environment variable → the name of a `replaceOn` or `carry` value, passed as JSON. */
  readonly environment: Record<string, string>;
  /** Environment variables with literal values, passed as JSON. */
  readonly literalEnvironment?: Record<string, unknown>;
  readonly when: "create" | "destroy";
  readonly dependsOn?: TerraformResource[];
}

/** A terraform_data or null_resource that runs one CLI sub-command. */
export function createCustomResource(
  scope: Construct,
  id: string,
  type: CustomResourceType,
  cliPath: string,
  props: CustomResourceProps,
): TerraformResource {
  const carry = props.carry ?? {};
  const environment: Record<string, string> = {};
  for (const [env, name] of Object.entries(props.environment)) {
    if (!(name in props.replaceOn) && !(name in carry)) throw new Error(`no value named ${name} for ${env}`);
    environment[env] =
      type === "null_resource"
        ? `\${self.triggers.${name}}`
        : `\${jsonencode(self.${name in props.replaceOn ? "triggers_replace" : "input"}.${name})}`;
  }
  for (const [env, literal] of Object.entries(props.literalEnvironment ?? {})) environment[env] = jsonLiteral(literal);
  const provisioners = [
    {
      type: "local-exec" as const,
      // The asset path is relative to the Terraform working directory, where provisioners run.
      command: `node "${escapeTemplate(cliPath)}" ${props.command}`,
      environment,
      ...(props.when === "destroy" ? { when: props.when } : {}),
    },
  ];
  const dependsOn = props.dependsOn;
  if (type === "null_resource") {
    ensureNullProvider(scope);
    const triggers = mapValues({ ...props.replaceOn, ...carry }, jsonLiteral);
    return new NullResource(scope, id, { triggers, provisioners, dependsOn });
  }
  return new TerraformData(scope, id, {
    triggersReplace: mapValues(props.replaceOn, objectLiteral),
    ...(Object.keys(carry).length > 0 ? { input: mapValues(carry, objectLiteral) } : {}),
    provisioners,
    dependsOn,
  });
}

/**
 * Terraform's built-in `terraform_data`. Not cdktf's `DataResource`: that one validates at synth
 * by running `terraform version` once per resource, which made synth need Terraform and cost
 * about 0.3 s per object; the Terraform that applies the stack checks its own version anyway.
 */
class TerraformData extends TerraformResource {
  private readonly triggersReplace: Record<string, unknown>;
  private readonly input?: Record<string, unknown>;

  constructor(
    scope: Construct,
    id: string,
    config: Pick<TerraformResourceConfig, "provisioners" | "dependsOn"> & {
      triggersReplace: Record<string, unknown>;
      input?: Record<string, unknown>;
    },
  ) {
    super(scope, id, {
      terraformResourceType: "terraform_data",
      terraformGeneratorMetadata: { providerName: "terraform" },
      provisioners: config.provisioners,
      dependsOn: config.dependsOn,
    });
    this.triggersReplace = config.triggersReplace;
    this.input = config.input;
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return {
      triggers_replace: hashMapper(anyToTerraform)(this.triggersReplace),
      input: hashMapper(anyToTerraform)(this.input),
    };
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    return {
      triggers_replace: hashMapperHcl(anyToHclTerraform)(this.triggersReplace),
      input: hashMapperHcl(anyToHclTerraform)(this.input),
    };
  }
}

const mapValues = <T>(o: Record<string, unknown>, f: (v: unknown) => T): Record<string, T> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));

/** A JSON value as a Terraform literal (strings escaped). */
function objectLiteral(value: unknown): unknown {
  if (value instanceof LateValue) return Lazy.anyValue({ produce: () => objectLiteral(value.produce()) });
  return mapStrings(value, escapeTemplate);
}

/** Canonical JSON as a Terraform string literal. */
function jsonLiteral(value: unknown): string {
  if (value instanceof LateValue) return Lazy.stringValue({ produce: () => jsonLiteral(value.produce()) });
  return escapeTemplate(canonicalJson(value));
}

/** The stack's default null provider, created once per stack (or the user's own, if any). */
function ensureNullProvider(scope: IConstruct): void {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.findAll().some((c) => c instanceof NullProvider && c.alias === undefined);
  if (!existing) new NullProvider(stack, "NullProvider");
}

const addedDependencies = new WeakMap<TerraformResource, Set<TerraformResource>>();

/** Makes `resource` depend on `on` too (once, however often it is asked). */
export function addDependency(resource: TerraformResource, on: TerraformResource): void {
  const added = addedDependencies.get(resource) ?? new Set<TerraformResource>();
  if (added.has(on)) return;
  addedDependencies.set(resource, added.add(on));
  resource.dependsOn = [...(resource.dependsOn ?? []), dependable(on)];
}

/** The Terraform resources of one managed object, and what it was made from. */
export class ManagedObject {
  /** The managed object of a construct, if it manages one (imported constructs do not). */
  static of(owner: IConstruct): ManagedObject | undefined {
    return owners.get(owner);
  }

  public readonly identity: Identity;

  constructor(
    /** The construct the object belongs to; its children are `Resource` and `Config`. */
    public readonly owner: IConstruct,
    public readonly spec: Spec,
    public readonly resource: TerraformResource,
    public readonly config: TerraformResource,
  ) {
    this.identity = identityOf(spec);
    owners.set(owner, this);
    const stack = TerraformStack.of(owner);
    stackObjects.set(stack, [...(stackObjects.get(stack) ?? []), this]);
  }

  /** `baseUrl|realm`: objects with the same key live in the same realm. */
  get tenantKey(): string {
    return tenantKey(this.spec.tenant);
  }

  /** This object is applied after `other` is, and deleted before it. */
  dependOn(other: ManagedObject): void {
    addDependency(this.resource, other.resource);
    addDependency(this.config, other.config);
  }
}

const owners = new WeakMap<IConstruct, ManagedObject>();
/** Kept as objects are made (a new array each time), so that checks need no walk of the tree. */
const stackObjects = new WeakMap<IConstruct, readonly ManagedObject[]>();

/** Every managed object in the stack of `scope`. */
export function managedObjectsInStack(scope: IConstruct): readonly ManagedObject[] {
  return stackObjects.get(TerraformStack.of(scope)) ?? [];
}

type ObjectKey = (o: ManagedObject) => string;
const indexes = new WeakMap<readonly ManagedObject[], Map<ObjectKey, Map<string, ManagedObject[]>>>();

/**
 * The stack's managed objects grouped by `key` (a module-level function, so the index is reused),
 * computed once per set of objects: checks that look for clashes stay linear in the stack's size.
 */
export function managedObjectsByKey(scope: IConstruct, key: ObjectKey): Map<string, ManagedObject[]> {
  const objects = managedObjectsInStack(scope);
  const byKey = indexes.get(objects) ?? new Map<ObjectKey, Map<string, ManagedObject[]>>();
  indexes.set(objects, byKey);
  let index = byKey.get(key);
  if (!index) {
    index = new Map();
    for (const o of objects) index.set(key(o), [...(index.get(key(o)) ?? []), o]);
    byKey.set(key, index);
  }
  return index;
}

/** Creates the `Resource` and `Config` children of `owner`. */
export function createManagedObject(owner: Construct, spec: Spec, cliPath: string, type: CustomResourceType): ManagedObject {
  const identity = identityOf(spec);
  const resource = createCustomResource(owner, "Resource", type, cliPath, {
    replaceOn: { object: objectKey(identity) },
    carry: { identity },
    command: COMMANDS.delete,
    environment: { [PROVISIONER_ENV.identity]: "identity" },
    when: "destroy",
  });
  const config = createCustomResource(owner, "Config", type, cliPath, {
    replaceOn: { spec },
    command: COMMANDS.apply,
    environment: { [PROVISIONER_ENV.spec]: "spec" },
    when: "create",
    dependsOn: [resource],
  });
  return new ManagedObject(owner, spec, resource, config);
}
