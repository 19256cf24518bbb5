import { JobGraphSchema } from "@neoxctl/core";
import type { JobGraph, StepVerification } from "@neoxctl/core";

/**
 * A small graph of every kind for the graph policy's and worker's unit tests: convert, a 3-task
 * tokenize array (2 at once), merge after tokenize, train after convert and merge, export after train.
 */
export function sampleGraph(root = "/runs/g"): JobGraph {
  return JobGraphSchema.parse({
    steps: [
      {
        id: "convert",
        kind: "convert",
        script: "steps/convert.sbatch",
        dependsOn: [],
        partition: "small",
        outputs: [{ path: `${root}/ckpt/init`, kind: "neox_checkpoint" }],
        record: `${root}/records/convert.json`,
        retry: { maxAttempts: 2 }
      },
      {
        id: "tokenize",
        kind: "tokenize",
        script: "steps/tokenize.sbatch",
        dependsOn: [],
        partition: "small",
        array: { tasks: 3, maxConcurrent: 2 },
        outputs: [0, 1, 2].map((task) => ({ path: `${root}/data/c${task}`, kind: "neox_prefix", task })),
        record: `${root}/records/tokenize-%a.json`,
        retry: { maxAttempts: 3 }
      },
      {
        id: "merge",
        kind: "merge",
        script: "steps/merge.sbatch",
        dependsOn: ["tokenize"],
        partition: "small",
        outputs: [{ path: `${root}/merged/g0`, kind: "neox_prefix" }],
        record: `${root}/records/merge.json`,
        retry: { maxAttempts: 2 }
      },
      {
        id: "train",
        kind: "train",
        dependsOn: ["convert", "merge"],
        partition: "standard-g",
        outputs: [],
        record: `${root}/records/train.json`,
        retry: { maxAttempts: 1 }
      },
      {
        id: "export",
        kind: "export",
        script: "steps/export.sbatch",
        dependsOn: ["train"],
        partition: "small",
        outputs: [{ path: `${root}/hf/final`, kind: "hf_checkpoint" }],
        record: `${root}/records/export.json`,
        retry: { maxAttempts: 2 }
      }
    ]
  });
}

export const OK: StepVerification = { ok: true, problems: [] };
export const bad = (why: string): StepVerification => ({ ok: false, problems: [why] });
