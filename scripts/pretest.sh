#!/usr/bin/env bash
# Runs before `npm test`, so the README's test command works on its own on a fresh machine:
# installs node packages when missing and brings up the local stack (idempotent, quick when up).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/.bin ] || npm ci --no-audit --no-fund
npm run --silent build
bash scripts/stack-up.sh
