/**
 * Each lint rule finds its violation in test/fixtures/lint/<ID>/bad and stays
 * silent on the fixed files in test/fixtures/lint/<ID>/good (with a 15s drain,
 * as if from goneat-deploy.yaml).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lint } from '../../src/lint/lint.js';
import { RULES } from '../../src/lint/rules/index.js';
import { preStopSeconds } from '../../src/lint/rules/gd006-prestop.js';
import { systemdSpanMs } from '../../src/lint/rule.js';
import { parseDockerfile } from '../../src/lint/files.js';
import { REFUSED_STOP_SIGNALS, STOP_SIGNALS } from '../../src/spec/spec.js';
import { ROOT } from '../helpers/cli.js';

const FIXTURES = path.join(ROOT, 'test/fixtures/lint');

function lintDir(dir: string, drainMs = 15_000) {
  const inputs = readdirSync(dir).map((f) => ({ path: path.relative(ROOT, path.join(dir, f)), text: readFileSync(path.join(dir, f), 'utf8') }));
  return lint(inputs, { drainMs });
}

describe('every rule has a fixture pair and a doc', () => {
  it('IDs are unique, stable and documented', () => {
    expect(RULES.map((r) => r.id)).toEqual(RULES.map((_, i) => `GD${String(i + 1).padStart(3, '0')}`));
    expect(new Set(RULES.map((r) => r.name)).size).toBe(RULES.length);
    for (const r of RULES) for (const k of ['what', 'why', 'fix', 'source'] as const) expect(r.doc[k].length, `${r.id}.${k}`).toBeGreaterThan(10);
    expect(readdirSync(FIXTURES).sort()).toEqual(RULES.map((r) => r.id));
  });
});

describe.each(RULES.map((r) => [r.id, r] as const))('%s', (id, rule) => {
  it(`finds ${rule.name} in the bad fixture, at file:line:column`, () => {
    const result = lintDir(path.join(FIXTURES, id, 'bad'));
    const mine = result.findings.filter((f) => f.ruleId === id);
    expect(mine.length).toBeGreaterThan(0);
    for (const f of mine) {
      expect(f.file).toMatch(new RegExp(`^test/fixtures/lint/${id}/bad/`));
      expect(f.line).toBeGreaterThan(0);
      expect(f.column).toBeGreaterThan(0);
      // A warning-level rule (GD014) may also report errors (values tRPC-Go itself refuses).
      expect(['error', rule.level]).toContain(f.level);
    }
  });

  it('stays silent on the fixed fixture', () => {
    expect(lintDir(path.join(FIXTURES, id, 'good')).findings).toEqual([]);
  });
});

describe('positions and details', () => {
  it('points at the offending line and column', () => {
    const r = lintDir(path.join(FIXTURES, 'GD007', 'bad'));
    expect(r.findings.map((f) => `${path.basename(f.file)}:${f.line}:${f.column}`)).toEqual(['compose.yaml:5:10', 'compose.yaml:6:17', 'pod.yaml:9:12', 'pod.yaml:10:14']);
  });

  it('without a known drain, GD005 still catches a compose file edited below its generated budget', () => {
    const text = 'services:\n  a:\n    image: x\n    stop_grace_period: 5s\n    labels:\n      io.goneat-deploy.stop-timeout: 10s\n';
    const r = lint([{ path: 'compose.yaml', text }]);
    expect(r.findings.map((f) => f.ruleId)).toEqual(['GD005']);
    expect(r.findings[0]!.message).toMatch(/below the shutdown budget 10s it was generated with/);
  });

  it('GD004 refuses exactly the stop signals goneat-deploy.yaml refuses, by name or number', () => {
    const stops = (signal: string) => lint([{ path: 'Dockerfile', text: `FROM scratch\nSTOPSIGNAL ${signal}\nENTRYPOINT ["/sbin/tini", "--", "/app/x"]\nUSER 1:1\n` }]).findings.filter((f) => f.ruleId === 'GD004');
    for (const refused of Object.keys(REFUSED_STOP_SIGNALS)) expect(stops(refused).map((f) => f.message), refused).toEqual([`STOPSIGNAL ${refused}: ${REFUSED_STOP_SIGNALS[refused]}`]);
    expect(stops('1').map((f) => f.message)).toEqual([`STOPSIGNAL SIGHUP: ${REFUSED_STOP_SIGNALS.SIGHUP}`]);
    expect(stops('19').map((f) => f.message)).toEqual([`STOPSIGNAL SIGSTOP: ${REFUSED_STOP_SIGNALS.SIGSTOP}`]);
    for (const ok of STOP_SIGNALS) expect(stops(ok), ok).toHaveLength(0);
  });

  it('reads docker-compose v1 booleans (yes/on) as true', () => {
    const r = lint([{ path: 'compose.yaml', text: 'services:\n  a:\n    image: x\n    stop_grace_period: 9s\n    tty: yes\n' }]);
    expect(r.findings.map((f) => f.ruleId)).toEqual(['GD007']);
  });

  it('parses preStop sleeps and systemd time spans', () => {
    expect(preStopSeconds({ sleep: { seconds: 5 } })).toBe(5);
    expect(preStopSeconds({ exec: { command: ['/bin/sleep', '7'] } })).toBe(7);
    expect(preStopSeconds({ exec: { command: ['sh', '-c', 'deregister && sleep 12'] } })).toBe(12);
    expect(preStopSeconds({ exec: { command: ['/app/echo', '-sleep', '3s'] } })).toBe(3);
    expect(preStopSeconds({ exec: { command: ['/app/drain'] } })).toBeUndefined();
    expect(systemdSpanMs('90')).toBe(90_000);
    expect(systemdSpanMs('1min 30s')).toBe(90_000);
    expect(systemdSpanMs('500ms')).toBe(500);
    expect(systemdSpanMs('infinity')).toBe(Number.POSITIVE_INFINITY);
    expect(systemdSpanMs('soon')).toBeUndefined();
  });

  it('parses Dockerfile continuations, comments and stages', () => {
    const df = parseDockerfile('Dockerfile', 'FROM golang AS build\nRUN go build\nFROM scratch\n# comment\nENTRYPOINT ["/sbin/tini", \\\n  "--", "/app/x"]\nUSER 1:1\n');
    expect(df.final.map((i) => i.name)).toEqual(['FROM', 'ENTRYPOINT', 'USER']);
    expect(df.final[1]).toMatchObject({ line: 5, json: ['/sbin/tini', '--', '/app/x'] });
  });
});
