/**
 * Issue 19: signals and special files, with the built bundle as a user runs
 * it (`node bin/goneat-deploy.js`, real SIGINT/SIGTERM from outside): every
 * command ends promptly, says what it left, and exits 130 (SIGINT) or 143
 * (SIGTERM); reads of a FIFO or an endless device never block. Also the
 * folders of ../shared/adversarial that need a real process, mount or device:
 * 047 (a FIFO as the config), 074 (a read-only subdirectory), 080 (--force
 * over a character device), 086 (Ctrl-C during generate), 100 (a busy lint).
 * Needs root (mknod, unshare -m) and `script` (a pty for init's prompts).
 * (Build is stopped by SIGINT in test/e2e/interrupts.test.ts: it needs the engine.)
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'gd-signals-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The signal that ended the process by its default action (before the CLI's handlers were installed). */
  killedBy: NodeJS.Signals | null;
  /** From the signal (or the start, without one) to the exit, ms. */
  ms: number;
}

/**
 * Runs the CLI; `signal` is sent `afterMs` after the start, or once stdout or
 * stderr matches `when`. Killed (and failed) after 20 s: nothing may hang.
 */
function cli(args: string[], opts: { cwd?: string; signal?: NodeJS.Signals; afterMs?: number; when?: RegExp } = {}): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? tmp, env: { ...process.env, CI: '1', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sentAt = performance.now();
    let sent = false;
    const send = () => {
      if (sent || !opts.signal) return;
      sent = true;
      sentAt = performance.now();
      child.kill(opts.signal);
    };
    const check = () => opts.when && (opts.when.test(stdout) || opts.when.test(stderr)) && send();
    child.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), check()));
    child.stderr.on('data', (d: Buffer) => ((stderr += d.toString()), check()));
    const timer = opts.afterMs !== undefined ? setTimeout(send, opts.afterMs) : undefined;
    const hang = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      clearTimeout(hang);
      resolve({ code, killedBy: sig, stdout, stderr, ms: performance.now() - sentAt });
    });
  });
}

/** A project whose services' files `generate all -r` writes: `n` services of `envBytes` each (configs that draw no warning). */
function monorepo(dir: string, n: number, envBytes: number, version: string): void {
  for (let i = 0; i < n; i++) {
    const d = path.join(dir, `svc${String(i).padStart(3, '0')}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(
      path.join(d, 'goneat-deploy.yaml'),
      JSON.stringify({ name: `svc${String(i).padStart(3, '0')}`, image: { repository: `adv/svc${i}`, tag: 'dev' }, args: ['-v', version], env: { BIG: 'x'.repeat(envBytes) }, ports: [{ name: 'http', port: 8080 }], health: { port: 'http', path: '/healthz' } }),
    );
  }
}

/** Every generated file under `dir` (deploy/ trees), path → content. */
function generated(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name !== 'goneat-deploy.yaml') out.set(path.relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

describe('signals end every command promptly, with 130/143, saying what was left', () => {
  it('086: SIGINT or SIGTERM during generate all -r: exit 130/143, "every file is as it was", every file old, no temp file', async () => {
    const dir = path.join(tmp, 'mono');
    monorepo(dir, 150, 20_000, '1');
    const first = await cli(['generate', 'all', '-C', dir, '-r']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const before = generated(dir);
    monorepo(dir, 150, 20_000, '2');
    // The signal arrives while the configs are read and rendered, or during the writes (the writer checks
    // the signal before its batch of renames): either way no file may be new.
    const whole = first.ms;
    let interrupted = 0;
    // Signals at points through the run (its length measured above, the load of the machine included).
    for (const [signal, share] of [['SIGINT', 0.5], ['SIGTERM', 0.5], ['SIGINT', 0.75], ['SIGTERM', 0.9]] as const) {
      const r = await cli(['generate', 'all', '-C', dir, '-r'], { signal, afterMs: Math.round(whole * share) });
      const now = generated(dir);
      expect(r.killedBy, 'the signal came before the CLI was ready for it').toBeNull();
      if (r.code === 0) {
        // Finished before the signal: every file new then (later rounds compare with those).
        for (const [f, c] of now) if (f.endsWith('.service') && !f.includes('container')) expect(c).toMatch(/ -v 2\b/);
        before.clear();
        for (const [f, c] of now) before.set(f, c);
        monorepo(dir, 150, 20_000, String(3 + interrupted));
        continue;
      }
      interrupted++;
      expect(r.code, r.stderr).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(r.stderr).toMatch(new RegExp(`^goneat-deploy: interrupted by ${signal}; no file was written: every file is as it was$`, 'm'));
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.ms).toBeLessThan(5_000);
      expect(now).toEqual(before);
    }
    expect(interrupted, 'no run was interrupted: the signals came after generate finished').toBeGreaterThan(0);
  });

  it('100: SIGTERM and SIGINT end a busy lint of a 1 MB Dockerfile at once: exit 143/130, "lint stopped"', async () => {
    const dir = path.join(tmp, 'lint');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'Dockerfile'), `FROM scratch\nRUN a \\\n${'b \\\n'.repeat(262_000)}c\n`);
    // Unstopped, the lint finishes (linear parsing: the benchmark measures how fast); then stopped halfway.
    const done = await cli(['lint', '--drain', '10s', 'Dockerfile'], { cwd: dir });
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    let stopped = 0;
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGTERM', 'SIGINT'] as const) {
      const r = await cli(['lint', '--drain', '10s', 'Dockerfile'], { cwd: dir, signal, afterMs: Math.round(done.ms * 0.6) });
      expect(r.killedBy, 'the signal came before the CLI was ready for it').toBeNull();
      if (r.code === 0) continue; // finished first: nothing to stop
      stopped++;
      expect(r.code, r.stderr).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(r.stderr).toMatch(new RegExp(`^goneat-deploy: interrupted by ${signal}; lint stopped; it writes nothing$`, 'm'));
      expect(r.ms).toBeLessThan(2_000);
    }
    expect(stopped, 'every lint finished before its signal').toBeGreaterThan(0);
  });

  it("init's prompts on a terminal: SIGTERM and SIGINT end them, exit 143/130, no goneat-deploy.yaml", async () => {
    for (const [signal, code] of [['TERM', 143], ['INT', 130]] as const) {
      const dir = path.join(tmp, `init-${signal}`);
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'go.mod'), 'module example.com/svc\n\ngo 1.19\n');
      writeFileSync(path.join(dir, 'main.go'), 'package main\n\nfunc main() {}\n');
      const pidFile = path.join(dir, '.pid');
      // `script` gives init a real pty (it asks only on a terminal); the shell writes node's pid, then becomes it.
      const child = spawn('script', ['-qefc', `echo $$ > ${pidFile}; exec ${process.execPath} ${BIN} init`, '/dev/null'], { cwd: dir, env: { ...process.env, CI: '', TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const closed = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      const deadline = Date.now() + 15_000;
      while (!/\?/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(out, 'init did not ask').toMatch(/\?/);
      const t = performance.now();
      process.kill(Number(readFileSync(pidFile, 'utf8')), `SIG${signal}`);
      const exit = await Promise.race([closed, new Promise<string>((r) => setTimeout(() => r('hung'), 10_000))]);
      if (exit === 'hung') child.kill('SIGKILL');
      child.stdin.end();
      expect(exit, out).toBe(code);
      // Within the prompt's own stop, not the CLI's 5 s fallback for a command that does not stop (src/bin.ts).
      expect(performance.now() - t).toBeLessThan(4_000);
      expect(out).toMatch(new RegExp(`interrupted by SIG${signal}; init stopped at its questions; no file was written`));
      expect(existsSync(path.join(dir, 'goneat-deploy.yaml'))).toBe(false);
    }
  });
});

describe('special files (issue 19: 047, 074, 080)', () => {
  it('047: a FIFO as the config, or /dev/zero, is refused at once with exit 2: never a blocked read', async () => {
    const dir = path.join(tmp, 'fifo');
    mkdirSync(dir);
    expect(spawnSync('mkfifo', [path.join(dir, 'goneat-deploy.yaml')]).status).toBe(0);
    const r = await cli(['generate', 'all', '-C', dir, '-o', 'out']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/goneat-deploy\.yaml: is a FIFO \(named pipe\), not a regular file: goneat-deploy reads only regular files/);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
    const lint = await cli(['lint', path.join(dir, 'goneat-deploy.yaml')]);
    expect(lint.code, lint.stderr).toBe(2);
    expect(lint.stderr).toMatch(/is a FIFO \(named pipe\), not a regular file/);
    const zero = await cli(['generate', 'all', '-C', dir, '--config', '/dev/zero', '-o', 'out']);
    expect(zero.code, zero.stderr).toBe(2);
    expect(zero.stderr).toMatch(/\/dev\/zero: is a character device, not a regular file/);
  });

  it('074: a read-only subdirectory of the output: exit 2 before any write, every file as it was, no temp file', async () => {
    const dir = path.join(tmp, 'ro');
    mkdirSync(path.join(dir, 'out', 'k8s'), { recursive: true });
    writeFileSync(path.join(dir, 'goneat-deploy.yaml'), readFileSync(path.join(ROOT, 'test/fixtures/adversarial/074-readonly-subdir-partial/goneat-deploy.yaml')));
    // The read-only mount exists only in this mount namespace (root ignores file modes: a mount is needed).
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o ro,size=64k tmpfs out/k8s && exec "$0" "$1" generate all -C . -o out', process.execPath, BIN], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/out\/k8s.*read-only file system/);
    expect(r.stderr).toMatch(/nothing was written$/m);
    // Outside the namespace out/k8s is the plain directory again: nothing was written anywhere, no temp file.
    expect(generated(path.join(dir, 'out'))).toEqual(new Map());
  });

  it('080: --force never replaces a character device, nor a symlink to one', async () => {
    const dir = path.join(tmp, 'chardev');
    mkdirSync(path.join(dir, 'dev'), { recursive: true });
    writeFileSync(path.join(dir, 'goneat-deploy.yaml'), readFileSync(path.join(ROOT, 'test/fixtures/adversarial/080-output-chardev-force/goneat-deploy.yaml')));
    expect(spawnSync('mknod', [path.join(dir, 'dev', 'null'), 'c', '1', '3']).status).toBe(0);
    const r = await cli(['generate', 'compose', '-C', '.', '-o', 'dev/null', '--force'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    // Refused before rendering (-o names a device: use -o - and redirect); the writer refuses it too, for any target.
    expect(r.stderr).toMatch(/^goneat-deploy: -o dev\/null: a character device; generated files are written to a temporary file and renamed over the target, which would replace it: use -o - and redirect/m);
    expect(lstatSync(path.join(dir, 'dev', 'null')).isCharacterDevice()).toBe(true);
    symlinkSync('/dev/null', path.join(dir, 'link'));
    const l = await cli(['generate', 'compose', '-C', '.', '-o', 'link', '--force'], { cwd: dir });
    expect(l.code, l.stderr).toBe(2);
    expect(l.stderr).toMatch(/-o link: a character device|link: is a symbolic link to a character device/);
    expect(lstatSync(path.join(dir, 'link')).isSymbolicLink()).toBe(true);
  });
});
