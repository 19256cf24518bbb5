import { execFileSync, spawnSync } from "node:child_process";
import type { RunStore, SeriesStore } from "@neoxctl/supervisor";
import { scenarioInputs } from "./scenario.ts";
import type { ScenarioInputs } from "./scenario.ts";

/**
 * The recovery scenario of the end-to-end test and the demo, as one reusable piece: a node goes
 * DOWN during attempt 1, training hangs at HANG_AT, the loss spikes at SPIKE_AT with an LR just
 * above the emulator's instability threshold, so a lingering spike forces a rollback with a lower
 * LR. Whoever drives the supervisor (cycles or the BullMQ worker) calls `faults.tick()` between
 * polls and `faults.restore()` at the end.
 */
export const RECOVERY = {
  trainIters: 220,
  nodeDownAfter: 30,
  hangAt: 110,
  spikeAt: 150,
  lr: 0.00021
} as const;

export function recoveryInputs(name: string): ScenarioInputs {
  return scenarioInputs({
    name,
    trainIters: RECOVERY.trainIters,
    lr: RECOVERY.lr,
    env: {
      NEOX_EMU_STEP_MS: "40",
      NEOX_EMU_HANG_AT: String(RECOVERY.hangAt),
      NEOX_EMU_SPIKE_AT: String(RECOVERY.spikeAt),
      NEOX_EMU_UNSTABLE_LR: "0.0002"
    }
  });
}

export interface NodeFault {
  /** downs the last node of attempt 1 once it has logged nodeDownAfter steps; returns that node */
  tick(): Promise<string | undefined>;
  /** resumes the node (harmless when someone already did) */
  restore(): void;
  readonly downed: string | undefined;
}

export function nodeFault(
  store: RunStore,
  series: SeriesStore,
  runId: string,
  reason = "neoxctl-scenario"
): NodeFault {
  let downed: string | undefined;
  return {
    get downed() {
      return downed;
    },
    async tick() {
      if (downed) return downed;
      const r = await store.mustGetRun(runId);
      if (r.state !== "running" || r.attempts !== 1) return undefined;
      const last = (await series.lastBatch(runId)).at(-1);
      const a = await store.getAttempt(runId, 1);
      if (last && last.step >= RECOVERY.nodeDownAfter && a?.nodes?.length) {
        downed = a.nodes[a.nodes.length - 1]!;
        execFileSync("scontrol", ["update", `nodename=${downed}`, "state=down", `reason=${reason}`]);
      }
      return downed;
    },
    restore() {
      if (downed) spawnSync("scontrol", ["update", `nodename=${downed}`, "state=resume"]);
    }
  };
}
