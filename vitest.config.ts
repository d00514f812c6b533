import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

const CORES = Math.max(2, availableParallelism());

export default defineConfig({
  test: {
    // One worker per core for the unit project: Vitest's default (cores - 1) ran it on one worker on 2 cores
    // (72 s against 40 s with both, measured here); its files share no state across processes. The other
    // projects keep one process (integration: timing-sensitive signal tests; e2e and k8s: one engine, one cluster).
    maxWorkers: CORES,
    minWorkers: CORES,
    projects: [
      {
        test: {
          // Fast: no Docker Engine, no dist/, no tools beyond node and bash; the CLI runs in-process.
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/golden/**/*.test.ts', 'test/cli/**/*.test.ts'],
          testTimeout: 30_000,
          // The files share a worker's module cache (nothing here mocks modules or keeps global state):
          // loading the sources once per worker instead of once per file halves the wall time on 2 cores.
          isolate: false,
          globalSetup: ['test/helpers/tmp-setup.ts'],
        },
      },
      {
        test: {
          // Tests that need real tools or the built bundle (dist/): run after `npm run build`.
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 60_000,
          globalSetup: ['test/helpers/tmp-setup.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // A project of its own, run last by scripts/test.sh: it waits for the Kubernetes build.
          exclude: [...configDefaults.exclude, 'test/e2e/k8s.test.ts'],
          // One real engine and one swarm: run the files one after another in one process.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 180_000,
          hookTimeout: 300_000,
          globalSetup: ['test/e2e/global-setup.ts', 'test/helpers/tmp-setup.ts'],
        },
      },
      {
        test: {
          name: 'k8s',
          include: ['test/e2e/k8s.test.ts'],
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 600_000,
          // `scripts/k8s.sh up` may first wait for (or do) the cold build of the components.
          hookTimeout: 3_600_000,
          globalSetup: ['test/e2e/global-setup.ts', 'test/helpers/tmp-setup.ts'],
        },
      },
    ],
  },
});
