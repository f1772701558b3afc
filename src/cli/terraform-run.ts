/**
 * The Terraform (or OpenTofu) run a provisioner's CLI belongs to, and what it was asked to do.
 * Terraform runs a local-exec provisioner as `/bin/sh -c COMMAND`, so the CLI's parent is that
 * shell and the shell's parent is Terraform: its pid is what to watch for "Terraform is gone", its
 * argv says the verb (`destroy`, `apply -destroy`) and the `-target`s. Read from Linux's /proc;
 * elsewhere, or when the parent is no such shell (the CLI run by hand), there is none.
 *
 * A saved plan (`terraform apply PLANFILE`) says its verb in the plan file: a zip whose `tfplan`
 * entry is a protocol buffer: top-level field 17 (`ui_mode`) is 1 in a destroy plan, field 5
 * (`target_addrs`) holds its targets (plan format version 3, Terraform ≥ 1.0 and OpenTofu, checked
 * against real plan files in the e2e tests). A plan file that cannot be read that way leaves the
 * mode `unknown`.
 */
import { readFileSync, readlinkSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { inflateRawSync } from "node:zlib";

export type TerraformMode = "apply" | "destroy" | "unknown";

export interface TerraformRun {
  readonly pid: number;
  readonly argv: readonly string[];
  /** `destroy` for `terraform destroy`, `apply -destroy` or a saved destroy plan. */
  readonly mode: TerraformMode;
  /** The `-target` addresses (empty: the whole configuration). */
  readonly targets: readonly string[];
}

/** Flags of plan/apply/destroy that take their value as the next argument when written without `=`. */
const VALUE_FLAGS = new Set(["target", "var", "var-file", "replace", "parallelism", "state", "state-out", "backup", "lock-timeout", "exclude", "target-file", "exclude-file"]);

const argvOf = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, -1);

/** The parent pid of `pid` (field 4 of /proc/PID/stat; the command name before it may hold spaces). */
const parentOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ")[1]);

/** The Terraform run whose provisioner started this process, if it can be found. */
export function terraformProcess(): TerraformRun | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    const shell = argvOf(process.ppid);
    if (shell[1] !== "-c") return undefined;
    const pid = parentOf(process.ppid);
    const argv = argvOf(pid);
    return { pid, argv, ...terraformVerb(argv, (file) => readFileSync(isAbsolute(file) ? file : join(readlinkSync(`/proc/${pid}/cwd`), file))) };
  } catch {
    return undefined;
  }
}

/** The mode and targets of Terraform's `argv`; `readPlan` reads a saved plan file. */
export function terraformVerb(argv: readonly string[], readPlan: (file: string) => Buffer): { mode: TerraformMode; targets: string[] } {
  const targets: string[] = [];
  const positional: string[] = [];
  let destroyFlag = false;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    const flag = /^--?([^=]+)(?:=(.*))?$/s.exec(arg);
    if (!flag) {
      positional.push(arg);
      continue;
    }
    const [, name, inline] = flag;
    const value = inline ?? (VALUE_FLAGS.has(name) ? argv[++i] : undefined);
    if (name === "target" && value !== undefined) targets.push(value);
    if (name === "destroy") destroyFlag = value === undefined || value === "true";
  }
  const [verb, planFile] = positional;
  if (verb === "destroy" || (verb === "apply" && destroyFlag)) return { mode: "destroy", targets };
  if (verb !== "apply") return { mode: "unknown", targets };
  if (planFile === undefined) return { mode: "apply", targets };
  try {
    return savedPlan(readPlan(planFile));
  } catch {
    return { mode: "unknown", targets };
  }
}

/** The mode and targets of a saved plan file (see the module comment). */
function savedPlan(zip: Buffer): { mode: TerraformMode; targets: string[] } {
  const plan = zipEntry(zip, "tfplan");
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = plan[at++];
      if (byte === undefined) throw new Error("truncated plan");
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  const fields = new Map<number, number>();
  const targets: string[] = [];
  while (at < plan.length) {
    const key = varint();
    const wire = key % 8;
    if (wire === 0) fields.set(Math.floor(key / 8), varint());
    else if (wire === 2) {
      const length = varint();
      if (key === 5 * 8 + 2) targets.push(plan.toString("utf8", at, at + length));
      at += length;
    }
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Error("not a plan");
  }
  if (fields.get(1) !== 3) return { mode: "unknown", targets };
  return { mode: fields.get(17) === 1 ? "destroy" : "apply", targets };
}

/** One entry of a zip file, from its central directory (stored or deflated). */
function zipEntry(zip: Buffer, name: string): Buffer {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error("not a zip");
  let at = zip.readUInt32LE(end + 16);
  for (let n = zip.readUInt16LE(end + 10); n > 0; n--) {
    if (zip.readUInt32LE(at) !== 0x02014b50) break;
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const local = zip.readUInt32LE(at + 42);
    if (zip.toString("utf8", at + 46, at + 46 + nameLength) === name) {
      const data = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const raw = zip.subarray(data, data + size);
      if (method === 0) return raw;
      if (method === 8) return inflateRawSync(raw);
      throw new Error(`zip method ${method}`);
    }
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  throw new Error(`no ${name}`);
}
