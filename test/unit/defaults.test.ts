/**
 * The documented default of every field equals what goneat-deploy really
 * writes. Walks the published JSON Schema (schema/goneat-deploy.schema.json):
 * every field whose description says "Default …" must have its value in the
 * defaults table (src/model/defaults.ts) and a reading below that finds, in
 * the files rendered for a config that leaves the field out, the value the
 * consumer will see. The drift this caught: health.startPeriod documented 5s,
 * rendered 30s; the refused stop signals without SIGSTOP.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import plist from 'plist';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { specFromText } from '../../src/config/load.js';
import { renderAll } from '../../src/generate/targets.js';
import { goBuildArgs } from '../../src/image/gobuild.js';
import { CONFIG_DEFAULTS, defaultSentence, type DefaultedField } from '../../src/model/defaults.js';
import { formatDuration, parseDuration } from '../../src/model/duration.js';
import type { ServiceSpec } from '../../src/model/service.js';
import { REFUSED_STOP_SIGNALS } from '../../src/model/signals.js';
import { ROOT } from '../helpers/cli.js';

const schema = JSON.parse(readFileSync(path.join(ROOT, 'schema/goneat-deploy.schema.json'), 'utf8')) as Record<string, unknown>;

interface Documented {
  field: string;
  description: string;
  default?: unknown;
}

/** Every property at every depth; list items as `name[]`. */
function walk(s: Record<string, unknown>, at = '', out: Documented[] = []): Documented[] {
  for (const [name, p] of Object.entries((s.properties ?? {}) as Record<string, Record<string, unknown>>)) {
    const field = `${at}${name}`;
    out.push({ field, description: String(p.description ?? ''), ...('default' in p ? { default: p.default } : {}) });
    walk(p, `${field}.`, out);
    if (p.items) walk(p.items as Record<string, unknown>, `${field}[].`, out);
  }
  return out;
}

/** A config that leaves every defaulted field out, with what makes each one show: a published port, a health command. */
const BASE = `name: svc
image: {repository: example/svc}
ports: [{name: http, port: 8080, publish: 8080}]
health: {port: http, path: /h, command: ["/app/svc", "-probe"]}
`;

interface Rendered {
  spec: ServiceSpec;
  file(p: string): string;
  yaml(p: string): any;
  /** What the loader asked to read (the trpc-go preset's file). */
  read: string[];
}

function render(extra = '', base = BASE): Rendered {
  const read: string[] = [];
  const { spec } = specFromText('goneat-deploy.yaml', base + extra, (p) => {
    read.push(p);
    return 'server:\n  admin: {port: 9090}\n  service: [{name: s, port: 8000}]\n';
  });
  const files = new Map(renderAll(spec, {}).map((f) => [f.path, f.content]));
  const file = (p: string) => files.get(p) ?? (() => { throw new Error(`no ${p} among ${[...files.keys()].join(', ')}`); })();
  return { spec, file, yaml: (p) => YAML.parse(file(p), { version: '1.1' }), read };
}

const line = (text: string, re: RegExp) => re.exec(text)?.[1];
const seconds = (n: number) => formatDuration(n * 1000);

/** field → the value, in the config's terms, each consumer gets when the field is left out (one reading per consumer). */
const READINGS: Record<DefaultedField, (r: Rendered) => unknown[]> = {
  framework: (r) => [r.file('Dockerfile').includes('trpc_go.yaml') ? 'trpc-go' : 'plain'],
  trpcConfig: () => [render('framework: trpc-go\n').read[0]],
  'image.tag': (r) => [r.yaml('compose.yaml').services.svc.image.split(':')[1], line(r.file('Dockerfile'), /org\.opencontainers\.image\.version="([^"]+)"/)],
  // The build context the Dockerfile lists (what `build` assembles): the CA bundle, zoneinfo.
  'image.certificates': (r) => [r.file('Dockerfile').includes('/etc/ssl/certs/ca-certificates.crt (CA bundle)'), r.spec.image.certificates],
  'image.timezones': (r) => [r.file('Dockerfile').includes('/usr/share/zoneinfo/ (zoneinfo)'), r.spec.image.timezones],
  'build.main': (r) => [r.spec.build.kind === 'go' && goBuildArgs({ dir: '/p', main: r.spec.build.main, ldflags: '', tags: [], arch: 'amd64', out: 'o' }).at(-1)],
  'build.ldflags': (r) => [r.spec.build.kind === 'go' && goBuildArgs({ dir: '/p', main: '.', ldflags: r.spec.build.ldflags, tags: [], arch: 'amd64', out: 'o' }).find((a) => a.startsWith('-ldflags='))!.slice('-ldflags='.length)],
  'ports[].protocol': (r) => [
    r.yaml('compose.yaml').services.svc.ports[0].endsWith('/udp') ? 'udp' : 'tcp',
    r.yaml('k8s/deployment.yaml').spec.template.spec.containers[0].ports[0].protocol.toLowerCase(),
    line(r.file('Dockerfile'), /^EXPOSE 8080\/(\w+)$/m),
  ],
  'health.interval': (r) => [r.yaml('compose.yaml').services.svc.healthcheck.interval, seconds(r.yaml('k8s/deployment.yaml').spec.template.spec.containers[0].readinessProbe.periodSeconds)],
  'health.timeout': (r) => [r.yaml('compose.yaml').services.svc.healthcheck.timeout, seconds(r.yaml('k8s/deployment.yaml').spec.template.spec.containers[0].livenessProbe.timeoutSeconds)],
  'health.startPeriod': (r) => {
    const startup = r.yaml('k8s/deployment.yaml').spec.template.spec.containers[0].startupProbe;
    return [r.yaml('compose.yaml').services.svc.healthcheck.start_period, seconds(startup.periodSeconds * startup.failureThreshold)];
  },
  'health.failureThreshold': (r) => [r.yaml('compose.yaml').services.svc.healthcheck.retries, r.yaml('k8s/deployment.yaml').spec.template.spec.containers[0].livenessProbe.failureThreshold],
  'shutdown.signal': (r) => [line(r.file('Dockerfile'), /^STOPSIGNAL (\S+)$/m), r.yaml('compose.yaml').services.svc.stop_signal, line(r.file('systemd/svc.service'), /^KillSignal=(\S+)$/m)],
  'shutdown.drain': (r) => [formatDuration(parseDuration(line(r.file('Dockerfile'), /io\.goneat-deploy\.drain="([^"]+)"/)!)!)],
  'shutdown.preStop': (r) => [r.yaml('k8s/deployment.yaml').spec.template.spec.containers[0].lifecycle?.preStop === undefined ? '0s' : 'set'],
  // The budget every stop timeout equals, less the drain and the preStop read above: the slack.
  'shutdown.slack': (r) => {
    const drainMs = parseDuration(line(r.file('Dockerfile'), /io\.goneat-deploy\.drain="([^"]+)"/)!)!;
    return [formatDuration(parseDuration(r.yaml('compose.yaml').services.svc.stop_grace_period)! - drainMs), formatDuration(Number(line(r.file('upstart/svc.conf'), /^kill timeout (\d+)$/m)) * 1000 - drainMs)];
  },
  'shutdown.successExitCodes': (r) => [line(r.file('Dockerfile'), /io\.goneat-deploy\.success-exit-codes="([^"]+)"/)!.split(',').map(Number), /^SuccessExitStatus=/m.test(r.file('systemd/svc.service')) ? 'extra' : [0]],
  user: (r) => [line(r.file('Dockerfile'), /^USER (\S+)$/m), r.yaml('compose.yaml').services.svc.user, `${r.yaml('k8s/deployment.yaml').spec.template.spec.securityContext.runAsUser}:${r.yaml('k8s/deployment.yaml').spec.template.spec.securityContext.runAsGroup}`],
  replicas: (r) => [r.yaml('swarm/stack.yaml').services.svc.deploy.replicas, r.yaml('k8s/deployment.yaml').spec.replicas],
  'kubernetes.serviceType': (r) => [r.yaml('k8s/service.yaml').spec.type],
  'kubernetes.imagePullPolicy': (r) => [r.yaml('k8s/deployment.yaml').spec.template.spec.containers[0].imagePullPolicy],
  'kubernetes.goRuntimeEnv': (r) => [(r.yaml('k8s/deployment.yaml').spec.template.spec.containers[0].env ?? []).some((e: { name: string }) => e.name === 'GOMAXPROCS')],
  'swarm.publishMode': (r) => [r.yaml('swarm/stack.yaml').services.svc.ports[0].mode],
  'host.binaryPath': (r) => [line(r.file('systemd/svc.service'), /^ExecStart=(\S+)/m), line(r.file('upstart/svc.conf'), /^exec (\S+)/m), (plist.parse(r.file('launchd/io.goneat-deploy.svc.plist')) as { ProgramArguments: string[] }).ProgramArguments[0]],
  'host.workingDirectory': (r) => [line(r.file('systemd/svc.service'), /^WorkingDirectory=(\S+)$/m), line(r.file('upstart/svc.conf'), /^chdir (\S+)$/m)],
  'host.configPath': () => {
    const t = render('framework: trpc-go\n');
    return [line(t.file('systemd/svc.service'), /^ExecStart=\S+ -conf (\S+)$/m), line(t.file('upstart/svc.conf'), /^exec \S+ -conf (\S+)$/m), line(t.file('daemonize/svc.sh'), /^ {4}\S+ -conf (\S+)$/m)];
  },
  'host.hardening': (r) => {
    const unit = r.file('systemd/svc.service');
    return [/^DynamicUser=yes$/m.test(unit) ? 'strict' : /^ProtectSystem=strict$/m.test(unit) ? 'auto' : 'off'];
  },
  'host.umask': (r) => [
    line(r.file('systemd/svc.service'), /^UMask=(\S+)$/m),
    line(r.file('upstart/svc.conf'), /^umask (\S+)$/m),
    line(r.file('daemonize/svc.sh'), /^UMASK='(\S+)'$/m),
    `0${(plist.parse(r.file('launchd/io.goneat-deploy.svc.plist')) as { Umask: number }).Umask.toString(8).padStart(3, '0')}`,
  ],
  'host.runDirectory': (r) => [line(r.file('daemonize/svc.sh'), /^RUN_DIRECTORY='(\S+)'$/m)],
  'host.launchdLabel': (r) => [(plist.parse(r.file('launchd/io.goneat-deploy.svc.plist')) as { Label: string }).Label],
  'host.logDirectory': (r) => [path.dirname((plist.parse(r.file('launchd/io.goneat-deploy.svc.plist')) as { StandardOutPath: string }).StandardOutPath)],
  'host.upstartLegacy': (r) => [!/^reload signal CONT$/m.test(r.file('upstart/svc.conf'))],
};

describe('documented defaults', () => {
  const documented = walk(schema);

  it('every "Default …" in the schema comes from the defaults table, and every table entry is documented', () => {
    const saying = documented.filter((d) => /(^| )Default [^:]/.test(d.description)).map((d) => d.field);
    expect(saying.sort()).toEqual(Object.keys(CONFIG_DEFAULTS).sort());
    for (const key of Object.keys(CONFIG_DEFAULTS) as DefaultedField[]) {
      const d = documented.find((x) => x.field === key)!;
      expect(d.description, key).toContain(defaultSentence(key));
      const entry = CONFIG_DEFAULTS[key];
      if ('value' in entry) expect(d.default, key).toEqual(entry.value);
      else expect(d.default, `${key} depends on the name: no JSON Schema default`).toBeUndefined();
    }
  });

  const r = render();
  it.each(Object.keys(CONFIG_DEFAULTS) as DefaultedField[])('%s: what is rendered is what is documented', (key) => {
    const entry = CONFIG_DEFAULTS[key];
    const expected = 'value' in entry ? entry.value : entry.of('svc');
    const seen = READINGS[key](r);
    expect(seen.length, key).toBeGreaterThan(0);
    for (const v of seen) expect(v, key).toEqual(expected);
  });

  it('launchd\'s working directory is the documented "(launchd: /usr/local/var/<name>)"', () => {
    expect(documented.find((d) => d.field === 'host.workingDirectory')!.description).toContain('(launchd: /usr/local/var/<name>)');
    expect((plist.parse(r.file('launchd/io.goneat-deploy.svc.plist')) as { WorkingDirectory: string }).WorkingDirectory).toBe('/usr/local/var/svc');
  });

  it('daemonize\'s log directory is the documented "(daemonize: /var/log/<name>)"', () => {
    expect(documented.find((d) => d.field === 'host.logDirectory')!.description).toContain('(daemonize: /var/log/<name>)');
    expect(line(r.file('daemonize/svc.sh'), /^LOG_DIRECTORY='(\S+)'$/m)).toBe('/var/log/svc');
  });

  it('the refused stop signals are listed as the config refuses them, SIGSTOP included', () => {
    const signal = documented.find((d) => d.field === 'shutdown.signal')!.description;
    for (const s of Object.keys(REFUSED_STOP_SIGNALS)) expect(signal).toContain(s);
    expect(signal).toMatch(/SIGHUP, SIGUSR2, SIGKILL and SIGSTOP are refused\./);
    for (const s of Object.keys(REFUSED_STOP_SIGNALS)) expect(() => render(`shutdown: {signal: ${s}}\n`)).toThrow(/is refused as a stop signal/);
  });

  it('a reading changes when the field is set: the readings are real', () => {
    const base = BASE.replace(/^health: .*\n/m, '');
    const set = render('health: {port: http, path: /h, command: ["/app/svc"], startPeriod: 7s, interval: 3s}\nreplicas: 3\nhost: {logDirectory: /var/log/x}\n', base);
    expect(READINGS['health.startPeriod'](set)).toEqual(['7s', '7s']);
    expect(READINGS['health.interval'](set)).toEqual(['3s', '3s']);
    expect(READINGS.replicas(set)).toEqual([3, 3]);
    expect(READINGS['host.logDirectory'](set)).toEqual(['/var/log/x']);
    const host = render('host: {hardening: strict, umask: "027", runDirectory: /run/x, upstartLegacy: true}\n');
    expect(READINGS['host.hardening'](host)).toEqual(['strict']);
    expect(READINGS['host.umask'](host)).toEqual(['0027', '0027', '0027', '0027']);
    expect(READINGS['host.runDirectory'](host)).toEqual(['/run/x']);
    expect(READINGS['host.upstartLegacy'](host)).toEqual([true]);
    expect(READINGS['host.hardening'](render('host: {hardening: "off"}\n'))).toEqual(['off']);
  });
});

describe('host.binaryPath default', () => {
  // Debian 12's PATHs: /etc/profile (users, root) and /etc/login.defs ENV_SUPATH / ENV_PATH.
  const PATH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/games', '/usr/games'];
  it.each(['echo', 'test', 'env', 'kill', 'svc'])('for a service named %s is off every PATH, so it cannot shadow a command', (name) => {
    const p = specFromText('x.yaml', `name: ${name}\nimage: {repository: ex/${name}}\n`).spec.host.binaryPath;
    expect(p).toBe(`/usr/local/libexec/${name}/${name}`);
    expect(PATH_DIRS).not.toContain(p.slice(0, p.lastIndexOf('/')));
  });
});
