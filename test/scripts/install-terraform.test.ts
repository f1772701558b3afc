/**
 * scripts/install-terraform.sh's build environment, without building anything: a stand-in `go`
 * (a third-party tool's, not our code) answers `go env` and records the environment `go install`
 * runs in. Go's module and build caches must live in a temporary folder that the script removes,
 * the null provider is not built unless asked for, and a progress line reports the build.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { scratchDir } from "../support/scratch";

const SCRIPT = resolve(__dirname, "../../scripts/install-terraform.sh");

/** A `go` that records each `go install` (its environment and target), downloads "3 modules" and fails. */
function fakeGo(dir: string): void {
  writeFileSync(
    join(dir, "go"),
    `#!/bin/sh
case "$1" in
  env) printf 'linux\\namd64\\ngo1.22.0\\n' ;;
  install)
    for v in GOPATH GOMODCACHE GOCACHE GOFLAGS HOME; do eval "printf '%s=%s\\n' $v \\"\\$$v\\""; done >> "${dir}/env.txt"
    for a in "$@"; do last="$a"; done
    printf 'target=%s\\ngomodcache-exists=%s\\n' "$last" "$(test -d "$GOMODCACHE" -o -d "$(dirname "$GOMODCACHE")" && echo yes)" >> "${dir}/env.txt"
    printf 'go: downloading a v1\\ngo: downloading b v1\\ngo: downloading c v1\\n' >&2
    sleep "\${FAKE_GO_SECONDS:-2}"
    echo "go: build refused" >&2
    exit 1 ;;
esac
`,
  );
  chmodSync(join(dir, "go"), 0o755);
}

describe("scripts/install-terraform.sh", () => {
  const dir = scratchDir("cdktf-aic-install-");
  const tmp = scratchDir("cdktf-aic-install-tmp-");
  fakeGo(dir);
  const r = spawnSync("bash", [SCRIPT], {
    env: { PATH: `${dir}:/usr/bin:/bin`, HOME: dir, TMPDIR: tmp, CDKTF_AIC_TOOLS_DIR: join(dir, "tools") },
    encoding: "utf8",
  });
  const value = (name: string) => [...readFileSync(join(dir, "env.txt"), "utf8").matchAll(new RegExp(`^${name}=(.*)$`, "gm"))].map((m) => m[1]);

  it("gives Go its module and build caches in a temporary folder, and removes it", () => {
    const [gomodcache] = value("GOMODCACHE");
    expect(gomodcache).toMatch(new RegExp(`^${tmp}/cdktf-aic-go\\.[^/]+/mod$`));
    expect(value("GOCACHE")[0]).toBe(join(gomodcache, "..", "build"));
    expect(value("GOPATH")[0]).toBe(join(gomodcache, "..", "path"));
    expect(value("GOFLAGS")[0]).toContain("-modcacherw");
    expect(existsSync(join(gomodcache, ".."))).toBe(false);
  });

  it("builds Terraform (then OpenTofu, its fall-back) and not the null provider a stack does not use", () => {
    expect(value("target")).toEqual(["github.com/hashicorp/terraform@v1.5.7", "github.com/opentofu/opentofu/cmd/tofu@v1.6.3"]);
    expect(r.stderr).not.toMatch(/hashicorp\/null|terraform-provider-null/);
  });

  it("stops Go and removes the caches when it is interrupted", async () => {
    const tools = join(dir, "tools-interrupted");
    const child = spawn("bash", [SCRIPT], { env: { PATH: `${dir}:/usr/bin:/bin`, HOME: dir, TMPDIR: tmp, CDKTF_AIC_TOOLS_DIR: tools, FAKE_GO_SECONDS: "30" }, stdio: "ignore" });
    // The run above recorded two installs (Terraform, then OpenTofu); this one is the third.
    const started = (await waitFor(() => value("GOMODCACHE").length > 2)) && value("GOMODCACHE")[2];
    expect(started).toMatch(new RegExp(`^${tmp}/cdktf-aic-go\\.`));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(130);
    expect(existsSync(join(started as string, ".."))).toBe(false);
    // Go was stopped too: it never got to its last line.
    await new Promise((r) => setTimeout(r, 500));
    expect(spawnSync("pgrep", ["-f", `${dir}/go install`]).status).toBe(1);
  });

  it("takes a cache built with the null provider (as every cache before --with-null was) as complete, calling no Go", () => {
    const tools = join(dir, "tools-complete");
    mkdirSync(join(tools, "bin"), { recursive: true });
    const cli = join(tools, "bin", "terraform");
    writeFileSync(cli, "#!/bin/sh\necho 'Terraform v1.5.7'\n");
    chmodSync(cli, 0o755);
    for (const f of ["env.sh", "terraformrc"]) writeFileSync(join(tools, f), "");
    const recipe = "terraform=1.5.7 tofu=1.6.3 null=3.2.4@01034f80eb238732fd9e8673582e0e770cfab578 layout=1";
    writeFileSync(join(tools, "installed"), `recipe=${recipe}\nplatform=linux_amd64\ncli=${cli}\nprovider=\ngo=go1.22.0\n`);
    const installs = value("target").length;
    const again = spawnSync("bash", [SCRIPT], { env: { PATH: `${dir}:/usr/bin:/bin`, HOME: dir, TMPDIR: tmp, CDKTF_AIC_TOOLS_DIR: tools }, encoding: "utf8" });
    expect(again.stderr).toBe(`install-terraform: up to date in ${tools}: Terraform v1.5.7 (${cli})\n`);
    expect(again.stdout).toBe(`${join(tools, "env.sh")}\n`);
    expect(value("target")).toHaveLength(installs);
  });

  it("prints Go's messages when the build fails, and a progress line while it runs", () => {
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^install-terraform: building, \d+s, 3 modules downloaded$/m);
    expect(r.stderr).toContain("go: build refused");
    expect(r.stderr).toMatch(/could not build Terraform v1\.5\.7 nor OpenTofu v1\.6\.3/);
  });
});

async function waitFor(condition: () => boolean): Promise<boolean> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 50));
  return condition();
}
