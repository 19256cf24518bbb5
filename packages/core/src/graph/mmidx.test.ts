import { describe, expect, it } from "vitest";
import {
  MmIndexError,
  concatMmIndexes,
  decodeMmIndex,
  dtypeCodeForVocab,
  encodeMmIndex,
  summarizeMmIndex
} from "./mmidx.ts";

describe("NeoX mmap index", () => {
  it("round-trips sizes, pointers and document boundaries", () => {
    const buf = encodeMmIndex([3, 5, 2], [0, 1, 2, 3], 4);
    // header 34 bytes + 3 sizes × 4 + 3 pointers × 8 + 4 doc entries × 8
    expect(buf.length).toBe(34 + 12 + 24 + 32);
    const idx = decodeMmIndex(buf);
    expect(idx).toEqual({ dtypeCode: 4, sizes: [3, 5, 2], pointers: [0, 12, 32], docIdx: [0, 1, 2, 3] });
    expect(summarizeMmIndex(idx)).toEqual({
      dtypeCode: 4,
      sequences: 3,
      documents: 3,
      tokens: 10,
      binBytes: 40
    });
  });

  it("picks preprocess_data's dtype for the vocabulary", () => {
    expect(dtypeCodeForVocab(50_277)).toBe(8);
    expect(dtypeCodeForVocab(128_256)).toBe(4);
  });

  it("refuses a wrong magic, a truncated file and an index merged without document boundaries", () => {
    expect(() => decodeMmIndex(Buffer.from("TNTIDX\0\0garbage-garbage-garbage-xx"))).toThrow(MmIndexError);
    const good = encodeMmIndex([1, 1], [0, 1, 2], 8);
    expect(() => decodeMmIndex(good.subarray(0, good.length - 8))).toThrow(/header promises/);
    // what NeoX's MMapIndexedDatasetBuilder.merge_file_ leaves: sizes appended, doc_idx still [0]
    expect(() => summarizeMmIndex(decodeMmIndex(encodeMmIndex([1, 1], [0], 8)))).toThrow(/merged without/);
  });

  it("concatenates parts with shifted document boundaries", () => {
    const a = decodeMmIndex(encodeMmIndex([2, 3], [0, 1, 2], 8));
    const b = decodeMmIndex(encodeMmIndex([4], [0, 1], 8));
    const merged = summarizeMmIndex(decodeMmIndex(concatMmIndexes([a, b])));
    expect(merged).toEqual({ dtypeCode: 8, sequences: 3, documents: 3, tokens: 9, binBytes: 18 });
    expect(() => concatMmIndexes([a, decodeMmIndex(encodeMmIndex([1], [0, 1], 4))])).toThrow(/dtype/);
  });
});
