/** Tests run the real components: the embedded tenant over HTTP, the bundled CLI, real Terraform. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.tsx?$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: { warnOnly: false } }],
    // jose, openid-client and oauth4webapi ship ESM only; ts-jest turns them into CommonJS for the test runtime.
    "^.+\\.js$": ["ts-jest", { tsconfig: { allowJs: true, module: "commonjs" }, diagnostics: false }],
  },
  transformIgnorePatterns: ["/node_modules/(?!(jose|openid-client|oauth4webapi)/)"],
  testTimeout: 60000,
  // Each run gets its own temp dir and must leave it empty (test/support/temp-check.ts); the
  // Terraform engine is chosen once per run (test/e2e/engine-setup.ts).
  globalSetup: "<rootDir>/test/support/global-setup.ts",
  globalTeardown: "<rootDir>/test/support/global-teardown.ts",
  maxWorkers: 2,
};
