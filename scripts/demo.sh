#!/usr/bin/env bash
# The README's main job: installs what is missing, brings up the local stack (Redis, a 4-node Slurm
# cluster, sshd), plans the EMMA-500 Llama 3 8B run for LUMI, then runs the local demo's whole job
# graph under the supervisor (convert → tokenize array → merge → train with its recoveries — node
# failure, hang, loss spike, on the NeoX emulator — → export); the last line is JSON with every step.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

if [ ! -d node_modules ]; then
  step "installing node packages"
  npm ci --no-audit --no-fund
fi

step "compiling the CLI (packages/cli/dist)"
npm run --silent build

step "bringing up the local stack (Redis, Slurm nid001-nid004, sshd on 127.0.0.1:2222)"
bash scripts/stack-up.sh

step "planning the EMMA-500 Llama 3 8B run for LUMI (512 GCDs) into out/emma500"
node packages/cli/bin/neoxctl.js plan examples/emma500-llama3-8b.yaml --cluster lumi --out out/emma500 \
  --run-dir /scratch/project_462000000/emma500/run

if [ -f scripts/demo-scenario.ts ]; then
  step "running the whole job graph on the local cluster (convert, tokenize, merge, train with recoveries, export)"
  npx tsx scripts/demo-scenario.ts
fi
