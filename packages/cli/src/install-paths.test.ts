import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKOUT_ROOT, CLI_DIR, CLUSTERS_DIR } from "./install-paths.ts";

describe("install paths (run from the checkout's sources)", () => {
  it("finds the CLI package, the checkout and its cluster profiles", () => {
    const repo = resolve(import.meta.dirname, "../../..");
    expect(CLI_DIR).toBe(join(repo, "packages", "cli"));
    expect(CHECKOUT_ROOT).toBe(repo);
    expect(CLUSTERS_DIR).toBe(join(repo, "clusters"));
  });
});
