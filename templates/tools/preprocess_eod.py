#!/usr/bin/env python3
# Runs NeoX's tools/datasets/preprocess_data.py (or the local stand-in) with an explicit
# end-of-document id. NeoX's HFTokenizer takes its eod id from token_to_id("<|endoftext|>")
# (megatron/tokenizer/tokenizer.py, EleutherAI/gpt-neox at 6dd03445f1186b91c217d53602687c9df4744f3d);
# Llama 3's tokenizer calls that token <|end_of_text|>, so the lookup gives None and --append-eod
# cannot append it. `neoxctl plan` reads the right id from tokenizer.json (or the spec's init.eod)
# and this wrapper sets it on every HFTokenizer the tool builds, then runs the tool unchanged.
# Worker processes are forked (Linux default up to Python 3.13) and inherit the patched class.
#
# usage: preprocess_eod.py --eod-id N --neox-dir DIR|--standin FILE -- <preprocess_data.py arguments>

import importlib.util
import os
import runpy
import sys


def patch(cls, eod_id):
    original = cls.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.eod_id = eod_id

    cls.__init__ = init


def main(argv):
    if "--" not in argv:
        sys.exit("usage: preprocess_eod.py --eod-id N --neox-dir DIR|--standin FILE -- ARGS")
    cut = argv.index("--")
    opts, rest = argv[:cut], argv[cut + 1 :]
    eod_id = int(opts[opts.index("--eod-id") + 1])
    if "--neox-dir" in opts:
        neox = opts[opts.index("--neox-dir") + 1]
        sys.path.insert(0, neox)
        from megatron.tokenizer import tokenizer as neox_tokenizer  # noqa: E402

        patch(neox_tokenizer.HFTokenizer, eod_id)
        script = os.path.join(neox, "tools", "datasets", "preprocess_data.py")
        sys.argv = [script] + rest
        runpy.run_path(script, run_name="__main__")
    else:
        path = opts[opts.index("--standin") + 1]
        spec = importlib.util.spec_from_file_location("preprocess_standin", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        patch(module.HFTokenizer, eod_id)
        module.main(rest)


if __name__ == "__main__":
    main(sys.argv[1:])
