import { SpecError, TIERS } from "@neoxctl/core";
import type { DataManifest, Dataset, DataSpec, Tier } from "@neoxctl/core";
import { MAX_BLEND_DATASETS } from "./neox-validate.ts";
import { samplingWeights } from "./mix-weights.ts";

/** One dataset of the manifest with what the blend will do to it. */
interface DatasetUse {
  path: string;
  language: string;
  pair: string | null;
  tier: Tier;
  tokens: number;
  weight: number;
  sampledTokens: number;
  epochs: number;
  blendEntry: string;
}

/** One prefix in train_data_paths: a dataset, or a group that must be merged into one prefix first. */
interface BlendEntry {
  id: string;
  path: string;
  weight: number;
  tokens: number;
  members: string[];
  /** largest relative gap between a member's intended share and what merging gives it (0 = exact) */
  maxMemberDeviation: number;
}

export interface ShareRow {
  key: string;
  tokens: number;
  sampledTokens: number;
  share: number;
  epochs: number;
}

type GroupingLevel = "none" | "kind+tier+script" | "kind+tier" | "tier";

export interface DataMix {
  strategy: DataSpec["sampling"]["strategy"];
  grouping: GroupingLevel;
  entries: BlendEntry[];
  datasets: DatasetUse[];
  byTier: ShareRow[];
  byLanguage: ShareRow[];
  valid: string[];
  test: string[];
}

function resolvePath(root: string | undefined, path: string): string {
  if (path.startsWith("/") || root === undefined) return path;
  return `${root.replace(/\/+$/, "")}/${path}`;
}

function groupKey(d: Dataset, level: Exclude<GroupingLevel, "none">): string {
  const kind = d.pair === undefined ? "mono" : "bitext";
  const script = d.language.slice(4);
  switch (level) {
    case "kind+tier+script":
      return `${kind}.${d.tier}.${script}`;
    case "kind+tier":
      return `${kind}.${d.tier}`;
    case "tier":
      return d.tier;
  }
}

const LEVELS = ["kind+tier+script", "kind+tier", "tier"] as const;

/** Builds the training blend: weights per dataset, then grouping down to NeoX's 254-dataset limit. */
export function planDataMix(data: DataSpec, manifest: DataManifest, totalTokens: number): DataMix {
  const datasets = manifest.datasets;
  const weights = samplingWeights(datasets, data.sampling, totalTokens);
  let level: GroupingLevel = data.grouping ?? "none";
  if (data.grouping === undefined && datasets.length > MAX_BLEND_DATASETS) {
    level =
      LEVELS.find((l) => new Set(datasets.map((d) => groupKey(d, l))).size <= MAX_BLEND_DATASETS) ?? "tier";
  }
  const mergedRoot =
    data.merged_root ??
    (manifest.data_root !== undefined ? `${manifest.data_root.replace(/\/+$/, "")}/merged` : undefined);
  if (level !== "none" && mergedRoot === undefined) {
    throw new SpecError("SPEC_INVALID", [
      {
        path: "data.merged_root",
        received: "(missing)",
        rule: `is required: ${datasets.length} datasets exceed NeoX's ${MAX_BLEND_DATASETS}-dataset blend limit and must be merged into groups`
      }
    ]);
  }

  const uses: DatasetUse[] = datasets.map((d, i) => {
    const weight = weights[i]!;
    const sampledTokens = weight * totalTokens;
    const path = resolvePath(manifest.data_root, d.path);
    return {
      path,
      language: d.language,
      pair: d.pair ?? null,
      tier: d.tier,
      tokens: d.tokens,
      weight,
      sampledTokens,
      epochs: d.tokens > 0 ? sampledTokens / d.tokens : 0,
      blendEntry: level === "none" ? path : groupKey(d, level)
    };
  });

  return {
    strategy: data.sampling.strategy,
    grouping: level,
    entries: level === "none" ? uses.map(asEntry) : groupEntries(uses, `${mergedRoot}`),
    datasets: uses,
    byTier: TIERS.map((t) =>
      shareRow(
        t,
        uses.filter((u) => u.tier === t),
        totalTokens
      )
    ).filter((r) => r.tokens > 0),
    byLanguage: languageRows(uses, totalTokens),
    valid: data.valid,
    test: data.test ?? data.valid
  };
}

function asEntry(u: DatasetUse): BlendEntry {
  return {
    id: u.path,
    path: u.path,
    weight: u.weight,
    tokens: u.tokens,
    members: [u.path],
    maxMemberDeviation: 0
  };
}

function groupEntries(uses: readonly DatasetUse[], mergedRoot: string): BlendEntry[] {
  const byGroup = new Map<string, DatasetUse[]>();
  for (const u of uses) byGroup.set(u.blendEntry, [...(byGroup.get(u.blendEntry) ?? []), u]);
  return [...byGroup.keys()].sort().map((id) => {
    const members = byGroup.get(id)!;
    const weight = members.reduce((a, m) => a + m.weight, 0);
    const tokens = members.reduce((a, m) => a + m.tokens, 0);
    // a merged prefix is sampled in proportion to its members' sizes, which is exact only when the
    // members' weights are proportional to their sizes (true within one tier under tier_factors)
    const deviation =
      tokens > 0 && weight > 0
        ? Math.max(...members.map((m) => Math.abs(m.tokens / tokens / (m.weight / weight) - 1)))
        : 0;
    return {
      id,
      path: `${mergedRoot}/${id}_text_document`,
      weight,
      tokens,
      members: members.map((m) => m.path),
      maxMemberDeviation: deviation
    };
  });
}

function shareRow(
  key: string,
  rows: readonly { tokens: number; sampledTokens: number }[],
  total: number
): ShareRow {
  const tokens = rows.reduce((a, r) => a + r.tokens, 0);
  const sampledTokens = rows.reduce((a, r) => a + r.sampledTokens, 0);
  return {
    key,
    tokens,
    sampledTokens,
    share: sampledTokens / total,
    epochs: tokens > 0 ? sampledTokens / tokens : 0
  };
}

/** Bitext counts half for each of its two languages; the split inside a pair is not known. */
function languageRows(uses: readonly DatasetUse[], total: number): ShareRow[] {
  const acc = new Map<string, { tokens: number; sampledTokens: number }[]>();
  const add = (lang: string, tokens: number, sampledTokens: number): void => {
    acc.set(lang, [...(acc.get(lang) ?? []), { tokens, sampledTokens }]);
  };
  for (const u of uses) {
    if (u.pair === null) add(u.language, u.tokens, u.sampledTokens);
    else {
      add(u.language, u.tokens / 2, u.sampledTokens / 2);
      add(u.pair, u.tokens / 2, u.sampledTokens / 2);
    }
  }
  return [...acc.keys()].sort().map((k) => shareRow(k, acc.get(k)!, total));
}
