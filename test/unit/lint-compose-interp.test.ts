/**
 * Compose variable interpolation in the values lint reads (compose-spec
 * interpolation.md): every form, and what lint then judges — the default when
 * there is one, nothing when the value depends on a variable it cannot see.
 */
import { describe, expect, it } from 'vitest';
import { interpolate } from '../../src/lint/compose-interp.js';
import { lint } from '../../src/lint/lint.js';

describe('interpolate(): the Compose Specification\'s forms', () => {
  it.each([
    ['${GRACE:-45s}', '45s', ['"45s" while GRACE is unset or empty'], []],
    ['${GRACE-45s}', '45s', ['"45s" while GRACE is unset'], []],
    ['${GRACE}', undefined, [], ['GRACE']],
    ['$GRACE', undefined, [], ['GRACE']],
    ['${GRACE:?set GRACE}', undefined, [], ['GRACE']],
    ['${GRACE?set GRACE}', undefined, [], ['GRACE']],
    ['${GRACE:+30s}', undefined, [], ['GRACE']],
    ['${GRACE+30s}', undefined, [], ['GRACE']],
    ['$$GRACE', '$GRACE', [], []],
    ['pa$$word', 'pa$word', [], []],
    ['${A:-${B:-10s}}', '10s', ['"10s" while B is unset or empty', '"10s" while A is unset or empty'], []],
    ['${A:-${B}}', undefined, [], ['B']],
    ['${TAG:-1}-x', '1-x', ['"1" while TAG is unset or empty'], []],
    ['10$', '10$', [], []],
    ['$1s', '$1s', [], []],
    ['${unterminated', '${unterminated', [], []],
  ])('%s', (raw, value, defaults, unknown) => {
    const r = interpolate(raw as string);
    expect(r.value).toBe(value);
    expect(r.defaults).toEqual(defaults);
    expect(r.unknown).toEqual(unknown);
  });
});

describe('lint on compose files with interpolation', () => {
  const run = async (svc: string, drain?: string) =>
    (await lint([{ path: 'compose.yaml', text: `services:\n  web:\n    image: web:1\n    init: true\n    user: "1000:1000"\n${svc}` }], drain ? { services: [{ name: 'web', drainMs: Number(drain) * 1000, origin: `--drain web=${drain}s`, goneat: false }] } : {})).findings.map((f) => `${f.ruleId} ${f.message}`);

  it('valid compose gives no false error: a default that is a duration, a variable without a default, ${VAR:?err}, ${VAR:+x}', async () => {
    for (const v of ['${GRACE:-45s}', '${GRACE-45s}', '${GRACE}', '$GRACE', '${GRACE:?set it}', '${GRACE:+30s}', '"${A:-${B:-20s}}"']) {
      expect(await run(`    stop_grace_period: ${v}\n    stop_signal: \${STOP_SIGNAL}\n    healthcheck:\n      test: [CMD, /app/web]\n      interval: \${HC:-5s}\n      timeout: \${HC_TIMEOUT}\n`), v).toEqual([]);
    }
  });

  it('the default is what lint judges, and the finding says so', async () => {
    expect(await run('    stop_grace_period: ${GRACE:-45}\n')).toEqual(['GD013 service "web": stop_grace_period "${GRACE:-45}" (its default "45" while GRACE is unset or empty) is not a duration; write it with a unit, like "20s"']);
    expect(await run('    stop_grace_period: ${GRACE:-10s}\n', '15')).toEqual(['GD005 compose service "web": stop_grace_period ${GRACE:-10s} (10s: the default, used while GRACE is unset or empty) is shorter than its drain of 15s (--drain web=15s): in-flight work is SIGKILLed']);
    expect(await run('    stop_signal: ${STOP:-SIGFOO}\n')).toEqual(['GD016 stop_signal ${STOP:-SIGFOO} (SIGFOO: the default, used while STOP is unset or empty) is not a signal: docker refuses to create the container']);
  });

  it('a variable without a default is not judged: no stop timeout, no stop signal verdict', async () => {
    expect(await run('    stop_grace_period: ${GRACE}\n', '60')).toEqual([]);
    expect(await run('    stop_grace_period: ${GRACE:?required}\n', '60')).toEqual([]);
  });

  it('$$ is a literal $ (no variable): judged as the container sees it', async () => {
    expect(await run('    stop_grace_period: 10s$$\n')).toEqual(['GD013 service "web": stop_grace_period "10s$$" (\"10s$\" to compose) is not a duration; write it with a unit, like "20s"']);
  });
});
