import { buildCli } from "../../scripts/build-cli.ts";

/**
 * Vitest global setup: compiles the CLI before any test runs, so tests that start
 * packages/cli/bin/neoxctl.js exercise the current sources, never a stale dist/.
 */
export default async function setup(): Promise<void> {
  await buildCli();
}
