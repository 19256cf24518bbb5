import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { SpecError, parseClusterProfile, parseRunSpec } from "@neoxctl/core";
import type { ClusterProfile, RunSpec } from "@neoxctl/core";
import { planRun, renderAttempt } from "@neoxctl/plan";
import { REPO_ROOT } from "../support/targets.ts";
import { applyMutation, mutationsOf, textAttacks } from "./adversarial.ts";
import { sbatchShapeProblems } from "./sbatch-check.ts";

// Runs per property; NEOXCTL_LONG_TESTS=1 multiplies them by ten.
const RUNS = process.env.NEOXCTL_LONG_TESTS === "1" ? 10_000 : 1_000;
const SEED = Number(process.env.NEOXCTL_FUZZ_SEED ?? 8_0001);

type Json = Record<string, unknown>;
const read = (rel: string): string => readFileSync(join(REPO_ROOT, rel), "utf8");
const specYaml = read("examples/local-demo.yaml");
const baseSpec = parse(specYaml) as Json;
(baseSpec["cluster"] as Json)["account"] = "project_462000000";
const localProfile = parse(read("clusters/local.yaml")) as Json;
const lumiProfile = parse(read("clusters/lumi.yaml")) as Json;
const goodSpec = parseRunSpec(stringify(baseSpec), "base.yaml");
const goodLocal = parseClusterProfile(stringify(localProfile), "local.yaml");

interface Tally {
  cases: number;
  accepted: number;
  specErrors: number;
  planned: number;
  rendered: number;
  sbatchChecked: number;
}
const tallies: Record<string, Tally> = {};
function tally(name: string): Tally {
  return (tallies[name] ??= {
    cases: 0,
    accepted: 0,
    specErrors: 0,
    planned: 0,
    rendered: 0,
    sbatchChecked: 0
  });
}

/** Anything but a SpecError escaping is a crash; a SpecError must name a field for a field's fault. */
function expectSpecError(err: unknown, rootIsObject: boolean): void {
  if (!(err instanceof SpecError))
    throw new Error(
      `crash: ${err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err)}`
    );
  expect(err.issues.length).toBeGreaterThan(0);
  for (const issue of err.issues) {
    expect(typeof issue.path).toBe("string");
    expect(issue.rule.length).toBeGreaterThan(0);
    expect(issue.received.length).toBeLessThanOrEqual(80);
    if (err.code === "SPEC_INVALID" && rootIsObject) expect(issue.path, JSON.stringify(issue)).not.toBe("");
  }
}

/** Plans and renders attempt 1 (and a resume), then checks the batch script's shape. */
function planAndRender(t: Tally, spec: RunSpec, profile: ClusterProfile): void {
  try {
    const plan = planRun({
      spec,
      profile,
      manifest: spec.data.inline ?? {
        datasets: [{ path: "x/y_text_document", language: "eng_Latn", tokens: 1000, tier: "high" }]
      },
      repoRoot: REPO_ROOT,
      runDir: "/tmp/neoxctl-fuzz/run"
    });
    t.planned++;
    for (const attempt of [
      { index: 1, runId: spec.name, load: { kind: "init" as const }, excludeNodes: [] },
      { index: 2, runId: spec.name, load: { kind: "resume" as const }, excludeNodes: ["nid001"] }
    ]) {
      const { files } = renderAttempt(plan, attempt);
      t.rendered++;
      expect(sbatchShapeProblems(files["job.sbatch"]!)).toEqual([]);
      t.sbatchChecked++;
    }
  } catch (err) {
    if (err instanceof SpecError) t.specErrors++;
    expectSpecError(err, true);
  }
}

function runSpecCase(t: Tally, text: string, profile: ClusterProfile, rootIsObject: boolean): void {
  t.cases++;
  let spec: RunSpec;
  try {
    spec = parseRunSpec(text, "fuzz.yaml");
  } catch (err) {
    t.specErrors++;
    expectSpecError(err, rootIsObject);
    return;
  }
  t.accepted++;
  planAndRender(t, spec, profile);
}

function profileCase(t: Tally, text: string, rootIsObject: boolean): void {
  t.cases++;
  let profile: ClusterProfile;
  try {
    profile = parseClusterProfile(text, "fuzz-profile.yaml");
  } catch (err) {
    t.specErrors++;
    expectSpecError(err, rootIsObject);
    return;
  }
  t.accepted++;
  planAndRender(t, goodSpec, profile);
}

describe("generated bad input: run specs and cluster profiles", () => {
  it(`mutated run specs (${RUNS} cases): only SpecErrors, each naming its field`, () => {
    const t = tally("run spec mutations");
    fc.assert(
      fc.property(mutationsOf(baseSpec), (ms) => {
        const doc = ms.reduce(applyMutation, baseSpec);
        runSpecCase(t, stringify(doc), goodLocal, true);
      }),
      { numRuns: RUNS, seed: SEED }
    );
    expect(t.cases).toBe(RUNS);
  });

  it(`mutated cluster profiles, local and LUMI (${RUNS} cases)`, () => {
    const t = tally("cluster profile mutations");
    fc.assert(
      fc.property(
        fc
          .constantFrom(localProfile, lumiProfile)
          .chain((base) => mutationsOf(base).map((ms) => ms.reduce(applyMutation, base))),
        (doc) => {
          profileCase(t, stringify(doc), true);
        }
      ),
      { numRuns: RUNS, seed: SEED + 1 }
    );
    expect(t.cases).toBe(RUNS);
  });

  it(`raw-text attacks (alias bombs, duplicate keys, deep nesting, tags, truncation, byte flips) (${RUNS} cases)`, () => {
    const t = tally("raw YAML attacks");
    const profileText = stringify(localProfile);
    fc.assert(
      fc.property(
        fc.oneof(
          textAttacks(specYaml).map((s) => ["spec", s] as const),
          textAttacks(profileText).map((s) => ["profile", s] as const)
        ),
        ([kind, text]) => {
          // a truncated or flipped document may no longer be a mapping at the root: then "" is the right path
          let rootIsObject = false;
          try {
            const v: unknown = parse(text, { maxAliasCount: 100, uniqueKeys: false, logLevel: "error" });
            rootIsObject = v !== null && typeof v === "object" && !Array.isArray(v);
          } catch {
            rootIsObject = false;
          }
          if (kind === "spec") runSpecCase(t, text, goodLocal, rootIsObject);
          else profileCase(t, text, rootIsObject);
        }
      ),
      { numRuns: RUNS, seed: SEED + 2 }
    );
    expect(t.cases).toBe(RUNS);
  });

  it("records the counts", () => {
    const dir = join(REPO_ROOT, "test-results", "reliability");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "spec-fuzz.json"),
      JSON.stringify({ seed: SEED, runsPerProperty: RUNS, tallies }, null, 2) + "\n"
    );
    expect(Object.values(tallies).reduce((n, x) => n + x.cases, 0)).toBe(3 * RUNS);
  });
});
