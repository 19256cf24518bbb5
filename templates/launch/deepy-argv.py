#!/usr/bin/env python
# {{header}}
# usage: deepy-argv.py NEOX_DIR OUT USER_SCRIPT CONFIG...
import os
import sys

neox_dir, out = sys.argv[1], sys.argv[2]
sys.path.insert(0, neox_dir)
from megatron.neox_arguments import NeoXArgs  # noqa: E402

sys.argv = ['deepy.py'] + sys.argv[3:]
neox_args = NeoXArgs.consume_deepy_args()
args = neox_args.get_deepspeed_main_args()
start = args.index('--deepspeed_config') - 1
train_argv = args[start:]
assert '--megatron_config' in train_argv, train_argv
assert all('\n' not in a for a in train_argv), 'an argument holds a line break'
with open(out + '.tmp', 'w') as f:
    f.write('\n'.join(train_argv) + '\n')
os.replace(out + '.tmp', out)
