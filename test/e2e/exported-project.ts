/**
 * A project folder for a file `cdktf-aic export` wrote (`tenant.ts` in a workspace): compiled,
 * synthesized and planned as its user would (the export e2e tests share these steps).
 */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PlanReport } from "../../src/plan/schema";
import { REPO, type Workspace } from "./harness";

/** The repository's node_modules and a tsconfig extending its own, for `tenant.ts`. */
export function prepareProject(ws: Workspace): void {
  if (!existsSync(join(ws.dir, "node_modules"))) symlinkSync(join(REPO, "node_modules"), join(ws.dir, "node_modules"), "dir");
  writeFileSync(
    join(ws.dir, "tsconfig.json"),
    JSON.stringify({ extends: join(REPO, "tsconfig.json"), compilerOptions: { rootDir: "/", noEmit: true }, include: ["tenant.ts"] }),
  );
}

/** `tsc -p` of the project. */
export function compileProject(ws: Workspace) {
  return ws.run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(ws.dir, "tsconfig.json")], ws.dir);
}

/** Synthesizes the exported file as `cdktf synth` would run it (tsx, in the project folder). */
export async function synthFile(ws: Workspace, baseUrl: string) {
  // tsx keeps a cache in the temp dir and never removes it: give it one inside the workspace.
  const tmp = join(ws.dir, "tmp");
  mkdirSync(tmp, { recursive: true });
  const r = await ws.run(process.execPath, [require.resolve("tsx/cli"), "tenant.ts"], ws.dir, { AIC_BASE_URL: baseUrl, TMPDIR: tmp });
  if (r.status !== 0) throw new Error(`synth of the exported file failed:\n${r.output}`);
  return r;
}

/** `cdktf-aic plan --format json` of the synthesized project. */
export async function planJson(ws: Workspace): Promise<PlanReport> {
  const r = await ws.cli(["plan", "--format", "json"]);
  if (r.status !== 0) throw new Error(`plan failed:\n${r.output}`);
  return PlanReport.parse(JSON.parse(r.stdout));
}
