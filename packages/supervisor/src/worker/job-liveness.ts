import { isFinal } from "@neoxctl/slurm";
import type { JobViewState } from "../ports.ts";

/**
 * True while Slurm may still run (or run again) the job: it must not overlap with a successor.
 * The supervisor's states are a subset of Slurm's, so Slurm's own phase table decides (requeued
 * and unknown jobs count as alive).
 */
export function jobAlive(state: JobViewState): boolean {
  return !isFinal(state);
}
