/**
 * NeoX's (Megatron's) memory-mapped dataset index, the `.idx` next to each `.bin`: the format of
 * `MMapIndexedDataset.Index` in megatron/data/indexed_dataset.py (EleutherAI/gpt-neox at
 * b156b025bbb6128a5981ca567fd303a1a52cf13b), all little-endian:
 *
 *   9 bytes  magic `MMIDIDX\0\0`
 *   u64      version = 1
 *   u8       dtype code of the tokens in the .bin (1 uint8, 2 int8, 3 int16, 4 int32, 5 int64,
 *            6 float32, 7 float64, 8 uint16; preprocess_data picks uint16 below a 65,500 vocabulary, else int32)
 *   u64      number of sequences (preprocess_data writes one per document)
 *   u64      length of the document index (documents + 1: it starts with 0)
 *   i32[n]   sizes: tokens per sequence
 *   i64[n]   pointers: byte offset of each sequence in the .bin
 *   i64[d]   document index: the sequence each document starts at, then the end
 *
 * Pure: reads and writes Buffers; callers do the file I/O.
 */

const MAGIC = Buffer.from("MMIDIDX\0\0", "latin1");
const HEADER_BYTES = MAGIC.length + 8 + 1 + 8 + 8;

/** Bytes per token for each dtype code. */
export const MMIDX_DTYPE_BYTES: Readonly<Record<number, number>> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 4,
  7: 8,
  8: 2
};

export interface MmIndex {
  dtypeCode: number;
  /** tokens per sequence */
  sizes: number[];
  /** byte offsets in the .bin */
  pointers: number[];
  /** sequence index where each document starts, then the end (length = documents + 1) */
  docIdx: number[];
}

export interface MmIndexSummary {
  dtypeCode: number;
  sequences: number;
  documents: number;
  tokens: number;
  /** size the .bin must have: tokens × bytes per token */
  binBytes: number;
}

export class MmIndexError extends Error {}

/** The dtype preprocess_data.py chooses for a vocabulary (`__best_fitting_dtype`). */
export function dtypeCodeForVocab(vocabSize: number): number {
  return vocabSize < 65500 ? 8 : 4;
}

/** Encodes an index; pointers are derived from the sizes, as NeoX's writer does. */
export function encodeMmIndex(
  sizes: readonly number[],
  docIdx: readonly number[],
  dtypeCode: number
): Buffer {
  const item = MMIDX_DTYPE_BYTES[dtypeCode];
  if (item === undefined) throw new MmIndexError(`unknown dtype code ${dtypeCode}`);
  const buf = Buffer.alloc(HEADER_BYTES + sizes.length * 12 + docIdx.length * 8);
  MAGIC.copy(buf, 0);
  let o = MAGIC.length;
  buf.writeBigUInt64LE(1n, o);
  o += 8;
  buf.writeUInt8(dtypeCode, o);
  o += 1;
  buf.writeBigUInt64LE(BigInt(sizes.length), o);
  o += 8;
  buf.writeBigUInt64LE(BigInt(docIdx.length), o);
  o += 8;
  for (const s of sizes) {
    buf.writeInt32LE(s, o);
    o += 4;
  }
  let address = 0;
  for (const s of sizes) {
    buf.writeBigInt64LE(BigInt(address), o);
    o += 8;
    address += s * item;
  }
  for (const d of docIdx) {
    buf.writeBigInt64LE(BigInt(d), o);
    o += 8;
  }
  return buf;
}

/** Decodes an index, refusing anything NeoX's reader would refuse or misread (with the reason). */
export function decodeMmIndex(buf: Buffer): MmIndex {
  if (buf.length < HEADER_BYTES || !buf.subarray(0, MAGIC.length).equals(MAGIC))
    throw new MmIndexError("not a NeoX mmap index (magic MMIDIDX missing)");
  let o = MAGIC.length;
  const version = buf.readBigUInt64LE(o);
  o += 8;
  if (version !== 1n) throw new MmIndexError(`index version ${version}, expected 1`);
  const dtypeCode = buf.readUInt8(o);
  o += 1;
  if (MMIDX_DTYPE_BYTES[dtypeCode] === undefined) throw new MmIndexError(`unknown dtype code ${dtypeCode}`);
  const n = Number(buf.readBigUInt64LE(o));
  o += 8;
  const d = Number(buf.readBigUInt64LE(o));
  o += 8;
  const expected = HEADER_BYTES + n * 12 + d * 8;
  if (buf.length !== expected)
    throw new MmIndexError(`index is ${buf.length} bytes, its header promises ${expected}`);
  const sizes: number[] = [];
  for (let i = 0; i < n; i++, o += 4) sizes.push(buf.readInt32LE(o));
  const pointers: number[] = [];
  for (let i = 0; i < n; i++, o += 8) pointers.push(Number(buf.readBigInt64LE(o)));
  const docIdx: number[] = [];
  for (let i = 0; i < d; i++, o += 8) docIdx.push(Number(buf.readBigInt64LE(o)));
  return { dtypeCode, sizes, pointers, docIdx };
}

/**
 * Counts of a decoded index, after checking it is self-consistent: pointers follow the sizes, the
 * document index starts at 0, never decreases and ends at the last sequence. NeoX's own
 * `MMapIndexedDatasetBuilder.merge_file_` (same file and commit) appends sizes but not document
 * boundaries, so an index it merged fails the last check.
 */
export function summarizeMmIndex(idx: MmIndex): MmIndexSummary {
  const item = MMIDX_DTYPE_BYTES[idx.dtypeCode]!;
  let address = 0;
  idx.sizes.forEach((s, i) => {
    if (s < 0) throw new MmIndexError(`sequence ${i} has a negative size`);
    if (idx.pointers[i] !== address)
      throw new MmIndexError(`pointer ${i} is ${idx.pointers[i]}, the sizes put it at ${address}`);
    address += s * item;
  });
  if (idx.docIdx[0] !== 0) throw new MmIndexError("document index does not start at 0");
  for (let i = 1; i < idx.docIdx.length; i++)
    if (idx.docIdx[i]! < idx.docIdx[i - 1]!) throw new MmIndexError(`document index decreases at ${i}`);
  if (idx.docIdx[idx.docIdx.length - 1] !== idx.sizes.length)
    throw new MmIndexError(
      `document index ends at ${String(idx.docIdx[idx.docIdx.length - 1])}, not at the ${idx.sizes.length} sequences (merged without document boundaries?)`
    );
  const tokens = idx.sizes.reduce((a, s) => a + s, 0);
  return {
    dtypeCode: idx.dtypeCode,
    sequences: idx.sizes.length,
    documents: idx.docIdx.length - 1,
    tokens,
    binBytes: tokens * item
  };
}

/**
 * Concatenates indexes (their .bin files are concatenated in the same order): sizes appended,
 * pointers recomputed, document boundaries shifted — what a correct merge writes.
 */
export function concatMmIndexes(parts: readonly MmIndex[]): Buffer {
  if (parts.length === 0) throw new MmIndexError("nothing to merge");
  const dtypeCode = parts[0]!.dtypeCode;
  const sizes: number[] = [];
  const docIdx: number[] = [0];
  for (const p of parts) {
    if (p.dtypeCode !== dtypeCode)
      throw new MmIndexError(`dtype code ${p.dtypeCode} differs from the first part's ${dtypeCode}`);
    const base = sizes.length;
    sizes.push(...p.sizes);
    docIdx.push(...p.docIdx.slice(1).map((x) => x + base));
  }
  return encodeMmIndex(sizes, docIdx, dtypeCode);
}
