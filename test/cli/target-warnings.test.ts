/**
 * generate warns (stderr, exit 0, at goneat-deploy.yaml:line) when one target cannot carry out a
 * value as written: swarm publishes a loopback port on every interface, launchd sends only SIGTERM.
 * Only for the targets concerned, and for `all`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess as runCli } from '../helpers/inprocess.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'gd-tw-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function project(name: string, body: string): string {
  const dir = path.join(tmp, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'goneat-deploy.yaml'), `name: hello\nimage: {repository: demo/hello}\n${body}`);
  return dir;
}

const warnings = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('goneat-deploy: warning:') && !l.includes(': health: no health check'));
const healthWarnings = (stderr: string) => stderr.split('\n').filter((l) => l.includes(': health: no health check'));

describe('no health section: nothing tells a runtime the service is ready', () => {
  it('warns for k8s, compose, swarm and all; not for the host targets; not with health or for the trpc-go preset', async () => {
    const dir = project('nohealth', 'build: {binary: /usr/bin/true}\nports: [{name: http, port: 8080}]\n');
    for (const t of ['k8s', 'compose', 'swarm', 'all']) {
      const r = await runCli(['generate', t, '-C', dir, ...(t === 'all' ? ['--check'] : ['-o', '-'])]);
      expect(healthWarnings(r.stderr), `${t}: ${r.stderr}`).toHaveLength(1);
      expect(healthWarnings(r.stderr)[0]).toMatch(/goneat-deploy\.yaml:\d+:\d+: health: no health check: Kubernetes gets no readiness probe/);
    }
    for (const t of ['systemd', 'daemonize', 'upstart', 'launchd']) {
      const r = await runCli(['generate', t, '-C', dir, '-o', '-']);
      expect(r.code, r.stderr).toBe(0);
      expect(healthWarnings(r.stderr), t).toEqual([]);
    }
    const ok = project('health', 'build: {binary: /usr/bin/true}\nports: [{name: http, port: 8080}]\nhealth: {port: http, path: /healthz}\n');
    const r = await runCli(['generate', 'k8s', '-C', ok, '-o', '-']);
    expect(r.code, r.stderr).toBe(0);
    expect(healthWarnings(r.stderr)).toEqual([]);
  });
});

describe('swarm widens a published port to every interface', () => {
  const dir = () =>
    project(
      'ports',
      'ports:\n  - {name: http, port: 8081, publish: 127.0.0.1:8081}\n  - {name: bare, port: 8082, publish: 8082}\n  - {name: all, port: 8083, publish: "0.0.0.0:8083"}\n  - {name: admin, port: 9090, publish: 9090}\n',
    );

  it('says so for loopback and bare publishes, at the field, with how to avoid it; exit 0', async () => {
    const r = await runCli(['generate', 'swarm', '-C', dir(), '-o', '-']);
    expect(r.code, r.stderr).toBe(0);
    const w = warnings(r.stderr);
    expect(w).toHaveLength(2);
    expect(w[0]).toMatch(/goneat-deploy\.yaml:4:\d+: ports\[0\]\.publish: swarm has no host address .*publishes 8081 on every interface of every node \(routing mesh\), not on 127\.0\.0\.1 only; remove publish/);
    expect(w[1]).toMatch(/goneat-deploy\.yaml:5:\d+: ports\[1\]\.publish: swarm has no host address .*publishes 8082 .*not on 127\.0\.0\.1 only/);
    expect(r.stdout).toContain('published: 8081');
  });

  it('not for compose, which binds the address given', async () => {
    const r = await runCli(['generate', 'compose', '-C', dir(), '-o', '-']);
    expect(r.code).toBe(0);
    expect(warnings(r.stderr)).toEqual([]);
  });

  it('names host mode when that is what the stack uses', async () => {
    const d = project('host', 'swarm: {publishMode: host}\nports: [{name: http, port: 8081, publish: 127.0.0.1:8081}]\n');
    const r = await runCli(['generate', 'swarm', '-C', d, '-o', '-']);
    expect(warnings(r.stderr)[0]).toMatch(/on every interface of the node running the task, not on 127\.0\.0\.1 only/);
  });
});

describe('launchd sends SIGTERM whatever shutdown.signal says', () => {
  it('warns for launchd and all, at shutdown.signal, not for systemd', async () => {
    const d = project('sigint', 'shutdown:\n  signal: SIGINT\n');
    for (const target of ['launchd', 'all']) {
      const r = await runCli(['generate', target, '-C', d, ...(target === 'all' ? [] : ['-o', '-'])]);
      expect(r.code, r.stderr).toBe(0);
      expect(warnings(r.stderr)).toEqual([expect.stringMatching(/goneat-deploy\.yaml:4:11: shutdown\.signal: launchd stops a job with SIGTERM, then SIGKILL after ExitTimeOut \(launchd\.plist\(5\)\); it has no setting for SIGINT/)]);
    }
    const s = await runCli(['generate', 'systemd', '-C', d, '-o', '-']);
    expect(warnings(s.stderr)).toEqual([]);
  });

  it('says nothing for SIGTERM', async () => {
    const r = await runCli(['generate', 'launchd', '-C', project('sigterm', 'shutdown: {signal: SIGTERM}\n'), '-o', '-']);
    expect(warnings(r.stderr)).toEqual([]);
  });
});

describe('generate all keeps the compose.yaml and Dockerfile that generate compose / dockerfile wrote current', () => {
  it('updates ./compose.yaml with deploy/compose.yaml (and --check compares both); a hand-written ./Dockerfile is not touched', async () => {
    const dir = project('pair', 'build: {binary: /usr/bin/true}\nports: [{name: http, port: 8080}]\nhealth: {port: http, path: /healthz}\nshutdown: {drain: 5s}\n');
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\n# written by hand\n');
    expect((await runCli(['generate', 'compose', '-C', dir])).code).toBe(0);
    const cfg = path.join(dir, 'goneat-deploy.yaml');
    writeFileSync(cfg, readFileSync(cfg, 'utf8').replace('drain: 5s', 'drain: 6s'));
    const r = await runCli(['generate', 'all', '-C', dir]);
    expect(r.code, r.stderr).toBe(0);
    const top = readFileSync(path.join(dir, 'compose.yaml'), 'utf8');
    expect(top).toBe(readFileSync(path.join(dir, 'deploy', 'compose.yaml'), 'utf8'));
    expect(top).toMatch(/stop_grace_period: "?8s"?/);
    expect(readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe('FROM scratch\n# written by hand\n');
    writeFileSync(cfg, readFileSync(cfg, 'utf8').replace('drain: 6s', 'drain: 7s'));
    const check = await runCli(['generate', 'all', '-C', dir, '--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('compose.yaml (on disk)');
    expect(check.stdout).toContain('deploy/compose.yaml (on disk)');
  });
});

describe('-o DIR/ for a single-file target', () => {
  it('writes the file into DIR under its own name (a trailing slash means a directory), not a file named DIR', async () => {
    const dir = project('slash', 'build: {binary: /usr/bin/true}\nports: [{name: http, port: 8080}]\nhealth: {port: http, path: /healthz}\n');
    expect((await runCli(['generate', 'compose', '-o', 'newdir/'], { cwd: dir })).code).toBe(0);
    expect(readFileSync(path.join(dir, 'newdir', 'compose.yaml'), 'utf8')).toMatch(/^# Generated by goneat-deploy/);
    expect((await runCli(['generate', 'upstart', '-o', 'up/'], { cwd: dir })).code).toBe(0);
    expect(readFileSync(path.join(dir, 'up', 'hello.conf'), 'utf8')).toMatch(/^# Generated by goneat-deploy/);
  });
});
