/**
 * The layering of src/ (docs/architecture.md explains it), checked by
 * `npm run depcruise` in scripts/test.sh. Each folder may import only the
 * folders listed for it; no module may take part in an import cycle; only
 * src/runtime/docker/ imports dockerode.
 *
 *   bin.ts → cli → generate, image, verify, lint, init, config
 *   generate → render, image (dockerfile, lock), write, config
 *   image → runtime (interfaces only), write (lock file), config (types)
 *   verify → runtime (interfaces only)
 *   config, render, write, runtime, lint, init → model
 *   everything → model, util, errors.ts
 */
const base = ['^src/model/', '^src/util/', '^src/errors\\.ts$'];

/** A rule: modules under `from` may import (inside src/) only what `allowed` matches. */
function only(name, from, allowed) {
  return {
    name,
    severity: 'error',
    comment: `${from} may import only ${allowed.join(', ')} inside src/`,
    from: { path: from },
    to: { path: '^src/', pathNot: [from, ...allowed] },
  };
}

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'no import cycles, between modules or folders', from: {}, to: { circular: true } },
    {
      name: 'dockerode-only-in-runtime-docker',
      severity: 'error',
      comment: 'the Docker Engine API is reached through src/runtime/engine.ts; only its Docker implementation imports dockerode',
      from: { pathNot: '^src/runtime/docker/' },
      to: { path: 'node_modules/(dockerode|docker-modem)/' },
    },
    {
      name: 'runtime-docker-only-from-cli-engine',
      severity: 'error',
      comment: 'commands connect through src/cli/engine.ts; the core sees only the Engine interfaces',
      from: { path: '^src/', pathNot: ['^src/runtime/docker/', '^src/cli/engine\\.ts$'] },
      to: { path: '^src/runtime/docker/' },
    },
    only('model-is-the-bottom', '^src/model/', ['^src/util/']),
    only('util-imports-nothing', '^src/util/', []),
    only('errors-imports-nothing', '^src/(errors|version|paths)\\.ts$', []),
    only('config-reads-files-into-the-model', '^src/config/', base),
    only('render-is-pure-over-the-model', '^src/render/', base),
    only('write-is-independent-of-render', '^src/write/', base),
    only('runtime-knows-no-feature', '^src/runtime/', base),
    only('lint-sees-the-model', '^src/lint/', [...base, '^src/version\\.ts$']),
    only('init-sees-the-model', '^src/init/', base),
    only('verify-uses-runtime-interfaces', '^src/verify/', [...base, '^src/runtime/engine\\.ts$']),
    only('image-uses-runtime-interfaces', '^src/image/', [...base, '^src/config/', '^src/runtime/engine\\.ts$', '^src/write/']),
    only('generate-composes-render-image-write', '^src/generate/', [...base, '^src/config/', '^src/render/', '^src/image/(dockerfile|lock)\\.ts$', '^src/write/']),
    only('cli-is-above-the-core', '^src/cli/', [...base, '^src/(config|generate|image|verify|lint|init|write|render)/', '^src/runtime/(engine|compose)\\.ts$', '^src/runtime/docker/', '^src/(version|paths)\\.ts$']),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a folder that needs another's types depends on it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
