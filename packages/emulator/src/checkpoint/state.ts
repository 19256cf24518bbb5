import type { LrSchedulerState } from "../train/annealing-lr.ts";
import type { ModelHealth } from "../train/loss-model.ts";

/**
 * What the emulator keeps in `mp_rank_XX_model_states.pt` (JSON instead of a pickle): NeoX's client
 * state fields an orchestrator might read, plus the emulated weights' health.
 */
export interface ModelStates {
  iteration: number;
  args: Record<string, string | number | null>;
  lr_scheduler: LrSchedulerState;
  global_steps: number;
  global_samples: number;
  skipped_steps: number;
  dp_world_size: number;
  mp_world_size: number;
  ds_version: string;
  emulator: { health: ModelHealth; loss_scale: number; seed: number };
}
