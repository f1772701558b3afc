/**
 * The custom resource pattern: each managed tenant object is one inert Terraform resource that
 * records its spec (so `terraform plan` shows every change on the object's own resource, field by
 * field), and each tenant has a `Journal` and an `Origin` whose provisioners run the bundled CLI
 * once per apply. This is the one module that knows which Terraform resource type carries them;
 * the rest of the library speaks in specs and journals.
 *
 * | resource            | replaced when                      | provisioner                                     |
 * |---------------------|------------------------------------|-------------------------------------------------|
 * | `<construct>/Resource` | the object's identity changes   | on destroy: a `/bin/sh` line refusing `destroy -target` (no CLI) |
 * | `<tenant>/Gate`     | the journal of code changes        | on destroy: a `/bin/sh` line refusing `-target` (no CLI) |
 * | `<tenant>/Journal`  | the journal of code changes        | on destroy: `cdktf-aic sync` old → new journal (under `terraform destroy`: old → nothing); on create: the sync with no previous journal, unless that destroy's sync left its marker |
 * | `<tenant>/Origin`   | never                              | on destroy: delete what code lists, unless the Journal's sync did the destroy (its marker) |
 *
 * Terraform runs a destroy provisioner with `self` = the old object, and keeps the old object when
 * that provisioner fails: so the sync always knows what was applied last, and a failed or killed
 * apply leaves the old journal in place for the next apply to finish the work. The objects'
 * resources depend on the Gate and the Journal on them all, so the sync runs before Terraform
 * destroys any object's resource: a removed object's resource stays in the state until the sync
 * deleted it, and one missing from the state was removed by hand (forgotten, not deleted). When
 * no destroy provisioner ran (the Journal was removed from the state, tainted or renamed), the
 * create provisioner converges on code instead of skipping the sync.
 *
 * Two resource types can carry the pattern:
 * - `terraform_data` (default): built into Terraform ≥ 1.4 and OpenTofu, so a stack needs no
 *   provider at all. What replaces a resource is an object, what it carries (a spec) a JSON string; `terraform plan` shows a change of either field by field.
 * - `null_resource` (hashicorp/null): values are canonical JSON strings in `triggers`.
 *
 * Everything reaches the CLI through `environment` (from `self`, the only thing a destroy
 * provisioner may reference, or literals); nothing through argv but the sub-command. A value too
 * large for one variable (the journal) is a `PartedValue`: several keys, several variables.
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
  type LocalExecProvisioner,
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
  partName,
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

/**
 * A value too large for one environment variable, carried in parts (at most `maxParts`): as a
 * `replaceOn` value `name` it is the keys `name`, `name_1` …, one per part; as an environment
 * variable `ENV` it is `ENV`, `ENV_1` … (`partName`), one per part.
 */
export class PartedValue {
  constructor(
    public readonly produce: () => readonly unknown[],
    public readonly maxParts: number,
  ) {}
}

/** A local-exec provisioner that runs one CLI sub-command. */
export interface CliProvisioner {
  readonly command: Command;
  /**
   * Environment variable → the name of a `replaceOn` or `carry` value, passed as JSON. A parted
   * value passes all the parts it may have (absent ones as `null`): `self` may have more or fewer
   * than code.
   */
  readonly environment?: Record<string, string>;
  /** Environment variables with literal values, passed as JSON. */
  readonly literalEnvironment?: Record<string, unknown>;
  readonly when: "create" | "destroy";
  /** A file in the Terraform working directory whose presence skips the CLI (the file is removed: it counts once). */
  readonly unlessFile?: LateValue;
}

export interface CustomResourceProps {
  /** Values whose change replaces the resource (and so runs its provisioners). */
  readonly replaceOn: Record<string, unknown>;
  /** Values recorded with the resource (as JSON strings) that do not replace it (terraform_data only: updates in place). */
  readonly carry?: Record<string, unknown>;
  readonly provisioners?: readonly CliProvisioner[];
  /** A shell command run before the resource is destroyed (no CLI: it runs once per object). */
  readonly onDestroy?: string;
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
  const provisioners: LocalExecProvisioner[] = (props.provisioners ?? []).map((p) => {
    const environment: Record<string, string> = {};
    const self = (name: string, part = 0) => {
      const key = partName(name, part);
      // A part that `self` may not have is `null` (try: an absent key of an object is an error).
      if (type === "null_resource") return part === 0 ? `\${self.triggers.${key}}` : `\${try(self.triggers.${key}, "null")}`;
      if (!(name in props.replaceOn)) return `\${self.input.${key}}`;
      return part === 0 ? `\${jsonencode(self.triggers_replace.${key})}` : `\${jsonencode(try(self.triggers_replace.${key}, null))}`;
    };
    for (const [env, name] of Object.entries(p.environment ?? {})) {
      if (!(name in props.replaceOn) && !(name in carry)) throw new Error(`no value named ${name} for ${env}`);
      const value = props.replaceOn[name] ?? carry[name];
      const parts = value instanceof PartedValue ? value.maxParts : 1;
      for (let i = 0; i < parts; i++) environment[partName(env, i)] = self(name, i);
    }
    // The asset path is relative to the Terraform working directory, where provisioners run.
    const cli = `node "${escapeTemplate(cliPath)}" ${p.command}`;
    const unless = p.unlessFile;
    return {
      type: "local-exec" as const,
      command: unless ? Lazy.stringValue({ produce: () => `rm -- "${escapeTemplate(String(unless.produce()))}" 2>/dev/null || ${cli}` }) : cli,
      environment: expandLate(p.literalEnvironment ?? {}, jsonLiteral, environment),
      ...(p.when === "destroy" ? { when: p.when } : {}),
    };
  });
  if (props.onDestroy) provisioners.push({ type: "local-exec", command: escapeTemplate(props.onDestroy), when: "destroy" });
  const dependsOn = props.dependsOn;
  if (type === "null_resource") {
    ensureNullProvider(scope);
    const triggers = expandLate({ ...props.replaceOn, ...carry }, jsonLiteral);
    return new NullResource(scope, id, { triggers, provisioners: provisioners.length > 0 ? provisioners : undefined, dependsOn });
  }
  return new TerraformData(scope, id, {
    triggersReplace: expandLate(props.replaceOn, objectLiteral),
    // Carried values are canonical JSON strings: Terraform stores `input` twice (as `output` too),
    // and as typed objects a spec takes several times the room, which Terraform rewrites with the
    // whole state after every resource; its plan still shows a JSON string's change field by field.
    ...(Object.keys(carry).length > 0 ? { input: expandLate(carry, jsonLiteral) } : {}),
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

/**
 * `fixed` and `f` of each value of `o`, a parted value's parts under their own names
 * (`partName`): a token resolved at synth when a parted value is there (its part count is late).
 */
function expandLate<T>(o: Record<string, unknown>, f: (v: unknown) => T, fixed: Record<string, T> = {}): Record<string, T> {
  const expand = () => ({
    ...fixed,
    ...Object.fromEntries(Object.entries(o).flatMap(([k, v]) => (v instanceof PartedValue ? v.produce().map((part, i) => [partName(k, i), f(part)]) : [[k, f(v)]]))),
  });
  return Object.values(o).some((v) => v instanceof PartedValue) ? (Lazy.anyValue({ produce: expand }) as unknown as Record<string, T>) : expand();
}

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

  /**
   * Sets owned fields that another construct decides (a `MayActRule` names its script on the
   * clients whose tokens it covers). Before synth only: the resource and the journal read the spec then.
   */
  amendOwned(fields: Record<string, unknown>): void {
    Object.assign(this.spec.owned, fields);
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
 * The destroy provisioner of every object's `Resource`: `terraform destroy -target` (or `apply
 * -destroy -target`) of an object would drop it from the state while the journal still lists it
 * and nothing deletes it from the tenant, so it fails, saying how to remove one object. It reads
 * Terraform's argv (the shell's parent) from Linux's /proc with one `tr`: a 500-object destroy
 * starts 1,000 small processes, no node. Elsewhere (no /proc) it lets the destroy go on.
 */
/** Shell: `$a` is Terraform's argv (the shell's parent), space-separated, from Linux's /proc (empty elsewhere). */
export const TERRAFORM_ARGV = `a=" $(tr '\\0' ' ' </proc/$PPID/cmdline 2>/dev/null)"; `;

/** Shell: the pattern of a `case` that matches a `-target` in `$a`. */
export const TARGET_FLAG = `*" -target"*|*" --target"*`;

const DESTROY_TARGET_GUARD =
  TERRAFORM_ARGV +
  `case "$a" in ${TARGET_FLAG}) case "$a" in *" destroy "*|*" -destroy "*|*" -destroy=true "*|*" --destroy "*) ` +
  `echo "cdktf-aic: destroy -target cannot remove one object: its client would stay in the tenant while the journal still lists it. ` +
  `To remove an object, delete its construct and run terraform apply; to remove the whole stack, run terraform destroy without -target." >&2; exit 1;; esac;; esac`;

/**
 * The spec as an object's `Resource` records it (what `terraform plan` shows): without the tenant,
 * and, for a grant without scopes, saying that this means any scope of the application (an empty
 * list alone reads as no permission at all). Readers parse it with the spec's schema, which drops
 * the note; the journal's hash is of the spec itself.
 */
function recordedSpec(spec: Spec): Omit<Spec, "tenant"> {
  const recorded = specWithoutTenant(spec);
  if (spec.kind !== "agent-grant" || spec.owned.scopes.length > 0) return recorded;
  return { ...recorded, owned: { ...spec.owned, scopesNote: "no scopes: any scope of the application" } } as Omit<Spec, "tenant">;
}

/**
 * Creates the `Resource` child of `owner`: the object's identity (a change replaces it, which the
 * plan shows) and its spec (a change updates it in place, field by field). Inert: the tenant's
 * journal applies it. It depends on the Gate (so `-target` of it includes the Gate's check), and
 * the Journal depends on it (see journal.ts).
 */
export function createManagedObject(owner: Construct, spec: Spec, type: CustomResourceType, gate: TerraformResource): ManagedObject {
  const identity = identityOf(spec);
  const resource = createCustomResource(owner, "Resource", type, "", {
    // What names the object (a change means another object), and its spec without the tenant
    // (the journal holds that once).
    replaceOn: { object: identityKey(identity) },
    // Read at synth: a construct made later may still add owned fields (`amendOwned`).
    carry: { spec: new LateValue(() => recordedSpec(spec)) },
    onDestroy: DESTROY_TARGET_GUARD,
    dependsOn: [gate],
  });
  return new ManagedObject(owner, spec, resource);
}
