import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ResilienceSchema, SpecError, parseClusterProfile, parseRunSpec } from "@neoxctl/core";
import type { Run } from "../model.ts";
import { noBudgetUsed } from "../model.ts";
import { renderFor } from "./render-attempt.ts";
import { saveDirOf } from "./checkpoints.ts";

const REPO = join(import.meta.dirname, "../../../..");
type Json = Record<string, unknown>;

/** A run as the supervisor reads it back from Redis: JSON, whatever was written there. */
function storedRun(id: string, edit: (planInput: Json) => void = () => {}): Run {
  const spec = parseRunSpec(readFileSync(join(REPO, "examples/local-demo.yaml"), "utf8"), "s.yaml");
  const profile = parseClusterProfile(readFileSync(join(REPO, "clusters/lumi.yaml"), "utf8"), "p.yaml");
  spec.cluster.account = "project_462000000";
  const planInput = JSON.parse(
    JSON.stringify({ spec, profile, manifest: spec.data.inline, repoRoot: "/opt/neoxctl" })
  ) as Json;
  edit(planInput);
  return {
    id,
    name: spec.name,
    state: "running",
    cluster: profile.name,
    runDir: "/scratch/runs/x",
    trainIters: spec.training.train_iters,
    resilience: ResilienceSchema.parse({}),
    planInput,
    params: { load: { kind: "resume" }, lr: spec.training.lr, seed: 1, excludeNodes: [] },
    attempts: 1,
    budgetsUsed: noBudgetUsed(),
    rollbacks: [],
    crashLoop: null,
    noted: [],
    abandoned: [],
    specLr: spec.training.lr,
    initFromCheckpoint: true,
    createdAt: "2026-01-01T00:00:00Z",
    updatedAt: "2026-01-01T00:00:00Z"
  };
}

function refusal(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof SpecError) return err.issues.map((i) => i.path);
    throw err;
  }
  return [];
}

const profileOf = (p: Json): Json => p["profile"] as Json;

// Regression (issue 13, finding 4): later attempts were rendered from planInput as Redis returned it,
// without the schemas; a profile env name or a CPU mask written there ran as a command in the job.
describe("renderFor re-validates the planInput it read back", () => {
  it("renders an untouched record", () => {
    const run = storedRun("ok");
    expect(renderFor(run, 2, run.params).files["job.sbatch"]).toContain("#SBATCH --chdir=/scratch/runs/x\n");
  });

  it.each([
    [
      "an env name carrying a command",
      (p: Json) => (profileOf(p)["env"] = { "X=1; touch C; Y": "1" }),
      'profile.env["X=1; touch C; Y"]'
    ],
    [
      "a CPU mask carrying a command",
      (p: Json) => (profileOf(p)["cpu_bind_masks"] = ["0x1;touch C", ...Array<string>(7).fill("0x2")]),
      "profile.cpu_bind_masks[0]"
    ],
    [
      "an option-looking save directory",
      (p: Json) => (((p["spec"] as Json)["checkpointing"] as Json)["save"] = "-delete"),
      "spec.checkpointing.save"
    ],
    [
      "a relative neox_dir",
      (p: Json) => ((profileOf(p)["launcher"] as Json)["neox_dir"] = "gpt-neox"),
      "profile.launcher.neox_dir"
    ],
    [
      "a __proto__ env key",
      (p: Json) => (profileOf(p)["env"] = JSON.parse('{"__proto__": "x"}') as Json),
      "profile.env.__proto__"
    ],
    [
      "a node count that is a string",
      (p: Json) => (profileOf(p)["gcds_per_node"] = "8' x '"),
      "profile.gcds_per_node"
    ]
  ])("refuses %s at its field path", (_what, edit, path) => {
    const run = storedRun("tampered", edit);
    expect(refusal(() => renderFor(run, 2, run.params))).toEqual([path]);
  });

  it("never hands find a save directory that did not pass the schema", () => {
    const run = storedRun(
      "tampered-save",
      (p) => (((p["spec"] as Json)["checkpointing"] as Json)["save"] = "-delete")
    );
    expect(refusal(() => saveDirOf(run))).toEqual(["spec.checkpointing.save"]);
  });
});
