#!/usr/bin/env bash
# The test command (README, .ci/run): prepares the machine, then checks the
# layering and the generated files, and runs every test project:
#   unit         no Docker Engine, no dist/, no tools: models, renderers, the CLI in-process,
#                build and verify orchestration against an in-memory engine
#   integration  the built bundle spawned, and real tools (systemd-analyze, tmux, Debian's tini)
#   e2e          the real Docker Engines, compose v1 + v2, swarm, a registry, in passes:
#   1. "20.10": the whole e2e suite on the system's engine (Debian 12: Engine 20.10);
#   2. "26.1": the engine-sensitive files on Docker Engine 26.1 (scripts/engine.sh: Debian 13's
#      dockerd in its own network namespace, started here and stopped at the end):
#      skeleton, verify, images, compose (v1 + v2), engines and swarm. The rest (nohup, corpus,
#      injection, interrupts, reliability, package) exercise goneat-deploy and the
#      service, not engine differences: once is enough, and the 26.1 pass stays short;
#   3. "26.1-containerd": the image-store-sensitive files (images, engines) on a second Engine 26.1 whose
#      images live in containerd's store (the default for new installs from Engine 29);
#   4. "k8s": test/e2e/k8s.test.ts on a one-node Kubernetes 1.37.2 (scripts/k8s.sh), whose
#      build starts in the background right after ensure-env.
# GONEAT_TEST_ENGINES picks the e2e passes (default "20.10 26.1 26.1-containerd"). Extra
# arguments go to vitest. The 26.1 namespaces have no outside network: package.test.ts
# (npm install from the registry) runs in the first pass only.
# Every e2e pass runs even when an earlier one failed; the script then exits 1.
# Prints how long each part took.
set -euo pipefail
cd "$(dirname "$0")/.."

ENGINES=${GONEAT_TEST_ENGINES:-20.10 26.1 26.1-containerd}
E2E_26=(test/e2e/skeleton.test.ts test/e2e/verify.test.ts test/e2e/images.test.ts test/e2e/compose.test.ts test/e2e/engines.test.ts test/e2e/swarm.test.ts)
# containerd's image store changes image IDs, what a push reports and what a pulled manifest list is.
E2E_26C=(test/e2e/images.test.ts test/e2e/engines.test.ts)

times=()
failed=()
part() { # name, command... — times it, and returns its exit status
  local name=$1 start=$SECONDS rc=0
  shift
  "$@" || rc=$?
  times+=("$(printf '%-44s %4d s%s' "$name" $((SECONDS - start)) "$([ $rc -eq 0 ] || echo "  FAILED (exit $rc)")")")
  return $rc
}
# Each e2e pass runs even when an earlier one failed (a complete picture of every engine); the
# script fails at the end.
e2e_pass() { part "$@" || failed+=("$1"); }
finish() {
  # The 26.1 engines ensure-env started are stopped however the run ends (idempotent).
  if has 26.1; then scripts/engine.sh stop >/dev/null 2>&1 || true; fi
  if has 26.1-containerd; then GONEAT_ENGINE_IMAGE_STORE=containerd scripts/engine.sh stop >/dev/null 2>&1 || true; fi
  [ ${#times[@]} -gt 0 ] || return 0
  printf '\ntest.sh timings:\n' >&2
  printf '  %s\n' "${times[@]}" >&2
}
trap finish EXIT
has() { case " $ENGINES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

part "ensure-env (engines: $ENGINES)" env GONEAT_ENV_ENGINES="$ENGINES" scripts/ensure-env.sh
# The Kubernetes components take longest to build (see docs/benchmarks.md): start the build
# now, at the lowest priority, so it overlaps the other tests; the k8s project runs last and
# waits for it (scripts/k8s.sh up takes the build's lock). Its log: .tmp/k8s-build.log.
# GONEAT_K8S=0 skips the Kubernetes suite; GONEAT_K8S=1 (CI) makes a cluster that cannot run a failure.
if [ "${GONEAT_K8S:-}" != 0 ] && bash scripts/k8s.sh check >/dev/null 2>&1; then
  mkdir -p .tmp
  nice -n 19 ionice -c 3 bash scripts/k8s.sh build >.tmp/k8s-build.log 2>&1 &
fi
# esbuild bundles without type checking: tsc is the type gate.
part "typecheck" npm run --silent typecheck
# What may import what (docs/architecture.md, .dependency-cruiser.cjs).
part "depcruise" npm run --silent depcruise
# The committed generated files (schema, rule pages, the example's outputs) are current.
part "generate --check" npm run --silent generate -- --check
part "unit (unit, golden, cli)" npx vitest run --project unit "$@"
part "integration" npx vitest run --project integration "$@"
if has 20.10; then
  e2e_pass "e2e, all files, $(docker version --format 'Engine {{.Server.Version}}' 2>/dev/null)" npx vitest run --project e2e "$@"
fi
if has 26.1; then
  e2e_pass "e2e, ${#E2E_26[@]} files, Engine 26.1 (own netns)" scripts/engine.sh exec npx vitest run --project e2e "${E2E_26[@]}" "$@"
  part "stop Engine 26.1" scripts/engine.sh stop
fi
if has 26.1-containerd; then
  e2e_pass "e2e, ${#E2E_26C[@]} files, Engine 26.1, containerd store" env GONEAT_ENGINE_IMAGE_STORE=containerd scripts/engine.sh exec npx vitest run --project e2e "${E2E_26C[@]}" "$@"
  part "stop Engine 26.1 (containerd store)" env GONEAT_ENGINE_IMAGE_STORE=containerd scripts/engine.sh stop
fi
# 4. "k8s": the generated manifests on a one-node Kubernetes built from upstream parts (scripts/k8s.sh).
e2e_pass "k8s (build wait + up + tests + down)" npx vitest run --project k8s --passWithNoTests "$@"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'test.sh: failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
