import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { SpecError, StateError, parseClusterProfile, parseRunSpec } from "@neoxctl/core";
import type { ClusterProfile, RunSpec } from "@neoxctl/core";
import { planRun, renderAttempt } from "@neoxctl/plan";
import { REPO_ROOT } from "../support/targets.ts";
import { applyMutation, mutationsOf, textAttacks } from "./adversarial.ts";
import { sbatchShapeProblems } from "./sbatch-check.ts";
import { openRoundTrip, renderFromRedis } from "./redis-roundtrip.ts";
import type { RoundTrip } from "./redis-roundtrip.ts";

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
const goodLumi = parseClusterProfile(stringify(lumiProfile), "lumi.yaml");
const RUN_DIR = "/tmp/neoxctl-fuzz/run";

let rt: RoundTrip;
beforeAll(async () => {
  rt = await openRoundTrip("spec-fuzz");
});
afterAll(async () => rt.cleanup());

interface Tally {
  cases: number;
  accepted: number;
  specErrors: number;
  planned: number;
  rendered: number;
  sbatchChecked: number;
  /** renders from the planInput written to Redis and read back as the supervisor reads it */
  redisRerendered: number;
  /** stored records the store itself refused as corrupt (not of the planInput shape), naming the field */
  corruptRecords: number;
}
const tallies: Record<string, Tally> = {};
function tally(name: string): Tally {
  return (tallies[name] ??= {
    cases: 0,
    accepted: 0,
    specErrors: 0,
    planned: 0,
    rendered: 0,
    sbatchChecked: 0,
    redisRerendered: 0,
    corruptRecords: 0
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

/**
 * Plans and renders attempt 1 (and a resume), then checks the batch script's shape. The resume is
 * rendered a second time the way the supervisor renders it: from the planInput written to Redis and
 * read back, which must give the same files.
 */
async function planAndRender(t: Tally, spec: RunSpec, profile: ClusterProfile): Promise<void> {
  try {
    const input = {
      spec,
      profile,
      manifest: spec.data.inline ?? {
        datasets: [{ path: "/x/y_text_document", language: "eng_Latn", tokens: 1000, tier: "high" as const }]
      },
      repoRoot: REPO_ROOT
    };
    const plan = planRun({ ...input, runDir: RUN_DIR });
    t.planned++;
    const resume = { load: { kind: "resume" as const }, seed: spec.training.seed, excludeNodes: ["nid001"] };
    let resumed: Record<string, string> = {};
    for (const attempt of [
      { index: 1, runId: spec.name, load: { kind: "init" as const }, excludeNodes: [] },
      { index: 2, runId: spec.name, ...resume }
    ]) {
      const { files } = renderAttempt(plan, attempt);
      t.rendered++;
      expect(sbatchShapeProblems(files["job.sbatch"]!)).toEqual([]);
      t.sbatchChecked++;
      resumed = files;
    }
    const again = await renderFromRedis(rt, input, {
      runId: spec.name,
      runDir: RUN_DIR,
      index: 2,
      params: { ...resume, lr: spec.training.lr }
    });
    expect(again).toEqual(resumed);
    t.redisRerendered++;
  } catch (err) {
    if (err instanceof SpecError) t.specErrors++;
    expectSpecError(err, true);
  }
}

/** A planInput changed in Redis: the supervisor's render refuses it with field paths, or its script is sound. */
async function storedInputCase(t: Tally, planInput: unknown): Promise<void> {
  t.cases++;
  try {
    const files = await renderFromRedis(rt, planInput, {
      runId: "stored-fuzz",
      runDir: RUN_DIR,
      index: 2,
      params: { load: { kind: "resume" }, lr: 0.0001, seed: 1234, excludeNodes: ["nid001"] }
    });
    t.accepted++;
    t.rendered++;
    t.redisRerendered++;
    expect(sbatchShapeProblems(files["job.sbatch"]!)).toEqual([]);
    t.sbatchChecked++;
  } catch (err) {
    // reading the run back, the store refuses a planInput that is not even of its stored shape
    // (spec, profile, manifest): a corrupt record, reported with the field that breaks it
    if (err instanceof StateError && err.code === "CORRUPT_RECORD") {
      t.corruptRecords++;
      expect(err.message).toMatch(/^unreadable planInput record \S+: [\w.[\]]+: /);
      return;
    }
    if (err instanceof SpecError) t.specErrors++;
    expectSpecError(err, true);
  }
}

async function runSpecCase(
  t: Tally,
  text: string,
  profile: ClusterProfile,
  rootIsObject: boolean
): Promise<void> {
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
  await planAndRender(t, spec, profile);
}

async function profileCase(t: Tally, text: string, rootIsObject: boolean): Promise<void> {
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
  await planAndRender(t, goodSpec, profile);
}

describe("generated bad input: run specs and cluster profiles", () => {
  it(`mutated run specs (${RUNS} cases): only SpecErrors, each naming its field`, async () => {
    const t = tally("run spec mutations");
    await fc.assert(
      fc.asyncProperty(mutationsOf(baseSpec), async (ms) => {
        const doc = ms.reduce(applyMutation, baseSpec);
        await runSpecCase(t, stringify(doc), goodLocal, true);
      }),
      { numRuns: RUNS, seed: SEED }
    );
    expect(t.cases).toBe(RUNS);
  });

  it(`mutated cluster profiles, local and LUMI (${RUNS} cases)`, async () => {
    const t = tally("cluster profile mutations");
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(localProfile, lumiProfile)
          .chain((base) => mutationsOf(base).map((ms) => ms.reduce(applyMutation, base))),
        async (doc) => {
          await profileCase(t, stringify(doc), true);
        }
      ),
      { numRuns: RUNS, seed: SEED + 1 }
    );
    expect(t.cases).toBe(RUNS);
  });

  it(`raw-text attacks (alias bombs, duplicate keys, deep nesting, tags, truncation, byte flips) (${RUNS} cases)`, async () => {
    const t = tally("raw YAML attacks");
    const profileText = stringify(localProfile);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          textAttacks(specYaml).map((s) => ["spec", s] as const),
          textAttacks(profileText).map((s) => ["profile", s] as const)
        ),
        async ([kind, text]) => {
          // a truncated or flipped document may no longer be a mapping at the root: then "" is the right path
          let rootIsObject = false;
          try {
            const v: unknown = parse(text, { maxAliasCount: 100, uniqueKeys: false, logLevel: "error" });
            rootIsObject = v !== null && typeof v === "object" && !Array.isArray(v);
          } catch {
            rootIsObject = false;
          }
          if (kind === "spec") await runSpecCase(t, text, goodLocal, rootIsObject);
          else await profileCase(t, text, rootIsObject);
        }
      ),
      { numRuns: RUNS, seed: SEED + 2 }
    );
    expect(t.cases).toBe(RUNS);
  });

  // Redis is a trust boundary: the same mutations applied to the planInput record the supervisor reads back
  it(`mutated planInput records in Redis, local and LUMI (${RUNS} cases): refused at a field path or a sound script`, async () => {
    const t = tally("planInput mutations in Redis");
    const stored = (profile: ClusterProfile): Json =>
      JSON.parse(
        JSON.stringify({ spec: goodSpec, profile, manifest: goodSpec.data.inline, repoRoot: REPO_ROOT })
      ) as Json;
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(stored(goodLocal), stored(goodLumi))
          .chain((base) => mutationsOf(base).map((ms) => ms.reduce(applyMutation, base))),
        async (doc) => {
          await storedInputCase(t, doc);
        }
      ),
      { numRuns: RUNS, seed: SEED + 3 }
    );
    expect(t.cases).toBe(RUNS);
    // the property means something only if some records still rendered and some were refused
    expect(t.redisRerendered).toBeGreaterThan(0);
    expect(t.specErrors).toBeGreaterThan(0);
  });

  it("records the counts", () => {
    const dir = join(REPO_ROOT, "test-results", "reliability");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "spec-fuzz.json"),
      JSON.stringify({ seed: SEED, runsPerProperty: RUNS, tallies }, null, 2) + "\n"
    );
    expect(Object.values(tallies).reduce((n, x) => n + x.cases, 0)).toBe(4 * RUNS);
  });
});
