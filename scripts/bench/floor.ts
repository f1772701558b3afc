/**
 * The `floor` scenario: Terraform alone. A stack applied without its provisioners (Terraform's own
 * time for that layout) and as many bare `terraform_data` as a stack holds (Terraform's own time
 * for that many resources).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { check, machineBusySeconds, run } from "./process";
import { progress, TERRAFORM, type Step } from "./runner";

/** \`count\` bare \`terraform_data\` resources: no provisioner, no dependency, a one-number input. */
function bareResources(count: number): object {
  return { resource: { terraform_data: Object.fromEntries(Array.from({ length: count }, (_, i) => [`r${i}`, { input: { i } }])) } };
}

/**
 * The synthesized stack of \`stackDir\` without its provisioners: the same resources, values and
 * dependencies, so that applying it is Terraform's own time for this layout, without the sync.
 */
export function withoutProvisioners(stackDir: string): object {
  const json = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as { resource: Record<string, Record<string, Record<string, unknown>>> };
  for (const byName of Object.values(json.resource)) for (const r of Object.values(byName)) delete r.provisioner;
  return { resource: json.resource };
}

/**
 * Terraform alone: \`terraform apply\` of \`config\` (no provider, no provisioner) in a fresh folder,
 * with the same parallelism as the stacks.
 */
export async function measureTerraformAlone(config: object): Promise<Step> {
  const dir = mkdtempSync(join(tmpdir(), "cdktf-aic-bench-floor-"));
  try {
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(config));
    const env = { ...process.env, TF_IN_AUTOMATION: "1" };
    const tf = (args: string[]) => run(TERRAFORM, [...args, "-input=false", "-no-color"], { cwd: dir, env });
    check(await tf(["init"]), "terraform init (floor)", (t) => t);
    const machine = machineBusySeconds();
    const ran = check(await tf(["apply", "-auto-approve", "-parallelism=10"]), "terraform apply (floor)", (t) => t);
    const machineAfter = machineBusySeconds();
    return {
      admin: 0,
      writes: 0,
      tokenRequests: 0,
      writePaths: [],
      peakInFlight: 0,
      ms: ran.ms,
      cpuSeconds: ran.cpuSeconds,
      tenantCpuSeconds: 0,
      otherCpuSeconds: machine !== undefined && machineAfter !== undefined ? Math.max(0, machineAfter - machine - (ran.cpuSeconds ?? 0)) : undefined,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `runs` applies of as many bare resources as each of `counts`: the floor per resource count. */
export async function measureFloor(counts: Iterable<number>, runs: number): Promise<Map<number, Step[]>> {
  const floor = new Map<number, Step[]>();
  for (const count of [...counts].sort((a, b) => a - b)) {
    const steps: Step[] = [];
    for (let i = 0; i < runs; i++) {
      progress(`Terraform alone: ${count} bare terraform_data, run ${i + 1}/${runs}`);
      steps.push(await measureTerraformAlone(bareResources(count)));
    }
    floor.set(count, steps);
  }
  return floor;
}
