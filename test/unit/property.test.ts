/**
 * Property: for any config a user could write, goneat-deploy ends in either
 * files that pass the real validators, or a clean ConfigError — never an
 * internal error. Configs are generated with fast-check from a mix of valid
 * and hostile values.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import plist from 'plist';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { specFromText } from '../../src/config/load.js';
import { GoneatError } from '../../src/errors.js';
import { k8sObjects } from '../../src/render/k8s.js';
import { renderAll } from '../../src/generate/targets.js';
import { k8sValidationErrors } from '../../src/render/validate-k8s.js';
import type { ServiceSpec } from '../../src/model/service.js';
import { config } from '../helpers/arbitrary.js';
import { runInProcess as runCli } from '../helpers/inprocess.js';
import { validateCompose } from '../helpers/validators.js';
import { record } from '../helpers/results.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'gd-prop-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function checkRendered(spec: ServiceSpec): void {
  const files = renderAll(spec, {});
  for (const f of files) {
    if (f.path.endsWith('compose.yaml') || f.path.endsWith('stack.yaml')) expect(validateCompose(f.content), f.path).toEqual([]);
    if (f.path.startsWith('k8s/')) expect(() => YAML.parse(f.content)).not.toThrow();
    if (f.path.endsWith('.plist')) {
      const p = plist.parse(f.content) as { ProgramArguments: string[] };
      expect(p.ProgramArguments).toEqual([spec.host.binaryPath, ...spec.args]);
    }
  }
  for (const o of k8sObjects(spec)) expect(k8sValidationErrors(o), o.kind).toBeUndefined();
  // systemd-analyze checks the units of the first configs of this same run: test/integration/systemd-analyze.test.ts.
}

describe('any generated config ends in valid files or a clean error', () => {
  it('never an internal error', () => {
    let ok = 0;
    let refused = 0;
    fc.assert(
      fc.property(config, (c) => {
        const text = YAML.stringify(c);
        let spec: ServiceSpec | undefined;
        try {
          spec = specFromText('goneat-deploy.yaml', text).spec;
        } catch (err) {
          if (!(err instanceof GoneatError)) throw err;
          expect(err.exitCode).toBe(2);
          expect(err.message).toMatch(/^goneat-deploy\.yaml(:\d+:\d+)?: /);
          refused++;
          return;
        }
        ok++;
        checkRendered(spec);
      }),
      { numRuns: 400, seed: 20261127 },
    );
    // Both outcomes are exercised.
    console.log(`property: ${ok} configs rendered and validated, ${refused} refused cleanly`);
    void record('property', { generated: ok + refused, renderedAndValidated: ok, refusedCleanly: refused });
    expect(ok).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });

  it('the CLI turns random configs into files or one clean line (never a stack trace)', async () => {
    const samples = fc.sample(config, { numRuns: 8, seed: 7 });
    for (const [i, c] of samples.entries()) {
      const dir = path.join(tmp, `cli-${i}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'goneat-deploy.yaml'), YAML.stringify(c));
      const r = await runCli(['generate', 'all', '-C', dir]);
      expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
      if (r.code === 0) expect(r.stdout).toMatch(/wrote /);
      else {
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^goneat-deploy: /);
      }
    }
  });
});
