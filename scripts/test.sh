#!/usr/bin/env bash
# The test command (README, .ci/run): prepares the machine, then checks the
# layering and the generated files, and runs every test project:
#   unit         no Docker Engine, no dist/, no tools: models, renderers, the CLI in-process,
#                build and verify orchestration against an in-memory engine
#   integration  the built bundle spawned, and real tools (systemd-analyze, tmux, Debian's tini)
#   e2e          the real Docker Engine, compose, swarm, a registry
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-env.sh
# esbuild bundles without type checking: tsc is the type gate.
npm run --silent typecheck
# What may import what (docs/architecture.md, .dependency-cruiser.cjs).
npm run --silent depcruise
# The committed generated files (schema, rule pages, the example's outputs) are current.
npm run --silent generate -- --check
npx vitest run --project unit "$@"
npx vitest run --project integration "$@"
npx vitest run --project e2e "$@"
