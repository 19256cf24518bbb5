import type { Plan } from "../types.ts";

/**
 * What one GCD holds of the model's training state (weights, gradients, fp32 master copy, Adam's
 * two moments), from the plan's parameter count, precision, tp × pp split and ZeRO stage. Activations,
 * the allocator's reserve and communication buffers come on top, so this is a floor, not a fit check:
 * it tells whoever reads an out-of-memory how much of the device the model itself already takes.
 *
 * Per parameter (ZeRO, Rajbhandari et al. 2020, arXiv:1910.02054 §3.1, mixed precision with Adam):
 * 2 bytes of bf16/fp16 weights, 2 of gradients, 4 of fp32 master weights and 8 of moments (fp32:
 * 4 + 4 + 0 + 8). The model-parallel ranks split all of it; ZeRO stage 1 also splits the master
 * weights and moments over the data-parallel ranks, stage 2 the gradients too, stage 3 the weights.
 */
export interface DeviceMemory {
  parameters: number;
  /** parameters each model-parallel rank holds (parameters / (tp × pp)) */
  parametersPerDevice: number;
  zeroStage: number;
  weightsBytes: number;
  gradientsBytes: number;
  masterBytes: number;
  optimizerBytes: number;
  /** the sum: model state per GCD before any activation */
  modelStateBytes: number;
}

export function deviceMemory(
  plan: Pick<Plan, "spec" | "layout"> & { estimates: { parameters: number } }
): DeviceMemory {
  const l = plan.layout;
  const zero = plan.spec.parallelism.zero_stage;
  const half = plan.spec.precision !== "fp32";
  const perDevice = plan.estimates.parameters / (l.tp * Math.max(l.pp, 1));
  const dp = Math.max(l.dp, 1);
  const shard = (stage: number): number => (zero >= stage ? dp : 1);
  const weightsBytes = (perDevice * (half ? 2 : 4)) / shard(3);
  const gradientsBytes = (perDevice * (half ? 2 : 4)) / shard(2);
  const masterBytes = (perDevice * (half ? 4 : 0)) / shard(1);
  const optimizerBytes = (perDevice * 8) / shard(1);
  return {
    parameters: plan.estimates.parameters,
    parametersPerDevice: perDevice,
    zeroStage: zero,
    weightsBytes,
    gradientsBytes,
    masterBytes,
    optimizerBytes,
    modelStateBytes: weightsBytes + gradientsBytes + masterBytes + optimizerBytes
  };
}
