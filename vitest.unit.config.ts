import { defineConfig } from "vitest/config";

// One package's unit tests, run from the package's folder by its `test` script (turbo runs them per
// package and caches the result). Integration and end-to-end tests run from the root config.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]]
  }
});
