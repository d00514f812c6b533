#!/usr/bin/env bash
# The test command (README, .ci/run): prepares the machine, then runs the fast
# tests and the end-to-end tests against the real Docker Engine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-env.sh
# esbuild bundles without type checking: tsc is the type gate.
npm run --silent typecheck
npx vitest run --project unit "$@"
npx vitest run --project integration "$@"
npx vitest run --project e2e "$@"
