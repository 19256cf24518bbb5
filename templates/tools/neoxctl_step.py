#!/usr/bin/env python3
# neoxctl step tool: runs one task of a job-graph step (convert, tokenize, merge, export) and keeps
# the contract of docs/graph.md: outputs are written under temporary names, checked, renamed into
# place, and only then is the task's record written (also by rename). A task whose record exists and
# whose files still have the recorded sizes does nothing. Python standard library only, so the same
# file runs in the training container on LUMI and on a bare test host.
#
# usage: neoxctl_step.py <steps/STEP.json> <task index>
#
# Exit status: 0 done (or already done); 3 bad input that a retry will not fix (a missing input file,
# an existing output that is not ours, a configuration that does not match the model); 1 anything else
# (the tool failed, a check failed), which a retry may fix. The last stderr line says what and where.
#
# The mmap index format read and written here is MMapIndexedDataset.Index of NeoX's
# megatron/data/indexed_dataset.py (EleutherAI/gpt-neox at b156b025bbb6128a5981ca567fd303a1a52cf13b);
# the merge is our own because NeoX's MMapIndexedDatasetBuilder.merge_file_ (same commit) appends the
# sizes of each part but not its document boundaries (see docs/graph.md).

import datetime
import json
import os
import shutil
import subprocess
import sys
from array import array

MAGIC = b"MMIDIDX\x00\x00"
DTYPE_BYTES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 4, 7: 8, 8: 2}
PERMANENT = 3


class StepFailure(Exception):
    def __init__(self, message, status=1):
        super().__init__(message)
        self.status = status


def bad_input(message):
    return StepFailure(message, PERMANENT)


def read_index(idx_path):
    """Reads a .idx; returns (dtype code, sizes array('i'), doc_idx array('q'))."""
    try:
        with open(idx_path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise bad_input(f"{idx_path}: missing")
    head = 9 + 8 + 1 + 8 + 8
    if len(data) < head or data[:9] != MAGIC:
        raise StepFailure(f"{idx_path}: not a NeoX mmap index (no MMIDIDX magic)")
    version = int.from_bytes(data[9:17], "little")
    dtype = data[17]
    n = int.from_bytes(data[18:26], "little")
    d = int.from_bytes(data[26:34], "little")
    if version != 1 or dtype not in DTYPE_BYTES:
        raise StepFailure(f"{idx_path}: index version {version}, dtype code {dtype} not understood")
    if len(data) != head + n * 12 + d * 8:
        raise StepFailure(f"{idx_path}: {len(data)} bytes, the header promises {head + n * 12 + d * 8}")
    sizes = array("i")
    sizes.frombytes(data[head : head + n * 4])
    pointers = array("q")
    pointers.frombytes(data[head + n * 4 : head + n * 12])
    doc_idx = array("q")
    doc_idx.frombytes(data[head + n * 12 :])
    if sys.byteorder != "little":
        for a in (sizes, pointers, doc_idx):
            a.byteswap()
    item = DTYPE_BYTES[dtype]
    address = 0
    for i in range(n):
        if pointers[i] != address:
            raise StepFailure(f"{idx_path}: pointer {i} does not follow the sizes")
        address += sizes[i] * item
    if d == 0 or doc_idx[0] != 0 or doc_idx[-1] != n:
        raise StepFailure(f"{idx_path}: document index does not span the {n} sequences")
    return dtype, sizes, doc_idx


def write_index(idx_path, dtype, sizes, doc_idx):
    item = DTYPE_BYTES[dtype]
    pointers = array("q")
    address = 0
    for s in sizes:
        pointers.append(address)
        address += s * item
    parts = [sizes, pointers, doc_idx]
    if sys.byteorder != "little":
        parts = [array(a.typecode, a) for a in parts]
        for a in parts:
            a.byteswap()
    with open(idx_path, "wb") as f:
        f.write(MAGIC)
        f.write((1).to_bytes(8, "little"))
        f.write(bytes([dtype]))
        f.write(len(sizes).to_bytes(8, "little"))
        f.write(len(doc_idx).to_bytes(8, "little"))
        for a in parts:
            f.write(a.tobytes())


def check_prefix(prefix):
    """Checks prefix.bin against prefix.idx; returns counts and the two files with their sizes."""
    dtype, sizes, doc_idx = read_index(prefix + ".idx")
    tokens = sum(sizes)
    want = tokens * DTYPE_BYTES[dtype]
    try:
        got = os.path.getsize(prefix + ".bin")
    except FileNotFoundError:
        raise bad_input(f"{prefix}.bin: missing")
    if got != want:
        raise StepFailure(f"{prefix}.bin: {got} bytes, its index needs {want}")
    if len(doc_idx) < 2 or tokens == 0:
        raise StepFailure(f"{prefix}: no documents")
    return {
        "documents": len(doc_idx) - 1,
        "tokens": tokens,
        "files": [
            {"path": prefix + ".bin", "bytes": got},
            {"path": prefix + ".idx", "bytes": os.path.getsize(prefix + ".idx")},
        ],
        "dtype": dtype,
    }


def tree_files(root):
    out = []
    for d, _, names in os.walk(root):
        for n in sorted(names):
            p = os.path.join(d, n)
            out.append({"path": p, "bytes": os.path.getsize(p)})
    return sorted(out, key=lambda f: f["path"])


def record_path(step, task):
    return step["record"].replace("%a", str(task)) if step.get("array") else step["record"]


def record_still_true(path):
    """A record whose files all still have their recorded sizes means the task is done."""
    try:
        with open(path) as f:
            rec = json.load(f)
        return all(
            os.path.getsize(fl["path"]) == fl["bytes"] for o in rec["outputs"] for fl in o["files"]
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False


def write_record(step, task, outputs):
    path = record_path(step, task)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    rec = {"version": 1, "step": step["id"], "outputs": outputs}
    if step.get("array"):
        rec["task"] = task
    rec["finishedAt"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(rec, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)
    print(f"neoxctl-step: {step['id']} task {task}: record {path}")


def tmp_name(path):
    job = os.environ.get("SLURM_JOB_ID", str(os.getpid()))
    return os.path.join(os.path.dirname(path), f".neoxctl-tmp-{job}-{os.path.basename(path)}")


def run(argv):
    print("neoxctl-step: running " + " ".join(argv), flush=True)
    rc = subprocess.call(argv)
    if rc != 0:
        raise StepFailure(f"{os.path.basename(argv[1] if len(argv) > 1 else argv[0])} exited {rc}")


def need_files(paths):
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise bad_input("missing input: " + ", ".join(missing))


def publish_prefix(tmp_prefix, prefix):
    # .bin first: a reader needs both, and the record (written last) is what says "done"
    os.replace(tmp_prefix + ".bin", prefix + ".bin")
    os.replace(tmp_prefix + ".idx", prefix + ".idx")


def tokenize(step, task):
    outputs = []
    for out in task["outputs"]:
        prefix = out["path"]
        need_files(out["inputs"])
        os.makedirs(os.path.dirname(prefix), exist_ok=True)
        base = prefix[: -len("_text_document")]
        tmp_base = tmp_name(base)
        run(
            step["command"]
            + ["--input", ",".join(out["inputs"]), "--output-prefix", tmp_base]
            + ["--jsonl-keys", "text", "--tokenizer-type", "HFTokenizer"]
            + ["--vocab-file", step["tokenizer"], "--append-eod", "--workers", str(step["workers"])]
        )
        tmp_prefix = tmp_base + "_text_document"
        check_prefix(tmp_prefix)
        publish_prefix(tmp_prefix, prefix)
        c = check_prefix(prefix)
        outputs.append(
            {"path": prefix, "kind": "neox_prefix", "files": c["files"], "documents": c["documents"], "tokens": c["tokens"]}
        )
    return outputs


def merge(step, task):
    outputs = []
    for out in task["outputs"]:
        prefix = out["path"]
        members = out["inputs"]
        need_files([m + ext for m in members for ext in (".bin", ".idx")])
        parts = [read_index(m + ".idx") for m in members]
        dtypes = {p[0] for p in parts}
        if len(dtypes) != 1:
            raise bad_input(f"{prefix}: members have different token dtypes {sorted(dtypes)}")
        for m in members:
            check_prefix(m)
        dtype = parts[0][0]
        sizes = array("i")
        doc_idx = array("q", [0])
        for _, s, d in parts:
            base = len(sizes)
            sizes.extend(s)
            doc_idx.extend(x + base for x in d[1:])
        os.makedirs(os.path.dirname(prefix), exist_ok=True)
        tmp = tmp_name(prefix)
        with open(tmp + ".bin", "wb") as w:
            for m in members:
                with open(m + ".bin", "rb") as r:
                    shutil.copyfileobj(r, w, 16 << 20)
        write_index(tmp + ".idx", dtype, sizes, doc_idx)
        c = check_prefix(tmp)
        want = sum(check_prefix(m)["tokens"] for m in members)
        if c["tokens"] != want:
            raise StepFailure(f"{prefix}: merged {c['tokens']} tokens, members hold {want}")
        publish_prefix(tmp, prefix)
        c = check_prefix(prefix)
        outputs.append(
            {
                "path": prefix,
                "kind": "neox_prefix",
                "files": c["files"],
                "documents": c["documents"],
                "tokens": c["tokens"],
            }
        )
    return outputs


def check_hf_config(path, expect):
    try:
        with open(path) as f:
            cfg = json.load(f)
    except FileNotFoundError:
        raise bad_input(f"{path}: missing")
    except ValueError as e:
        raise bad_input(f"{path}: not JSON ({e})")
    for key, want in expect.items():
        if cfg.get(key) != want:
            raise bad_input(f"{path}: {key} is {cfg.get(key)!r}, the model preset needs {want!r}")


def check_converted(ckpt, tp):
    try:
        with open(os.path.join(ckpt, "latest")) as f:
            tag = f.read().strip()
    except FileNotFoundError:
        raise StepFailure(f"{ckpt}/latest: missing")
    tag_dir = os.path.join(ckpt, tag)
    ranks = sorted(n for n in os.listdir(tag_dir) if n.startswith("mp_rank_")) if os.path.isdir(tag_dir) else []
    want = [f"mp_rank_{r:02d}_model_states.pt" for r in range(tp)]
    if ranks != want:
        raise StepFailure(f"{tag_dir}: holds {ranks or 'no model states'}, tp {tp} needs {want}")
    for n in want:
        if os.path.getsize(os.path.join(tag_dir, n)) == 0:
            raise StepFailure(f"{tag_dir}/{n}: empty")


def convert(step, task):
    out = task["outputs"][0]
    ckpt = out["path"]
    hf = out["inputs"][0]
    tp = step["tp"]
    check_hf_config(os.path.join(hf, "config.json"), step["expect"])
    if os.path.exists(ckpt):
        try:
            check_converted(ckpt, tp)
        except StepFailure as e:
            raise bad_input(f"{ckpt} exists and is not a conversion for tp {tp} ({e}); remove it or change init.checkpoint")
    else:
        tmp = tmp_name(ckpt)
        shutil.rmtree(tmp, ignore_errors=True)
        run(step["command"] + ["--tp", str(tp), "--pp", "0", "--model", hf, "--model_path", tmp])
        check_converted(tmp, tp)
        os.replace(tmp, ckpt)
    check_converted(ckpt, tp)
    return [{"path": ckpt, "kind": "neox_checkpoint", "files": tree_files(ckpt)}]


def export(step, task):
    outputs = []
    for out in task["outputs"]:
        dest = out["path"]
        src = out["inputs"][0]
        need_files([src, step["config"]])
        if not os.path.exists(dest):
            tmp = tmp_name(dest)
            shutil.rmtree(tmp, ignore_errors=True)
            run(
                step["command"]
                + ["--input_dir", src, "--config_file", step["config"], "--output_dir", tmp]
                + ["--precision", step["precision"], "--architecture", "llama"]
            )
            check_hf_config(os.path.join(tmp, "config.json"), step["expect"])
            os.replace(tmp, dest)
        check_hf_config(os.path.join(dest, "config.json"), step["expect"])
        files = tree_files(dest)
        weights = [f for f in files if f["path"].endswith((".safetensors", ".bin")) and f["bytes"] > 0]
        if not weights:
            raise StepFailure(f"{dest}: no weight files")
        outputs.append({"path": dest, "kind": "hf_checkpoint", "files": files})
    return outputs


KINDS = {"tokenize": tokenize, "merge": merge, "convert": convert, "export": export}


def main(argv):
    if len(argv) != 3:
        print("usage: neoxctl_step.py <steps/STEP.json> <task index>", file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        step = json.load(f)
    index = int(argv[2])
    if index < 0 or index >= len(step["tasks"]):
        print(f"neoxctl-step: {step['id']} has no task {index}", file=sys.stderr)
        return PERMANENT
    rec = record_path(step, index)
    if record_still_true(rec):
        print(f"neoxctl-step: {step['id']} task {index} already done ({rec})")
        return 0
    try:
        outputs = KINDS[step["kind"]](step, step["tasks"][index])
        write_record(step, index, outputs)
        return 0
    except StepFailure as e:
        kind = "permanent" if e.status == PERMANENT else "failed"
        print(f"neoxctl-step: {kind}: {step['id']} task {index}: {e}", file=sys.stderr)
        return e.status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
