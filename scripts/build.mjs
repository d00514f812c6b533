// Builds the CLI into dist/: one ESM bundle (src/bin.ts) with lazily loaded
// chunks for the heavy commands, so `--help` loads little and never dockerode.
// The config validator is compiled ahead of time (ajv standalone), so no
// schema is compiled at start-up.
import { build } from 'esbuild';
import { copyFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;

/** src/config/precompiled.ts exports nothing at dev time; in the bundle it is the standalone validator. */
const precompiled = {
  name: 'precompiled-validator',
  setup(b) {
    b.onLoad({ filter: /src\/config\/precompiled\.ts$/ }, async () => {
      const { Ajv } = require('ajv');
      const standalone = require('ajv/dist/standalone').default;
      const { ConfigSchema, AJV_OPTIONS, ANNOTATIONS } = await import(`${root}dist-schema/compile.js`);
      const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true } });
      for (const keyword of ANNOTATIONS) ajv.addKeyword({ keyword, schemaType: 'string' });
      const code = standalone(ajv, ajv.compile(ConfigSchema));
      return { contents: `${code}\nexport const precompiledValidator = validate;\n`, loader: 'js', resolveDir: `${root}node_modules/ajv/dist` };
    });
    // The run-time compiler is not needed in the bundle.
    b.onLoad({ filter: /src\/config\/compile\.ts$/ }, () => ({
      contents: "export function compileConfigValidator() { throw new Error('the bundle ships the config validator precompiled'); }",
      loader: 'js',
    }));
  },
};

// The schema module, compiled on its own first so the plugin can import it.
await build({ entryPoints: [`${root}src/config/compile.ts`], outdir: `${root}dist-schema`, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
await rm(`${root}dist`, { recursive: true, force: true });
await build({
  // go-worker: Go source lint's worker thread, loaded by new URL('./go-worker.js', import.meta.url).
  // lint-worker: a whole lint off the main thread for large inputs, so SIGINT/SIGTERM stop it (src/lint/lint.ts lintStoppable).
  entryPoints: { bin: `${root}src/bin.ts`, 'go-worker': `${root}src/lint/go-worker.ts`, 'lint-worker': `${root}src/lint/lint-worker.ts` },
  outdir: `${root}dist`,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // dockerode (and its optional native ssh deps) stays in node_modules, loaded only by commands that talk to the engine.
  external: ['dockerode', 'ora', '@inquirer/prompts'],
  banner: { js: "import { createRequire as __gdCreateRequire } from 'node:module'; const require = __gdCreateRequire(import.meta.url);" },
  plugins: [precompiled],
  metafile: process.env.GONEAT_BUILD_META === '1',
  logLevel: 'warning',
}).then(async (r) => {
  if (r.metafile) (await import('node:fs')).writeFileSync(`${root}.tmp/meta.json`, JSON.stringify(r.metafile));
});
await rm(`${root}dist-schema`, { recursive: true, force: true });
// Go source lint: web-tree-sitter's runtime and tree-sitter-go's grammar, both WebAssembly, beside the
// bundle (src/lint/go.ts looks there first), so an npm install needs neither package nor a native build.
await copyFile(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), `${root}dist/web-tree-sitter.wasm`);
await copyFile(require.resolve('tree-sitter-go/tree-sitter-go.wasm'), `${root}dist/tree-sitter-go.wasm`);
