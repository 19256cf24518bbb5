#!/bin/bash
# {{header}}
set -euo pipefail
RUN_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
{{environment}}# JIT-built extensions (DeepSpeed's FusedAdam without apex) are built once per run, not per rank
export TORCH_EXTENSIONS_DIR="${RUN_DIR}/torch-extensions"
mode="${1:?usage: rank.sh argv OUT CONFIG... | rank.sh prebuild | rank.sh train ARGV_FILE}"
shift
case "${mode}" in
  argv)
    out="$1"
    cd -- "${RUN_DIR}"
    shift
    exec {{argv}} "${out}" {{user_script}} "$@"
    ;;
  prebuild)
{{prebuild}}
    ;;
  train)
    : "${SLURM_PROCID:?neoxctl: not a Slurm task (start ranks with srun)}"
    export RANK="${SLURM_PROCID}" LOCAL_RANK="${SLURM_LOCALID:?}" WORLD_SIZE="${SLURM_NTASKS:?}"
    : "${MASTER_ADDR:?neoxctl: MASTER_ADDR is not set}" "${MASTER_PORT:?neoxctl: MASTER_PORT is not set}"
    mapfile -t argv < "$1"
    cd -- {{workdir}}
    exec {{train}} "${argv[@]}"
    ;;
  *)
    echo "rank.sh: unknown mode ${mode}" >&2
    exit 2
    ;;
esac
