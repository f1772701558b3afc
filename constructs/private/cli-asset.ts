/**
 * The bundled CLI (dist/cli: an entry and the chunks it loads), shipped into every stack as a TerraformAsset so that the
 * synthesized stack runs with Node.js and Terraform alone: no node_modules, no absolute paths.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { IConstruct } from "constructs";
import { AssetType, TerraformAsset, TerraformStack } from "cdktf";
import { VALIDATION_CODES, ValidationError } from "../errors";

const PACKAGE_NAME = "cdktf-aic";
const BUNDLE_DIR = join("dist", "cli");
const ENTRY = "cdktf-aic.mjs";
const ASSET_ID = "CdktfAicCli";

/**
 * The CLI's path relative to the Terraform working directory of the stack of `scope`; the asset
 * is added to the stack on first use.
 */
export function cliAssetPath(scope: IConstruct): string {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(ASSET_ID);
  if (existing instanceof TerraformAsset) return `${existing.path}/${ENTRY}`;
  const pkg = findPackageRoot();
  const bundle = join(pkg.root, BUNDLE_DIR);
  if (!existsSync(join(bundle, ENTRY))) {
    throw ValidationError.of(scope, VALIDATION_CODES.cliNotBuilt, {
      problem: "the bundled CLI the provisioners run is missing",
      received: join(BUNDLE_DIR, ENTRY),
      allowed: `the folder ${BUNDLE_DIR} inside the ${PACKAGE_NAME} package`,
      fix: "run `npm run build` in the cdktf-aic package",
    });
  }
  // A fixed hash (the package version) keeps the asset path, and so the plan, stable across
  // rebuilds of the same version; the file itself is copied afresh on every synth.
  const asset = new TerraformAsset(stack, ASSET_ID, { path: bundle, type: AssetType.DIRECTORY, assetHash: `v${pkg.version}` });
  return `${asset.path}/${ENTRY}`;
}

/** The folder of the cdktf-aic package.json, found from this file upwards (source or installed). */
function findPackageRoot(): { root: string; version: string } {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME) return { root: dir, version: pkg.version ?? "0.0.0" };
    }
    if (dirname(dir) === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package.json above the construct library`);
  }
}
