import { ResilienceSchema } from "@neoxctl/core";
import type { Resilience } from "@neoxctl/core";

/** The supervisor's poll interval the decision figures run at (log sweep and Slurm cycle alike). */
export const SUPERVISOR_POLL_MS = 1000;

/**
 * Default resilience, except that a spike is rolled back as soon as it is seen: the default
 * 50-step recovery window is policy waiting (50 × step time), not orchestration latency.
 */
export const BENCH_RESILIENCE: Resilience = ResilienceSchema.parse({ spike: { recover_window_steps: 0 } });
