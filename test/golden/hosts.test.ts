/**
 * The host targets (systemd, daemonize, upstart, launchd) as rendered: the
 * sandbox per host.hardening, the control script's stop, upstart's reload,
 * host.configPath, default output paths. Their consumers' own tools
 * (systemd-analyze, sh and shellcheck, python3's plistlib) check them in
 * test/integration/hosts.test.ts; the real runs are test/e2e/systemd.test.ts
 * and test/e2e/daemonize.test.ts.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import plist from 'plist';
import { afterAll, describe, expect, it } from 'vitest';
import { specFromText } from '../../src/config/load.js';
import { renderDaemonize } from '../../src/render/daemonize.js';
import { renderLaunchd } from '../../src/render/launchd.js';
import { renderSysusers, renderSystemdContainerUnit, renderSystemdUnit } from '../../src/render/systemd.js';
import { renderAll } from '../../src/generate/targets.js';
import { renderUpstart } from '../../src/render/upstart.js';
import type { ServiceSpec } from '../../src/model/service.js';
import { ROOT } from '../helpers/cli.js';
import { runInProcess as runCli } from '../helpers/inprocess.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'gd-hosts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const BASE = 'name: svc\nimage: {repository: example/svc, tag: "1"}\nshutdown: {drain: 5s}\n';
function spec(extra = '', base = BASE): ServiceSpec {
  return specFromText('t.yaml', base + extra).spec;
}

function fixture(name: string): ServiceSpec {
  const dir = path.join(ROOT, 'test/fixtures', name);
  return specFromText('goneat-deploy.yaml', readFileSync(path.join(dir, 'goneat-deploy.yaml'), 'utf8'), (rel) => readFileSync(path.join(dir, rel), 'utf8')).spec;
}

function lines(content: string): string[] {
  return content.split('\n').filter((l) => !l.startsWith('# Generated') && !l.startsWith('# change') && !l.includes('goneat-deploy:generated'));
}

const NAMESPACE_SANDBOX = ['ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'PrivateDevices=yes', 'PrivateMounts=yes', 'ProtectKernelTunables=yes', 'ProtectKernelModules=yes', 'ProtectKernelLogs=yes', 'ProtectControlGroups=yes', 'ProtectClock=yes', 'ProtectHostname=yes', 'ProtectProc=invisible'];
const ALWAYS = ['NoNewPrivileges=yes', 'CapabilityBoundingSet=', 'UMask=0077', 'KillSignal=SIGTERM', 'KillMode=mixed', 'SendSIGHUP=no', 'TimeoutStopSec=7s', 'Restart=always', 'Type=exec'];

describe('systemd: host.hardening', () => {
  const auto = renderSystemdUnit(spec()).content;
  const strict = renderSystemdUnit(spec('host: {hardening: strict}\n')).content;
  const off = renderSystemdUnit(spec('host: {hardening: off}\n')).content;

  it('auto (the default): a fixed account created by sysusers.d, the whole sandbox, a notice where namespaces are refused', () => {
    const l = lines(auto);
    for (const want of [...ALWAYS, ...NAMESPACE_SANDBOX, 'User=svc', 'Group=svc', 'StateDirectory=svc', 'MemoryDenyWriteExecute=yes', 'SystemCallFilter=@system-service', 'SystemCallFilter=~@privileged']) expect(l, want).toContain(want);
    expect(auto).not.toMatch(/^DynamicUser=/m);
    expect(auto).not.toMatch(/^ExecReload=/m);
    // "+": outside the sandbox, as root; "-": never fails the start. It tests exactly what systemd tries.
    expect(auto).toMatch(/^ExecStartPre=-\+\/bin\/sh -c "if command -v unshare >\/dev\/null && ! unshare --mount true 2>\/dev\/null; then echo \\"svc: this host refuses mount namespaces/m);
    expect(renderSysusers(spec())).toMatchObject({ path: 'systemd/svc.sysusers.conf' });
    expect(lines(renderSysusers(spec())!.content)).toContain('u svc - "svc service (goneat-deploy)" /var/lib/svc');
  });

  it('strict: DynamicUser=yes and no sysusers.d file; a comment names the 226/NAMESPACE failure; host.user is refused', () => {
    const l = lines(strict);
    for (const want of [...ALWAYS, ...NAMESPACE_SANDBOX, 'DynamicUser=yes']) expect(l, want).toContain(want);
    expect(strict).not.toMatch(/^User=/m);
    expect(strict).not.toMatch(/^ExecStartPre=/m);
    expect(strict).toMatch(/^# host\.hardening strict: .*status=226\/NAMESPACE; use hardening auto there\nDynamicUser=yes$/m);
    expect(renderSysusers(spec('host: {hardening: strict}\n'))).toBeUndefined();
    expect(() => spec('host: {hardening: strict, user: svc}\n')).toThrow(/host\.user: host\.hardening strict runs the service under an account systemd allocates/);
  });

  it('off: the account, no new privileges, no capabilities, the umask; no namespace sandbox', () => {
    const l = lines(off);
    for (const want of [...ALWAYS, 'User=svc']) expect(l, want).toContain(want);
    for (const d of NAMESPACE_SANDBOX) expect(l).not.toContain(d);
    expect(off).not.toMatch(/^SystemCallFilter=/m);
  });

  it('ports below 1024 keep CAP_NET_BIND_SERVICE, ambient, and nothing else', () => {
    const u = renderSystemdUnit(spec('ports: [{name: http, port: 80}]\n')).content;
    expect(u).toMatch(/^CapabilityBoundingSet=CAP_NET_BIND_SERVICE$/m);
    expect(u).toMatch(/^AmbientCapabilities=CAP_NET_BIND_SERVICE$/m);
  });

  it('the container unit logs through the attached CLI to the journal, once (local driver, no journald driver)', () => {
    const c = renderSystemdContainerUnit(spec()).content;
    expect(c).toMatch(/ --log-driver=local /);
    expect(c).not.toMatch(/journald/);
  });

  it('the container unit stops with `docker stop -t B`: --time warns on docker 23+, --timeout is unknown to 20.10', () => {
    const c = renderSystemdContainerUnit(spec()).content;
    expect(c).toMatch(/^ExecStop=\/usr\/bin\/docker stop -t \d+ \S+$/m);
    expect(c).not.toMatch(/--time\b/);
  });
});

describe('daemonize: the control script', () => {
  const nasty = ['it\'s', 'a "quote"', '$HOME', '`id`', 'back\\slash', 'semi;colon', '*', '%d', ' lead', ''];
  const s = spec(`args: ${JSON.stringify(nasty)}\nenv: {Q: "it's \\"$HOME\\" \`x\` \\\\ %s"}\nhost: {binaryPath: /opt/svc/bin/svc}\n`);
  const script = renderDaemonize(s);

  it('starts with the interpreter line and is still recognized as generated', async () => {
    expect(script.path).toBe('daemonize/svc.sh');
    expect(script.content.split('\n')[0]).toBe('#!/bin/sh');
    const { generatedState } = await import('../../src/model/generated.js');
    expect(generatedState(script.content)).toBe('generated');
    expect(generatedState(script.content.replace('STOP_TIMEOUT=7', 'STOP_TIMEOUT=70'))).toBe('edited');
  });

  it('stops with the budget: the stop signal, then SIGKILL after the shutdown timeout', () => {
    expect(script.content).toMatch(/^STOP_SIGNAL='TERM'$/m);
    expect(script.content).toMatch(/^STOP_TIMEOUT=7$/m);
    expect(renderDaemonize(spec('shutdown: {signal: SIGINT, drain: 20s}\n', 'name: svc\nimage: {repository: example/svc}\n')).content).toMatch(/^STOP_SIGNAL='INT'\n[^\n]*\nSTOP_TIMEOUT=22$/m);
    // Never nohup (only the comment says it is not needed), never a fork inside the service.
    expect(script.content.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n')).not.toMatch(/nohup|&\s*$/m);
  });
});

describe('upstart: reload', () => {
  it('sets `reload signal CONT`: upstart\'s default reload (SIGHUP) would stop a Go service', () => {
    const job = lines(renderUpstart(spec()).content);
    expect(job).toContain('reload signal CONT');
    expect(job).toContain('kill signal TERM');
    expect(job).toContain('umask 0077');
  });

  it('host.upstartLegacy leaves the stanza out (upstart < 1.10 rejects it) and says reload would stop the service', () => {
    const job = renderUpstart(spec('host: {upstartLegacy: true}\n')).content;
    expect(job).not.toMatch(/^reload signal/m);
    expect(job).toMatch(/^# upstart < 1\.10 has no `reload signal`: `initctl reload` would send SIGHUP and stop the service/m);
  });

  it('lint keeps GD011 for a hand-written job without the stanza, and the generated legacy job, which says why, lints clean', async () => {
    const { lint } = await import('../../src/lint/lint.js');
    const services = [{ name: 'svc', drainMs: 5000, origin: 'goneat-deploy.yaml', goneat: true }];
    const legacy = renderUpstart(spec('host: {upstartLegacy: true}\n')).content;
    expect((await lint([{ path: 'upstart/svc.conf', text: legacy }], { services })).findings).toEqual([]);
    const unmarked = legacy.replace(/^# goneat-deploy:ignore GD011 .*\n/m, '');
    expect((await lint([{ path: 'upstart/svc.conf', text: unmarked }], { services })).findings.map((f) => `${f.ruleId} ${f.level}`)).toEqual(['GD011 error']);
  });

  it('the field case (test/fixtures/cases/upstart-reload): the generated job sets reload signal, the hand-written one does not', () => {
    expect(readFileSync(path.join(ROOT, 'test/fixtures/cases/upstart-reload/websrv.conf'), 'utf8')).not.toMatch(/reload signal/);
    expect(renderUpstart(fixture('cases/upstart-reload/side-default-path')).content).toMatch(/^reload signal CONT$/m);
  });
});

describe('framework trpc-go: host targets run the binary with the config\'s host path (host.configPath)', () => {
  const s = fixture('cases/trpc-stop-example');
  const hostFiles = (x: ServiceSpec) => [renderSystemdUnit(x), renderUpstart(x), renderLaunchd(x), renderDaemonize(x)];

  it('the framework\'s own stop example: no host file mentions /app/trpc_go.yaml; each names <workingDirectory>/trpc_go.yaml', () => {
    for (const f of hostFiles(s)) expect(f.content, f.path).not.toMatch(/\/app\/trpc_go\.yaml/);
    expect(renderSystemdUnit(s).content).toMatch(/^ExecStart=\/usr\/local\/libexec\/stopper\/stopper -conf \/var\/lib\/stopper\/trpc_go\.yaml$/m);
    expect(renderUpstart(s).content).toMatch(/^exec \/usr\/local\/libexec\/stopper\/stopper -conf \/var\/lib\/stopper\/trpc_go\.yaml$/m);
    expect(renderDaemonize(s).content).toMatch(/^ {4}\/usr\/local\/libexec\/stopper\/stopper -conf \/var\/lib\/stopper\/trpc_go\.yaml$/m);
    expect(plistParse(renderLaunchd(s).content).ProgramArguments).toEqual(['/usr/local/libexec/stopper/stopper', '-conf', '/usr/local/var/stopper/trpc_go.yaml']);
  });

  it('the image keeps its own path: the Dockerfile entrypoint and the image-run targets still use /app/trpc_go.yaml', () => {
    const all = renderAll(s, {});
    expect(all.find((f) => f.path === 'Dockerfile')!.content).toMatch(/"-conf", ?"\/app\/trpc_go\.yaml"/);
  });

  it('host.configPath is honoured by every host target, also in the -conf=PATH form', () => {
    const dir = path.join(tmp, 'trpc');
    cpSync(path.join(ROOT, 'test/fixtures/cases/trpc-stop-example'), dir, { recursive: true });
    const text = readFileSync(path.join(dir, 'goneat-deploy.yaml'), 'utf8') + 'args: ["-conf=/app/trpc_go.yaml", "-v"]\nhost: {configPath: /etc/stopper/trpc_go.yaml}\n';
    const x = specFromText('goneat-deploy.yaml', text, (rel) => readFileSync(path.join(dir, rel), 'utf8')).spec;
    expect(x.host.args).toEqual(['-conf=/etc/stopper/trpc_go.yaml', '-v']);
    expect(x.host.launchdArgs).toEqual(['-conf=/etc/stopper/trpc_go.yaml', '-v']);
    for (const f of hostFiles(x)) expect(f.content, f.path).toContain('-conf=/etc/stopper/trpc_go.yaml');
    expect(x.args).toEqual(['-conf=/app/trpc_go.yaml', '-v']);
  });

  it('host.configPath without the trpc-go preset is an error, located', () => {
    expect(() => spec('host: {configPath: /etc/svc.yaml}\n')).toThrow(/t\.yaml:\d+:\d+: host\.configPath: is only used with framework: trpc-go/);
  });
});

describe('default output paths never collide between targets', () => {
  it('generate upstart without -o writes deploy/upstart/<name>.conf, which generate all then finds unchanged', async () => {
    const dir = path.join(tmp, 'side-default-path');
    cpSync(path.join(ROOT, 'test/fixtures/cases/upstart-reload/side-default-path/goneat-deploy.yaml'), path.join(dir, 'goneat-deploy.yaml'));
    for (const t of ['upstart', 'launchd', 'daemonize', 'swarm']) expect((await runCli(['generate', t, '-C', dir])).code, t).toBe(0);
    const all = await runCli(['generate', 'all', '-C', dir]);
    expect(all.code, all.stderr).toBe(0);
    for (const f of ['deploy/upstart/websrv.conf', 'deploy/launchd/io.goneat-deploy.websrv.plist', 'deploy/daemonize/websrv.sh', 'deploy/swarm/stack.yaml']) {
      expect(all.stdout).toContain(`unchanged ${path.join(dir, f)}`);
    }
  });

  it('a file left at deploy/upstart by an older version: generate all stops with exit 2 and says why, writing nothing', async () => {
    const dir = path.join(tmp, 'side-default-path-old');
    cpSync(path.join(ROOT, 'test/fixtures/cases/upstart-reload/side-default-path'), dir, { recursive: true });
    const all = await runCli(['generate', 'all', '-C', dir]);
    expect(all.code).toBe(2);
    expect(all.stderr).toMatch(/deploy\/upstart\/websrv\.conf: a parent of this path is a file, not a directory/);
    expect(readdirSync(path.join(dir, 'deploy'))).toEqual(['upstart']);
  });
});

function plistParse(content: string): { ProgramArguments: string[] } {
  return plist.parse(content) as unknown as { ProgramArguments: string[] };
}
