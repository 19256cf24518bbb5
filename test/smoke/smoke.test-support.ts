import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseClusterProfile, parseRunSpec } from "@neoxctl/core";
import { writeConvertedCheckpoint } from "@neoxctl/emulator";
import { dataPrefixes, planRun } from "@neoxctl/plan";
import type { Span } from "@neoxctl/plan";
import { touchDataFiles } from "../emulator/harness.ts";

export const REPO = resolve(import.meta.dirname, "../..");
export const CLI = join(REPO, "packages/cli/bin/neoxctl.js");

export interface SmokeFixture {
  root: string;
  specPath: string;
  /** the run's expected seconds per step (the canary keeps each GCD's work per step) */
  expected: Span;
}

/**
 * A local-demo run under a fresh directory (its own checkpoints, data and emulator state), with
 * the init checkpoint and data files in place, unless `withInit` is false.
 */
export function smokeFixture(name: string, opts: { withInit?: boolean } = {}): SmokeFixture {
  const root = mkdtempSync(`/tmp/neoxctl-smoke-${name}-`);
  const specText = readFileSync(join(REPO, "examples/local-demo.yaml"), "utf8")
    .replaceAll("/tmp/neoxctl-demo", root)
    .replace("name: local-demo", `name: ${name}`);
  const specPath = join(root, "spec.yaml");
  writeFileSync(specPath, specText);
  const spec = parseRunSpec(specText, specPath);
  const profile = parseClusterProfile(readFileSync(join(REPO, "clusters/local.yaml"), "utf8"), "local.yaml");
  const plan = planRun({ spec, profile, manifest: spec.data.inline!, repoRoot: REPO, runDir: root });
  if (opts.withInit !== false) writeConvertedCheckpoint(spec.init.checkpoint, spec.parallelism.tp);
  touchDataFiles(dataPrefixes(plan));
  mkdirSync(join(root, "runs"), { recursive: true });
  return { root, specPath, expected: plan.estimates.timing!.stepS };
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the compiled CLI without blocking the test's event loop. */
export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO,
      env: { ...process.env, NEOX_EMU_SAVE_MS: "5", ...env }
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", fail);
    child.on("close", (status) => done({ status, stdout, stderr }));
  });
}
