/** Everything the training loop needs, derived from the NeoX config as NeoX would. */
export type DecayStyle = "constant" | "linear" | "cosine" | "exponential";
export type Precision = "fp16" | "bfloat16" | "fp32";
export type CheckpointScale = "linear" | "log";

export interface EmuConfig {
  trainIters: number;
  logInterval: number;
  evalInterval: number;
  evalIters: number;
  doValid: boolean;
  lr: number;
  minLr: number;
  warmup: number;
  decayStyle: DecayStyle;
  /** AnnealingLR total iterations (lr_decay_iters, else train_iters × lr_decay_fraction, else train_iters) */
  decayIters: number;
  save: string | null;
  load: string | null;
  checkpointFactor: number | null;
  checkpointScale: CheckpointScale;
  extraSaveIters: number[];
  keepLastN: number | null;
  finetune: boolean;
  iteration: number | null;
  overrideLrScheduler: boolean;
  useCheckpointLrScheduler: boolean;
  noLoadOptim: boolean;
  exitInterval: number | null;
  seed: number;
  tp: number;
  pp: number;
  dp: number;
  globalNumGpus: number;
  trainBatchSize: number;
  micro: number;
  gas: number;
  precision: Precision;
  numLayers: number;
  hiddenSize: number;
  numAttentionHeads: number;
  seqLength: number;
  peakTflops: number | null;
  checkpointActivations: boolean;
  initialScalePower: number;
  lossScaleWindow: number;
  /** the 8 architecture args NeoX stores in a checkpoint and checks on load */
  archArgs: Record<string, string | number | null>;
}
