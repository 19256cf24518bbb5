#!/bin/bash
# neoxctl plan: run emma500-llama3-8b, attempt 1. Generated; re-plan instead of editing.
set -euo pipefail
RUN_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
set +u
: "${WITH_CONDA:?neoxctl: WITH_CONDA is not set inside the image, cannot activate its environment}"
eval "${WITH_CONDA}"
source /projappl/project_462000000/neox-venv/bin/activate
set -u
export PYTHONNOUSERSITE=1
export HF_HUB_OFFLINE=1
export HF_DATASETS_OFFLINE=1
export TRANSFORMERS_OFFLINE=1
# JIT-built extensions (DeepSpeed's FusedAdam without apex) are built once per run, not per rank
export TORCH_EXTENSIONS_DIR="${RUN_DIR}/torch-extensions"
mode="${1:?usage: rank.sh argv OUT CONFIG... | rank.sh prebuild | rank.sh train ARGV_FILE}"
shift
case "${mode}" in
  argv)
    out="$1"
    cd -- "${RUN_DIR}"
    shift
    exec python "${RUN_DIR}"/launch/deepy-argv.py /projappl/project_462000000/gpt-neox "${out}" /projappl/project_462000000/gpt-neox/train.py "$@"
    ;;
  prebuild)
    make -C /projappl/project_462000000/gpt-neox/megatron/data
    python -c 'from deepspeed.ops.op_builder import FusedAdamBuilder; FusedAdamBuilder().load()' ||
      echo 'neoxctl-preflight: WARN prebuild: FusedAdam did not build; each rank will try'
    ;;
  train)
    : "${SLURM_PROCID:?neoxctl: not a Slurm task (start ranks with srun)}"
    export RANK="${SLURM_PROCID}" LOCAL_RANK="${SLURM_LOCALID:?}" WORLD_SIZE="${SLURM_NTASKS:?}"
    : "${MASTER_ADDR:?neoxctl: MASTER_ADDR is not set}" "${MASTER_PORT:?neoxctl: MASTER_PORT is not set}"
    mapfile -t argv < "$1"
    cd -- /projappl/project_462000000/gpt-neox
    exec python -u "${argv[@]}"
    ;;
  *)
    echo "rank.sh: unknown mode ${mode}" >&2
    exit 2
    ;;
esac
