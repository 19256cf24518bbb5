// Writes emma500-manifest.yaml: the shape of the EMMA-500 Llama 3 "Bi" data mix (Mix 1), with counts DECLARED.
//
// From the paper (Ji et al. 2025, "Massively Multilingual Adaptation of Large Language Models Using Bilingual
// Translation Data", https://arxiv.org/abs/2506.00469; project page https://mala-lm.github.io/emma-500-gen2.html):
//   - the MaLA bilingual translation corpus: 2,507 language pairs in seven resource categories, ~4.3e11 tokens;
//     pairs and tokens per category are PAPER_BITEXT below (the project page's table);
//   - the bilingual mix adds that bitext to the monolingual mix: the MaLA monolingual corpus
//     (https://huggingface.co/datasets/MaLA-LM/mala-monolingual-split; its card: 939 languages, ~74B tokens)
//     plus code and reasoning data (https://huggingface.co/datasets/MaLA-LM/mala-code-reasoning-v2, listed as the
//     set used for EMMA-500 Llama 3(.1) Mono/Bi in https://huggingface.co/collections/MaLA-LM/mala-corpus);
//     the Bi model card (https://huggingface.co/MaLA-LM/emma-500-llama3-8b-bi, as mirrored at
//     https://featherless.ai/models/MaLA-LM/emma-500-llama3-8b-bi) names code, books, instruction data and
//     academic papers in its 671B-token bilingual mix;
//   - training reads 671B tokens (the spec's 40,000 steps × 2,048 × 8,192).
// Our illustrative fill-in (NOT from the paper): which languages form the pairs (English with every language,
// the rest with high-resource hub languages), which category each pair falls in (ranked by its languages' sizes),
// each pair's share of its category's tokens, every monolingual language's size and category (languages.tsv
// lists 540 of the corpus's languages), the code/instruction/books/papers sizes, and the sampling factors in the example spec.
// Sizes come from a hash of the names so the file is reproducible; `neoxctl data scan` replaces them with
// measured counts. Run: npx tsx examples/data/generate-emma500-manifest.ts
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

type Tier = "very-high" | "high" | "medium-high" | "medium" | "medium-low" | "low" | "very-low";

const here = dirname(fileURLToPath(import.meta.url));

/** The paper's MaLA bitext table: language pairs and tokens per resource category. */
const PAPER_BITEXT: [Tier, number, number][] = [
  ["very-high", 4, 8.5e10],
  ["high", 83, 2.1e11],
  ["medium-high", 67, 4.7e10],
  ["medium", 281, 6.4e10],
  ["medium-low", 508, 2.0e10],
  ["low", 655, 2.5e9],
  ["very-low", 909, 1.8e8]
];
const PAPER_PAIRS = PAPER_BITEXT.reduce((n, [, pairs]) => n + pairs, 0); // 2,507

/** MaLA monolingual corpus total (its card); spread over our languages by the fill-in ranges below. */
const MONO_TOTAL = 74e9;
/** Illustrative relative size range per languages.tsv tier, before scaling to MONO_TOTAL. */
const MONO_RANGE: Record<string, [number, number]> = {
  high: [4e9, 12e9],
  "medium-high": [8e8, 4e9],
  medium: [1.5e8, 8e8],
  "medium-low": [1.5e7, 1.5e8],
  low: [2e5, 1.5e7]
};

/**
 * The non-bitext sources beside the MaLA monolingual corpus: the model card of the Bi models names code, books,
 * instruction data and academic papers. Sizes are illustrative; code has no natural language (ISO 639-3 zxx,
 * "no linguistic content", in ISO 15924 Zyyy, the common script).
 */
const EXTRA: { name: string; language: string; tokens: number }[] = [
  { name: "code", language: "zxx_Zyyy", tokens: 30e9 },
  { name: "instructions", language: "eng_Latn", tokens: 10e9 },
  { name: "books", language: "eng_Latn", tokens: 5e9 },
  { name: "papers", language: "eng_Latn", tokens: 5e9 }
];

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const ch of text) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 0x100000000;
}

function logUniform(key: string, [lo, hi]: [number, number]): number {
  return logAt(fnv1a(key), [lo, hi]);
}

function logAt(u: number, [lo, hi]: [number, number]): number {
  return Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo)));
}

/** Monolingual category by scaled size (illustrative thresholds, in tokens). */
function monoTier(tokens: number): Tier {
  if (tokens >= 5e9) return "very-high";
  if (tokens >= 1e9) return "high";
  if (tokens >= 3e8) return "medium-high";
  if (tokens >= 5e7) return "medium";
  if (tokens >= 5e6) return "medium-low";
  if (tokens >= 5e5) return "low";
  return "very-low";
}

// languages.tsv lists each tier's languages roughly largest first: size falls with the position in its tier,
// with some hash jitter
const lines = readFileSync(join(here, "languages.tsv"), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "" && !l.startsWith("#"))
  .map((l) => l.split("\t") as [string, string]);
const inTier = (tier: string): number => lines.filter(([, t]) => t === tier).length;
const rows = lines.map(([language, tier]) => {
  const rank = lines.filter(([, t]) => t === tier).findIndex(([l]) => l === language);
  const u = 0.7 * (1 - rank / Math.max(1, inTier(tier) - 1)) + 0.3 * fnv1a(language);
  return { language, raw: logAt(u, MONO_RANGE[tier]!) };
});
const rawTotal = rows.reduce((n, r) => n + r.raw, 0);
const mono = rows.map((r) => ({ language: r.language, tokens: Math.round((r.raw * MONO_TOTAL) / rawTotal) }));
const size = new Map(mono.map((m) => [m.language, m.tokens]));

// Pairs: English with every language, then each other language with high-resource hubs (round robin by hash)
// until the paper's 2,507 pairs exist.
const ENG = "eng_Latn";
const others = mono.filter((m) => m.language !== ENG);
const hubs = [...others]
  .sort((a, b) => b.tokens - a.tokens)
  .slice(0, 24)
  .map((m) => m.language);
const key = (a: string, b: string): string => (a < b ? `${a}-${b}` : `${b}-${a}`);
const pairs = new Map<string, [string, string]>();
for (const m of others) pairs.set(key(ENG, m.language), [ENG, m.language]);
for (let round = 0; pairs.size < PAPER_PAIRS; round++) {
  for (const m of others) {
    if (pairs.size >= PAPER_PAIRS) break;
    const hub = hubs[(Math.floor(fnv1a(m.language) * hubs.length) + round) % hubs.length]!;
    if (hub !== m.language && !pairs.has(key(hub, m.language)))
      pairs.set(key(hub, m.language), [hub, m.language]);
  }
}

// Category per pair: rank by the smaller side's size (English pairs favoured), fill categories in the paper's counts.
const ranked = [...pairs.values()]
  .map(([a, b]) => {
    const smaller = Math.min(size.get(a)!, size.get(b)!);
    const score = Math.log(smaller) + (a === ENG ? 2 : 0) + fnv1a(`${a}-${b}`);
    return { a, b, score };
  })
  .sort((x, y) => y.score - x.score);
const bitext: { a: string; b: string; tier: Tier; tokens: number }[] = [];
let at = 0;
for (const [tier, count, total] of PAPER_BITEXT) {
  const members = ranked.slice(at, at + count);
  at += count;
  const weights = members.map((p) => logUniform(`${p.a}-${p.b}`, [1, 10]));
  const sum = weights.reduce((n, w) => n + w, 0);
  members.forEach((p, i) =>
    bitext.push({ ...p, tier, tokens: Math.max(1, Math.round((weights[i]! * total) / sum)) })
  );
}

const out: string[] = [
  "# Generated by generate-emma500-manifest.ts (read its header): the EMMA-500 Llama 3 bilingual mix's structure",
  "# (MaLA bitext: 2,507 pairs in 7 resource categories, ~430B tokens, per-category pairs and tokens from",
  "# https://mala-lm.github.io/emma-500-gen2.html; MaLA monolingual corpus ~74B tokens; code, instructions, books, papers).",
  "# Per-language and per-pair sizes, pair choice and monolingual categories are our illustrative fill-in.",
  "# Token counts are DECLARED, not measured.",
  "data_root: /scratch/project_462000000/emma500/tokenized",
  "raw_root: /scratch/project_462000000/emma500/raw",
  "counts: declared",
  "datasets:"
];
for (const { language, tokens } of mono) {
  out.push(
    `  - {path: mono/${language}_text_document, language: ${language}, tokens: ${tokens}, tier: ${monoTier(tokens)}, source: [mono/${language}.jsonl]}`
  );
}
for (const { name, language, tokens } of EXTRA) {
  out.push(
    `  - {path: extra/${name}_text_document, language: ${language}, tokens: ${tokens}, tier: high, source: [extra/${name}.jsonl]}`
  );
}
for (const { a, b, tier, tokens } of bitext) {
  out.push(
    `  - {path: bitext/${a}-${b}_text_document, language: ${a}, pair: ${b}, tokens: ${tokens}, tier: ${tier}, source: [bitext/${a}-${b}.jsonl]}`
  );
}
writeFileSync(join(here, "emma500-manifest.yaml"), out.join("\n") + "\n");
console.log(`wrote ${mono.length} languages, ${bitext.length} pairs, ${out.length - 9} datasets`);
