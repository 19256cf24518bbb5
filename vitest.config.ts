import { defineConfig } from "vitest/config";

// Unit tests live beside the code; integration and end-to-end tests live in test/ and talk to the
// real local stack (Slurm, Redis, sshd). Those share one Slurm cluster, so files run one at a time.
export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["test/cli/build-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]]
  }
});
