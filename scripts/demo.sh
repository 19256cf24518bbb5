#!/usr/bin/env bash
# The README's main job: installs what is missing, brings up the local stack (Redis, a 4-node Slurm
# cluster, sshd), plans the EMMA-500 Llama 3 8B run for LUMI, then plays the local recovery scenario
# (node failure, hang, loss spike) under the supervisor with the NeoX emulator.
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
node packages/cli/bin/neoxctl.js plan examples/emma500-llama3-8b.yaml --cluster lumi --out out/emma500

if [ -f scripts/demo-scenario.ts ]; then
  step "playing the recovery scenario on the local cluster"
  npx tsx scripts/demo-scenario.ts
fi
