import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { SpecError, parseClusterProfile, parseRunSpec } from "@neoxctl/core";
import { planRun, renderAttempt } from "@neoxctl/plan";
import { REPO_ROOT } from "../support/targets.ts";
import { injectingText, weirdText } from "./adversarial.ts";
import { sbatchShapeProblems } from "./sbatch-check.ts";
import { openRoundTrip, renderFromRedis } from "./redis-roundtrip.ts";
import type { RoundTrip } from "./redis-roundtrip.ts";

// Every rendered batch script is executed for real, with Slurm and the launchers replaced by stubs that
// record what they were given. A payload that got executed creates the canary file.
const RUNS = process.env.NEOXCTL_LONG_TESTS === "1" ? 3_000 : 300;
const SEED = Number(process.env.NEOXCTL_FUZZ_SEED ?? 8_0001);

type Json = Record<string, unknown>;
const read = (rel: string): string => readFileSync(join(REPO_ROOT, rel), "utf8");
const baseSpec = parse(read("examples/local-demo.yaml")) as Json;
const baseProfile = parse(read("clusters/lumi.yaml")) as Json;

const sandbox = mkdtempSync(join(tmpdir(), "neoxctl-inject-"));
const CANARY = join(sandbox, "CANARY");
const BIN = join(sandbox, "bin");
mkdirSync(BIN);
const RECORD = `#!/bin/bash\n{ printf '%s\\0' "$(basename "$0")" "$@"; } > "$ARGV_LOG"\nenv -0 > "$ENV_LOG"\n`;
for (const [name, body] of Object.entries({
  scontrol: "#!/bin/sh\necho nid001\n",
  // runs the step's command (after srun's own options), like srun on one task
  srun: '#!/bin/bash\nwhile [ "${1:0:1}" = - ]; do shift; done\nexec "$@"\n',
  module: "#!/bin/sh\nexit 0\n",
  make: "#!/bin/sh\nexit 0\n",
  singularity: RECORD,
  node: RECORD
})) {
  writeFileSync(join(BIN, name), body);
  chmodSync(join(BIN, name), 0o755);
}
const CD_STUB = join(sandbox, "cd-stub.sh");
writeFileSync(CD_STUB, "cd() { :; }\n");
// for the rank launcher: the image's activation, the venv and the program are not here; `exec` records
const RANK_STUB = join(sandbox, "rank-stub.sh");
writeFileSync(
  RANK_STUB,
  `cd() { :; }\nsource() { :; }\nexec() { { printf '%s\\0' "$@"; } > "$ARGV_LOG"; env -0 > "$ENV_LOG"; builtin exit 0; }\n`
);

/**
 * The pre-flight's tests of the adversarial paths (which do not exist in the sandbox) always pass;
 * their arguments are still expanded by bash, which is what a payload would need.
 */
function withoutPreflightChecks(script: string): string {
  return script
    .replace(/^neoxctl_need\(\) \{.*\}$/m, "neoxctl_need() { :; }")
    .replace(/^neoxctl_checkpoint\(\) \{$/m, "neoxctl_checkpoint() {\n  return 0");
}
let rt: RoundTrip;
beforeAll(async () => {
  rt = await openRoundTrip("sbatch-injection");
});
afterAll(async () => {
  rmSync(sandbox, { recursive: true, force: true });
  await rt.cleanup();
});

/** What a value looks like after it went through a file and a process boundary. */
function asDelivered(s: string): string {
  return Buffer.from(s.replace(/\0/g, ""), "utf8").toString("utf8");
}

const field = fc.oneof(
  { weight: 3, arbitrary: injectingText(CANARY) },
  { weight: 1, arbitrary: weirdText.filter((s) => s.length < 5000) }
);

/**
 * The same text made an absolute, normalised path (the schemas take nothing else), now and then left
 * raw: a case has a dozen path fields, and one raw value among them is enough to have it refused.
 */
const pathField = fc.oneof(
  {
    weight: 14,
    arbitrary: field.map(
      (s) =>
        "/" +
        s
          .split("/")
          .filter((seg) => seg !== "" && seg !== "." && seg !== "..")
          .join("/")
    )
  },
  { weight: 1, arbitrary: field }
);

const caseArb = fc.record({
  image: pathField,
  binds: fc.array(pathField, { minLength: 1, maxLength: 3 }),
  neoxDir: pathField,
  python: fc.oneof(fc.constantFrom("python", "python3.12"), pathField),
  nodeLocalTmp: pathField,
  envValue: field,
  // written unquoted (`export NAME=`, `SLURM_CPU_BIND=mask_cpu:…`): refused whenever they carry a payload
  envName: fc.oneof(
    { weight: 19, arbitrary: fc.constant("NEOXCTL_FUZZ_VALUE") },
    { weight: 1, arbitrary: field }
  ),
  cpuMask: fc.oneof(
    { weight: 19, arbitrary: fc.constant("0x00fe000000000000") },
    { weight: 1, arbitrary: field }
  ),
  description: field,
  // these four are refused by the schema or the renderer whenever they hold a payload, so they carry one rarely
  partition: fc.oneof({ weight: 9, arbitrary: fc.constant("standard-g") }, { weight: 1, arbitrary: field }),
  account: fc.oneof(
    { weight: 9, arbitrary: fc.constant("project_462000000") },
    { weight: 1, arbitrary: field }
  ),
  extraDirective: fc.oneof(
    { weight: 9, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: field.map((v) => `--comment=${v}`) }
  ),
  save: pathField,
  checkpoint: pathField,
  dataRoot: pathField,
  valid: pathField,
  runDir: fc.oneof(
    { weight: 9, arbitrary: fc.constant("/scratch/p/runs/x") },
    { weight: 1, arbitrary: field }
  )
});

const CONFIGS = join(sandbox, "configs");
mkdirSync(CONFIGS);
const expectedPaths: { dir: string; save: string; load: string; valid: string }[] = [];
const PY_CHECK = String.raw`
import json, os, sys, yaml
problems = []
for case in json.load(sys.stdin):
    merged = {}
    for name in sorted(os.listdir(case["dir"])):  # NeoX merges its config files the same way
        with open(os.path.join(case["dir"], name), encoding="utf8") as f:
            try:
                merged.update(yaml.load(f, Loader=yaml.FullLoader))
            except Exception as e:
                problems.append(case["dir"] + "/" + name + ": " + type(e).__name__ + ": " + str(e)[:200])
    if not merged:
        continue
    v = (merged.get("valid_data_paths") or [None])[0]
    for key, want, got in (("save", case["save"], merged.get("save")), ("load", case["load"], merged.get("load")), ("valid", case["valid"], v)):
        if got != want:
            problems.append(case["dir"] + ": " + key + " read back as " + repr(got)[:120] + " not " + repr(want)[:120])
print(json.dumps(problems))
`;
const tally = {
  pyyamlChecked: 0,
  cases: 0,
  refusedBySchema: 0,
  refusedByRenderer: 0,
  executed: 0,
  launcherReached: 0,
  canaries: 0,
  /** the same case rendered again from its planInput written to Redis and read back (identical script) */
  redisRerendered: 0,
  refusedAt: {} as Record<string, number>,
  /** the raw values written straight into a stored planInput, skipping the YAML schemas */
  stored: { cases: 0, refused: 0, executed: 0, canaries: 0, refusedAt: {} as Record<string, number> }
};

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

/** The case's values put into the LUMI profile and the demo spec, as plain documents (no schema yet). */
function documents(c: Case): { s: Record<string, Json>; p: Json } {
  const p = structuredClone(baseProfile);
  const scheduler = p["scheduler"] as Json;
  p["description"] = c.description;
  scheduler["partition"] = c.partition;
  if (c.extraDirective !== undefined) scheduler["extra_directives"] = [c.extraDirective];
  p["env"] = { ...(p["env"] as Json), [c.envName]: c.envValue };
  p["cpu_bind_masks"] = [c.cpuMask, ...(p["cpu_bind_masks"] as string[]).slice(1)];
  p["container"] = { kind: "singularity", image: c.image, binds: c.binds };
  p["node_local_tmp"] = c.nodeLocalTmp;
  p["launcher"] = { kind: "deepy", neox_dir: c.neoxDir, python: c.python };
  const s = structuredClone(baseSpec) as Record<string, Json>;
  s["cluster"]!["account"] = c.account;
  (s["checkpointing"] as Json)["save"] = c.save;
  (s["init"] as Json)["checkpoint"] = c.checkpoint;
  ((s["data"] as Json)["inline"] as Json)["data_root"] = c.dataRoot;
  (s["data"] as Json)["valid"] = [c.valid];
  return { s, p };
}

function countRefusal(err: unknown, at: Record<string, number>): void {
  if (!(err instanceof SpecError)) throw err;
  for (const issue of err.issues) {
    expect(issue.path).not.toBe("");
    // env names are the payloads themselves: counted under one key
    const key = issue.path.replace(/\[\d+\]/g, "[]").replace(/^(profile\.)?env[.[][^]*$/, "$1env.<name>");
    at[key] = (at[key] ?? 0) + 1;
  }
}

/**
 * Runs the script as slurmd does (bash reading the file) and checks what reached the launcher. `cd`
 * is a builtin, so a function from BASH_ENV stands in for it: the neox_dir does not exist here.
 * Returns false when a payload ran.
 */
function executeAndCheck(c: Case, files: Record<string, string>): boolean {
  const script = files["job.sbatch"]!;
  expect(sbatchShapeProblems(script)).toEqual([]);
  const dir = mkdtempSync(join(sandbox, "run-"));
  const scriptPath = join(dir, "job.sbatch");
  writeFileSync(scriptPath, withoutPreflightChecks(script));
  mkdirSync(join(dir, "launch"));
  writeFileSync(join(dir, "launch/rank.sh"), files["launch/rank.sh"]!);
  const argvLog = join(dir, "argv");
  const envLog = join(dir, "env");
  const baseEnv = {
    PATH: `${BIN}:/usr/bin:/bin`,
    SLURM_JOB_ID: "7",
    SLURM_JOB_NODELIST: "nid001",
    SLURM_JOB_NUM_NODES: "1",
    USER: "fuzz",
    ARGV_LOG: argvLog,
    ENV_LOG: envLog,
    HOME: dir
  };
  const r = spawnSync("bash", [scriptPath], {
    cwd: dir,
    encoding: "utf8",
    env: { ...baseEnv, BASH_ENV: CD_STUB }
  });
  if (existsSync(CANARY)) {
    rmSync(CANARY);
    return false;
  }
  expect(r.status, r.stdout + r.stderr).toBe(0);
  expect(existsSync(argvLog), r.stderr).toBe(true);
  // the last command: srun starting a rank in the container, each value one word, byte for byte
  let argv = readFileSync(argvLog, "utf8").split("\0").slice(0, -1);
  expect(argv).toEqual([
    "singularity",
    "exec",
    asDelivered(c.image),
    "bash",
    `${dir}/launch/rank.sh`,
    "train",
    `${dir}/launch/train-argv.7`
  ]);
  const env = new Map(
    readFileSync(envLog, "utf8")
      .split("\0")
      .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)])
  );
  expect(env.get(c.envName)).toBe(asDelivered(c.envValue));
  expect(env.get("SINGULARITY_BIND")).toBe(asDelivered(c.binds.join(",")));
  expect(env.get("MIOPEN_USER_DB_PATH")).toBe(
    `${asDelivered(c.nodeLocalTmp).replace(/\/+$/, "")}/fuzz-miopen-7`
  );

  // inside the container: the rank launcher builds train.py's argv with the profile's python and NeoX
  const rank = spawnSync("bash", [join(dir, "launch/rank.sh"), "argv", join(dir, "out"), "cfg.yml"], {
    cwd: dir,
    encoding: "utf8",
    env: { ...baseEnv, BASH_ENV: RANK_STUB, WITH_CONDA: ":" }
  });
  if (existsSync(CANARY)) {
    rmSync(CANARY);
    return false;
  }
  expect(rank.status, rank.stdout + rank.stderr).toBe(0);
  argv = readFileSync(argvLog, "utf8").split("\0").slice(0, -1);
  const neox = asDelivered(c.neoxDir).replace(/\/+$/, "");
  expect(argv).toEqual([
    asDelivered(c.python),
    `${dir}/launch/deepy-argv.py`,
    neox || "/",
    join(dir, "out"),
    `${neox}/train.py`,
    "cfg.yml"
  ]);
  rmSync(dir, { recursive: true, force: true });
  return true;
}

describe("nothing is executed from a user string", () => {
  it(
    `renders adversarial paths and names into job.sbatch and runs it in a sandbox (${RUNS} cases)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(caseArb, async (c) => {
          tally.cases++;
          const { s, p } = documents(c);
          let files: Record<string, string>;
          let stage: "schema" | "renderer" = "schema";
          let input: {
            spec: ReturnType<typeof parseRunSpec>;
            profile: ReturnType<typeof parseClusterProfile>;
          };
          const attempt = { index: 1, load: { kind: "init" as const }, excludeNodes: [] };
          try {
            const spec = parseRunSpec(stringify(s), "s.yaml");
            input = { spec, profile: parseClusterProfile(stringify(p), "p.yaml") };
            const plan = planRun({ ...input, manifest: spec.data.inline!, runDir: c.runDir });
            stage = "renderer";
            // the attempt's fields in renderFor's order, so plan.json compares byte for byte too
            files = renderAttempt(plan, {
              index: 1,
              runId: spec.name,
              load: attempt.load,
              seed: spec.training.seed,
              excludeNodes: []
            }).files;
          } catch (err) {
            if (!(err instanceof SpecError)) throw err;
            if (stage === "renderer") tally.refusedByRenderer++;
            else tally.refusedBySchema++;
            countRefusal(err, tally.refusedAt);
            return;
          }
          // the supervisor renders later attempts from the planInput it reads back from Redis: same bytes
          const again = await renderFromRedis(
            rt,
            { ...input, manifest: input.spec.data.inline },
            {
              runId: input.spec.name,
              runDir: c.runDir,
              index: 1,
              params: { ...attempt, lr: input.spec.training.lr, seed: input.spec.training.seed }
            }
          );
          expect(again).toEqual(files);
          tally.redisRerendered++;

          tally.executed++;
          if (!executeAndCheck(c, files)) {
            tally.canaries++;
            throw new Error(`a payload ran: ${JSON.stringify(c)}\n${files["job.sbatch"]}`);
          }
          tally.launcherReached++;
          // the NeoX configs: kept for one PyYAML pass at the end (NeoX reads them with PyYAML 1.1)
          const cfgDir = join(CONFIGS, String(tally.executed));
          mkdirSync(cfgDir);
          for (const [rel, text] of Object.entries(files))
            if (rel.startsWith("neox/")) writeFileSync(join(cfgDir, rel.slice(5)), text);
          // JSON carries lone surrogates and NULs as escapes, so the raw strings are what PyYAML must return
          expectedPaths.push({ dir: cfgDir, save: c.save, load: c.checkpoint, valid: c.valid });
        }),
        { numRuns: RUNS, seed: SEED }
      );
      // one python process checks every kept config: the path fields read back byte for byte, no key was added
      const check = spawnSync("python3", ["-c", PY_CHECK], {
        input: JSON.stringify(expectedPaths),
        encoding: "utf8",
        maxBuffer: 64 << 20
      });
      expect(check.stderr).toBe("");
      const pyProblems = JSON.parse(check.stdout) as string[];
      tally.pyyamlChecked = expectedPaths.length;
      expect(pyProblems).toEqual([]);
      expect(tally.cases).toBe(RUNS);
      expect(tally.canaries).toBe(0);
      // the property is only meaningful if most adversarial cases got as far as running
      expect(tally.launcherReached).toBeGreaterThan(RUNS / 4);
      // each case writes and runs a script (≈ 50 ms): the long variant needs more than the default limit
    },
    60_000 + RUNS * 200
  );

  // Redis is a trust boundary: the same values written straight into a stored planInput (no YAML, no
  // schema on the way in) must be refused when the supervisor renders from it, or run harmlessly
  it(
    `renders from planInput records written to Redis with the raw values (${RUNS} cases)`,
    async () => {
      const t = tally.stored;
      await fc.assert(
        fc.asyncProperty(caseArb, async (c) => {
          t.cases++;
          const { s, p } = documents(c);
          const planInput = { spec: s, profile: p, manifest: (s["data"] as Json)["inline"] };
          let files: Record<string, string>;
          try {
            files = await renderFromRedis(rt, planInput, {
              runId: "stored-injection",
              runDir: c.runDir,
              index: 2,
              params: { load: { kind: "resume" }, lr: 0.0001, seed: 1234, excludeNodes: [] }
            });
          } catch (err) {
            t.refused++;
            countRefusal(err, t.refusedAt);
            return;
          }
          t.executed++;
          if (!executeAndCheck(c, files)) {
            t.canaries++;
            throw new Error(
              `a payload ran from a stored planInput: ${JSON.stringify(c)}\n${files["job.sbatch"]}`
            );
          }
        }),
        { numRuns: RUNS, seed: SEED + 1 }
      );
      expect(t.cases).toBe(RUNS);
      expect(t.canaries).toBe(0);
      expect(t.executed).toBeGreaterThan(0);
    },
    60_000 + RUNS * 200
  );

  it("records the counts", () => {
    const out = join(REPO_ROOT, "test-results", "reliability");
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, "sbatch-injection.json"),
      JSON.stringify({ seed: SEED, ...tally }, null, 2) + "\n"
    );
    expect(tally.cases + tally.stored.cases).toBe(2 * RUNS);
  });

  it("the canary works: an unquoted payload in a script does create it", () => {
    const r = spawnSync("bash", ["-c", `echo x${`$(touch ${CANARY})`}`], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(existsSync(CANARY)).toBe(true);
    rmSync(CANARY);
  });
});
