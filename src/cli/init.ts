/**
 * `cdktf-aic init [dir]`: scaffolds a project of the user's own: package.json (cdktf or cdktn,
 * constructs, this package), cdktf.json, tsconfig.json, main.ts (the seed's example), a CI
 * workflow, .gitignore and a short README.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { LOCAL_DIR } from "../contract/constants";
import { CliError } from "../contract/errors";
import { parseOptions } from "./args";
import { err, out } from "./output";

const HELP = `Usage: cdktf-aic init [dir] [options]
Scaffolds a project that declares a tenant with this package, in dir (default: the current
directory, which must not hold a package.json yet): package.json, cdktf.json, tsconfig.json,
main.ts (the on-behalf-of example), .github/workflows/tenant.yml (type-check, synth, plan summary,
apply on main, verify), .gitignore and README.md. Then: npm install.

  --cdktn          depend on cdktn (the maintained fork of cdktf) under the name cdktf
  --from SOURCE    where this package comes from: a folder (a clone, built) or a tarball (npm pack);
                   it is packed into vendor/ so that CI installs the same copy
                   (default: the clone this command runs from; the registry when installed from it)

Exit codes: 0 scaffolded; 1 error (dir holds a project already, SOURCE is not this package).`;

interface PackageJson {
  name?: string;
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
}

/** This package's own folder: the bundle runs from <root>/dist/cli. */
function packageRoot(): string {
  return resolve(dirname(realpathSync(process.argv[1])), "..", "..");
}

function readPackage(root: string): PackageJson {
  const file = join(root, "package.json");
  const pkg = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as PackageJson) : undefined;
  if (pkg?.name !== "cdktf-aic") throw new CliError(`${root} is not the cdktf-aic package (no package.json named cdktf-aic)`);
  return pkg;
}

/**
 * The dependency spec of this package. A folder is packed (not linked: a link would resolve
 * `cdktf` from the clone's own node_modules, a second copy beside the project's) into vendor/.
 */
function packageSpec(dir: string, from: string | undefined, self: { root: string; version: string }): string {
  const source = from === undefined ? self.root : resolve(from);
  if (from === undefined && source.split(/[\\/]/).includes("node_modules")) return `^${self.version}`;
  const vendor = join(dir, "vendor");
  mkdirSync(vendor, { recursive: true });
  if (!statSync(source, { throwIfNoEntry: false })) throw new CliError(`--from ${from}: no such file or folder`);
  let tarball: string;
  if (statSync(source).isDirectory()) {
    readPackage(source);
    if (!existsSync(join(source, "dist", "lib", "constructs", "index.js"))) throw new CliError(`${source} is not built: run npm install (or npm run build) there first`);
    const packed = spawnSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", vendor], { cwd: source, encoding: "utf8" });
    if (packed.status !== 0) throw new CliError(`npm pack in ${source} failed: ${packed.stderr.trim()}`);
    tarball = join(vendor, packed.stdout.trim().split("\n").pop()!);
  } else {
    tarball = join(vendor, basename(source));
    copyFileSync(source, tarball);
  }
  return `file:${relative(dir, tarball).split("\\").join("/")}`;
}

function packageJson(name: string, spec: string, self: PackageJson, cdktn: boolean): object {
  const dev = self.devDependencies;
  return {
    name,
    private: true,
    scripts: {
      synth: "tsx main.ts",
      typecheck: "tsc --noEmit",
      tenant: "cdktf-aic tenant",
    },
    dependencies: {
      cdktf: cdktn ? `npm:cdktn@${dev.cdktn}` : self.peerDependencies.cdktf,
      "cdktf-aic": spec,
      // cdktn 0.24 needs constructs below 10.8.
      constructs: dev.constructs,
    },
    devDependencies: { "@types/node": dev["@types/node"], tsx: dev.tsx, typescript: dev.typescript },
    // Every package that imports cdktf (this one, @cdktf/provider-null) gets the same cdktn.
    ...(cdktn ? { overrides: { cdktf: "$cdktf" } } : {}),
  };
}

const CDKTF_JSON = { language: "typescript", app: "npx tsx main.ts", sendCrashReports: "false", terraformProviders: [], terraformModules: [], context: {} };

const TSCONFIG = {
  compilerOptions: { target: "ES2022", module: "commonjs", lib: ["ES2022"], types: ["node"], strict: true, esModuleInterop: true, skipLibCheck: true, noEmit: true },
  include: ["main.ts"],
};

const GITIGNORE = ["node_modules/", "cdktf.out/", `${LOCAL_DIR}/`, ".terraform/", "*.tfstate", "*.tfstate.*", ""].join("\n");

const WORKFLOW = `# Plan on every pull request, apply on main (see the cdktf-aic README, "A CI pipeline").
on:
  pull_request:
  push: { branches: [main] }
jobs:
  tenant:
    runs-on: ubuntu-latest
    env:
      AIC_BASE_URL: \${{ vars.AIC_BASE_URL }}
      AIC_SERVICE_ACCOUNT_ID: \${{ secrets.AIC_SERVICE_ACCOUNT_ID }}
      AIC_SERVICE_ACCOUNT_JWK: \${{ secrets.AIC_SERVICE_ACCOUNT_JWK }}
      WEB_APP_CLIENT_SECRET: \${{ secrets.WEB_APP_CLIENT_SECRET }}
      AI_AGENT_CLIENT_SECRET: \${{ secrets.AI_AGENT_CLIENT_SECRET }}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with: { node-version: 20 }
      - uses: hashicorp/setup-terraform@v3
        with: { terraform_wrapper: false }
      - run: npm ci
      - run: npm run typecheck   # tsx does not type-check: a misspelt prop fails here (and at synth)
      - run: npm run synth
      # The default local state is lost with the runner: add a shared backend (e.g. S3Backend) in main.ts.
      - run: terraform init -input=false && terraform plan -input=false -no-color
        working-directory: cdktf.out/stacks/alpha
      - run: |   # the live diff, and drift against the last applied state
          terraform state pull > state.json
          npx cdktf-aic plan --out ../.. --stack alpha --state state.json --format markdown >> "$GITHUB_STEP_SUMMARY"
        working-directory: cdktf.out/stacks/alpha
      - if: github.ref == 'refs/heads/main'
        run: terraform apply -auto-approve -input=false
        working-directory: cdktf.out/stacks/alpha
      - if: github.ref == 'refs/heads/main'
        run: npx cdktf-aic verify --stack alpha
        env:
          VERIFY_USERNAME: \${{ vars.VERIFY_USERNAME }}
          VERIFY_PASSWORD: \${{ secrets.VERIFY_PASSWORD }}
`;

function readme(name: string): string {
  return `# ${name}

The tenant's configuration as code with cdktf-aic: \`main.ts\` declares an OAuth2
provider's grant types, a web app, an AI agent and the grant that lets the agent act for a user.

Try it against the embedded tenant (a local AM/IDM; Terraform or OpenTofu on PATH):

\`\`\`sh
npm install
npx cdktf-aic tenant &                       # http://127.0.0.1:18443, credentials in ${LOCAL_DIR}/tenant.json
eval "$(npx cdktf-aic tenant --print-env)"   # AIC_BASE_URL, the service account, the verify user
export WEB_APP_CLIENT_SECRET=$(openssl rand -hex 16) AI_AGENT_CLIENT_SECRET=$(openssl rand -hex 16)
npm run typecheck && npm run synth
(cd cdktf.out/stacks/alpha && terraform init && terraform apply)
npx cdktf-aic verify --stack alpha           # the on-behalf-of token exchange: PASS
\`\`\`

The Terraform state is kept in \`${LOCAL_DIR}/state/alpha.tfstate\` (outside \`cdktf.out\`, ignored by git).
For a real tenant, set \`AIC_BASE_URL\`, \`AIC_SERVICE_ACCOUNT_ID\` and \`AIC_SERVICE_ACCOUNT_JWK\`, and
keep the state in a shared backend. \`.github/workflows/tenant.yml\` plans every pull request and
applies on main.
`;
}

export async function initCommand(argv: string[]): Promise<number> {
  const args = [...argv];
  const dirArg = args[0] !== undefined && !args[0].startsWith("-") ? args.shift() : undefined;
  const values = parseOptions("init", args, {
    help: { type: "boolean", short: "h" },
    cdktn: { type: "boolean" },
    from: { type: "string" },
  });
  if (values.help) {
    out(HELP);
    return 0;
  }
  const dir = resolve(dirArg ?? ".");
  mkdirSync(dir, { recursive: true });
  const taken = ["package.json", "main.ts", "cdktf.json"].filter((f) => existsSync(join(dir, f)));
  if (taken.length > 0) throw new CliError(`${dir} holds a project already (${taken.join(", ")}): pass an empty or new folder`);
  const root = packageRoot();
  const self = readPackage(root);
  const spec = packageSpec(dir, values.from, { root, version: self.version });
  const name = basename(dir).toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[._-]+/, "") || "tenant";
  const main = readFileSync(join(root, "main.ts"), "utf8").replace('from "./constructs"', 'from "cdktf-aic"');
  const files: [string, string][] = [
    ["package.json", `${JSON.stringify(packageJson(name, spec, self, values.cdktn === true), null, 2)}\n`],
    ["cdktf.json", `${JSON.stringify(CDKTF_JSON, null, 2)}\n`],
    ["tsconfig.json", `${JSON.stringify(TSCONFIG, null, 2)}\n`],
    ["main.ts", main],
    [".github/workflows/tenant.yml", WORKFLOW],
    [".gitignore", GITIGNORE],
    ["README.md", readme(name)],
  ];
  for (const [file, text] of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  const vendored = existsSync(join(dir, "vendor")) ? readdirSync(join(dir, "vendor")).map((f) => `vendor/${f}`) : [];
  err(`cdktf-aic init: wrote ${[...files.map(([f]) => f), ...vendored].join(", ")} in ${dir}`);
  err(`next: cd ${relative(process.cwd(), dir) || "."} && npm install (README.md there says the rest)`);
  return 0;
}
