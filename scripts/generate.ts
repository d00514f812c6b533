// Regenerates every generated artifact the repository commits, from the sources
// that own them: `npm run generate` writes, `npm run generate -- --check` (CI,
// scripts/test.sh) writes nothing and exits 1 naming what is out of date.
//   schema/goneat-deploy.schema.json   ← src/model/schema.ts (+ the defaults table)
//   docs/rules/*.md                    ← each lint rule's own doc (src/lint/rules/), with a wrong and a right
//                                        example: its test fixtures and lint's own output (rule-examples.ts)
//   Dockerfile, compose.yaml, deploy/  ← examples/echo/goneat-deploy.yaml, through `generate`
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { run } from '../src/bin.js';
import { ruleMarkdown, rulesIndex } from '../src/lint/docs.js';
import { RULES } from '../src/lint/rules/index.js';
import { publishedSchema } from '../src/model/schema.js';
import { ruleExamples } from './rule-examples.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const stale: string[] = [];

function file(rel: string, content: string): void {
  const p = path.join(root, rel);
  const current = existsSync(p) ? readFileSync(p, 'utf8') : undefined;
  if (current === content) return;
  stale.push(rel);
  if (check) return;
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
}

file('schema/goneat-deploy.schema.json', `${JSON.stringify(publishedSchema(), null, 2)}\n`);
for (const r of RULES) file(`docs/rules/${r.id}.md`, ruleMarkdown(r, await ruleExamples(r.id)));
file('docs/rules/README.md', rulesIndex(RULES));

// The example's committed outputs, through the CLI itself (its header, its writer, its --check).
const sink = (out: string[]) => new Writable({ write: (c: Buffer, _e, cb) => (out.push(c.toString()), cb()) });
for (const [target, output] of [['dockerfile', 'Dockerfile'], ['compose', 'compose.yaml'], ['all', 'deploy']] as const) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await run(['generate', target, '-C', 'examples/echo', '-o', output, ...(check ? ['--check'] : [])], {
    stdout: sink(stdout),
    stderr: sink(stderr),
    env: { ...process.env, CI: '1' },
    cwd: root,
    signal: new AbortController().signal,
  });
  if (code !== 0 && !(check && code === 1)) throw new Error(`generate ${target}: exit ${code}: ${stderr.join('')}`);
  if (check && code === 1) stale.push(`${output} (${stderr.join('').trim()})`);
  if (!check) for (const line of stdout.join('').split('\n').filter((l) => l.startsWith('wrote '))) stale.push(line.slice('wrote '.length));
}

if (check && stale.length) {
  console.error(`generated files are out of date; run npm run generate:\n  ${stale.join('\n  ')}`);
  process.exit(1);
}
console.log(stale.length ? `${check ? 'stale' : 'wrote'}: ${stale.join(', ')}` : 'every generated file is current');
