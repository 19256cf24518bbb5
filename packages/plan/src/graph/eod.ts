import type { RunSpec, SpecIssue } from "@neoxctl/core";

/**
 * NeoX's HFTokenizer takes its end-of-document id from `token_to_id("<|endoftext|>")`
 * (megatron/tokenizer/tokenizer.py, EleutherAI/gpt-neox at 6dd03445f1186b91c217d53602687c9df4744f3d),
 * and preprocess_data.py appends that id with --append-eod. Llama 3 calls its end of text
 * `<|end_of_text|>` (id 128001), so the lookup gives None and nothing usable is appended.
 */
export const NEOX_EOD_TOKEN = "<|endoftext|>";

/** End-of-text tokens of common tokenizers, tried in order when NeoX's own is missing. */
const KNOWN_EOD_TOKENS = ["<|end_of_text|>", "</s>", "<eos>"];

/** What `neoxctl plan` read from the tokenizer.json it could reach. */
export interface TokenizerInfo {
  path: string;
  /** token → id, added tokens and the model's vocabulary */
  tokens: ReadonlyMap<string, number>;
}

export interface EodChoice {
  token: string;
  id: number;
  /** where the choice comes from */
  source: "tokenizer.json" | "spec init.eod";
  /** true when NeoX's lookup would miss it: the tokenize step sets the id explicitly */
  explicit: boolean;
}

/** Parses a Hugging Face tokenizer.json into the token → id map the check needs. */
export function readTokenizerJson(path: string, text: string): TokenizerInfo {
  const spec = JSON.parse(text) as {
    added_tokens?: { id: number; content: string }[];
    model?: { vocab?: Record<string, number> | [string, number][] };
  };
  const tokens = new Map<string, number>();
  const vocab = spec.model?.vocab;
  if (Array.isArray(vocab)) vocab.forEach(([t], i) => tokens.set(t, i));
  else if (vocab !== undefined) for (const [t, id] of Object.entries(vocab)) tokens.set(t, id);
  for (const t of spec.added_tokens ?? []) tokens.set(t.content, t.id);
  return { path, tokens };
}

/**
 * Decides the end-of-document token the tokenize step appends, or says why none is usable (with
 * the field to fix). Pure: the caller read tokenizer.json when it could.
 */
export function chooseEod(
  spec: RunSpec,
  tokenizer: TokenizerInfo | undefined
): { eod?: EodChoice; issues: SpecIssue[] } {
  const declared = spec.init.eod;
  if (tokenizer === undefined) {
    if (declared === undefined)
      return {
        issues: [
          {
            path: "init.eod",
            received: "(missing)",
            rule: `is required: the tokenizer (${spec.init.tokenizer}) is not readable where plan runs, and NeoX's tokenize step must know the end-of-document token and id`
          }
        ]
      };
    return {
      eod: { ...declared, source: "spec init.eod", explicit: declared.token !== NEOX_EOD_TOKEN },
      issues: []
    };
  }
  if (declared !== undefined) {
    const id = tokenizer.tokens.get(declared.token);
    if (id === undefined)
      return {
        issues: [
          { path: "init.eod.token", received: declared.token, rule: `is not a token of ${tokenizer.path}` }
        ]
      };
    if (id !== declared.id)
      return {
        issues: [
          {
            path: "init.eod.id",
            received: String(declared.id),
            rule: `does not match ${tokenizer.path}, where ${declared.token} is ${id}`
          }
        ]
      };
    return {
      eod: { ...declared, source: "tokenizer.json", explicit: declared.token !== NEOX_EOD_TOKEN },
      issues: []
    };
  }
  const neox = tokenizer.tokens.get(NEOX_EOD_TOKEN);
  if (neox !== undefined)
    return {
      eod: { token: NEOX_EOD_TOKEN, id: neox, source: "tokenizer.json", explicit: false },
      issues: []
    };
  for (const token of KNOWN_EOD_TOKENS) {
    const id = tokenizer.tokens.get(token);
    if (id !== undefined) return { eod: { token, id, source: "tokenizer.json", explicit: true }, issues: [] };
  }
  return {
    issues: [
      {
        path: "init.tokenizer",
        received: tokenizer.path,
        rule: `has no end-of-document token (${[NEOX_EOD_TOKEN, ...KNOWN_EOD_TOKENS].join(", ")}): NeoX's --append-eod would append nothing usable; declare init.eod {token, id}`
      }
    ]
  };
}
