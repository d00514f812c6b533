#!/usr/bin/env bash
# npm run soak: the long reliability runs (100 restarts under load, 20 swarm
# rollouts, 20 Kubernetes rollouts, 10,000 orphans, crashes, the bad-input
# corpus, the property tests and the hostile values read by the real consumers), then docs/reliability.md from the figures
# they recorded.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-env.sh
rm -rf .tmp/reliability
npx vitest run --project unit test/cli/corpus.test.ts test/unit/property.test.ts test/unit/hostile-property.test.ts
npx vitest run --project integration test/integration/systemd-analyze.test.ts
# Issue 19's hostile values read back by the real consumers, 200 generated payloads per field (5 in npm test).
GONEAT_SOAK=1 npx vitest run --project integration test/integration/hostile-consumers.test.ts
GONEAT_SOAK=1 npx vitest run --project e2e test/e2e/reliability.test.ts test/e2e/swarm.test.ts test/e2e/corpus.test.ts test/e2e/systemd.test.ts test/e2e/daemonize.test.ts
GONEAT_SOAK=1 npx vitest run --project k8s test/e2e/k8s.test.ts
node scripts/reliability-report.mjs > docs/reliability.md.tmp && mv docs/reliability.md.tmp docs/reliability.md
echo "wrote docs/reliability.md"
