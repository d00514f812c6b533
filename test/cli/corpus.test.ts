/**
 * The bad-input corpus (test/helpers/corpus.ts): one clear line, the right
 * exit code, no file changed, no temp dir left. None of these reaches a
 * Docker Engine; the ones that need one are in test/e2e/corpus.test.ts.
 * In-process (the same program and error reporting as the bin); the e2e
 * corpus runs the bundle.
 */
import { describe, expect, it } from 'vitest';
import { CORPUS, runBadCase } from '../helpers/corpus.js';
import { runInProcess } from '../helpers/inprocess.js';
import { record } from '../helpers/results.js';

describe('bad input, tried as a new user would', () => {
  it('has at least 50 cases', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(50);
    expect(new Set(CORPUS.map((c) => c.name)).size).toBe(CORPUS.length);
  });

  const passed: string[] = [];
  it.each(CORPUS.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await runBadCase(c, runInProcess);
    passed.push(c.name);
  });

  it('records the figures', async () => {
    await record('bad-input-cli', { cases: CORPUS.length, passed: passed.length, exit2: CORPUS.filter((c) => c.code === 2).length, exit1: CORPUS.filter((c) => c.code === 1).length });
  });
});
