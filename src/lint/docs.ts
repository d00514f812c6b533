/** The page of each lint rule (docs/rules/<ID>.md), from the rule's own doc. Pure. */
import type { Rule } from './rule.js';

export function ruleMarkdown(rule: Rule): string {
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

## Examples
A file that triggers it: \`test/fixtures/lint/${rule.id}/bad/\`; the fixed one: \`test/fixtures/lint/${rule.id}/good/\`.

\`\`\`sh
goneat-deploy lint test/fixtures/lint/${rule.id}/bad --drain 15s
\`\`\`
`;
}

export function rulesIndex(rules: Rule[]): string {
  return `# Lint rules

\`goneat-deploy lint\` checks Dockerfiles, compose files, Kubernetes YAML, systemd units and upstart jobs.
IDs are stable. Findings carry file:line:column; error-level findings make \`lint\` exit 1.

| ID | name | level | what |
| --- | --- | --- | --- |
${rules.map((r) => `| [${r.id}](${r.id}.md) | ${r.name} | ${r.level} | ${r.doc.what.replace(/\|/g, '\\|')} |`).join('\n')}
`;
}
