/** docs/ stays true: generated rule pages in sync, every link resolves, every target and rule has a page. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ruleMarkdown, rulesIndex } from '../../src/lint/docs.js';
import { RULES } from '../../src/lint/rules/index.js';
import { TARGETS } from '../../src/generate/targets.js';
import { ROOT } from '../helpers/cli.js';
import { ruleExamples } from '../../scripts/rule-examples.js';

const docs = path.join(ROOT, 'docs');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? markdownFiles(path.join(dir, e.name)) : e.name.endsWith('.md') ? [path.join(dir, e.name)] : []));
}

describe('docs', () => {
  it('has a page per lint rule with a wrong and a right example from its test fixtures, generated (npm run generate)', async () => {
    for (const r of RULES) {
      const page = readFileSync(path.join(docs, 'rules', `${r.id}.md`), 'utf8');
      expect(page, r.id).toBe(ruleMarkdown(r, await ruleExamples(r.id)));
      // The wrong example shows the rule's own finding; the right one has none.
      expect(page.split('## Right')[0], r.id).toMatch(new RegExp(`: (error|warning) ${r.id} `));
      expect(page.split('## Right')[1], r.id).toMatch(/no findings/);
    }
    expect(readFileSync(path.join(docs, 'rules', 'README.md'), 'utf8')).toBe(rulesIndex(RULES));
  });

  it('has a page per target', () => {
    const pages: Record<string, string> = { dockerfile: 'dockerfile', compose: 'compose', swarm: 'swarm', k8s: 'kubernetes', systemd: 'systemd', daemonize: 'daemonize', launchd: 'launchd', upstart: 'upstart' };
    for (const t of TARGETS) expect(existsSync(path.join(docs, 'targets', `${pages[t.name]}.md`)), t.name).toBe(true);
  });

  it('every relative link in README.md and docs/ resolves', () => {
    const broken: string[] = [];
    for (const file of [path.join(ROOT, 'README.md'), ...markdownFiles(docs)]) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        if (!existsSync(path.resolve(path.dirname(file), target))) broken.push(`${path.relative(ROOT, file)} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('has a Mermaid signal-flow diagram for every runtime', () => {
    const flow = readFileSync(path.join(docs, 'signal-flow.md'), 'utf8');
    for (const runtime of ['docker compose', 'Swarm', 'Kubernetes', 'systemd', 'launchd', 'upstart']) expect(flow).toContain(runtime);
    expect(flow.match(/```mermaid/g)!.length).toBeGreaterThanOrEqual(6);
  });
});
