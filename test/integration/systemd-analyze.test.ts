/**
 * systemd's own verifier on the units goneat-deploy writes: the example's
 * units, units full of hostile values, and the units of the first configs
 * the property test generates (same arbitrary, same seed). `systemd-analyze
 * verify` exits 0 even on unknown keys, so any stderr line is a failure.
 * Needs systemd-analyze and Debian's tini-static (scripts/ensure-env.sh).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { specFromText } from '../../src/config/load.js';
import { GoneatError } from '../../src/errors.js';
import type { ServiceSpec } from '../../src/model/service.js';
import { renderSystemdContainerUnit, renderSystemdUnit } from '../../src/render/systemd.js';
import { config } from '../helpers/arbitrary.js';
import { ROOT } from '../helpers/cli.js';
import { record } from '../helpers/results.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'gd-systemd-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** systemd-analyze verify on a unit, with ExecStart's binary swapped for a real executable so the check can run. */
function systemdVerify(unit: string, binaryPath: string): { code: number | null; stderr: string } {
  const bin = path.join(tmp, 'bin-for-verify');
  copyFileSync('/usr/bin/tini-static', bin);
  const file = path.join(tmp, `gdtest-${Math.random().toString(36).slice(2)}.service`);
  writeFileSync(file, unit.split(binaryPath).join(bin));
  const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

const echo = specFromText('goneat-deploy.yaml', readFileSync(path.join(ROOT, 'examples/echo/goneat-deploy.yaml'), 'utf8')).spec;
const spec = (extra: string): ServiceSpec => specFromText('t.yaml', `name: svc\nimage: {repository: example/svc, tag: "1"}\n${extra}`).spec;

describe('systemd-analyze verify', () => {
  const unit = renderSystemdUnit(echo).content;

  it('the units pass systemd-analyze verify with nothing on stderr', () => {
    for (const [u, bin] of [
      [unit, echo.host.binaryPath],
      [renderSystemdContainerUnit(echo).content, '/usr/bin/docker'],
    ] as const) {
      const r = systemdVerify(u, bin);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
  });

  it('the check is real: systemd-analyze complains about an unknown key', () => {
    const r = systemdVerify(unit.replace('[Service]\n', '[Service]\nKillSignl=SIGTERM\n'), echo.host.binaryPath);
    expect(r.stderr).toMatch(/Unknown key 'KillSignl'/);
  });

  it('a unit full of hostile user values verifies (test/golden/targets.test.ts unquotes each word)', () => {
    const nasty = ['plain', 'with space', `it's "quoted"`, '$HOME and ${PATH} and $$', '100% %n %%', '<xml> & </xml> ]]>', 'key: value # not a comment', '- [a, b] {c: d} *alias &anchor !tag |>', 'back\\slash\\', ';', '', 'tab\there', 'üñí©ødé'];
    const s = spec(`args: ${JSON.stringify(nasty)}\nenv:\n${nasty.map((v, i) => `  V${i}: ${JSON.stringify(v)}`).join('\n')}\nhost: {binaryPath: /opt/svc/bin/svc}\n`);
    const r = systemdVerify(renderSystemdUnit(s).content, s.host.binaryPath);
    expect(r.stderr).toBe('');
  });

  it('the units of the first 12 configs the property test renders verify', () => {
    // The same property run as test/unit/property.test.ts (arbitrary, seed, runs), keeping the specs it renders.
    const rendered: ServiceSpec[] = [];
    fc.assert(
      fc.property(config, (c) => {
        try {
          rendered.push(specFromText('goneat-deploy.yaml', YAML.stringify(c)).spec);
        } catch (err) {
          if (!(err instanceof GoneatError)) throw err;
        }
      }),
      { numRuns: 400, seed: 20261127 },
    );
    expect(rendered.length).toBeGreaterThan(50);
    const checked = rendered.slice(0, 12);
    for (const s of checked) {
      const unit = renderSystemdUnit(s).content;
      expect(systemdVerify(unit, s.host.binaryPath).stderr, unit).toBe('');
    }
    void record('property-systemd', { systemdAnalyzeVerified: checked.length });
  });
});
