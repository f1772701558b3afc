/**
 * The options every command shares: --version, --help with exit codes, strict options that point
 * at --help, --format for machine-readable output, one meaning of --out, unknown stacks named, and
 * colour only where it is wanted. The bundled CLI, as a user runs it.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { colourful } from "../../src/cli/output";
import { scratchDir } from "../support/scratch";
import { REPO, requireCli, runCli } from "./run";

beforeAll(() => requireCli());

const COMMANDS = ["sync", "reconcile", "plan", "export", "verify", "tenant", "init"];
const ESC = "\u001b[";

describe("cdktf-aic --version", () => {
  it("prints the package's version", async () => {
    const r = await runCli(["--version"], {});
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version}\n`);
  });
});

describe("cdktf-aic --help", () => {
  it("lists each exit code plan can return, as plan's own help does", async () => {
    const top = await runCli(["--help"], {});
    const plan = await runCli(["plan", "--help"], {});
    for (const r of [top, plan]) {
      expect(r.stdout).toMatch(/\b2 \(?changes present/);
      expect(r.stdout).toMatch(/\b3 \(?unmanaged objects/);
    }
  });

  it.each(COMMANDS)("of %s lists its exit codes", async (command) => {
    const r = await runCli([command, "--help"], {});
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\nExit codes: 0 [^;]+; 1 /);
  });

  it("of reconcile says how to run it by hand", async () => {
    const r = await runCli(["reconcile", "--help"], {});
    expect(r.stdout).toMatch(/By hand, .*\n.*\n\s+npx cdktf synth && cd cdktf\.out\/stacks\/<stack> && npx cdktf-aic reconcile/);
  });
});

describe("unknown options", () => {
  it.each(["plan", "export", "verify", "tenant", "init"])("are refused by %s, naming the option, the options there are and --help", async (command) => {
    const r = await runCli([command, "--stak", "alpha"], {});
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(new RegExp(`^cdktf-aic ${command}: unknown option "--stak".*; cdktf-aic ${command} takes --help, .* \\(see cdktf-aic ${command} --help\\)\\n$`));
  });

  it("suggest the option most likely meant", async () => {
    const r = await runCli(["plan", "--stak", "alpha"], {});
    expect(r.stderr).toContain('unknown option "--stak" (did you mean --stack?)');
  });

  it("are refused before any command, pointing at --help", async () => {
    const r = await runCli(["--verbose"], {});
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('cdktf-aic: unknown option "--verbose"; commands: sync, reconcile, plan, export, verify, tenant, init; options: --help, --version (see cdktf-aic --help)\n');
  });
});

describe("--format", () => {
  it.each([
    ["plan", "text, markdown, json"],
    ["verify", "text, json"],
  ])("of %s names the formats it prints", async (command, formats) => {
    const r = await runCli([command, "--format", "yaml"], {});
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`cdktf-aic ${command}: --format "yaml" is not one of ${formats}\n`);
  });
});

describe("--out", () => {
  it("is the synth output folder; export writes its file with --file and says so", async () => {
    const r = await runCli(["export", "--out", "tenant.ts"], { AIC_BASE_URL: "http://127.0.0.1:9" });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("cdktf-aic export: --out names the synth output folder in every command; export writes its file with --file tenant.ts (or to stdout)\n");
  });
});

describe("--stack", () => {
  it("that is not synthesized is refused, naming the stacks there are", async () => {
    const dir = scratchDir();
    for (const stack of ["alpha", "bravo"]) {
      mkdirSync(join(dir, "cdktf.out", "stacks", stack), { recursive: true });
      writeFileSync(join(dir, "cdktf.out", "stacks", stack, "cdk.tf.json"), "{}");
    }
    for (const command of ["plan", "verify"]) {
      const r = await runCli([command, "--stack", "nope"], {}, dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`cdktf-aic ${command}: no synthesized stack "nope" in cdktf.out; it holds alpha, bravo (pass one of them to --stack)\n`);
    }
  });
});

describe("colour", () => {
  const journal = JSON.stringify({ tenant: { baseUrl: "http://127.0.0.1:9", realm: "alpha", auth: { method: "bearer", tokenEnv: "T" } }, objects: {} });
  /** `sync` with nothing to do prints one dimmed line on stderr and calls no tenant. */
  const nothingToDo = (env: Record<string, string>) => runCli(["sync"], { CDKTF_AIC_DESIRED: journal, CDKTF_AIC_PREVIOUS: journal, ...env }, scratchDir());

  it("is off when the output is not a terminal", async () => {
    const r = await nothingToDo({});
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^= http:\/\/127\.0\.0\.1:9 \(realm alpha\): 0 objects as applied, nothing to do\n$/);
  });

  it("is on with FORCE_COLOR, even with NO_COLOR (as in Node.js), and off with FORCE_COLOR=0", async () => {
    expect((await nothingToDo({ FORCE_COLOR: "1" })).stderr).toMatch(/^\u001b\[2m= .*nothing to do\u001b\[0m\n$/);
    expect((await nothingToDo({ FORCE_COLOR: "1", NO_COLOR: "1" })).stderr).toContain(ESC);
    expect((await nothingToDo({ FORCE_COLOR: "0" })).stderr).not.toContain(ESC);
  });

  it("is on for a terminal unless NO_COLOR is set or TERM is dumb", () => {
    const tty = { isTTY: true };
    expect(colourful(tty, {})).toBe(true);
    expect(colourful(tty, { NO_COLOR: "1" })).toBe(false);
    expect(colourful(tty, { TERM: "dumb" })).toBe(false);
    expect(colourful({ isTTY: false }, {})).toBe(false);
  });
});
