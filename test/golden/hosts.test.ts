/**
 * The host targets (systemd, daemonize, upstart, launchd), checked by their
 * consumers' own tools where one exists here: systemd-analyze verify and
 * security, sh -n and shellcheck, python3's plistlib, the POSIX shell reading
 * the script's words back. The real runs are in test/e2e/systemd.test.ts and
 * test/e2e/daemonize.test.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { specFromText } from '../../src/config/load.js';
import { renderDaemonize, shellQuote } from '../../src/render/daemonize.js';
import { renderLaunchd } from '../../src/render/launchd.js';
import { renderSysusers, renderSystemdContainerUnit, renderSystemdUnit } from '../../src/render/systemd.js';
import { renderAll } from '../../src/render/targets.js';
import { renderUpstart } from '../../src/render/upstart.js';
import type { ServiceSpec } from '../../src/spec/spec.js';
import { ROOT, runCli } from '../helpers/cli.js';

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

/** The unit with ExecStart's binary swapped for a real executable, so systemd-analyze can check it. */
function unitFile(unit: string, binaryPath: string): string {
  const bin = path.join(tmp, 'bin-for-verify');
  copyFileSync('/usr/bin/tini-static', bin);
  const file = path.join(tmp, `gdtest-${Math.random().toString(36).slice(2)}.service`);
  writeFileSync(file, unit.split(binaryPath).join(bin));
  return file;
}

function verify(unit: string, binaryPath: string): { code: number | null; stderr: string } {
  const r = spawnSync('systemd-analyze', ['verify', unitFile(unit, binaryPath)], { encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

/** systemd-analyze security --offline: the overall exposure (0 best, 10 worst). */
function exposure(unit: string, binaryPath: string): number {
  const r = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', unitFile(unit, binaryPath)], { encoding: 'utf8' });
  const m = /Overall exposure level for \S+: (\d+\.\d+)/.exec(r.stdout);
  if (!m) throw new Error(`systemd-analyze security: ${r.stdout}${r.stderr}`);
  return Number(m[1]);
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

  it('every mode passes systemd-analyze verify with nothing on stderr; the check is real', () => {
    for (const u of [auto, strict, off]) expect(verify(u, '/usr/local/bin/svc')).toEqual({ code: 0, stderr: '' });
    expect(verify(auto.replace('ProtectClock=yes', 'ProtectClok=yes'), '/usr/local/bin/svc').stderr).toMatch(/Unknown key 'ProtectClok'/);
  });

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

  it('systemd-analyze security: the default unit is exposed at most 2.0 (strict likewise; off is worse)', () => {
    const scores = { auto: exposure(auto, '/usr/local/bin/svc'), strict: exposure(strict, '/usr/local/bin/svc'), off: exposure(off, '/usr/local/bin/svc') };
    console.log(`[systemd-analyze security] exposure: auto ${scores.auto}, strict ${scores.strict}, off ${scores.off}`);
    expect(scores.auto).toBeLessThanOrEqual(2.0);
    expect(scores.strict).toBeLessThanOrEqual(2.0);
    expect(scores.off).toBeGreaterThan(scores.auto);
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
    expect(verify(c, '/usr/bin/docker')).toEqual({ code: 0, stderr: '' });
  });
});

describe('daemonize: the control script', () => {
  const nasty = ['it\'s', 'a "quote"', '$HOME', '`id`', 'back\\slash', 'semi;colon', '*', '%d', ' lead', ''];
  const s = spec(`args: ${JSON.stringify(nasty)}\nenv: {Q: "it's \\"$HOME\\" \`x\` \\\\ %s"}\nhost: {binaryPath: /opt/svc/bin/svc}\n`);
  const script = renderDaemonize(s);

  it('starts with the interpreter line and is still recognized as generated', async () => {
    expect(script.path).toBe('daemonize/svc.sh');
    expect(script.content.split('\n')[0]).toBe('#!/bin/sh');
    const { generatedState } = await import('../../src/render/header.js');
    expect(generatedState(script.content)).toBe('generated');
    expect(generatedState(script.content.replace('STOP_TIMEOUT=7', 'STOP_TIMEOUT=70'))).toBe('edited');
  });

  it('sh -n and shellcheck find nothing, also with hostile values', () => {
    const file = path.join(tmp, 'svc.sh');
    for (const content of [script.content, renderDaemonize(spec()).content]) {
      writeFileSync(file, content);
      expect(spawnSync('sh', ['-n', file], { encoding: 'utf8' })).toMatchObject({ status: 0, stderr: '' });
      const sc = spawnSync('shellcheck', ['--shell=sh', file], { encoding: 'utf8' });
      expect(sc.stdout + sc.stderr).toBe('');
      expect(sc.status).toBe(0);
    }
  });

  it('the check is real: shellcheck flags an unquoted expansion', () => {
    const file = path.join(tmp, 'bad.sh');
    writeFileSync(file, script.content.replace('kill -0 "$1"', 'kill -0 $1'));
    expect(spawnSync('shellcheck', [file], { encoding: 'utf8' }).stdout).toMatch(/SC2086/);
  });

  it('daemonize gets every value back exactly: argv and -E environment, through the shell', () => {
    // A stand-in daemonize that records its argv (NUL-separated) and fails, so start stops there.
    const dir = mkdtempSync(path.join(tmp, 'dz-'));
    const stub = path.join(dir, 'stub');
    mkdirSync(stub);
    writeFileSync(path.join(stub, 'daemonize'), `#!/bin/sh\nprintf '%s\\0' "$@" > ${dir}/argv\nexit 1\n`);
    chmodSync(path.join(stub, 'daemonize'), 0o755);
    const bin = path.join(dir, 'svc');
    copyFileSync('/usr/bin/tini-static', bin);
    const user = os.userInfo().username;
    const t = spec(
      `args: ${JSON.stringify(nasty)}\nenv: {Q: "it's \\"$HOME\\" \`x\` \\\\ %s", Z: ""}\nhost: {binaryPath: ${bin}, workingDirectory: ${dir}/w, logDirectory: ${dir}/l, runDirectory: ${dir}/r, user: ${user}}\n`,
    );
    // Only PATH is changed, to find the stand-in first.
    const content = renderDaemonize(t).content.replace(/^PATH=/m, `PATH=${stub}:`);
    writeFileSync(path.join(dir, 'svc.sh'), content);
    const r = spawnSync('sh', [path.join(dir, 'svc.sh'), 'start'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/svc: daemonize could not start/);
    const argv = readFileSync(path.join(dir, 'argv'), 'utf8').split('\0').slice(0, -1);
    expect(argv).toEqual([
      '-a', '-c', `${dir}/w`, '-o', `${dir}/l/svc.log`, '-e', `${dir}/l/svc.err.log`, '-p', `${dir}/r/svc.pid`, '-l', `${dir}/r/svc.lock`,
      ...(process.getuid?.() === 0 ? ['-u', user] : []),
      '-E', 'Q=it\'s "$HOME" `x` \\ %s', '-E', 'Z=',
      bin, ...nasty,
    ]);
  });

  it('shellQuote: the shell reads each word back as itself', () => {
    const words = ['plain', 'it\'s', '\'', '\'\'', '$(id)', 'a b', '', '\\', '"'];
    const out = execFileSync('sh', ['-c', `printf '%s\\0' ${words.map((w) => shellQuote(w)).join(' ')}`], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(words);
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

  it('the field case (test/fixtures/upstart-reload): the generated job sets reload signal, the hand-written one does not', () => {
    expect(readFileSync(path.join(ROOT, 'test/fixtures/upstart-reload/websrv.conf'), 'utf8')).not.toMatch(/reload signal/);
    expect(renderUpstart(fixture('upstart-reload/side-default-path')).content).toMatch(/^reload signal CONT$/m);
  });
});

describe('launchd: the plist, read by python3\'s plistlib', () => {
  function plistlib(content: string): Record<string, unknown> {
    const file = path.join(tmp, `job-${Math.random().toString(36).slice(2)}.plist`);
    writeFileSync(file, content);
    return JSON.parse(execFileSync('python3', ['-c', 'import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], "rb"))))', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as Record<string, unknown>;
  }

  it('parses, with each key of the type launchd.plist(5) gives it', () => {
    const job = plistlib(renderLaunchd(spec('env: {A: "<&>"}\nhost: {user: svc}\n')).content);
    expect(job).toEqual({
      Label: 'io.goneat-deploy.svc',
      ProgramArguments: ['/usr/local/bin/svc'],
      WorkingDirectory: '/usr/local/var/svc',
      EnvironmentVariables: { A: '<&>' },
      UserName: 'svc',
      RunAtLoad: true,
      KeepAlive: true,
      ExitTimeOut: 7,
      ThrottleInterval: 10,
      ProcessType: 'Standard',
      Umask: 63,
      StandardOutPath: '/usr/local/var/log/svc.log',
      StandardErrorPath: '/usr/local/var/log/svc.err.log',
    });
  });

  it('the check is real: plistlib rejects a broken plist', () => {
    const broken = renderLaunchd(spec()).content.replace('<integer>7</integer>', '<integer>7</integr>');
    expect(() => plistlib(broken)).toThrow();
  });
});

describe('framework trpc-go: host targets run the binary with the config\'s host path (host.configPath)', () => {
  const s = fixture('trpc-stop-example');
  const hostFiles = (x: ServiceSpec) => [renderSystemdUnit(x), renderUpstart(x), renderLaunchd(x), renderDaemonize(x)];

  it('the framework\'s own stop example: no host file mentions /app/trpc_go.yaml; each names <workingDirectory>/trpc_go.yaml', () => {
    for (const f of hostFiles(s)) expect(f.content, f.path).not.toMatch(/\/app\/trpc_go\.yaml/);
    expect(renderSystemdUnit(s).content).toMatch(/^ExecStart=\/usr\/local\/bin\/stopper -conf \/var\/lib\/stopper\/trpc_go\.yaml$/m);
    expect(renderUpstart(s).content).toMatch(/^exec \/usr\/local\/bin\/stopper -conf \/var\/lib\/stopper\/trpc_go\.yaml$/m);
    expect(renderDaemonize(s).content).toMatch(/^ {4}\/usr\/local\/bin\/stopper -conf \/var\/lib\/stopper\/trpc_go\.yaml$/m);
    expect(plistParse(renderLaunchd(s).content).ProgramArguments).toEqual(['/usr/local/bin/stopper', '-conf', '/usr/local/var/stopper/trpc_go.yaml']);
  });

  it('the image keeps its own path: the Dockerfile entrypoint and the image-run targets still use /app/trpc_go.yaml', () => {
    const all = renderAll(s, {});
    expect(all.find((f) => f.path === 'Dockerfile')!.content).toMatch(/"-conf", ?"\/app\/trpc_go\.yaml"/);
  });

  it('host.configPath is honoured by every host target, also in the -conf=PATH form', () => {
    const dir = path.join(tmp, 'trpc');
    cpSync(path.join(ROOT, 'test/fixtures/trpc-stop-example'), dir, { recursive: true });
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
    cpSync(path.join(ROOT, 'test/fixtures/upstart-reload/side-default-path/goneat-deploy.yaml'), path.join(dir, 'goneat-deploy.yaml'));
    for (const t of ['upstart', 'launchd', 'daemonize', 'swarm']) expect((await runCli(['generate', t, '-C', dir])).code, t).toBe(0);
    const all = await runCli(['generate', 'all', '-C', dir]);
    expect(all.code, all.stderr).toBe(0);
    for (const f of ['deploy/upstart/websrv.conf', 'deploy/launchd/io.goneat-deploy.websrv.plist', 'deploy/daemonize/websrv.sh', 'deploy/swarm/stack.yaml']) {
      expect(all.stdout).toContain(`unchanged ${path.join(dir, f)}`);
    }
  });

  it('a file left at deploy/upstart by an older version: generate all stops with exit 2 and says why, writing nothing', async () => {
    const dir = path.join(tmp, 'side-default-path-old');
    cpSync(path.join(ROOT, 'test/fixtures/upstart-reload/side-default-path'), dir, { recursive: true });
    const all = await runCli(['generate', 'all', '-C', dir]);
    expect(all.code).toBe(2);
    expect(all.stderr).toMatch(/deploy\/upstart\/websrv\.conf: a parent of this path is a file, not a directory/);
    expect(spawnSync('ls', [path.join(dir, 'deploy')], { encoding: 'utf8' }).stdout.trim()).toBe('upstart');
  });
});

function plistParse(content: string): { ProgramArguments: string[] } {
  const file = path.join(tmp, `p-${Math.random().toString(36).slice(2)}.plist`);
  writeFileSync(file, content);
  return JSON.parse(execFileSync('python3', ['-c', 'import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], "rb"))))', file], { encoding: 'utf8' })) as { ProgramArguments: string[] };
}
