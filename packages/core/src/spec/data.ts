import { z } from "zod";
import { AbsoluteOrRelativePathSchema, AbsolutePathSchema, isAbsoluteNormalPath } from "./paths.ts";
import { refuseProtoKey } from "./proto-key.ts";

/**
 * Resource tiers, high to low: the seven resource categories of the MaLA corpus (EMMA-500 Llama 3,
 * https://mala-lm.github.io/emma-500-gen2.html). Tier-factor sampling gives each tier one oversampling factor.
 */
export const TIERS = ["very-high", "high", "medium-high", "medium", "medium-low", "low", "very-low"] as const;
export type Tier = (typeof TIERS)[number];

/** ISO 639-3 language code plus ISO 15924 script, as in FLORES-200 / MaLA (`swh_Latn`). */
const LanguageSchema = z
  .string()
  .regex(/^[a-z]{3}_[A-Z][a-z]{3}$/, { error: "must be an ISO 639-3 code and a script, e.g. swh_Latn" });

const noSuffix = {
  error: "must be a data prefix without .bin/.idx (NeoX appends them)"
};
const notBinIdx = (p: string): boolean => !/\.(bin|idx)$/.test(p);
const prefix = AbsolutePathSchema.refine(notBinIdx, noSuffix);
const datasetPrefix = AbsoluteOrRelativePathSchema.refine(notBinIdx, noSuffix);

const DatasetSchema = z
  .object({
    path: datasetPrefix.describe(
      "tokenized data prefix (…_text_document), absolute or relative to data_root"
    ),
    language: LanguageSchema,
    pair: LanguageSchema.optional().describe("second language of a bitext dataset"),
    tokens: z
      .number()
      .int()
      .min(0)
      .describe(
        "tokens in the dataset (one epoch); 0 is allowed so a measured empty dataset stays visible (the plan warns)"
      ),
    documents: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("documents in the dataset (measured by `data scan`)"),
    tier: z.enum(TIERS),
    source: z
      .array(AbsoluteOrRelativePathSchema)
      .min(1)
      .optional()
      .describe(
        "raw corpus files (JSONL, absolute or relative to raw_root) the tokenize step turns into `path`; absent = already tokenized"
      )
  })
  .strict();

export type Dataset = z.infer<typeof DatasetSchema>;

export const DataManifestSchema = z
  .object({
    data_root: AbsolutePathSchema.optional().describe(
      "absolute directory that relative dataset paths start from"
    ),
    raw_root: AbsolutePathSchema.optional().describe(
      "absolute directory that relative `source` corpus paths start from"
    ),
    counts: z
      .enum(["declared", "measured"])
      .optional()
      .describe(
        "declared (the default): token counts written by hand or estimated; measured: read from the .idx files by `neoxctl data scan`"
      ),
    datasets: z.array(DatasetSchema).min(1)
  })
  .strict()
  .superRefine((m, ctx) => {
    m.datasets.forEach((d, i) => {
      (d.source ?? []).forEach((src, j) => {
        if (m.raw_root === undefined && !isAbsoluteNormalPath(src))
          ctx.addIssue({
            code: "custom",
            path: ["datasets", i, "source", j],
            input: src,
            message: "must be absolute when the manifest has no raw_root"
          });
      });
    });
    // without a root a relative prefix would be resolved by whichever process reads the config
    if (m.data_root !== undefined) return;
    m.datasets.forEach((d, i) => {
      if (!isAbsoluteNormalPath(d.path))
        ctx.addIssue({
          code: "custom",
          path: ["datasets", i, "path"],
          input: d.path,
          message: "must be absolute when the manifest has no data_root"
        });
    });
  })
  .describe("The tokenized datasets of a run: one entry per language (or language pair) prefix.");

export type DataManifest = z.infer<typeof DataManifestSchema>;

const SamplingSchema = z
  .discriminatedUnion("strategy", [
    z
      .object({
        strategy: z.literal("tier_factors"),
        factors: refuseProtoKey(z.partialRecord(z.enum(TIERS), z.number().positive().max(1000))).describe(
          "per-tier oversampling factor: weight ∝ tokens × factor (EMMA-500 style); a tier left out keeps factor 1"
        )
      })
      .strict(),
    z
      .object({
        strategy: z.literal("temperature"),
        tau: z.number().min(1).max(100).describe("weight ∝ tokens^(1/tau); 1 = natural proportions")
      })
      .strict(),
    z
      .object({
        strategy: z.literal("unimax"),
        max_epochs: z
          .number()
          .positive()
          .describe("no dataset is repeated more than this many times (UniMax)")
      })
      .strict()
  ])
  .describe("How datasets are weighted in the training blend.");

export type Sampling = z.infer<typeof SamplingSchema>;

export const DataSchema = z
  .object({
    manifest: z.string().min(1).optional().describe("data manifest file, relative to the spec file"),
    inline: DataManifestSchema.optional().describe("the manifest written inline instead of in a file"),
    sampling: SamplingSchema,
    valid: z.array(prefix).min(1).describe("validation data prefixes"),
    test: z.array(prefix).min(1).optional().describe("test data prefixes (default: the validation ones)"),
    merged_root: AbsolutePathSchema.optional().describe(
      "where merged group datasets live (absolute) when the blend exceeds NeoX's 254-dataset limit"
    ),
    grouping: z
      .enum(["kind+tier+script", "kind+tier", "tier"])
      .optional()
      .describe(
        "merge datasets into groups even below NeoX's 254-dataset limit (fewer, larger prefixes); default: only when over the limit, at the finest level that fits"
      ),
    valid_tokens: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        "tokens in the validation prefixes, declared (the plan warns when evaluation draws them more than once)"
      ),
    repetition_warning_epochs: z
      .number()
      .positive()
      .optional()
      .describe(
        "default 16: warn when a dataset is repeated more than this many epochs (Muennighoff et al. 2023: returns fade beyond ~4 and vanish around 16)"
      )
  })
  .strict()
  .refine((d) => (d.manifest === undefined) !== (d.inline === undefined), {
    error: "must give exactly one of manifest (a file) or inline (the datasets)"
  });

export type DataSpec = z.infer<typeof DataSchema>;
