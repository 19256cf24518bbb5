import { z } from "zod";

/**
 * Architecture numbers a NeoX config needs for each supported model. They must equal the values
 * stored in the converted checkpoint (NeoX compares them on load), so they are fixed per preset.
 */
export interface ModelArchitecture {
  num_layers: number;
  hidden_size: number;
  num_attention_heads: number;
  num_kv_heads: number;
  /** with swiglu NeoX takes 2/3 of this and rounds up to mlp_multiple_of; 14336/14336 gives Llama 3's 14336 */
  intermediate_size: number;
  mlp_multiple_of: number;
  vocab_size: number;
  rotary_emb_base: number;
  max_position_embeddings: number;
  rms_norm_epsilon: number;
}

const LLAMA3_8B: ModelArchitecture = {
  num_layers: 32,
  hidden_size: 4096,
  num_attention_heads: 32,
  num_kv_heads: 8,
  intermediate_size: 14336,
  mlp_multiple_of: 14336,
  vocab_size: 128256,
  rotary_emb_base: 500000,
  max_position_embeddings: 8192,
  rms_norm_epsilon: 0.00001
};

const MODEL_PRESET_NAMES = ["llama3-8b", "llama3.1-8b"] as const;
export type ModelPresetName = (typeof MODEL_PRESET_NAMES)[number];

export function architectureOf(preset: ModelPresetName): ModelArchitecture {
  switch (preset) {
    case "llama3-8b":
      return LLAMA3_8B;
    case "llama3.1-8b":
      // 3.1 differs only in context length; NeoX has no llama3 RoPE scaling key, so long-context
      // quality past 8k depends on the converted weights alone.
      return { ...LLAMA3_8B, max_position_embeddings: 131072 };
  }
}

const ATTENTION_KINDS = ["global", "flash"] as const;

export const ModelSchema = z
  .object({
    preset: z
      .enum(MODEL_PRESET_NAMES)
      .describe("architecture preset; the numbers must match the converted checkpoint"),
    attention: z
      .enum(ATTENTION_KINDS)
      .default("global")
      .describe(
        "attention kernel for every layer; `flash` needs the flash-attn package installed as a distribution"
      ),
    activation_checkpointing: z
      .boolean()
      .default(true)
      .describe("recompute activations in the backward pass to fit long sequences")
  })
  .strict();

export type ModelSpec = z.infer<typeof ModelSchema>;
