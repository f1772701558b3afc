/**
 * Values only Terraform knows (a TerraformVariable, an `Fn` call, another resource's attribute)
 * cannot reach the tenant: the sync reads each object's spec from cdk.tf.json, where such a value
 * is still a Terraform expression. The constructs refuse one at synth; a spec that holds one all
 * the same (an escape hatch such as `addOverride`) is refused by plan and the sync in the same
 * words, before anything is read or written.
 */

/** Spec paths whose construct prop has another name. */
const PROP_OF_PATH: Record<string, string> = {
  id: "clientId",
  "secret.env": "clientSecret",
  "secret.version": "clientSecret",
  "owned.providerOverrides.statelessTokens": "providerOverrides.clientSideTokens",
  "owned.aiAgentsEnabled": "enableAiAgents",
};

/** The construct prop a spec path (list indexes dropped) comes from. */
export function specPropOf(path: string): string {
  if (path in PROP_OF_PATH) return PROP_OF_PATH[path];
  return path.startsWith("owned.") ? path.slice("owned.".length) : path;
}

/** What is wrong with a prop whose value Terraform alone knows. */
export function terraformOnlyProblem(prop: string): string {
  return (
    `${prop} is known only when Terraform runs (a TerraformVariable, an Fn call or another resource's attribute); ` +
    `the sync reads the specs from cdk.tf.json, so every value must be known when the code runs`
  );
}

/** The fix for a prop whose value Terraform alone knows. */
export function terraformOnlyFix(prop: string): string {
  return `set ${prop} from a value the program reads itself (e.g. process.env) instead of a TerraformVariable, Fn call or resource attribute`;
}

/** A Terraform expression in a string of cdk.tf.json: `${…}` or `%{…}` (once doubled escapes are taken out). */
const EXPRESSION = /\$\{|%\{/;

/** The spec paths (list indexes dropped) under `value`, as cdk.tf.json holds it, whose string is a Terraform expression. */
export function terraformExpressionPaths(value: unknown, path: string[] = []): string[] {
  if (typeof value === "string") return EXPRESSION.test(value.replace(/\$\$|%%/g, "")) ? [path.join(".")] : [];
  if (Array.isArray(value)) return value.flatMap((v) => terraformExpressionPaths(v, path));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => terraformExpressionPaths(v, [...path, k]));
  return [];
}

/**
 * The error of a spec in cdk.tf.json that holds Terraform expressions, per prop (the object's
 * construct path first); undefined when it holds none.
 */
export function terraformOnlyInSpec(where: string, spec: unknown): string | undefined {
  const { tenant: _tenant, ...own } = (spec ?? {}) as Record<string, unknown>;
  const props = [...new Set(terraformExpressionPaths(own).map(specPropOf))];
  if (props.length === 0) return undefined;
  return `${where}: ${props.map((p) => `${terraformOnlyProblem(p)}; ${terraformOnlyFix(p)}`).join(". ")}`;
}
