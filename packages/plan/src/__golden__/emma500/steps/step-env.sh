#!/bin/bash
# neoxctl plan: run emma500-llama3-8b, job graph. Generated; re-plan instead of editing.
set -euo pipefail
set +u
: "${WITH_CONDA:?neoxctl: WITH_CONDA is not set inside the image, cannot activate its environment}"
eval "${WITH_CONDA}"
source /projappl/project_462000000/neox-venv/bin/activate
set -u
export PYTHONUSERBASE=''
export HF_HUB_OFFLINE=1
export HF_DATASETS_OFFLINE=1
export TRANSFORMERS_OFFLINE=1
exec "$@"
