import { defineConfig } from "vitest/config";

// Integration and end-to-end tests: test/ talks to the real local stack (Slurm, Redis, sshd). Those
// share one Slurm cluster, so files run one at a time. Unit tests live beside the code and run per
// package through turbo (vitest.unit.config.ts); `npx vitest run packages/x` still runs them here too.
export default defineConfig({
  test: {
    include:
      process.env["NEOXCTL_UNIT_HERE"] === "0"
        ? ["test/**/*.test.ts"]
        : ["packages/*/src/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["test/cli/build-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]]
  }
});
