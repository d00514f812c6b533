// Regenerates the generated parts of docs/ (lint rule pages) from the compiled CLI (npm run build first).
import { mkdirSync, writeFileSync } from 'node:fs';
import { RULES } from '../dist/lint/rules/index.js';
import { ruleMarkdown, rulesIndex } from '../dist/lint/docs.js';

const dir = new URL('../docs/rules/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const r of RULES) writeFileSync(new URL(`${r.id}.md`, dir), ruleMarkdown(r));
writeFileSync(new URL('README.md', dir), rulesIndex(RULES));
console.log(`wrote ${RULES.length} rule pages and docs/rules/README.md`);
