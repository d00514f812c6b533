// The wrong/right examples of a lint rule's doc page: its test fixtures and what lint says about them,
// linted exactly as test/unit/lint.test.ts does (the goneat-deploy service "echo", drain 15s).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { lint } from '../src/lint/lint.js';
import { formatText } from '../src/lint/format.js';
import type { RuleExample } from '../src/lint/docs.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

async function example(dir: string): Promise<RuleExample> {
  const files = readdirSync(path.join(ROOT, dir)).sort().map((f) => ({ path: `${dir}/${f}`, text: readFileSync(path.join(ROOT, dir, f), 'utf8') }));
  const result = await lint(files, { services: [{ name: 'echo', drainMs: 15_000, dir, origin: 'goneat-deploy.yaml', goneat: true }] });
  return { files, output: formatText(result) };
}

export async function ruleExamples(id: string): Promise<{ bad: RuleExample; good: RuleExample }> {
  return { bad: await example(`test/fixtures/lint/${id}/bad`), good: await example(`test/fixtures/lint/${id}/good`) };
}
