/**
 * The custom resource pattern: each managed tenant object is one inert Terraform resource that
 * records its spec (so `terraform plan` shows every change on the object's own resource, field by
 * field), and each tenant has a `Journal` and an `Origin` whose provisioners run the bundled CLI
 * once per apply. This is the one module that knows which Terraform resource type carries them;
 * the rest of the library speaks in specs and journals.
 *
 * | resource            | replaced when                      | provisioner                                     |
 * |---------------------|------------------------------------|-------------------------------------------------|
 * | `<construct>/Resource` | the object's identity changes   | none (its spec is in `input`: updates in place) |
 * | `<tenant>/Journal`  | the journal of code changes        | on destroy: `cdktf-aic sync` old → new journal  |
 * | `<tenant>/Origin`   | never                              | on create: sync of the first apply; on destroy (`terraform destroy`): delete what code lists |
 *
 * Terraform runs a destroy provisioner with `self` = the old object, and keeps the old object when
 * that provisioner fails: so the sync always knows what was applied last, and a failed or killed
 * apply leaves the old journal in place for the next apply to finish the work. The objects'
 * resources depend on the journal, so they record a new spec only once the sync succeeded.
 *
 * Two resource types can carry the pattern:
 * - `terraform_data` (default): built into Terraform ≥ 1.4 and OpenTofu, so a stack needs no
 *   provider at all. What replaces a resource is an object, what it carries (a spec) a JSON string; `terraform plan` shows a change of either field by field.
 * - `null_resource` (hashicorp/null): values are canonical JSON strings in `triggers`.
 *
 * Everything reaches the CLI through `environment` (from `self`, the only thing a destroy
 * provisioner may reference, or literals); nothing through argv but the sub-command.
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
  Identity,
  Spec,
  canonicalJson,
  escapeTemplate,
  identityKey,
  identityOf,
  mapStrings,
  specWithoutTenant,
  tenantKey,
} from "../../src/contract";

export { escapeTemplate };

/** The Terraform resource type that carries the custom resources. */
export type CustomResourceType = "terraform_data" | "null_resource";

type Command = (typeof COMMANDS)[keyof typeof COMMANDS];

/** A value computed at synth time, once every construct exists (the inventory's lists). */
export class LateValue {
  constructor(public readonly produce: () => unknown) {}
}

/** A local-exec provisioner that runs one CLI sub-command. */
export interface CliProvisioner {
  readonly command: Command;
  /** Environment variable → the name of a `replaceOn` or `carry` value, passed as JSON. */
  readonly environment?: Record<string, string>;
  /** Environment variables with literal values, passed as JSON. */
  readonly literalEnvironment?: Record<string, unknown>;
  readonly when: "create" | "destroy";
}

export interface CustomResourceProps {
  /** Values whose change replaces the resource (and so runs its provisioners). */
  readonly replaceOn: Record<string, unknown>;
  /** Values recorded with the resource (as JSON strings) that do not replace it (terraform_data only: updates in place). */
  readonly carry?: Record<string, unknown>;
  readonly provisioners?: readonly CliProvisioner[];
  readonly dependsOn?: TerraformResource[];
}

/** A terraform_data or null_resource, with local-exec provisioners that run CLI sub-commands. */
export function createCustomResource(
  scope: Construct,
  id: string,
  type: CustomResourceType,
  cliPath: string,
  props: CustomResourceProps,
): TerraformResource {
  const carry = props.carry ?? {};
  const provisioners = (props.provisioners ?? []).map((p) => {
    const environment: Record<string, string> = {};
    for (const [env, name] of Object.entries(p.environment ?? {})) {
      if (!(name in props.replaceOn) && !(name in carry)) throw new Error(`no value named ${name} for ${env}`);
      environment[env] =
        type === "null_resource" ? `\${self.triggers.${name}}` : name in props.replaceOn ? `\${jsonencode(self.triggers_replace.${name})}` : `\${self.input.${name}}`;
    }
    for (const [env, literal] of Object.entries(p.literalEnvironment ?? {})) environment[env] = jsonLiteral(literal);
    return {
      type: "local-exec" as const,
      // The asset path is relative to the Terraform working directory, where provisioners run.
      command: `node "${escapeTemplate(cliPath)}" ${p.command}`,
      environment,
      ...(p.when === "destroy" ? { when: p.when } : {}),
    };
  });
  const dependsOn = props.dependsOn;
  if (type === "null_resource") {
    ensureNullProvider(scope);
    const triggers = mapValues({ ...props.replaceOn, ...carry }, jsonLiteral);
    return new NullResource(scope, id, { triggers, provisioners: provisioners.length > 0 ? provisioners : undefined, dependsOn });
  }
  return new TerraformData(scope, id, {
    triggersReplace: mapValues(props.replaceOn, objectLiteral),
    // Carried values are canonical JSON strings: Terraform stores `input` twice (as `output` too),
    // and as typed objects a spec takes several times the room, which Terraform rewrites with the
    // whole state after every resource; its plan still shows a JSON string's change field by field.
    ...(Object.keys(carry).length > 0 ? { input: mapValues(carry, jsonLiteral) } : {}),
    provisioners: provisioners.length > 0 ? provisioners : undefined,
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
    /** The construct the object belongs to; its child `Resource` records the object. */
    public readonly owner: IConstruct,
    public readonly spec: Spec,
    public readonly resource: TerraformResource,
  ) {
    this.identity = identityOf(spec);
    owners.set(owner, this);
    for (const scope of [TerraformStack.of(owner), owner.node.root]) objectsIn.set(scope, [...(objectsIn.get(scope) ?? []), this]);
  }

  /** `baseUrl|realm`: objects with the same key live in the same realm. */
  get tenantKey(): string {
    return tenantKey(this.spec.tenant);
  }

}

const owners = new WeakMap<IConstruct, ManagedObject>();
/** Per stack and per app, kept as objects are made (a new array each time), so that checks need no walk of the tree. */
const objectsIn = new WeakMap<IConstruct, readonly ManagedObject[]>();

/** Every managed object in the stack of `scope`, or in its whole app. */
export function managedObjectsIn(scope: IConstruct, where: "stack" | "app" = "stack"): readonly ManagedObject[] {
  return objectsIn.get(where === "stack" ? TerraformStack.of(scope) : scope.node.root) ?? [];
}

type ObjectKey = (o: ManagedObject) => string;
const indexes = new WeakMap<readonly ManagedObject[], Map<ObjectKey, Map<string, ManagedObject[]>>>();

/**
 * The managed objects of the stack (or app) grouped by `key` (a module-level function, so the
 * index is reused), computed once per set of objects: checks that look for clashes stay linear.
 */
export function managedObjectsByKey(scope: IConstruct, key: ObjectKey, where: "stack" | "app" = "stack"): Map<string, ManagedObject[]> {
  const objects = managedObjectsIn(scope, where);
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

/**
 * Creates the `Resource` child of `owner`: the object's identity (a change replaces it, which the
 * plan shows) and its spec (a change updates it in place, field by field). Inert: the tenant's
 * journal applies it, and it depends on the journal so that it records a spec only once applied.
 */
export function createManagedObject(owner: Construct, spec: Spec, type: CustomResourceType, journal: TerraformResource): ManagedObject {
  const identity = identityOf(spec);
  const resource = createCustomResource(owner, "Resource", type, "", {
    // What names the object (a change means another object), and its spec without the tenant
    // (the journal holds that once).
    replaceOn: { object: identityKey(identity) },
    carry: { spec: specWithoutTenant(spec) },
    dependsOn: [journal],
  });
  return new ManagedObject(owner, spec, resource);
}
