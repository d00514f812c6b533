/**
 * Every runtime target for examples/echo and for a table of configs:
 * validated by the real validators (Kubernetes OpenAPI schema via
 * kubernetes-models, the Compose Specification schema, a plist parser;
 * systemd-analyze in test/integration/systemd-analyze.test.ts), secure
 * defaults asserted field by field, and one stop timeout everywhere.
 */
import { kubeletEnvironment } from '../helpers/kubelet.js';
import { nihToken } from '../helpers/libnih.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import plist from 'plist';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { specFromText } from '../../src/config/load.js';
import { k8sObjects, renderK8s, renderK8sStream } from '../../src/render/k8s.js';
import { renderLaunchd } from '../../src/render/launchd.js';
import { renderSwarm } from '../../src/render/swarm.js';
import { renderSystemdContainerUnit, renderSystemdUnit } from '../../src/render/systemd.js';
import { renderUpstart } from '../../src/render/upstart.js';
import { renderCompose } from '../../src/render/compose.js';
import { renderAll } from '../../src/generate/targets.js';
import { k8sValidationErrors } from '../../src/render/validate-k8s.js';
import type { ServiceSpec } from '../../src/model/service.js';
import { ROOT } from '../helpers/cli.js';
import { validateCompose } from '../helpers/validators.js';

const echo = specFromText('goneat-deploy.yaml', readFileSync(path.join(ROOT, 'examples/echo/goneat-deploy.yaml'), 'utf8')).spec;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'gd-golden-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function spec(extra: string, base = 'name: svc\nimage: {repository: example/svc, tag: "1"}\n'): ServiceSpec {
  return specFromText('t.yaml', base + extra).spec;
}

function body(content: string): string {
  return content.split('\n').filter((l) => !l.startsWith('#')).join('\n');
}

describe('Kubernetes', () => {
  const objects = k8sObjects(echo);
  const deployment = objects.find((o) => o.kind === 'Deployment')! as import('kubernetes-models/apps/v1/Deployment').IDeployment;
  const pod = deployment.spec!.template.spec!;
  const c = pod.containers[0]!;

  it('every object validates against the Kubernetes OpenAPI schema (kubernetes-models)', () => {
    expect(objects.map((o) => o.kind)).toEqual(['Deployment', 'Service', 'PodDisruptionBudget']);
    for (const o of objects) expect(k8sValidationErrors(o), o.kind).toBeUndefined();
  });

  it('the validator is real: it rejects a broken object', () => {
    const broken = structuredClone(deployment) as unknown as { spec: { template: { spec: { terminationGracePeriodSeconds: unknown } } } };
    broken.spec.template.spec.terminationGracePeriodSeconds = '10';
    expect(k8sValidationErrors(broken as never)).toMatch(/terminationGracePeriodSeconds must be integer/);
  });

  it('meets Pod Security "restricted", field by field', () => {
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.securityContext?.runAsUser).toBe(65532);
    expect(pod.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
    const sc = c.securityContext!;
    expect(sc.allowPrivilegeEscalation).toBe(false);
    expect(sc.capabilities?.drop).toEqual(['ALL']);
    expect(sc.capabilities?.add).toBeUndefined();
    expect(sc.privileged).toBe(false);
    expect(sc.runAsNonRoot).toBe(true);
    expect(sc.runAsUser).toBe(65532);
    expect(sc.runAsUser).not.toBe(0);
    expect(sc.seccompProfile?.type).toBe('RuntimeDefault');
    expect(sc.readOnlyRootFilesystem).toBe(true);
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.hostPID ?? false).toBe(false);
    expect(pod.hostIPC ?? false).toBe(false);
    expect((pod.volumes ?? []).every((v) => !('hostPath' in v))).toBe(true);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it('terminates with the budget: preStop sleep, image STOPSIGNAL, SIGKILL at the grace period', () => {
    expect(pod.terminationGracePeriodSeconds).toBe(10);
    expect(pod.terminationGracePeriodSeconds! * 1000).toBeGreaterThanOrEqual(echo.shutdown.budgetMs);
    expect(c.lifecycle?.preStop).toEqual({ sleep: { seconds: 3 } });
    expect(c.lifecycle?.preStop?.sleep?.seconds).toBeLessThan(pod.terminationGracePeriodSeconds!);
    expect(c.lifecycle && 'stopSignal' in c.lifecycle).toBe(false); // alpha (KEP-4960): the image's STOPSIGNAL applies
    expect(c.command).toBeUndefined(); // the image's exec-form ENTRYPOINT keeps tini as PID 1
    expect(c.args).toBeUndefined();
    expect(c.stdin).toBe(false);
    expect(c.tty).toBe(false);
  });

  it('probes /is_healthy/ on the admin port: startup, readiness, liveness', () => {
    expect(c.startupProbe?.httpGet).toEqual({ path: '/is_healthy/', port: 'admin' });
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/is_healthy/', port: 'admin' });
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/is_healthy/', port: 'admin' });
    expect(c.readinessProbe?.failureThreshold).toBe(1);
    expect(c.startupProbe!.periodSeconds! * c.startupProbe!.failureThreshold!).toBe(10);
  });

  it('rolls without losing capacity and guards drains with a PDB when replicas >= 2', () => {
    expect(deployment.spec!.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget') as import('kubernetes-models/policy/v1/PodDisruptionBudget').IPodDisruptionBudget;
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'echo' } } });
    expect(k8sObjects(spec('')).map((o) => o.kind)).toEqual(['Deployment']);
  });

  it('puts apiVersion, kind, metadata first', () => {
    for (const f of renderK8s(echo).filter((f) => !f.path.endsWith('kustomization.yaml'))) {
      expect(Object.keys(YAML.parse(f.content) as object).slice(0, 3)).toEqual(['apiVersion', 'kind', 'metadata']);
    }
  });

  it('writes a kustomization and a single stream for kubectl apply -f -', () => {
    const files = renderK8s(echo);
    expect(files.map((f) => f.path)).toEqual(['k8s/deployment.yaml', 'k8s/service.yaml', 'k8s/pdb.yaml', 'k8s/kustomization.yaml']);
    expect(YAML.parse(files[3]!.content)).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['deployment.yaml', 'service.yaml', 'pdb.yaml'],
    });
    const docs = YAML.parseAllDocuments(renderK8sStream(echo)).map((d) => d.toJS() as { kind: string });
    expect(docs.map((d) => d.kind)).toEqual(['Deployment', 'Service', 'PodDisruptionBudget']);
  });

  it('pins the image it is given (a digest from the build) and sets the namespace', () => {
    const s = spec('kubernetes: {namespace: prod}\n');
    const ref = 'registry.example/svc@sha256:' + 'a'.repeat(64);
    const d = k8sObjects(s, { image: ref })[0] as import('kubernetes-models/apps/v1/Deployment').IDeployment;
    expect(d.spec!.template.spec!.containers[0]!.image).toBe(ref);
    expect(d.metadata?.namespace).toBe('prod');
    expect(k8sValidationErrors(d)).toBeUndefined();
  });

  it('offers an exec preStop for clusters < 1.30, but only with a binary that exists in the scratch image', () => {
    const s = spec('shutdown: {preStop: 5s, drain: 5s}\nkubernetes: {preStopExec: ["/app/svc", "-sleep", "5s"]}\n');
    const d = k8sObjects(s)[0] as import('kubernetes-models/apps/v1/Deployment').IDeployment;
    expect(d.spec!.template.spec!.containers[0]!.lifecycle?.preStop).toEqual({ exec: { command: ['/app/svc', '-sleep', '5s'] } });
    expect(k8sValidationErrors(d)).toBeUndefined();
    expect(() => spec('shutdown: {preStop: 5s, drain: 5s}\nkubernetes: {preStopExec: ["/bin/sleep", "5"]}\n')).toThrow(
      /kubernetes\.preStopExec\[0\]: the image is FROM scratch .* "\/bin\/sleep" does not exist there/,
    );
  });

  it('sets GOMAXPROCS and GOMEMLIMIT from the limits through the downward API, as an option', () => {
    const s = spec('resources: {cpu: 1500m, memory: 256Mi}\nkubernetes: {goRuntimeEnv: true}\n');
    const d = k8sObjects(s)[0] as import('kubernetes-models/apps/v1/Deployment').IDeployment;
    expect(d.spec!.template.spec!.containers[0]!.env).toEqual([
      { name: 'GOMAXPROCS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1' } } },
      { name: 'GOMEMLIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1' } } },
    ]);
    expect(k8sValidationErrors(d)).toBeUndefined();
    expect(() => spec('kubernetes: {goRuntimeEnv: true}\n')).toThrow(/needs resources\.cpu and resources\.memory/);
  });
});

describe('Swarm', () => {
  const file = renderSwarm(echo);
  const svc = (YAML.parse(file.content, { version: '1.1' }) as { services: { echo: Record<string, any> } }).services.echo;

  it('validates against the Compose Specification schema', () => {
    expect(validateCompose(file.content)).toEqual([]);
  });

  it('rolls start-first, rolls back on failure, and stops within the budget', () => {
    expect(svc.deploy.replicas).toBe(2);
    expect(svc.deploy.update_config).toMatchObject({ order: 'start-first', failure_action: 'rollback', parallelism: 1 });
    expect(svc.deploy.restart_policy.condition).toBe('any');
    expect(svc.stop_grace_period).toBe('10s');
    expect(svc.stop_signal).toBe('SIGTERM');
    expect(svc.init).toBe(false);
    expect(svc.read_only).toBe(true);
    expect(svc.cap_drop).toEqual(['ALL']);
    expect(svc.healthcheck.test[0]).toBe('CMD');
  });

  it('keeps /tmp writable under read_only with a tmpfs mount: docker stack drops service-level tmpfs', () => {
    expect(svc.tmpfs).toBeUndefined();
    expect(svc.volumes).toEqual([{ type: 'tmpfs', target: '/tmp' }]);
  });
});

describe('systemd', () => {
  const unit = renderSystemdUnit(echo).content;
  it('counts shutdown.successExitCodes as success in both units: docker run exits with the container\'s status', () => {
    const s = spec('shutdown: {signal: SIGINT, successExitCodes: [0, 130]}\n');
    expect(body(renderSystemdUnit(s).content).split('\n')).toContain('SuccessExitStatus=130');
    expect(body(renderSystemdContainerUnit(s).content).split('\n')).toContain('SuccessExitStatus=130');
    expect(renderSystemdContainerUnit(echo).content).not.toMatch(/SuccessExitStatus/);
  });
  it('runs the binary in the foreground and stops it with the budget', () => {
    const lines = body(unit).split('\n');
    for (const l of [
      'Type=exec',
      'ExecStart=/usr/local/libexec/echo/echo -drain 5s',
      'WorkingDirectory=/var/lib/echo',
      'KillSignal=SIGTERM',
      'KillMode=mixed',
      'SendSIGHUP=no',
      'TimeoutStopSec=10s',
      'Restart=always',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'PrivateTmp=yes',
      'User=echo',
    ]) {
      expect(lines).toContain(l);
    }
    expect(unit).not.toMatch(/^Type=(forking|notify)/m);
    expect(unit).not.toMatch(/^KillMode=(process|none)/m);
    expect(unit).not.toMatch(/^ExecReload=/m);
  });

  it('runs as a fixed user when one is configured', () => {
    const u = renderSystemdUnit(spec('host: {user: svc}\n')).content;
    expect(u).toMatch(/^User=svc$/m);
    expect(u).not.toMatch(/^DynamicUser=/m);
  });
});

describe('launchd', () => {
  const parsed = plist.parse(renderLaunchd(echo).content) as Record<string, unknown>;

  it('parses as a property list with the required keys', () => {
    expect(parsed).toMatchObject({
      Label: 'io.goneat-deploy.echo',
      ProgramArguments: ['/usr/local/libexec/echo/echo', '-drain', '5s'],
      RunAtLoad: true,
      KeepAlive: true,
      ExitTimeOut: 10,
      StandardOutPath: '/usr/local/var/log/echo.log',
      StandardErrorPath: '/usr/local/var/log/echo.err.log',
    });
  });

  it('is well-formed XML for a real parser (xmllint when installed)', () => {
    const xmllint = spawnSync('sh', ['-c', 'command -v xmllint']).status === 0;
    if (!xmllint) return;
    const f = path.join(tmp, 'job.plist');
    writeFileSync(f, renderLaunchd(echo).content);
    expect(() => execFileSync('xmllint', ['--noout', f])).not.toThrow();
  });
});

describe('upstart', () => {
  const job = renderUpstart(echo).content;
  it('respawns, stops with TERM within the budget, and does not expect a fork', () => {
    const lines = body(job).split('\n');
    for (const l of ['respawn', 'respawn limit 10 5', 'kill signal TERM', 'kill timeout 10', 'reload signal CONT', 'chdir /var/lib/echo', 'exec /usr/local/libexec/echo/echo -drain 5s']) {
      expect(lines).toContain(l);
    }
    expect(body(job)).not.toMatch(/^expect /m);
  });
});

describe('one budget, every target', () => {
  function timeouts(s: ServiceSpec): Record<string, number> {
    const compose = YAML.parse(renderCompose(s).content, { version: '1.1' }) as { services: Record<string, { stop_grace_period: string }> };
    const swarm = YAML.parse(renderSwarm(s).content, { version: '1.1' }) as { services: Record<string, { stop_grace_period: string }> };
    const dep = k8sObjects(s)[0] as import('kubernetes-models/apps/v1/Deployment').IDeployment;
    const unit = renderSystemdUnit(s).content;
    const cunit = renderSystemdContainerUnit(s).content;
    const job = renderUpstart(s).content;
    const pl = plist.parse(renderLaunchd(s).content) as { ExitTimeOut: number };
    const secs = (d: string) => Number(/^(\d+)s$/.exec(d)![1]);
    return {
      compose: secs(compose.services[s.name]!.stop_grace_period),
      swarm: secs(swarm.services[s.name]!.stop_grace_period),
      k8s: dep.spec!.template.spec!.terminationGracePeriodSeconds!,
      systemd: Number(/^TimeoutStopSec=(\d+)s$/m.exec(unit)![1]),
      'systemd-container (docker stop -t)': Number(/docker stop -t (\d+) /.exec(cunit)![1]),
      'systemd-container (--stop-timeout)': Number(/--stop-timeout=(\d+) /.exec(cunit)![1]),
      upstart: Number(/^kill timeout (\d+)$/m.exec(job)![1]),
      launchd: pl.ExitTimeOut,
    };
  }

  it.each([
    ['defaults', '', 12],
    ['drain 5s', 'shutdown: {drain: 5s}\n', 7],
    ['preStop 3s + drain 5s', 'shutdown: {preStop: 3s, drain: 5s}\n', 10],
    ['sub-second slack rounds up', 'shutdown: {preStop: 3s, drain: 5s, slack: 250ms}\n', 9],
    ['a pinned grace period', 'shutdown: {preStop: 5s, drain: 20s, gracePeriod: 60s}\n', 60],
    ['long drain', 'shutdown: {drain: 2m}\n', 122],
  ])('%s → every stop timeout is %ds', (_what, extra, expected) => {
    const s = spec(extra);
    expect(s.shutdown.timeoutSeconds).toBe(expected);
    const all = timeouts(s);
    for (const [target, t] of Object.entries(all)) expect(t, target).toBe(expected);
  });
});

describe('user values are escaped in every target, or refused', () => {
  const nasty = [
    'plain',
    'with space',
    `it's "quoted"`,
    '$HOME and ${PATH} and $$',
    '100% %n %%',
    '<xml> & </xml> ]]>',
    'key: value # not a comment',
    '- [a, b] {c: d} *alias &anchor !tag |>',
    'back\\slash\\',
    ';',
    '',
    'tab\there',
    'üñí©ødé',
  ];
  const s = spec(
    `args: ${JSON.stringify(nasty)}\nenv:\n${nasty.map((v, i) => `  V${i}: ${JSON.stringify(v)}`).join('\n')}\nhost: {binaryPath: /opt/svc/bin/svc}\n`,
  );
  const envMap = Object.fromEntries(nasty.map((v, i) => [`V${i}`, v]));

  it('compose and swarm: YAML round-trips, with $ doubled for compose interpolation', () => {
    for (const content of [renderCompose(s).content, renderSwarm(s).content]) {
      expect(validateCompose(content)).toEqual([]);
      const env = (YAML.parse(content, { version: '1.1' }) as { services: { svc: { environment: Record<string, string> } } }).services.svc.environment;
      const unescaped = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace(/\$\$/g, '$')]));
      expect(unescaped).toEqual(envMap);
    }
  });

  it('Kubernetes: YAML round-trips, and the kubelet\'s $(VAR) expansion gives back each value exactly', () => {
    const d = YAML.parse(renderK8s(s)[0]!.content) as import('kubernetes-models/apps/v1/Deployment').IDeployment;
    const env = kubeletEnvironment(d.spec!.template.spec!.containers[0]!.env! as Array<{ name: string; value: string }>, { KUBERNETES_SERVICE_HOST: '10.0.0.1' });
    expect(env).toEqual(envMap);
  });

  it('launchd: the XML parses back to the same argv and environment', () => {
    const p = plist.parse(renderLaunchd(s).content) as { ProgramArguments: string[]; EnvironmentVariables: Record<string, string> };
    expect(p.ProgramArguments).toEqual(['/opt/svc/bin/svc', ...nasty]);
    expect(p.EnvironmentVariables).toEqual(envMap);
  });

  it('upstart: libnih dequotes each env value back to the value', () => {
    const lines = body(renderUpstart(s).content).split('\n').filter((l) => l.startsWith('env '));
    const env = Object.fromEntries(
      lines.map((l) => {
        const token = nihToken(l.slice('env '.length), true);
        return [token.slice(0, token.indexOf('=')), token.slice(token.indexOf('=') + 1)];
      }),
    );
    expect(env).toEqual(envMap);
    const description = body(renderUpstart(spec('description: "it\'s \\"50%\\" done"\n')).content).split('\n')[0]!;
    expect(nihToken(description.slice('description '.length), true)).toBe(`svc: it's "50%" done`);
  });

  it('upstart: /bin/sh reads the exec line back as the same argv', () => {
    const line = body(renderUpstart(s).content)
      .split('\n')
      .find((l) => l.startsWith('exec '))!
      .slice('exec '.length);
    // upstart first reads the line with libnih (no dequoting): quotes must balance, nothing is lost.
    expect(nihToken(line, false)).toBe(line);
    const out = execFileSync('/bin/sh', ['-c', `set -- ${line}; for a in "$@"; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(['/opt/svc/bin/svc', ...nasty]);
  });

  it('systemd: each word unquotes to the value (systemd-analyze verifies the unit: test/integration)', () => {
    const unit = renderSystemdUnit(s).content;
    const exec = /^ExecStart=(.*)$/m.exec(unit)![1]!;
    expect(systemdSplit(exec)).toEqual(['/opt/svc/bin/svc', ...nasty]);
    const envLines = [...unit.matchAll(/^Environment=(.*)$/gm)].map((m) => systemdSplit(m[1]!, false)[0]!);
    expect(Object.fromEntries(envLines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))).toEqual(envMap);
  });

  it('names are refused unless they are DNS labels; paths unless plain', () => {
    expect(() => spec('', 'name: "a b"\nimage: {repository: x}\n')).toThrow(/name: expected a DNS label/);
    expect(() => spec('', 'name: "a$b"\nimage: {repository: x}\n')).toThrow(/name: expected a DNS label/);
    expect(() => spec('host: {binaryPath: "/opt/my app/svc"}\n')).toThrow(/host\.binaryPath: expected an absolute path of letters/);
    expect(() => spec('args: ["a\\nb"]\n')).toThrow(/control characters/);
  });

  it('every target renders byte-identically twice', () => {
    expect(renderAll(s, {}).map((f) => f.content)).toEqual(renderAll(s, {}).map((f) => f.content));
  });
});

/**
 * systemd's own word splitting for command lines and Environment= (systemd.service(5) "Command
 * lines", systemd.syntax(7) "Quoting"): double/single quotes group, C escapes inside quotes and out,
 * "%%" → "%", and on command lines "$$" → "$".
 */
function systemdSplit(line: string, command = true): string[] {
  const words: string[] = [];
  let i = 0;
  const unspec = (s: string) => s.replace(/%%/g, '%');
  while (i < line.length) {
    while (line[i] === ' ') i++;
    if (i >= line.length) break;
    let w = '';
    let quote: string | undefined;
    for (; i < line.length; i++) {
      const ch = line[i]!;
      if (quote) {
        if (ch === '\\') w += line[++i];
        else if (ch === quote) quote = undefined;
        else w += ch;
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '\\') w += line[++i];
      else if (ch === ' ') break;
      else w += ch;
    }
    let v = unspec(w);
    if (command) v = v.replace(/\$\$/g, '$');
    words.push(v);
  }
  return words;
}

