import type { ClusterProfile, DataManifest, ModelArchitecture, RunSpec } from "@neoxctl/core";
import type { Layout } from "./layout.ts";
import type { DataMix } from "./data-mix.ts";
import type { Estimates } from "./estimate/estimates.ts";

export interface PlanInput {
  spec: RunSpec;
  profile: ClusterProfile;
  manifest: DataManifest;
  /** absolute path of the neoxctl checkout (the emulator launcher runs from it); resolved by the CLI */
  repoRoot?: string;
  /** absolute run directory on the cluster; the job runs there and writes its logs below it */
  runDir?: string;
}

export interface CheckpointPlan {
  factor: number;
  keepLastN: number | null;
  /** distinct steps that save during an uninterrupted run, including the final one */
  expected: number;
}

/** Everything derived from a spec and a profile; the input of every renderer. */
export interface Plan {
  spec: RunSpec;
  profile: ClusterProfile;
  arch: ModelArchitecture;
  layout: Layout;
  checkpoints: CheckpointPlan;
  data: DataMix;
  /** cost, time and storage before submission (docs/estimates.md) */
  estimates: Estimates;
  repoRoot: string | null;
  runDir: string | null;
}

type AttemptLoad = { kind: "init" } | { kind: "resume"; iteration?: number };

/** One submission of a run. Attempt 1 starts from the converted checkpoint; later ones resume. */
export interface Attempt {
  /** 1-based */
  index: number;
  runId: string;
  load: AttemptLoad;
  /** LR override for this attempt (rollback); sets override_lr_scheduler */
  lr?: number;
  seed?: number;
  excludeNodes: string[];
  exitInterval?: number;
  dependency?: string;
  timeLimit?: string;
  env?: Record<string, string>;
  /**
   * Run-dir-relative directory whose neox/*.yml the job reads (default: the run dir itself). A job
   * queued behind a running one must not read files a later render could overwrite.
   */
  configRoot?: string;
}

export interface RenderedAttempt {
  files: Record<string, string>;
}
