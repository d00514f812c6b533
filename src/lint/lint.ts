/** Runs every rule over a set of files. Pure: texts in, findings out. */
import path from 'node:path';
import { classify, type LintFile } from './files.js';
import type { Finding, LintContext, Level } from './rule.js';
import { RULES } from './rules/index.js';

export interface LintInput {
  path: string;
  text: string;
}

export interface LintResult {
  findings: Finding[];
  /** Files lint understood, with their kind. */
  files: Array<{ path: string; kind: LintFile['kind'] | 'trpc-go' }>;
  /** Files given that lint has no rules for. */
  skipped: string[];
}

export function lint(inputs: LintInput[], opts: { drainMs?: number; preStopMs?: number; trpcConfigs?: string[]; healthConfigured?: boolean } = {}): LintResult {
  const files: LintFile[] = [];
  const skipped: string[] = [];
  const trpcConfigs: Array<{ path: string; text: string }> = [];
  for (const i of inputs) {
    // tRPC-Go's config (config.go defaultConfigPath), or the file goneat-deploy.yaml names: GD014 reads it.
    if (path.basename(i.path) === 'trpc_go.yaml' || opts.trpcConfigs?.includes(i.path)) {
      trpcConfigs.push(i);
      continue;
    }
    const f = classify(i.path, i.text);
    if (f) files.push(f);
    else skipped.push(i.path);
  }
  const ctx: LintContext = {
    files,
    ...(opts.drainMs !== undefined ? { drainMs: opts.drainMs } : {}),
    ...(opts.preStopMs !== undefined ? { preStopMs: opts.preStopMs } : {}),
    ...(trpcConfigs.length ? { trpcConfigs } : {}),
    ...(opts.healthConfigured ? { healthConfigured: true } : {}),
  };
  const findings: Finding[] = [];
  for (const rule of RULES) {
    rule.check(ctx, (file, pos, message, level?: Level) =>
      findings.push({ ruleId: rule.id, level: level ?? rule.level, file, line: pos.line, column: pos.column, message }),
    );
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId));
  return { findings, files: [...files.map((f) => ({ path: f.path, kind: f.kind })), ...trpcConfigs.map((t) => ({ path: t.path, kind: 'trpc-go' as const }))], skipped };
}
