#!/usr/bin/env bash
# npm run bench: side-by-side benchmarks on the local engine; writes docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-env.sh
node bench/run.mjs
# Section 9 of docs/benchmarks.md (and docs/lint-benchmarks.md): lint of large inputs, no Docker.
node bench/lint.mjs
