/** Reads the specs a synthesized stack carries (the Config resources' `spec` triggers). */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Spec } from "../contract/spec";
import { mapStrings, unescapeTemplate } from "../contract/template";
import { CliError } from "./output";

/** The stack directory: the named one, or the only one there is. */
export function stackDir(outDir: string, stack: string | undefined): string | undefined {
  const stacks = join(outDir, "stacks");
  if (stack !== undefined) {
    const dir = join(stacks, stack);
    if (!existsSync(join(dir, "cdk.tf.json"))) {
      throw new CliError(`no synthesized stack "${stack}" in ${outDir} (run cdktf synth first, or pass --out DIR)`);
    }
    return dir;
  }
  if (!existsSync(stacks)) return undefined;
  const names = readdirSync(stacks).filter((n) => existsSync(join(stacks, n, "cdk.tf.json")));
  if (names.length > 1) throw new CliError(`${outDir} holds several stacks (${names.join(", ")}): pass --stack NAME`);
  return names.length === 1 ? join(stacks, names[0]) : undefined;
}

/**
 * Every spec the stack's custom resources carry: `triggers_replace.spec` of terraform_data (an
 * object) or `triggers.spec` of null_resource (canonical JSON), unescaped as Terraform reads them.
 */
export function readStackSpecs(dir: string): Spec[] {
  type Resources = Record<string, { triggers?: Record<string, unknown>; triggers_replace?: Record<string, unknown> }>;
  const json = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as {
    resource?: { null_resource?: Resources; terraform_data?: Resources };
  };
  const specs = new Map<string, Spec>();
  const resources = [...Object.values(json.resource?.terraform_data ?? {}), ...Object.values(json.resource?.null_resource ?? {})];
  for (const resource of resources) {
    const value = resource.triggers_replace?.spec ?? resource.triggers?.spec;
    const spec = parseSpecTrigger(value);
    if (spec) specs.set(`${spec.kind}|${spec.id}`, spec);
  }
  return [...specs.values()];
}

function parseSpecTrigger(value: unknown): Spec | undefined {
  try {
    const raw = typeof value === "string" ? JSON.parse(value) : value;
    const parsed = Spec.safeParse(mapStrings(raw, unescapeTemplate));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
