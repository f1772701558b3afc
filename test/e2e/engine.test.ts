/**
 * Engine choice (scripts/engine.ts through scripts/with-tools.sh, as `npm start` and `npm test` run
 * it): CDKTF_AIC_TERRAFORM, else terraform or tofu >= 1.5 on PATH, else the offline build. Real
 * binaries throughout (the engine this run uses, under other names and folders); the only stand-in is
 * a third-party "old Terraform" script that reports v1.4.6.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, terraformEngine } from "./harness";
import { ANNOUNCED_ENV } from "../../scripts/engine";
import { scratchDir } from "../support/scratch";

const WITH_TOOLS = join(REPO, "scripts", "with-tools.sh");
/** with-tools.sh runs scripts/engine.ts with tsx, which keeps a cache in the temp dir: this one goes with the file. */
const CHILD_TMP = scratchDir("cdktf-aic-engine-tmp-");

interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

/** `with-tools.sh sh -c 'printf %s "$CDKTF_AIC_TERRAFORM"'` with exactly the PATH and variables given. */
function withTools(path: string, extra: Record<string, string> = {}): Promise<Result> {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: CHILD_TMP, PATH: path, ...extra };
  for (const k of ["CDKTF_AIC_TERRAFORM", ANNOUNCED_ENV]) if (!(k in extra)) delete env[k];
  return new Promise((resolve) => {
    const child = spawn("bash", [WITH_TOOLS, "sh", "-c", 'printf %s "$CDKTF_AIC_TERRAFORM"'], { cwd: REPO, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("close", (code) => resolve({ status: code ?? 1, stdout, stderr }));
  });
}

describe("engine choice (scripts/with-tools.sh)", () => {
  const dir = mkdtempSync(join(tmpdir(), "cdktf-aic-engine-"));
  const real = terraformEngine();
  const product = real.product;
  // This run's PATH without any terraform or tofu: a folder that holds one is replaced by a copy of
  // it made of links to everything else (bash, node and the rest stay reachable).
  const engines = ["terraform", "tofu"];
  const basePath = (process.env.PATH ?? "")
    .split(":")
    .filter((d) => d !== "")
    .map((d) => {
      if (!engines.some((e) => existsSync(join(d, e)))) return d;
      const shadow = mkdtempSync(join(dir, "shadow-"));
      for (const entry of readdirSync(d)) if (!engines.includes(entry)) symlinkSync(join(d, entry), join(shadow, entry));
      return shadow;
    })
    .join(":");

  function folderWith(name: string, target: string): string {
    const d = mkdtempSync(join(dir, "bin-"));
    symlinkSync(target, join(d, name));
    return d;
  }
  const oldTerraform = mkdtempSync(join(dir, "old-"));
  writeFileSync(join(oldTerraform, "terraform"), "#!/bin/sh\necho 'Terraform v1.4.6'\necho 'on linux_amd64'\n");
  chmodSync(join(oldTerraform, "terraform"), 0o755);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("uses a terraform on PATH, announces it once and exports its absolute path", async () => {
    const bin = folderWith("terraform", real.binary);
    const r = await withTools(`${bin}:${basePath}`);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(join(bin, "terraform"));
    expect(r.stderr.match(/^engine: /gm)).toHaveLength(1);
    expect(r.stderr).toContain(`engine: ${product} v${real.version} (${join(bin, "terraform")}, found on PATH)`);
    expect(r.stderr).not.toContain("install-terraform");
  });

  it("uses a tofu on PATH when there is no terraform, and skips a terraform older than 1.5", async () => {
    const bin = folderWith("tofu", real.binary);
    const r = await withTools(`${oldTerraform}:${bin}:${basePath}`);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(join(bin, "tofu"));
    expect(r.stderr).toContain(`skipping ${join(oldTerraform, "terraform")}: Terraform v1.4.6 is older than 1.5`);
  });

  it("CDKTF_AIC_TERRAFORM wins over PATH, as a path or as a command name", async () => {
    const onPath = folderWith("terraform", real.binary);
    const chosen = folderWith("my-terraform", real.binary);
    const byPath = await withTools(`${onPath}:${basePath}`, { CDKTF_AIC_TERRAFORM: join(chosen, "my-terraform") });
    expect(byPath.status).toBe(0);
    expect(byPath.stdout).toBe(join(chosen, "my-terraform"));
    expect(byPath.stderr).toContain("from CDKTF_AIC_TERRAFORM");

    const byName = await withTools(`${onPath}:${chosen}:${basePath}`, { CDKTF_AIC_TERRAFORM: "my-terraform" });
    expect(byName.status).toBe(0);
    expect(byName.stdout).toBe(join(chosen, "my-terraform"));
  });

  it("a CDKTF_AIC_TERRAFORM that cannot be used is an error, not a fall-back", async () => {
    const onPath = folderWith("terraform", real.binary);
    const missing = await withTools(`${onPath}:${basePath}`, { CDKTF_AIC_TERRAFORM: "tofu-that-is-not-installed" });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain("CDKTF_AIC_TERRAFORM=tofu-that-is-not-installed: no such command on PATH");
    const old = await withTools(`${onPath}:${basePath}`, { CDKTF_AIC_TERRAFORM: join(oldTerraform, "terraform") });
    expect(old.status).not.toBe(0);
    expect(old.stderr).toContain("is Terraform v1.4.6; version 1.5 or later is needed");
  });

  // The offline build takes minutes with Go on a machine without it: only where it is cached (CI
  // builds it in .ci/run).
  const tools = process.env.CDKTF_AIC_TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "cdktf-aic", "tools");
  const cached = existsSync(join(tools, "installed"));
  (cached ? it : it.skip)("without terraform or tofu on PATH, uses the offline build (install-terraform.sh's cache)", async () => {
    const r = await withTools(basePath); // the cache's fast path runs no Go
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith(join(tools, "bin") + "/")).toBe(true);
    expect(r.stderr).toContain("using the offline build");
    expect(r.stderr).toMatch(/engine: (Terraform|OpenTofu) v\d+\.\d+\.\d+ \(.*, offline build\)/);
  });
});
