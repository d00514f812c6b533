/**
 * kubernetes.version: the preStop hook follows what the release's API server
 * accepts (sleep action on by default from 1.30, KEP-3960); the real 1.37
 * cluster of test/e2e/k8s.test.ts runs both the sleep and the exec form.
 */
import { describe, expect, it } from 'vitest';
import { specFromText } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { k8sObjects } from '../../src/render/k8s.js';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';

const BASE = `name: svc
image: { repository: example/svc, tag: "1.0" }
ports: [{ name: http, port: 8080 }]
shutdown: { drain: 5s, preStop: 3s }
`;

function preStopOf(text: string): unknown {
  const d = k8sObjects(specFromText('svc.yaml', text).spec)[0] as IDeployment;
  return d.spec!.template.spec!.containers[0]!.lifecycle?.preStop;
}

function errorOf(text: string): string {
  try {
    specFromText('svc.yaml', text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(2);
    return [(err as ConfigError).message, ...(err as ConfigError).details].join('\n');
  }
  throw new Error('expected a ConfigError');
}

describe('kubernetes.version', () => {
  it.each(['1.30', '1.34', 'v1.37.2'])('%s: the sleep action', (v) => {
    expect(preStopOf(`${BASE}kubernetes: { version: "${v}" }\n`)).toEqual({ sleep: { seconds: 3 } });
  });

  it('unset: the sleep action (every release the Kubernetes project supports has it)', () => {
    expect(preStopOf(BASE)).toEqual({ sleep: { seconds: 3 } });
  });

  it('1.29 with preStopExec: the exec hook', () => {
    expect(preStopOf(`${BASE}kubernetes: { version: "1.29", preStopExec: ["/app/svc", "-sleep", "3s"] }\n`)).toEqual({ exec: { command: ['/app/svc', '-sleep', '3s'] } });
  });

  it('1.29 without a preStop delay: no hook, nothing to refuse', () => {
    expect(preStopOf(BASE.replace('preStop: 3s', 'preStop: 0s') + 'kubernetes: { version: "1.29" }\n')).toBeUndefined();
  });

  it('1.29 with a preStop delay and no preStopExec: refused, naming both ways out', () => {
    const e = errorOf(`${BASE}kubernetes: { version: "1.29" }\n`);
    expect(e).toMatch(/^svc\.yaml:5:24: kubernetes\.version: Kubernetes 1\.29 has no preStop sleep action \(on by default from 1\.30\)/);
    expect(e).toMatch(/set kubernetes\.preStopExec to a command in the image that sleeps 3s .*\["\/app\/svc", "-sleep", "3s"\]/);
    expect(e).toMatch(/or set shutdown\.preStop to 0s/);
  });

  it.each([
    ['unquoted (YAML reads 1.30 as the number 1.3)', '1.30', /kubernetes\.version: expected a quoted Kubernetes version like "1\.29", got the number 1\.3/],
    ['not a version', '"latest"', /kubernetes\.version: expected a quoted Kubernetes version like "1\.29", got "latest"/],
    ['older than policy/v1 PodDisruptionBudget', '"1.20"', /kubernetes\.version: 1\.20 is older than 1\.21, the first release serving policy\/v1 PodDisruptionBudget/],
  ])('%s: refused', (_what, v, expected) => {
    expect(errorOf(`${BASE}kubernetes: { version: ${v} }\n`)).toMatch(expected);
  });
});
