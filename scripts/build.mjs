// Bundles the CLI (src/cli/main.ts) into one self-contained file, dist/cdktf-aic.cjs.
// The constructs ship this file as a TerraformAsset, so a synthesized stack needs only Node.js.
import { build } from "esbuild";
import { chmodSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outfile = join(root, "dist", "cdktf-aic.cjs");
await build({
  entryPoints: [join(root, "src", "cli", "main.ts")],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: true,
  legalComments: "none",
  banner: { js: "#!/usr/bin/env node" },
  logLevel: "warning",
});
chmodSync(outfile, 0o755);
