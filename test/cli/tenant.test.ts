/**
 * `cdktf-aic tenant`, as a user starts it in their project: defaults for the port and the files,
 * an owner-only connection file, a clean stop, and `--print-env`, whose lines are checked by using
 * them (a command that reads the tenant with them), never by printing them.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { TenantConnection } from "../../src/contract/connection";
import { EMBEDDED_TENANT_URL } from "../../src/contract/constants";
import { mintAdminToken } from "../emulator/helpers";
import { scratchDir } from "../support/scratch";
import { CLI, requireCli, runCli } from "./run";

beforeAll(() => requireCli());

/** Starts the tenant; resolves with its first stdout line (the base URL), or rejects with what it said when it exits first. */
function startTenant(args: string[], cwd: string): { child: ChildProcessWithoutNullStreams; url: Promise<string> } {
  const child = spawn(process.execPath, [CLI, "tenant", ...args], { cwd, env: { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR } });
  const url = new Promise<string>((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve(out.trim());
    });
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => reject(new Error(`exit ${code}: ${err}`)));
  });
  return { child, url };
}

async function stop(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  child.kill("SIGTERM");
  return exited;
}

describe("cdktf-aic tenant", () => {
  it("writes an owner-only connection file and its state under .cdktf-aic (which ignores itself in git), and stops cleanly on SIGTERM", async () => {
    const dir = scratchDir();
    const { child, url } = startTenant(["--port", "0"], dir);
    try {
      const baseUrl = await url;
      expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const file = join(dir, ".cdktf-aic", "tenant.json");
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const connection = TenantConnection.parse(JSON.parse(readFileSync(file, "utf8")));
      expect(connection.baseUrl).toBe(baseUrl);
      expect(await mintAdminToken(connection)).toEqual(expect.any(String));
      expect(readFileSync(join(dir, ".cdktf-aic", ".gitignore"), "utf8")).toBe("*\n");
    } finally {
      expect(await stop(child)).toBe(0);
    }
    expect(existsSync(join(dir, ".cdktf-aic", "tenant-state.json"))).toBe(true);
  });

  it(`listens on ${EMBEDDED_TENANT_URL} (where main.ts points) without --port`, async () => {
    const dir = scratchDir();
    const { child, url } = startTenant([], dir);
    // Another embedded tenant (npm start, say) may hold the port: then the error names it.
    const answer = await url.catch((e: Error) => e.message);
    await stop(child);
    expect(answer).toMatch(new RegExp(`^(${EMBEDDED_TENANT_URL}|exit 1: cdktf-aic tenant: port ${new URL(EMBEDDED_TENANT_URL).port} is taken .*)$`, "s"));
  });

  it("--print-env gives the environment a stack and verify need: export reads the tenant with it", async () => {
    const dir = scratchDir();
    const { child, url } = startTenant(["--port", "0", "--connection-file", "conn.json"], dir);
    try {
      const baseUrl = await url;
      // The lines go straight into the shell that runs the next command; nothing here prints them.
      const script = `eval "$("${process.execPath}" "${CLI}" tenant --print-env --connection-file conn.json)" && test "$AIC_BASE_URL" = "${baseUrl}" && test "$VERIFY_USERNAME" = barbara.jensen && "${process.execPath}" "${CLI}" export > /dev/null`;
      const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const sh = spawn("sh", ["-c", script], { cwd: dir, env: { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR, CDKTF_AIC_TOKEN_CACHE_DIR: dir } });
        let stderr = "";
        sh.stderr.on("data", (d) => (stderr += d));
        sh.on("close", (status) => resolve({ status, stderr }));
      });
      // An authenticated read of the whole realm (the seed holds no app yet).
      expect(r.stderr).toMatch(new RegExp(`^\\[export\\] read ${baseUrl.replace(/[.]/g, "\\.")} \\(realm alpha\\) in [1-9]\\d* admin calls, [\\d.]+ s: 0 web app\\(s\\), 0 AI agent\\(s\\), 0 grant\\(s\\) exported, 0 skipped\\n$`));
      expect(r.status).toBe(0);
    } finally {
      await stop(child);
    }
  });

  it("--print-env without a connection file says how to start the tenant", async () => {
    const r = await runCli(["tenant", "--print-env"], {}, scratchDir());
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("cdktf-aic tenant: no connection file at .cdktf-aic/tenant.json: start the tenant first (cdktf-aic tenant), in this directory or with --connection-file .cdktf-aic/tenant.json\n");
  });
});
