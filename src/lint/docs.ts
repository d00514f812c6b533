/**
 * The page of each lint rule (docs/rules/<ID>.md), from the rule's own doc and
 * its test fixtures: the wrong example is test/fixtures/lint/<ID>/bad (with
 * what lint says about it), the right one test/fixtures/lint/<ID>/good — the
 * very files the unit tests lint. Pure: the caller reads the files.
 */
import type { Rule } from './rule.js';

export interface RuleExample {
  /** Fixture files: path relative to the repository, and text. */
  files: Array<{ path: string; text: string }>;
  /** `goneat-deploy lint` output for them. */
  output: string;
}

const FENCE: Record<string, string> = { yaml: 'yaml', yml: 'yaml', go: 'go', service: 'ini', conf: 'text' };
const fenceOf = (p: string) => (/Dockerfile$/.test(p) ? 'dockerfile' : FENCE[p.split('.').pop() ?? ''] ?? 'text');

function files(ex: RuleExample): string {
  return ex.files.map((f) => `\`${f.path}\`:\n\n\`\`\`${fenceOf(f.path)}\n${f.text.replace(/\n$/, '')}\n\`\`\`\n`).join('\n');
}

export function ruleMarkdown(rule: Rule, examples?: { bad: RuleExample; good: RuleExample }): string {
  const ex = examples
    ? `## Wrong
${files(examples.bad)}
\`goneat-deploy lint\` says (linted as the goneat-deploy service \`echo\` with a 15s drain, as the tests do):

\`\`\`text
${examples.bad.output.replace(/\n$/, '')}
\`\`\`

## Right
${files(examples.good)}
\`\`\`text
${examples.good.output.replace(/\n$/, '')}
\`\`\`
`
    : `## Examples
A file that triggers it: \`test/fixtures/lint/${rule.id}/bad/\`; the fixed one: \`test/fixtures/lint/${rule.id}/good/\`.
`;
  return `# ${rule.id} ${rule.name}

Level: **${rule.level}**

## What
${rule.doc.what}

## Why
${rule.doc.why}

## How to fix
${rule.doc.fix}

## Source
${rule.doc.source}

${ex}`;
}

export function rulesIndex(rules: Rule[]): string {
  return `# Lint rules

\`goneat-deploy lint\` checks Dockerfiles, compose files, Kubernetes YAML, systemd units, upstart jobs and Go
source. Each workload (compose service, Kubernetes container, systemd unit, upstart job, Dockerfile image) is
modelled from the whole chain — PID 1, every signal that reaches the service and the directive that sends it,
the time to SIGKILL — and the rules judge that model. IDs are stable. Findings carry file:line:column;
error-level findings make \`lint\` exit 1. \`goneat-deploy:ignore GDnnn <reason>\` in a comment on the line (or
the line above) suppresses one; without a reason it still suppresses and [GD022](GD022.md) warns, and an ID that
is no rule suppresses nothing (GD022 names it).

| ID | name | level | what |
| --- | --- | --- | --- |
${rules.map((r) => `| [${r.id}](${r.id}.md) | ${r.name} | ${r.level} | ${r.doc.what.replace(/\|/g, '\\|')} |`).join('\n')}
`;
}
