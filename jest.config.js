/** Tests run the real components: the embedded tenant over HTTP, the bundled CLI, real Terraform. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // Chooses the Terraform engine once per run (scripts/engine.ts).
  globalSetup: "<rootDir>/test/e2e/engine-setup.ts",
  transform: {
    "^.+\\.tsx?$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: { warnOnly: false } }],
    // jose ships ESM only; let ts-jest turn it into CommonJS for the test runtime.
    "^.+\\.js$": ["ts-jest", { tsconfig: { allowJs: true, module: "commonjs" }, diagnostics: false }],
  },
  transformIgnorePatterns: ["/node_modules/(?!jose/)"],
  testTimeout: 60000,
  maxWorkers: 2,
};
