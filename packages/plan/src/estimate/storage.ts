import type { EstimatesProfile } from "@neoxctl/core";
import type { DataMix } from "../data-mix.ts";

/**
 * Bytes per token of NeoX's mmap .bin files: uint16 below 65,500 vocabulary entries, int32 above
 * (gpt-neox megatron/data/indexed_dataset.py, best_fitting_dtype).
 */
export function bytesPerToken(vocabSize: number): number {
  return vocabSize < 65500 ? 2 : 4;
}

export interface DataSize {
  bytesPerToken: number;
  /** the manifest's datasets, one epoch each */
  sourceBytes: number;
  /** the merged prefixes a grouped blend needs in addition to its sources */
  mergedBytes: number;
}

export function dataSize(data: DataMix, vocabSize: number): DataSize {
  const b = bytesPerToken(vocabSize);
  const source = data.datasets.reduce((s, d) => s + d.tokens, 0);
  const merged = data.entries.filter((e) => e.members.length > 1).reduce((s, e) => s + e.tokens, 0);
  return { bytesPerToken: b, sourceBytes: source * b, mergedBytes: merged * b };
}

export interface StoredItem {
  path: string;
  bytes: number;
}

export interface QuotaUse {
  path: string;
  quotaBytes: number;
  usedBytes: number;
  over: boolean;
}

function within(dir: string, path: string): boolean {
  return path === dir || path.startsWith(dir.endsWith("/") ? dir : `${dir}/`);
}

/** What the run stores under each quota; an item counts against every quota whose directory holds it. */
export function quotaUse(quotas: EstimatesProfile["quotas"], items: readonly StoredItem[]): QuotaUse[] {
  return quotas.map((q) => {
    const usedBytes = items.filter((i) => within(q.path, i.path)).reduce((s, i) => s + i.bytes, 0);
    const quotaBytes = q.tb * 1e12;
    return { path: q.path, quotaBytes, usedBytes, over: usedBytes > quotaBytes };
  });
}
