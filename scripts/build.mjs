// Bundles the CLI (src/cli/main.ts) into dist/cli/: a small entry, cdktf-aic.mjs, and one chunk
// per sub-command plus the chunks they share, loaded on demand. `--help` loads the entry alone, and a
// provisioner run loads only what its command needs. The constructs ship the folder as a
// TerraformAsset, so a synthesized stack needs only Node.js.
import { build } from "esbuild";
import { chmodSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist", "cli");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { "cdktf-aic": join(root, "src", "cli", "main.ts") },
  outdir,
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  platform: "node",
  target: "node20",
  format: "esm",
  minify: true,
  legalComments: "none",
  // CommonJS dependencies (undici, zod's CJS build) call require(): give the ESM bundle one.
  banner: {
    js: '#!/usr/bin/env node\nimport { createRequire as __cdktfAicCreateRequire } from "node:module"; const require = __cdktfAicCreateRequire(import.meta.url);',
  },
  // `cdktf-aic --version`: the bundle ships without package.json (the stack's asset).
  define: { CDKTF_AIC_VERSION: JSON.stringify(version) },
  logLevel: "warning",
});
chmodSync(join(outdir, "cdktf-aic.mjs"), 0o755);
