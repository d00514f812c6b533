/**
 * The original scenario on a plain host, with the real daemonize(1) (Debian's
 * package) and the generated control script, started from a real
 * pseudo-terminal (tmux) that is then closed:
 *  - the service keeps running: same pid, healthy, in its own session with no
 *    controlling terminal; the terminal's shell is proven dead; even with the
 *    old framework's SIGHUP subscription (-legacy-sighup) no hangup reached it;
 *  - `stop` drains an in-flight request (200), the service exits 0, `status`
 *    is right before and after; a second `start` runs no second copy; a
 *    service that outlives the budget gets SIGKILL and stop says so.
 * And foreground ("normal") mode: the binary in a terminal, Ctrl-C drains and exits 0.
 */
import { chmod, copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { removeDir, tempDir, TEST_REPO, uid, waitFor } from '../helpers/docker.js';
import { exec } from '../helpers/exec.js';
import { request } from '../helpers/load.js';
import { echoBinary } from '../helpers/project.js';
import { record } from '../helpers/results.js';
import { alive, procStat, terminal } from '../helpers/terminal.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const figures: Record<string, unknown> = {};
afterAll(async () => {
  if (Object.keys(figures).length) await record('daemonize', figures);
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function healthy(port: number): Promise<void> {
  await waitFor(`127.0.0.1:${port}/is_healthy/`, async () => ((await request(port, '/is_healthy/', 2000).catch(() => undefined))?.status === 200 ? true : undefined), 15_000);
}

interface Setup {
  dir: string;
  name: string;
  script: string;
  binary: string;
  http: number;
  admin: number;
  pidFile: string;
  log: string;
  ctl(cmd: string): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/**
 * A host layout under a temp dir the service account can traverse: the binary,
 * goneat-deploy.yaml with host: paths, and the control script `generate daemonize` writes.
 */
async function setup(opts: { drain: string; serviceDrain: string }): Promise<Setup> {
  const dir = await tempDir('gdt-dz-');
  cleanups.push(() => removeDir(dir));
  await chmod(dir, 0o755);
  const name = `gdt-dz-${uid()}`;
  const binary = path.join(dir, 'bin', 'echo');
  await mkdir(path.dirname(binary), { mode: 0o755 });
  await copyFile(await echoBinary(), binary);
  await chmod(binary, 0o755);
  const [http, admin] = [await freePort(), await freePort()];
  // root: daemonize switches to an unprivileged account; otherwise the script runs as the caller.
  const user = process.getuid?.() === 0 ? 'nobody' : os.userInfo().username;
  await writeFile(
    path.join(dir, 'goneat-deploy.yaml'),
    [
      `name: ${name}`,
      `image: { repository: ${TEST_REPO}/${name}, tag: t }`,
      `args: ["-http", "127.0.0.1:${http}", "-admin", "127.0.0.1:${admin}", "-drain", "${opts.serviceDrain}", "-legacy-sighup"]`,
      `shutdown: { signal: SIGTERM, drain: ${opts.drain} }`,
      `host: { binaryPath: ${binary}, workingDirectory: ${dir}/work, logDirectory: ${dir}/log, runDirectory: ${dir}/run, user: ${user} }`,
      '',
    ].join('\n'),
  );
  const script = path.join(dir, 'ctl.sh');
  const g = await runCli(['generate', 'daemonize', '-C', dir, '-o', script]);
  expect(g.code, g.stderr).toBe(0);
  const s: Setup = {
    dir, name, script, binary, http, admin,
    pidFile: path.join(dir, 'run', `${name}.pid`),
    log: path.join(dir, 'log', `${name}.log`),
    ctl: (cmd) => exec('sh', [script, cmd], { timeoutMs: 60_000 }),
  };
  // Whatever happens, nothing is left running.
  cleanups.push(async () => {
    await s.ctl('stop');
    for (const pid of await copies(binary)) process.kill(pid, 'SIGKILL');
  });
  return s;
}

async function pidOf(s: Setup): Promise<number> {
  return Number((await readFile(s.pidFile, 'utf8')).trim());
}

/** Processes running this very binary (by /proc/PID/exe). */
async function copies(binary: string): Promise<number[]> {
  const r = await exec('sh', ['-c', `for p in /proc/[0-9]*; do [ "$(readlink $p/exe 2>/dev/null)" = ${JSON.stringify(binary)} ] && echo \${p#/proc/}; done`]);
  return r.stdout.split('\n').filter(Boolean).map(Number).filter((p) => alive(p));
}

describe('daemonize: started from a terminal that is then closed', () => {
  it('the service survives the hangup (same pid, healthy, no signal reached it); stop drains and exits 0; status is right', async () => {
    const s = await setup({ drain: '5s', serviceDrain: '5s' });
    const term = await terminal(cleanups);
    const out = path.join(s.dir, 'start.out');
    await term.type(`echo $$ > ${s.dir}/bash.pid; sh ${s.script} start > ${out} 2>&1; echo "rc=$?" >> ${out}`);
    const started = await waitFor('start to return', async () => {
      const t = await readFile(out, 'utf8').catch(() => '');
      return t.includes('rc=') ? t : undefined;
    }, 30_000);
    expect(started).toMatch(new RegExp(`^${s.name}: started \\(pid \\d+\\), logs in ${s.log} `, 'm'));
    expect(started).toMatch(/rc=0/);
    await healthy(s.admin);

    const shell = Number((await readFile(path.join(s.dir, 'bash.pid'), 'utf8')).trim());
    const pid = await pidOf(s);
    // The terminal's shell leads its session and has the pty; the service has its own session and no terminal.
    const sh = procStat(shell)!;
    expect(sh.sid).toBe(shell);
    expect(sh.ttyNr).not.toBe(0);
    const svc = procStat(pid)!;
    expect(svc.sid).toBe(pid);
    expect(svc.ttyNr).toBe(0);
    expect(svc.ppid).not.toBe(shell);
    const before = await s.ctl('status');
    expect(before).toMatchObject({ code: 0, stdout: `${s.name}: running (pid ${pid})\n` });

    await term.hangUp();
    // The terminal's control process is gone (a zombie counts as gone: it has exited).
    await waitFor('the terminal\'s shell to die of the hangup', async () => (alive(shell) ? undefined : true), 10_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(alive(pid)).toBe(true);
    expect(await pidOf(s)).toBe(pid);
    expect((await request(s.admin, '/is_healthy/')).status).toBe(200);
    // -legacy-sighup subscribes to SIGHUP and exits on it: the log proves none arrived.
    expect(await readFile(s.log, 'utf8')).not.toMatch(/received hangup/);
    expect(await s.ctl('status')).toMatchObject({ code: 0, stdout: `${s.name}: running (pid ${pid})\n` });

    // stop with a request in flight.
    const slow = request(s.http, '/slow?ms=3000', 20_000);
    await new Promise((r) => setTimeout(r, 500));
    const t0 = performance.now();
    const stop = await s.ctl('stop');
    const stopMs = performance.now() - t0;
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(new RegExp(`^${s.name}: stopped: pid ${pid} exited \\d+\\.\\ds after SIGTERM \\(budget 7s\\)\n${s.name}: its last log line on stdout: echo\\[${pid}\\] \\S+ drained; exiting 0\n$`));
    expect((await slow).status).toBe(200);
    expect(await readFile(s.log, 'utf8')).toMatch(/draining 1 in-flight request\(s\)/);
    expect(stopMs).toBeLessThan(7000);
    expect(alive(pid)).toBe(false);
    expect(await s.ctl('status')).toMatchObject({ code: 3, stdout: `${s.name}: not running\n` });
    await expect(stat(s.pidFile)).rejects.toThrow(/ENOENT/);
    // umask 0077 reached the service: its log is private to its account.
    expect((await stat(s.log)).mode & 0o777).toBe(0o600);
    figures.hangupSurvived = true;
    figures.stopWithOneInFlightMs = Math.round(stopMs);
    console.log(`[daemonize] stop with 1 request in flight (2.5 s left): ${Math.round(stopMs)} ms; exit 0; budget 7 s`);
  });

  it('a second start runs no second copy: the pid check, and daemonize\'s lock when the pid file is gone', async () => {
    const s = await setup({ drain: '5s', serviceDrain: '5s' });
    expect((await s.ctl('start')).code).toBe(0);
    const pid = await pidOf(s);
    expect(await s.ctl('start')).toMatchObject({ code: 0, stdout: `${s.name}: already running (pid ${pid})\n` });
    expect(await copies(s.binary)).toEqual([pid]);
    await rm(s.pidFile);
    const again = await s.ctl('start');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/Can't lock the lock file .*Is another instance running\?/);
    expect(await copies(s.binary)).toEqual([pid]);
    await writeFile(s.pidFile, `${pid}\n`);
    expect((await s.ctl('stop')).code).toBe(0);
    expect(await copies(s.binary)).toEqual([]);
  });

  it("stop shows the last line of stderr's log too: Go's log package writes there", async () => {
    const dir = await tempDir('gdt-dzlog-');
    cleanups.push(() => removeDir(dir));
    await chmod(dir, 0o755);
    const name = `gdt-dzlog-${uid()}`;
    // A Go service that logs only with the standard logger (stderr) and exits 0 on SIGTERM.
    await writeFile(
      path.join(dir, 'main.go'),
      'package main\n\nimport (\n\t"log"\n\t"os"\n\t"os/signal"\n\t"syscall"\n)\n\nfunc main() {\n\tc := make(chan os.Signal, 1)\n\tsignal.Notify(c, syscall.SIGTERM)\n\tlog.Print("serving")\n\t<-c\n\tlog.Print("bye")\n}\n',
    );
    const binary = path.join(dir, 'svc');
    const built = await exec('go', ['build', '-o', binary, 'main.go'], { cwd: dir, env: { ...process.env, CGO_ENABLED: '0', GO111MODULE: 'off' }, timeoutMs: 120_000 });
    expect(built.code, built.stderr).toBe(0);
    await chmod(binary, 0o755);
    const user = process.getuid?.() === 0 ? 'nobody' : os.userInfo().username;
    await writeFile(
      path.join(dir, 'goneat-deploy.yaml'),
      `name: ${name}\nimage: { repository: ${TEST_REPO}/${name} }\nshutdown: { drain: 1s }\nhost: { binaryPath: ${binary}, workingDirectory: ${dir}/work, logDirectory: ${dir}/log, runDirectory: ${dir}/run, user: ${user} }\n`,
    );
    const script = path.join(dir, 'ctl.sh');
    expect((await runCli(['generate', 'daemonize', '-C', dir, '-o', script])).code).toBe(0);
    const ctl = (cmd: string) => exec('sh', [script, cmd], { timeoutMs: 60_000 });
    cleanups.push(async () => void (await ctl('stop')));
    expect((await ctl('start')).code).toBe(0);
    const errLog = path.join(dir, 'log', `${name}.err.log`);
    await waitFor('the service to log', async () => ((await readFile(errLog, 'utf8').catch(() => '')).includes('serving') ? true : undefined), 10_000);
    const stop = await ctl('stop');
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(new RegExp(`^${name}: stopped: pid \\d+ exited \\d+\\.\\ds after SIGTERM \\(budget 3s\\)\n${name}: its last log line on stderr: \\d{4}/\\d\\d/\\d\\d \\S+ bye\n$`));
  });

  it('a service that outlives the budget: SIGKILL at the budget, and stop says so (exit 1)', async () => {
    // Budget 3s (drain 1s + slack 2s), but the service would wait 30s for a 20s request.
    const s = await setup({ drain: '1s', serviceDrain: '30s' });
    expect((await s.ctl('start')).code).toBe(0);
    await healthy(s.admin);
    const pid = await pidOf(s);
    const slow = request(s.http, '/slow?ms=20000', 30_000).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 500));
    const t0 = performance.now();
    const stop = await s.ctl('stop');
    const stopMs = performance.now() - t0;
    expect(stop.code).toBe(1);
    expect(stop.stderr).toBe(`${s.name}: pid ${pid} did not exit within 3s of SIGTERM: sent SIGKILL; in-flight work was cut off\n`);
    expect(stopMs).toBeGreaterThanOrEqual(3000);
    expect(stopMs).toBeLessThan(6000);
    expect(alive(pid)).toBe(false);
    expect(await slow).toBeInstanceOf(Error);
    expect((await s.ctl('status')).code).toBe(3);
  });
});

describe('foreground ("normal") mode on a host', () => {
  it('the binary in a terminal: Ctrl-C drains the in-flight request and exits 0', async () => {
    const dir = await tempDir('gdt-fg-');
    cleanups.push(() => removeDir(dir));
    const [http, admin] = [await freePort(), await freePort()];
    const term = await terminal(cleanups);
    await term.type(`${await echoBinary()} -http 127.0.0.1:${http} -admin 127.0.0.1:${admin} -drain 5s; echo "exit=$?" > ${dir}/fg.exit`);
    await healthy(admin);
    const slow = request(http, '/slow?ms=2000', 20_000);
    await new Promise((r) => setTimeout(r, 500));
    const t0 = performance.now();
    // The terminal driver turns Ctrl-C into SIGINT for the foreground process group.
    await term.keys('C-c');
    expect((await slow).status).toBe(200);
    const exit = await waitFor('the exit status', async () => (await readFile(path.join(dir, 'fg.exit'), 'utf8').catch(() => '')).trim() || undefined, 10_000);
    const ms = performance.now() - t0;
    expect(exit).toBe('exit=0');
    const screen = await term.screen();
    expect(screen).toMatch(/received interrupt: shutting down/);
    expect(screen).toMatch(/draining 1 in-flight request\(s\)/);
    expect(screen).toMatch(/drained; exiting 0/);
    figures.foregroundCtrlCMs = Math.round(ms);
    console.log(`[foreground] Ctrl-C with 1 request in flight (1.5 s left): exit 0 after ${Math.round(ms)} ms`);
  });
});
