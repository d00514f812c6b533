// Regenerates the generated parts of docs/ (lint rule pages) from the rules' own docs and their test fixtures: npm run docs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { RULES } from '../src/lint/rules/index.js';
import { ruleMarkdown, rulesIndex } from '../src/lint/docs.js';
import { ruleExamples } from './rule-examples.js';

const dir = new URL('../docs/rules/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const r of RULES) writeFileSync(new URL(`${r.id}.md`, dir), ruleMarkdown(r, await ruleExamples(r.id)));
writeFileSync(new URL('README.md', dir), rulesIndex(RULES));
console.log(`wrote ${RULES.length} rule pages and docs/rules/README.md`);
