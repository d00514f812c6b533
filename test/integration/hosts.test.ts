/**
 * The host targets (systemd, daemonize, launchd), checked by their consumers'
 * own tools (scripts/ensure-env.sh installs them): systemd-analyze verify and
 * security, sh -n and shellcheck, a stand-in daemonize through the POSIX
 * shell, python3's plistlib. What is rendered: test/golden/hosts.test.ts; the
 * real runs: test/e2e/systemd.test.ts and test/e2e/daemonize.test.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { specFromText } from '../../src/config/load.js';
import { renderDaemonize, shellQuote } from '../../src/render/daemonize.js';
import { renderLaunchd } from '../../src/render/launchd.js';
import { renderSystemdContainerUnit, renderSystemdUnit } from '../../src/render/systemd.js';
import type { ServiceSpec } from '../../src/model/service.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'gd-hosts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const BASE = 'name: svc\nimage: {repository: example/svc, tag: "1"}\nshutdown: {drain: 5s}\n';
function spec(extra = '', base = BASE): ServiceSpec {
  return specFromText('t.yaml', base + extra).spec;
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


describe('systemd: every host.hardening mode, read by systemd-analyze', () => {
  const auto = renderSystemdUnit(spec()).content;
  const strict = renderSystemdUnit(spec('host: {hardening: strict}\n')).content;
  const off = renderSystemdUnit(spec('host: {hardening: off}\n')).content;

  it('every mode passes systemd-analyze verify with nothing on stderr; the check is real', () => {
    for (const u of [auto, strict, off]) expect(verify(u, '/usr/local/libexec/svc/svc')).toEqual({ code: 0, stderr: '' });
    expect(verify(auto.replace('ProtectClock=yes', 'ProtectClok=yes'), '/usr/local/libexec/svc/svc').stderr).toMatch(/Unknown key 'ProtectClok'/);
  });

  it('systemd-analyze security: the default unit is exposed at most 2.0 (strict likewise; off is worse)', () => {
    const scores = { auto: exposure(auto, '/usr/local/libexec/svc/svc'), strict: exposure(strict, '/usr/local/libexec/svc/svc'), off: exposure(off, '/usr/local/libexec/svc/svc') };
    console.log(`[systemd-analyze security] exposure: auto ${scores.auto}, strict ${scores.strict}, off ${scores.off}`);
    expect(scores.auto).toBeLessThanOrEqual(2.0);
    expect(scores.strict).toBeLessThanOrEqual(2.0);
    expect(scores.off).toBeGreaterThan(scores.auto);
  });

  it('the container unit passes systemd-analyze verify', () => {
    expect(verify(renderSystemdContainerUnit(spec()).content, '/usr/bin/docker')).toEqual({ code: 0, stderr: '' });
  });
});

describe('daemonize: the control script, read by the shell and shellcheck', () => {
  const nasty = ['it\'s', 'a "quote"', '$HOME', '`id`', 'back\\slash', 'semi;colon', '*', '%d', ' lead', ''];
  const s = spec(`args: ${JSON.stringify(nasty)}\nenv: {Q: "it's \\"$HOME\\" \`x\` \\\\ %s"}\nhost: {binaryPath: /opt/svc/bin/svc}\n`);
  const script = renderDaemonize(s);

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
      ProgramArguments: ['/usr/local/libexec/svc/svc'],
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

