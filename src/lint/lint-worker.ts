/**
 * Worker thread that runs a whole lint (src/lint/lint.ts lintStoppable): the
 * main thread stays free to take SIGINT/SIGTERM while a large input is parsed
 * (a JavaScript loop cannot be interrupted from inside), and ends the worker
 * with Worker.terminate(), which stops it even mid-loop. Message in:
 * { inputs, opts }; message out: { result } or { error, candidates? }.
 */
import { parentPort } from 'node:worker_threads';
import { AmbiguousDrainError, lint, type LintInput, type LintOptions } from './lint.js';

parentPort?.on('message', async (msg: { inputs: LintInput[]; opts: LintOptions }) => {
  try {
    parentPort!.postMessage({ result: await lint(msg.inputs, msg.opts) });
  } catch (err) {
    parentPort!.postMessage({ error: (err as Error).message, ...(err instanceof AmbiguousDrainError ? { candidates: err.candidates } : {}) });
  }
});
