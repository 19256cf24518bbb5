import type { Dataset, Sampling } from "@neoxctl/core";

/**
 * Sampling probability of each dataset (summing to 1), in manifest order. `budgetTokens` is the
 * number of tokens the run will train on; UniMax needs it to know where the epoch cap binds.
 */
export function samplingWeights(
  datasets: readonly Dataset[],
  sampling: Sampling,
  budgetTokens: number
): number[] {
  let raw: number[];
  switch (sampling.strategy) {
    case "tier_factors":
      // a tier without a factor keeps its natural share
      raw = datasets.map((d) => d.tokens * (sampling.factors[d.tier] ?? 1));
      break;
    case "temperature":
      raw = datasets.map((d) => Math.pow(d.tokens, 1 / sampling.tau));
      break;
    case "unimax":
      raw = unimaxAllocation(datasets, sampling.max_epochs, budgetTokens);
      break;
  }
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((r) => r / total);
}

/**
 * UniMax (Chung et al., 2023): spread the budget uniformly, smallest datasets first, but never more
 * than `maxEpochs` passes over a dataset; what a capped dataset cannot take goes to the larger ones.
 */
function unimaxAllocation(datasets: readonly Dataset[], maxEpochs: number, budget: number): number[] {
  const order = datasets
    .map((d, i) => ({ i, tokens: d.tokens }))
    .sort((a, b) => a.tokens - b.tokens || a.i - b.i);
  const alloc = new Array<number>(datasets.length).fill(0);
  let remaining = budget;
  order.forEach((entry, k) => {
    const fair = remaining / (order.length - k);
    const take = Math.min(fair, maxEpochs * entry.tokens);
    alloc[entry.i] = take;
    remaining -= take;
  });
  return alloc;
}
