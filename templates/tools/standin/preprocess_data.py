#!/usr/bin/env python3
# Stand-in for GPT-NeoX's tools/datasets/preprocess_data.py (EleutherAI/gpt-neox at
# 1023e5aba4ad7015226dba47b0c890889a466875) on the local test cluster, standard library only.
#
# Real behaviour kept:
# - the same command line (--input comma-separated files, --jsonl-keys, --tokenizer-type,
#   --vocab-file, --append-eod, --output-prefix, --dataset-impl, --workers, ...);
# - outputs `{output_prefix}_{key}_document.bin/.idx` per JSONL key, in the mmap index format
#   (MMIDIDX, one sequence per document), uint16 tokens below a 65,500 vocabulary, else int32;
# - empty documents are skipped; --append-eod appends the tokenizer's end-of-document id;
# - HFTokenizer looks its end-of-document token up as "<|endoftext|>" (megatron/tokenizer/tokenizer.py,
#   EleutherAI/gpt-neox at 6dd03445f1186b91c217d53602687c9df4744f3d), so with a tokenizer that lacks
#   it (Llama 3 has <|end_of_text|>) --append-eod fails on the missing id, as NeoX does;
# - a missing input file fails the run (NeoX's lm_dataformat reader raises).
# Known differences: words are split on whitespace and mapped through tokenizer.json's vocabulary
# (unknown words hash into it) instead of running the BPE model; only .jsonl/.json/.txt inputs;
# --workers, --ftfy and --log-interval are accepted and ignored; only --dataset-impl mmap is written.

import argparse
import json
import os
import sys
import zlib
from array import array

MAGIC = b"MMIDIDX\x00\x00"


class HFTokenizer:
    def __init__(self, vocab_file):
        with open(vocab_file) as f:
            spec = json.load(f)
        self.vocab = dict(spec.get("model", {}).get("vocab", {}) or {})
        for t in spec.get("added_tokens", []):
            self.vocab[t["content"]] = t["id"]
        self.vocab_size = max(self.vocab.values(), default=-1) + 1
        self.eod_id = self.vocab.get("<|endoftext|>")

    @property
    def eod(self):
        return self.eod_id

    def tokenize(self, text):
        n = max(self.vocab_size, 1)
        return [self.vocab.get(w, zlib.crc32(w.encode()) % n) for w in text.split()]


def get_args(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--input", type=str, required=True)
    p.add_argument("--jsonl-keys", nargs="+", default=["text"])
    p.add_argument("--num-docs", default=None, type=int)
    p.add_argument(
        "--tokenizer-type",
        type=str,
        required=True,
        choices=["HFGPT2Tokenizer", "HFTokenizer", "GPT2BPETokenizer", "CharLevelTokenizer", "TiktokenTokenizer", "SPMTokenizer"],
    )
    p.add_argument("--vocab-file", type=str, default=None)
    p.add_argument("--merge-file", type=str, default=None)
    p.add_argument("--append-eod", action="store_true")
    p.add_argument("--ftfy", action="store_true")
    p.add_argument("--output-prefix", type=str, required=True)
    p.add_argument("--dataset-impl", type=str, default="mmap", choices=["lazy", "cached", "mmap"])
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--log-interval", type=int, default=100)
    return p.parse_args(argv)


def documents(paths, key):
    for path in paths:
        with open(path) as f:  # a missing file raises, as lm_dataformat's reader does
            for line in f:
                line = line.strip()
                if not line:
                    continue
                text = json.loads(line).get(key, "") if not path.endswith(".txt") else line
                if text:
                    yield text


def write(prefix, dtype, docs):
    sizes = array("i")
    item = 2 if dtype == 8 else 4
    with open(prefix + ".bin", "wb") as b:
        for ids in docs:
            b.write(array("H" if dtype == 8 else "i", ids).tobytes())
            sizes.append(len(ids))
    pointers = array("q")
    address = 0
    for s in sizes:
        pointers.append(address)
        address += s * item
    doc_idx = array("q", range(len(sizes) + 1))
    with open(prefix + ".idx", "wb") as f:
        f.write(MAGIC + (1).to_bytes(8, "little") + bytes([dtype]))
        f.write(len(sizes).to_bytes(8, "little") + len(doc_idx).to_bytes(8, "little"))
        f.write(sizes.tobytes() + pointers.tobytes() + doc_idx.tobytes())


def main(argv=None):
    args = get_args(sys.argv[1:] if argv is None else argv)
    if args.tokenizer_type != "HFTokenizer":
        sys.exit(f"stand-in: only HFTokenizer is emulated, not {args.tokenizer_type}")
    tokenizer = HFTokenizer(args.vocab_file)
    print(f"Vocab size: {tokenizer.vocab_size}")
    print(f"Output prefix: {args.output_prefix}")
    dtype = 8 if tokenizer.vocab_size < 65500 else 4
    paths = args.input.split(",")
    for key in args.jsonl_keys:
        encoded = []
        for text in documents(paths, key):
            ids = tokenizer.tokenize(text)
            if not ids:
                continue
            if args.append_eod:
                ids.append(tokenizer.eod)
            # array() refuses None, as NeoX's np.array(..., dtype) does for a missing eod id
            array("i", ids)
            encoded.append(ids)
        write(f"{args.output_prefix}_{key}_document", dtype, encoded)


if __name__ == "__main__":
    main()
