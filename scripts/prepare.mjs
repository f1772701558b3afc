// `prepare` (npm install, npm ci, npm pack): builds dist/ (the CLI bundle and the construct library).
// One exception: `npm exec cdktf-aic` / `npx cdktf-aic` inside this repository. npm runs a package's
// own bin by linking the folder into its npx cache, and that link runs `prepare` again, which would
// rebuild dist/ (tens of seconds) before the first command. When dist/ is already built there, the
// command runs it as it is (`npm run build` rebuilds it).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const built = ["dist/cli/cdktf-aic.mjs", "dist/lib/constructs/index.js"].every((f) => existsSync(join(root, f)));
if (process.env.npm_command === "exec" && built) process.exit(0);

const run = (args) => execFileSync(process.execPath, args, { cwd: root, stdio: "inherit" });
run([join(root, "scripts", "build.mjs")]);
run([join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"]);
