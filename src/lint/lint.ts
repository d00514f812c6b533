/**
 * Runs every rule over a set of files: texts in, findings out. Pure but for
 * loading the Go parser (WebAssembly) when Go files are among the inputs.
 */
import { classify, trpcConfigDoc, type LintFile } from './files.js';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { analyzeGo, goParser, mayMatter, type GoFinding } from './go.js';
import { buildModel, type ServiceFacts } from './model.js';
import { checkDrainTargets } from './drain-target.js';
import type { Finding, LintContext, Level } from './rule.js';
import { RULES } from './rules/index.js';

export interface LintInput {
  path: string;
  text: string;
}

export interface LintResult {
  findings: Finding[];
  /** Files lint understood, with their kind. */
  files: Array<{ path: string; kind: LintFile['kind'] }>;
  /** Files given that lint has no rules for. */
  skipped: string[];
}

export interface LintOptions {
  /** Facts about named services: from goneat-deploy.yaml files, labels, `--drain NAME=D`. Each applies only to the workloads it matches. */
  services?: ServiceFacts[];
  /**
   * A drain given without a service name (`--drain 60s`): applies to the one
   * service the files describe. With several, lint cannot know whose it is:
   * it throws AmbiguousDrainError, naming them.
   */
  drainMs?: number;
  /**
   * Paths (as given in the inputs) of tRPC-Go configs whatever their names: the file a trpc-go
   * goneat-deploy.yaml names in `trpcConfig`. A trpc_go.yaml is recognized by its name.
   */
  trpcConfigs?: string[];
}

/** `--drain 60s` when the files describe several services. */
export class AmbiguousDrainError extends Error {
  constructor(readonly candidates: string[]) {
    const shown = candidates.length > 10 ? `${candidates.slice(0, 10).join(', ')} and ${candidates.length - 10} more` : candidates.join(', ');
    super(`the files describe ${candidates.length} services (${shown}): name the one the drain belongs to, e.g. --drain ${candidates[0]}=<duration>`);
  }
}

export async function lint(inputs: LintInput[], opts: LintOptions = {}): Promise<LintResult> {
  const files: LintFile[] = [];
  const skipped: string[] = [];
  const trpcConfigs = new Set(opts.trpcConfigs ?? []);
  // Go source first: its analysis starts in a worker thread (when there is enough of it) while the YAML,
  // Dockerfiles and units are parsed here — in a monorepo the two biggest costs, on two cores at once.
  const early = new Map<LintInput, LintFile | undefined>();
  for (const i of inputs) if (i.path.endsWith('.go') && !trpcConfigs.has(i.path)) early.set(i, classify(i.path, i.text));
  const goFiles = [...early.values()].filter((f): f is LintFile & { kind: 'go' } => f?.kind === 'go').filter((f) => mayMatter(f.text));
  const goPending = goFiles.length >= WORKER_MIN_FILES ? inWorker(goFiles) : undefined;
  for (const i of inputs) {
    // tRPC-Go's config (config.go defaultConfigPath) by its name, or the file goneat-deploy.yaml names: GD020 reads it.
    const f = early.has(i) ? early.get(i) : trpcConfigs.has(i.path) ? trpcConfigDoc(i.path, i.text) : classify(i.path, i.text);
    if (f) files.push(f);
    else skipped.push(i.path);
  }
  let services = [...(opts.services ?? [])];
  if (opts.drainMs !== undefined) {
    // A bare drain: the one service named by a config or label, else the one service name the files hold.
    const probe = buildModel(files, { services });
    // A workload known only as tRPC-Go (a trpc_go.yaml beside a Dockerfile) has no service name: it names nothing.
    const named = [...new Set(probe.workloads.filter((w) => w.service?.name).map((w) => w.service!.name))];
    const all = [...new Set(probe.workloads.filter((w) => w.runtime !== 'image').map((w) => w.name.replace(/-container$/, '')))];
    const target = named.length === 1 ? named[0] : named.length === 0 && all.length <= 1 ? (all[0] ?? '*') : undefined;
    if (target === undefined) throw new AmbiguousDrainError(named.length ? named : all.sort());
    services = [...services, { name: target, drainMs: opts.drainMs, origin: `--drain ${target === '*' ? '' : `${target}=`}${opts.drainMs / 1000}s`, goneat: false }];
  }
  const model = buildModel(files, { services });
  checkDrainTargets(model, services);
  let go: Array<{ file: string; findings: GoFinding[] }> | undefined = goPending ? await goPending : undefined;
  if (!go) {
    go = [];
    if (goFiles.length) {
      const p = await goParser();
      for (const f of goFiles) go.push({ file: f.path, findings: analyzeGo(p, f.text) });
    }
  }
  const withDrain = services.filter((s) => s.drainMs !== undefined);
  const one = withDrain.length === 1 ? withDrain[0] : undefined;
  const ctx: LintContext = {
    files,
    model,
    go,
    services,
    inputs, ruleIds: RULES.map((r) => r.id),
    ...(one?.drainMs !== undefined ? { drainMs: one.drainMs } : {}),
    ...(one?.preStopMs !== undefined ? { preStopMs: one.preStopMs } : {}),
  };
  // One finding per rule and position: a directive judged through two workloads (a STOPSIGNAL seen by the image and by
  // the compose service that runs it) is reported once, at the higher level.
  const byKey = new Map<string, Finding>();
  for (const rule of RULES) {
    rule.check(ctx, (file, pos, message, level?: Level) => {
      const f: Finding = { ruleId: rule.id, level: level ?? rule.level, file, line: pos.line, column: pos.column, message };
      const key = `${rule.id}\0${file}\0${pos.line}\0${pos.column}`;
      const prev = byKey.get(key);
      if (!prev || (prev.level === 'warning' && f.level === 'error')) byKey.set(key, f);
    });
  }
  const texts = new Map(inputs.map((i) => [i.path, i.text] as const));
  const cache = new Map<string, string[] | null>();
  const findings = [...byKey.values()].filter((f) => !suppressed(cache, texts, f));
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId));
  return { findings, files: files.map((f) => ({ path: f.path, kind: f.kind })), skipped };
}

/**
 * An inline suppression: a comment `goneat-deploy:ignore GD017 <reason>` (any
 * comment syntax: `//`, `#`) on the finding's line or the line above it.
 * Files without the marker cost one indexOf; others are split into lines once.
 */
function suppressed(cache: Map<string, string[] | null>, texts: Map<string, string>, f: Finding): boolean {
  let lines = cache.get(f.file);
  if (lines === undefined) {
    const text = texts.get(f.file);
    lines = text?.includes('goneat-deploy:ignore') ? text.split('\n') : null;
    cache.set(f.file, lines);
  }
  if (!lines) return false;
  for (const l of [lines[f.line - 1] ?? '', lines[f.line - 2] ?? '']) {
    const m = /goneat-deploy:ignore\s+((?:GD\d{3}[\s,]*)+)/.exec(l);
    if (m && m[1]!.split(/[\s,]+/).includes(f.ruleId)) return true;
  }
  return false;
}

/** Below this many Go files a worker's start-up (≈ 50 ms) costs more than it saves. */
const WORKER_MIN_FILES = 16;

/**
 * Runs the Go analysis in a worker thread (dist/go-worker.js, built beside the
 * bundle). Resolves undefined — and the caller analyses in-process — when there
 * is no worker script (tests run the TypeScript sources) or the worker fails.
 */
function inWorker(files: Array<{ path: string; text: string }>): Promise<Array<{ file: string; findings: GoFinding[] }> | undefined> {
  const script = new URL('./go-worker.js', import.meta.url);
  if (script.protocol !== 'file:' || !existsSync(fileURLToPath(script))) return Promise.resolve(undefined);
  // Synchronous up to postMessage (Worker imported statically, not with await import()): the worker must start
  // now, before the caller's synchronous parsing of the other files, not after it.
  return new Promise((resolve) => {
    const w = new Worker(script);
    const done = (v: Array<{ file: string; findings: GoFinding[] }> | undefined) => {
      void w.terminate();
      resolve(v);
    };
    w.once('message', (m: { results?: Array<{ file: string; findings: GoFinding[] }>; error?: string }) => done(m.results));
    w.once('error', () => done(undefined));
    w.postMessage({ files: files.map((f) => ({ path: f.path, text: f.text })) });
  });
}

/** The worker's old-generation heap, MB: with the main thread's ~100 MB, the process stays below 1 GiB. */
export const LINT_HEAP_MB = 640;

/** A lint that would need more memory than LINT_HEAP_MB. */
export class LintMemoryError extends Error {
  constructor() {
    super(`these files need more than the ${LINT_HEAP_MB} MB lint may use: lint fewer or smaller files per run`);
  }
}

/** At least this much input (bytes of text) goes to a worker thread; less is linted faster than a worker starts (≈ 100 ms). */
export const STOPPABLE_MIN_BYTES = 256 << 10;

/**
 * lint, stoppable: with enough input, in a worker thread (dist/lint-worker.js)
 * that `signal` ends at once — terminate() stops it even inside a parser's
 * loop — rejecting with the signal's reason. Small inputs, and runs from the
 * TypeScript sources (tests), lint in this thread.
 */
export async function lintStoppable(inputs: LintInput[], opts: LintOptions, signal: AbortSignal): Promise<LintResult> {
  signal.throwIfAborted();
  const bytes = inputs.reduce((n, i) => n + i.text.length, 0);
  const script = new URL('./lint-worker.js', import.meta.url);
  if (bytes < STOPPABLE_MIN_BYTES || script.protocol !== 'file:' || !existsSync(fileURLToPath(script))) return lint(inputs, opts);
  const { Worker } = await import('node:worker_threads');
  return new Promise<LintResult>((resolve, reject) => {
    // A bounded heap: whatever the inputs, the process stays well below 1 GiB (issue 19); a lint that needs
    // more ends with ERR_WORKER_OUT_OF_MEMORY, reported as such, instead of growing.
    const w = new Worker(script, { resourceLimits: { maxOldGenerationSizeMb: LINT_HEAP_MB } });
    const stop = () => {
      void w.terminate();
      reject(signal.reason);
    };
    signal.addEventListener('abort', stop, { once: true });
    const settle = () => {
      signal.removeEventListener('abort', stop);
      void w.terminate();
    };
    w.once('message', (m: { result?: LintResult; error?: string; candidates?: string[] }) => {
      settle();
      if (m.result) resolve(m.result);
      else reject(m.candidates ? new AmbiguousDrainError(m.candidates) : new Error(m.error));
    });
    w.once('error', (err) => {
      settle();
      reject((err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' ? new LintMemoryError() : err);
    });
    w.postMessage({ inputs, opts });
  });
}
