import type { ModelArchitecture } from "@neoxctl/core";

/** FFN width NeoX builds for SwiGLU: ⌊2·intermediate/3⌋ rounded up to mlp_multiple_of. */
export function swigluWidth(arch: ModelArchitecture): number {
  const m = arch.mlp_multiple_of;
  return m * Math.ceil(Math.floor((2 * arch.intermediate_size) / 3) / m);
}

/** Weights of one transformer layer that take part in matrix multiplies (Q, K, V, O and the three FFN matrices). */
function layerMatmulParams(arch: ModelArchitecture): number {
  const h = arch.hidden_size;
  const kvDim = (h / arch.num_attention_heads) * arch.num_kv_heads;
  return 2 * h * h + 2 * h * kvDim + 3 * h * swigluWidth(arch);
}

/** Every parameter of a Llama-style model: layers, RMSNorm gains, untied input embedding and output layer. */
export function parameterCount(arch: ModelArchitecture): number {
  const h = arch.hidden_size;
  const layers = arch.num_layers * (layerMatmulParams(arch) + 2 * h);
  return layers + h + 2 * arch.vocab_size * h;
}

export interface FlopsPerToken {
  /** forward pass of the transformer layers: 2 FLOPs per matmul weight plus the attention scores */
  layersForward: number;
  /** forward pass of the output (logit) layer */
  outputForward: number;
  /** model FLOPs: forward + backward (2× forward), the numerator of MFU */
  model: number;
  /** hardware FLOPs: model FLOPs plus the layers' forward recomputed under activation checkpointing (HFU) */
  hardware: number;
  /** what NeoX's get_flops counts for MFU (GPT-3 shaped: 4h FFN, no GQA); its logged MFU uses this */
  neoxModel: number;
}

/**
 * FLOPs per trained token at sequence length `seq`, counted as Narayanan et al. 2021 (arXiv:2104.04473,
 * appendix) and Chinchilla (arXiv:2203.15556, appendix F) do: a multiply-add is 2 FLOPs, the backward
 * pass costs twice the forward, attention scores (QKᵀ and AV) are counted in full without the causal
 * half. Generalised from their 4h GELU MLP and multi-head attention to SwiGLU and grouped-query attention.
 */
export function flopsPerToken(p: {
  arch: ModelArchitecture;
  seq: number;
  recompute: boolean;
}): FlopsPerToken {
  const { arch, seq } = p;
  const h = arch.hidden_size;
  const l = arch.num_layers;
  const layersForward = 2 * l * layerMatmulParams(arch) + 4 * l * seq * h;
  const outputForward = 2 * arch.vocab_size * h;
  const model = 3 * (layersForward + outputForward);
  return {
    layersForward,
    outputForward,
    model,
    hardware: model + (p.recompute ? layersForward : 0),
    neoxModel: 72 * l * h * h * (1 + seq / (6 * h) + arch.vocab_size / (16 * l * h))
  };
}
