import { MmIndexError, decodeMmIndex, summarizeMmIndex } from "@neoxctl/core";
import type { DataManifest } from "@neoxctl/core";

export interface ScannedDataset {
  index: number;
  prefix: string;
  /** measured counts, or why the prefix could not be measured */
  result: { tokens: number; documents: number; binBytes: number } | { problem: string };
  declaredTokens: number;
}

export interface FileAccess {
  /** the file's bytes, or undefined when it does not exist */
  read(path: string): Buffer | undefined;
  /** the file's size, or undefined when it does not exist */
  size(path: string): number | undefined;
}

/**
 * Measures every dataset of a manifest from its tokenized `.idx` (and checks the `.bin` has the
 * size the index promises). The file access is given, so this stays pure and testable.
 */
export function scanManifest(m: DataManifest, files: FileAccess): ScannedDataset[] {
  return m.datasets.map((d, index) => {
    const prefix =
      d.path.startsWith("/") || m.data_root === undefined
        ? d.path
        : `${m.data_root.replace(/\/+$/, "")}/${d.path}`;
    const base = { index, prefix, declaredTokens: d.tokens };
    const idx = files.read(`${prefix}.idx`);
    if (idx === undefined) return { ...base, result: { problem: `${prefix}.idx does not exist` } };
    try {
      const s = summarizeMmIndex(decodeMmIndex(idx));
      const bin = files.size(`${prefix}.bin`);
      if (bin === undefined) return { ...base, result: { problem: `${prefix}.bin does not exist` } };
      if (bin !== s.binBytes)
        return {
          ...base,
          result: { problem: `${prefix}.bin is ${bin} bytes, its index needs ${s.binBytes}` }
        };
      return { ...base, result: { tokens: s.tokens, documents: s.documents, binBytes: bin } };
    } catch (err) {
      if (err instanceof MmIndexError)
        return { ...base, result: { problem: `${prefix}.idx: ${err.message}` } };
      throw err;
    }
  });
}
