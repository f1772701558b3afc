/**
 * Values only Terraform knows (a TerraformVariable, an `Fn` call, another resource's attribute)
 * cannot reach the tenant: the sync reads each object's spec from cdk.tf.json, where such a value
 * is still a Terraform expression. Each one is a synth error naming the prop, never a failure at
 * `terraform init` or apply; its words are the contract's (src/contract/terraform-only.ts), which
 * plan and the sync also say of a spec that holds one all the same.
 */
import { Token } from "cdktf";
import type { Spec, TenantRef } from "../../src/contract";
import { specPropOf, terraformOnlyFix, terraformOnlyProblem } from "../../src/contract/terraform-only";
import { VALIDATION_CODES as C, validationMessage } from "../errors";

/** The paths (list indexes dropped) under `value` that hold an unresolved token, with the token. */
function unresolvedPaths(value: unknown, path: string[] = []): [string, unknown][] {
  // A list token (`Token.asList`) is a one-item list only the list itself is known to be a token by.
  const scalar = typeof value === "string" || typeof value === "number";
  if ((scalar || Array.isArray(value)) && Token.isUnresolved(value)) return [[path.join("."), value]];
  if (Array.isArray(value)) return value.flatMap((v) => unresolvedPaths(v, path));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => unresolvedPaths(v, [...path, k]));
  return [];
}

/**
 * One validation message per prop of `spec` (its tenant aside: AicTenant checks its own) whose
 * value Terraform alone knows.
 */
export function terraformOnlyErrors(spec: Spec): string[] {
  const { tenant: _tenant, ...own } = spec;
  // A grant's ids are its agent's and application's client ids: their constructs name them.
  const skip = spec.kind === "agent-grant" ? ["id", "owned.agent", "owned.application"] : [];
  return messages(own, (path) => (skip.includes(path) ? null : specPropOf(path)));
}

/** One message per prop (`propOf` a path; null: none) under `value` that holds a token. */
function messages(value: unknown, propOfPath: (path: string) => string | null): string[] {
  const props = new Map<string, unknown>();
  for (const [path, token] of unresolvedPaths(value)) {
    const prop = propOfPath(path);
    if (prop !== null && !props.has(prop)) props.set(prop, token);
  }
  return [...props].map(([prop, token]) => terraformOnlyMessage(prop, token));
}

/** The message for one prop whose value Terraform alone knows. */
function terraformOnlyMessage(prop: string, received: unknown): string {
  return validationMessage(C.terraformOnlyValue, {
    problem: terraformOnlyProblem(prop),
    received,
    allowed: "a value known to the program: a literal, or one it reads itself (process.env, a file, app context)",
    fix: terraformOnlyFix(prop),
  });
}

/** The same for the tenant every spec of an AicTenant carries: its baseUrl, realm and credentials. */
export function tenantTerraformOnlyErrors(tenant: TenantRef): string[] {
  return messages(tenant, (path) => (path.startsWith("auth") ? "credentials" : path));
}
