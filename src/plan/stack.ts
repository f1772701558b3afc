/**
 * What a stack says it manages, from two sources of the same shape: the synthesized
 * `cdk.tf.json` (what code wants) and the Terraform state (what was applied last). Both carry the
 * custom resources of `constructs/private/custom-resource.ts`: each object's `Resource` (its
 * identity, and its spec with the secret's `{env, version}`) and the tenant's `Journal` (every
 * object the stack manages there).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { MAX_JOURNAL_PARTS, journalIdentity, parseJournal, partName, type Journal } from "../contract/journal";
import { Identity, identityKey, identityOf, Spec, tenantKey, tenantKeyOfIdentityKey, TenantRef } from "../contract/spec";
import { mapStrings, unescapeTemplate } from "../contract/template";
import { CliError } from "../contract/errors";
import type { ResourcesInState } from "../engine/sync";
import { terraformOnlyInSpec } from "../contract/terraform-only";

/** One managed object as a source describes it. */
export interface StackObject {
  readonly identity: Identity;
  /** The spec, the secret's version included. */
  readonly spec?: Spec;
  /** The Terraform address of the object's `Resource`, e.g. `terraform_data.web-app_Resource_7564F903`. */
  readonly address?: string;
  /** The construct path, e.g. `alpha/web-app`. */
  readonly construct?: string;
  /** Its tenant re-applies drift on every apply (`restoreDrift`). */
  readonly restoresDrift?: boolean;
}

export interface StackContents {
  /** By `identityKey`. */
  readonly objects: ReadonlyMap<string, StackObject>;
  /** The identities the tenants' journals list (every object the stack manages). */
  readonly inventory: readonly Identity[];
  /** The tenants' journals (what the sync compares: code's, or the one applied last). */
  readonly journals: readonly Journal[];
  /** Every object `Resource` by Terraform address → the `identityKey` it records. */
  readonly resources?: ReadonlyMap<string, string>;
  /** Code only: the addresses `removed` blocks with `lifecycle { destroy = false }` forget. */
  readonly forgets?: readonly string[];
  /**
   * State only: the `tenantKey`s whose Journal was applied depending on its Gate (and so on every
   * object's resource): its sync runs before Terraform destroys any of them, so an object's
   * resource missing from the state was removed from it (`terraform state rm`), not destroyed by
   * this apply. A state from before the Gate existed says nothing of that.
   */
  readonly syncFirst?: ReadonlySet<string>;
}

/**
 * What the state says of the objects' resources, for the sync's removals (`ResourcesInState`):
 * which are in it, and which code's `removed` blocks forget. Without a state, nothing is known.
 */
export function resourcesInState(code: Pick<StackContents, "forgets">, applied: Pick<StackContents, "resources" | "syncFirst"> | undefined, tenant: string): ResourcesInState {
  if (!applied?.resources) return { forgotten: new Set() };
  const { resources } = applied;
  const forgotten = new Set((code.forgets ?? []).flatMap((address) => resources.get(address) ?? []));
  return applied.syncFirst?.has(tenant) ? { present: new Set(resources.values()), forgotten } : { forgotten };
}

/** The addresses that `removed` blocks with `lifecycle { destroy = false }` name (Terraform ≥ 1.7, OpenTofu ≥ 1.7). */
function forgetsOf(json: unknown): string[] {
  const blocks = (json as { removed?: unknown }).removed;
  const list = Array.isArray(blocks) ? blocks : blocks && typeof blocks === "object" ? [blocks] : [];
  return list.flatMap((b) => {
    const { from, lifecycle } = (b ?? {}) as { from?: unknown; lifecycle?: unknown };
    const destroy = (Array.isArray(lifecycle) ? lifecycle[0] : lifecycle) as { destroy?: unknown } | undefined;
    return typeof from === "string" && (destroy?.destroy === false || destroy?.destroy === "false") ? [from.replace(/^\$\{(.*)\}$/, "$1")] : [];
  });
}

/** One custom resource, its values already decoded (objects, not JSON strings or escaped templates). */
interface RawResource {
  readonly address: string;
  readonly path?: string;
  readonly values: Record<string, unknown>;
  /** State only: the addresses Terraform recorded it depends on. */
  readonly dependencies?: readonly string[];
}

const parse = <T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, value: unknown): T | undefined => {
  const r = schema.safeParse(value);
  return r.success ? r.data : undefined;
};

/** A null_resource trigger is canonical JSON; a terraform_data value is the object itself. */
function decodeTrigger(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** The journal a Journal resource carries (in one part or several), if it is one. */
function journalOf(values: Record<string, unknown>): Journal | undefined {
  if (values.journal === undefined) return undefined;
  const texts = Array.from({ length: MAX_JOURNAL_PARTS }, (_, i) => values[partName("journal", i)]).map((v) => (v === undefined ? undefined : JSON.stringify(v)));
  try {
    return parseJournal("journal", texts);
  } catch {
    return undefined;
  }
}

function contentsOf(resources: readonly RawResource[], forgets: readonly string[] = []): StackContents {
  const objects = new Map<string, { -readonly [K in keyof StackObject]: StackObject[K] }>();
  const entry = (identity: Identity) => {
    const key = identityKey(identity);
    let o = objects.get(key);
    if (!o) objects.set(key, (o = { identity }));
    return o;
  };
  const inventory: Identity[] = [];
  const journals: Journal[] = [];
  // An object's resource records its spec without the tenant: its journal holds that.
  const tenants = new Map<string, TenantRef>();
  for (const { values } of resources) {
    const journal = journalOf(values);
    if (!journal) continue;
    journals.push(journal);
    tenants.set(tenantKey(journal.tenant), journal.tenant);
    inventory.push(...Object.values(journal.objects).map((e) => journalIdentity(journal, e)));
  }
  const reconciled = new Set<string>();
  for (const { address, path, values } of resources) {
    const reconcile = values.reconcile as { baseUrl?: string; realm?: string } | undefined;
    if (reconcile?.baseUrl && reconcile.realm) reconciled.add(tenantKey({ baseUrl: reconcile.baseUrl, realm: reconcile.realm }));
    const recorded = values.spec as Record<string, unknown> | undefined;
    const tenant = typeof values.object === "string" ? tenants.get(tenantKeyOfIdentityKey(values.object)) : undefined;
    const spec = recorded && parse(Spec, recorded.tenant ? recorded : { ...recorded, tenant });
    if (spec) {
      const o = entry(identityOf(spec));
      Object.assign(o, { spec, address, construct: path?.replace(/\/Resource$/, "") });
    }
  }
  for (const o of objects.values()) {
    if (reconciled.has(tenantKey(o.identity.tenant))) o.restoresDrift = true;
  }
  const resourceKeys = new Map(resources.flatMap(({ address, values }) => (typeof values.object === "string" ? [[address, values.object] as const] : [])));
  const gates = new Set(resources.filter((r) => r.values.gate !== undefined).map((r) => r.address));
  const syncFirst = new Set(
    resources.flatMap(({ values, dependencies }) => {
      const journal = journalOf(values);
      return journal && dependencies?.some((d) => gates.has(d)) ? [tenantKey(journal.tenant)] : [];
    }),
  );
  return { objects, inventory, journals, resources: resourceKeys, forgets, syncFirst };
}

/**
 * The custom resources of a synthesized `cdk.tf.json`, unescaped as Terraform reads them. A spec
 * that holds a Terraform expression (put there past the constructs' check, by an escape hatch) is
 * refused: the sync would write the expression's text, not its value.
 */
export function readSynthesized(json: unknown): StackContents {
  type Block = { "//"?: { metadata?: { path?: string } }; triggers?: Record<string, unknown>; triggers_replace?: Record<string, unknown>; input?: Record<string, unknown> };
  const resource = (json as { resource?: Record<string, Record<string, Block>> }).resource ?? {};
  const raw: RawResource[] = [];
  for (const type of ["terraform_data", "null_resource"]) {
    for (const [name, block] of Object.entries(resource[type] ?? {})) {
      const values = { ...block.triggers_replace, ...block.input, ...block.triggers };
      // Before unescaping: only then does a Terraform expression differ from an escaped literal.
      const terraformOnly = terraformOnlyInSpec(block["//"]?.metadata?.path?.replace(/\/Resource$/, "") ?? `${type}.${name}`, decodeTrigger(values.spec));
      if (terraformOnly) throw new CliError(terraformOnly);
      raw.push({
        address: `${type}.${name}`,
        path: block["//"]?.metadata?.path,
        values: mapStrings(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, decodeTrigger(v)])), unescapeTemplate) as Record<string, unknown>,
      });
    }
  }
  return contentsOf(raw, forgetsOf(json));
}

/** The custom resources of a Terraform state (format version 4, as `terraform state pull` prints it). */
export function readState(json: unknown, source: string): StackContents {
  const state = json as { version?: number; resources?: unknown[] };
  if (state.version !== 4 || !Array.isArray(state.resources)) {
    throw new CliError(`${source} is not a Terraform state of format version 4 (got version ${String(state.version)}); pass --state FILE with the output of 'terraform state pull'`);
  }
  type StateResource = { mode?: string; type?: string; name?: string; module?: string; instances?: { attributes?: Record<string, unknown>; dependencies?: string[] }[] };
  // terraform_data keeps dynamic values as {value, type}.
  const unwrap = (v: unknown) => (v && typeof v === "object" && "value" in v && "type" in v ? (v as { value: unknown }).value : v);
  const raw: RawResource[] = [];
  for (const r of state.resources as StateResource[]) {
    if (r.mode !== "managed" || (r.type !== "terraform_data" && r.type !== "null_resource")) continue;
    for (const instance of r.instances ?? []) {
      const a = instance.attributes ?? {};
      const values = { ...(unwrap(a.triggers_replace) as object), ...(unwrap(a.input) as object), ...(a.triggers as object) };
      raw.push({
        address: [r.module, `${r.type}.${r.name}`].filter(Boolean).join("."),
        values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, decodeTrigger(v)])),
        dependencies: instance.dependencies,
      });
    }
  }
  return contentsOf(raw);
}

/** A synthesized stack: its name, folder, code, and where its last applied state is (if anywhere). */
export interface SynthesizedStack {
  readonly name: string;
  readonly dir: string;
  readonly code: StackContents;
  /** The local backend's state file, when the stack uses one. */
  readonly localStatePath?: string;
  /** The backend type (`local`, `s3`, ...), or undefined when none is declared. */
  readonly backend?: string;
}

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new CliError(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
}

/** The named stack, or every stack in `outDir`; fails with the fix when nothing is synthesized. */
export function readStacks(outDir: string, name?: string): SynthesizedStack[] {
  const stacksDir = join(outDir, "stacks");
  const synthesized = (existsSync(stacksDir) ? readdirSync(stacksDir).sort() : []).filter((n) => existsSync(join(stacksDir, n, "cdk.tf.json")));
  const found = name !== undefined ? synthesized.filter((n) => n === name) : synthesized;
  if (name !== undefined && found.length === 0) {
    const there = synthesized.length > 0 ? `; it holds ${synthesized.join(", ")} (pass one of them to --stack)` : " (run cdktf synth first, or pass --out DIR)";
    throw new CliError(`no synthesized stack "${name}" in ${outDir}${there}`);
  }
  if (found.length === 0) throw new CliError(`no synthesized stacks in ${outDir}: run cdktf synth first (or pass --out DIR)`);
  return found.map((n) => {
    const dir = join(stacksDir, n);
    const json = readJson(join(dir, "cdk.tf.json"), "the synthesized stack") as { terraform?: { backend?: Record<string, { path?: string }> } };
    const backend = Object.keys(json.terraform?.backend ?? {})[0];
    const path = json.terraform?.backend?.local?.path;
    return {
      name: n,
      dir,
      code: readSynthesized(json),
      backend,
      localStatePath: backend === "local" && path ? (isAbsolute(path) ? path : join(dir, path)) : undefined,
    };
  });
}

/**
 * The specs of one stack, for commands that work on one (verify): the named stack, or the only
 * one; none when nothing is synthesized (the command's flags then say everything).
 */
export function specsOfStack(outDir: string, name: string | undefined): Spec[] {
  if (name === undefined && !existsSync(join(outDir, "stacks"))) return [];
  const stacks = readStacks(outDir, name);
  if (stacks.length > 1) {
    throw new CliError(`${outDir} holds several stacks (${stacks.map((s) => s.name).join(", ")}): pass --stack NAME`);
  }
  return [...stacks[0].code.objects.values()].flatMap((o) => (o.spec ? [o.spec] : []));
}

/** The applied state of a stack: from `stateFile`, else its local backend's file; undefined when there is none. */
export function readAppliedState(stack: SynthesizedStack, stateFile: string | undefined): { contents?: StackContents; note: string; path?: string } {
  const file = stateFile ?? stack.localStatePath;
  if (!file) {
    const why = stack.backend ? `the state is in a "${stack.backend}" backend` : "the stack declares no backend";
    return { note: `${why}: drift is not shown; pass --state FILE (terraform state pull > FILE) to compare with what was applied` };
  }
  const shown = isAbsolute(file) ? relative(process.cwd(), file) || file : file;
  if (!existsSync(file)) {
    if (stateFile) throw new CliError(`--state ${stateFile}: no such file`);
    return { note: `no state file at ${shown} (nothing applied yet): compared with code only, drift is not shown` };
  }
  return { contents: readState(readJson(file, "the state file"), file), note: `applied state from ${shown}`, path: shown };
}
