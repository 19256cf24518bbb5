import type { DataManifest } from "@neoxctl/core";
import type { Plan } from "../types.ts";

/** Default repetition threshold: Muennighoff et al. 2023 find the value of repeated tokens decays to ~0 by ~16 epochs. */
export const DEFAULT_REPETITION_EPOCHS = 16;

export interface DataWarning {
  kind: "repetition" | "validation_repeated" | "zero_tokens";
  message: string;
}

export interface DataTruth {
  /** where the token counts come from */
  counts: "declared" | "measured";
  warnings: DataWarning[];
  /** tokens evaluation reads over the run (eval_iters × batch × seq_length per evaluation) */
  evalTokens: number;
}

function fmt(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  return Math.round(n).toLocaleString("en-US");
}

/**
 * What the plan can say about the data's truth: measured or declared counts, and warnings for
 * repetition past the threshold (Muennighoff et al. 2023, "Scaling Data-Constrained Language
 * Models", arXiv:2305.16264: up to ~4 epochs repeated tokens are worth almost as much as new ones,
 * beyond ~16 their value vanishes), for a validation set evaluation draws more than once, and for
 * languages or pairs with no tokens. Pure.
 */
export function dataTruth(plan: Plan, manifest: DataManifest): DataTruth {
  const d = plan.data;
  const t = plan.spec.training;
  const threshold = plan.spec.data.repetition_warning_epochs ?? DEFAULT_REPETITION_EPOCHS;
  const warnings: DataWarning[] = [];

  const over = d.datasets.filter((x) => x.epochs > threshold).sort((a, b) => b.epochs - a.epochs);
  if (over.length > 0) {
    const worst = over
      .slice(0, 3)
      .map((x) => `${x.pair !== null ? `${x.pair}-${x.language}` : x.language} ${x.epochs.toFixed(1)}×`)
      .join(", ");
    warnings.push({
      kind: "repetition",
      message: `${over.length} of ${d.datasets.length} datasets are repeated more than ${threshold} epochs (${worst}${over.length > 3 ? ", …" : ""}); beyond ~16 epochs repeated tokens add almost nothing (Muennighoff et al. 2023) — lower their tier factor or add data (threshold: data.repetition_warning_epochs)`
    });
  }

  const evals = Math.floor(t.train_iters / t.eval_interval) + 1; // NeoX also evaluates once at the end
  const evalTokens = evals * t.eval_iters * plan.layout.globalBatch * t.seq_length;
  const valid = plan.spec.data.valid_tokens;
  if (valid !== undefined && evalTokens > valid)
    warnings.push({
      kind: "validation_repeated",
      message: `evaluation reads ${fmt(evalTokens)} validation tokens over the run (${evals} evaluations × ${t.eval_iters} iterations × ${plan.layout.globalBatch} × ${t.seq_length}), the validation set holds ${fmt(valid)}: each token is seen ~${Math.round(evalTokens / valid)} times — fewer eval_iters or a larger eval_interval measure the same`
    });

  const zero = manifest.datasets.filter((x) => x.tokens === 0);
  if (zero.length > 0)
    warnings.push({
      kind: "zero_tokens",
      message: `${zero.length} dataset(s) have no tokens and contribute nothing: ${zero
        .slice(0, 5)
        .map((x) => (x.pair !== undefined ? `${x.pair}-${x.language}` : x.language))
        .join(", ")}${zero.length > 5 ? ", …" : ""}`
    });
  return { counts: manifest.counts ?? "declared", warnings, evalTokens };
}
