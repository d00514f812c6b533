#!/usr/bin/env bash
# The test command (README, .ci/run): prepares the machine, then runs the fast
# tests and the end-to-end tests against the real Docker Engine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-env.sh
# The Kubernetes components take longest to build (see docs/benchmarks.md): start the build
# now, at the lowest priority, so it overlaps the other tests; the k8s project runs last and
# waits for it (scripts/k8s.sh up takes the build's lock). Its log: .tmp/k8s-build.log.
if [ "${GONEAT_K8S:-}" != 0 ] && bash scripts/k8s.sh check >/dev/null 2>&1; then
  mkdir -p .tmp
  nice -n 19 ionice -c 3 bash scripts/k8s.sh build >.tmp/k8s-build.log 2>&1 &
fi
# esbuild bundles without type checking: tsc is the type gate.
npm run --silent typecheck
npx vitest run --project unit "$@"
npx vitest run --project e2e "$@"
npx vitest run --project k8s --passWithNoTests "$@"
