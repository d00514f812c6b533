/** Lint output: text for people, JSON for scripts, SARIF 2.1.0 for code-scanning UIs. Pure. */
import { VERSION } from '../version.js';
import type { Finding } from './rule.js';
import { RULES } from './rules/index.js';
import type { LintResult } from './lint.js';
import { terminalSafe } from '../util/terminal.js';

export function formatText(result: LintResult): string {
  const lines = result.findings.map((f) => {
    const rule = RULES.find((r) => r.id === f.ruleId)!;
    // Messages quote the linted files' text, and file names are the user's: escaped for the terminal.
    return terminalSafe(`${f.file}:${f.line}:${f.column}: ${f.level} ${f.ruleId} ${f.message} (${rule.name})`);
  });
  const errors = result.findings.filter((f) => f.level === 'error').length;
  const warnings = result.findings.length - errors;
  lines.push(
    result.findings.length === 0
      ? `${result.files.length} file(s) checked, no findings`
      : `${result.files.length} file(s) checked: ${errors} error(s), ${warnings} warning(s)`,
  );
  return `${lines.join('\n')}\n`;
}

export function formatJson(result: LintResult): string {
  return `${JSON.stringify({ findings: result.findings, files: result.files, skipped: result.skipped }, null, 2)}\n`;
}

export function toSarif(result: LintResult): Record<string, unknown> {
  const ruleIndex = new Map(RULES.map((r, i) => [r.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'goneat-deploy',
            version: VERSION,
            rules: RULES.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.doc.what },
              fullDescription: { text: `${r.doc.why} Source: ${r.doc.source}` },
              help: { text: r.doc.fix, markdown: `**Fix:** ${r.doc.fix}\n\n${r.doc.why}\n\nSource: ${r.doc.source}` },
              defaultConfiguration: { level: r.level },
            })),
          },
        },
        artifacts: result.files.map((f) => ({ location: { uri: toUri(f.path) } })),
        results: result.findings.map((f: Finding) => ({
          ruleId: f.ruleId,
          ruleIndex: ruleIndex.get(f.ruleId),
          level: f.level,
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: toUri(f.file) },
                region: { startLine: f.line, startColumn: f.column },
              },
            },
          ],
        })),
      },
    ],
  };
}

function toUri(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

export function formatSarif(result: LintResult): string {
  return `${JSON.stringify(toSarif(result), null, 2)}\n`;
}
