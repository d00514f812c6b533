/**
 * `goneat-deploy:ignore GDnnn <reason>`: what suppresses, and what GD022 says
 * about comments that lack a reason or name no real rule.
 */
import { describe, expect, it } from 'vitest';
import { lint } from '../../src/lint/lint.js';
import { ignoreComments } from '../../src/lint/rules/gd022-ignore-comment.js';

const GO = (comment: string) => `package main\n\nimport (\n\t"os"\n\t"os/signal"\n\t"syscall"\n)\n\nfunc main() {\n\tc := make(chan os.Signal, 1)\n\t${comment}\n\tsignal.Notify(c, syscall.SIGHUP)\n}\n`;
const run = async (comment: string) => (await lint([{ path: 'main.go', text: GO(comment) }])).findings.map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.level}`);

describe('goneat-deploy:ignore comments', () => {
  it('parses IDs and the reason in any comment syntax', () => {
    expect(ignoreComments('# goneat-deploy:ignore GD004, GD011 -- the job really reloads on SIGHUP\n')).toEqual([{ line: 1, column: 3, ids: ['GD004', 'GD011'], reason: 'the job really reloads on SIGHUP' }]);
    expect(ignoreComments('x\n/* goneat-deploy:ignore GD017 */')).toEqual([{ line: 2, column: 4, ids: ['GD017'], reason: '' }]);
    expect(ignoreComments('<!-- goneat-deploy:ignore gd017 -->')).toEqual([{ line: 1, column: 6, ids: ['gd017'], reason: '' }]);
    expect(ignoreComments('// goneat-deploy:ignore GD017: legacy')).toEqual([{ line: 1, column: 4, ids: ['GD017'], reason: 'legacy' }]);
    expect(ignoreComments('// goneat-deploy:ignore')).toEqual([{ line: 1, column: 4, ids: [], reason: '' }]);
  });

  it('with a reason: suppresses, no GD022', async () => {
    expect(await run('// goneat-deploy:ignore GD017 the legacy mode reproduces the bug on purpose')).toEqual([]);
  });

  it('without a reason: still suppresses, and GD022 warns (exit stays 0)', async () => {
    expect(await run('// goneat-deploy:ignore GD017')).toEqual(['11:5 GD022 warning']);
  });

  it('an unknown or lower-case ID suppresses nothing, and GD022 names it; a known one beside it still suppresses', async () => {
    expect(await run('// goneat-deploy:ignore GD999 why')).toEqual(['11:5 GD022 warning', '12:19 GD017 error']);
    expect(await run('// goneat-deploy:ignore gd017 why')).toEqual(['11:5 GD022 warning', '12:19 GD017 error']);
    expect(await run('// goneat-deploy:ignore GD999 GD017 why')).toEqual(['11:5 GD022 warning']);
    const [f] = (await lint([{ path: 'main.go', text: GO('// goneat-deploy:ignore GD999 why') }])).findings;
    expect(f!.message).toMatch(/names GD999, which is not a lint rule \(GD001–GD\d{3}, upper case\): it suppresses nothing/);
  });

  it('no ID at all: GD022; the finding stays', async () => {
    expect(await run('// goneat-deploy:ignore because')).toEqual(['11:5 GD022 warning', '12:19 GD017 error']);
  });

  it('reads comments in YAML too (compose, Kubernetes)', async () => {
    const text = 'services:\n  a:\n    image: a\n    # goneat-deploy:ignore GD007\n    tty: true\n';
    expect((await lint([{ path: 'compose.yaml', text }])).findings.map((f) => `${f.line} ${f.ruleId}`)).toEqual(['4 GD022']);
  });
});
