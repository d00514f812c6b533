/**
 * `init` on a real terminal: a pty (tmux) running the bundle, answered key by
 * key: the plain questions, and the tRPC-Go close fix offered. Needs tmux and
 * dist/; test/cli/init.test.ts covers the rest in-process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { specFromText } from '../../src/config/load.js';
import { BIN, ROOT } from '../helpers/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'gd-init-pty-'));
afterAll(() => { if (!process.env.KEEP) rmSync(tmp, { recursive: true, force: true }); });

function goProject(name: string, extra: Record<string, string> = {}): string {
  const dir = path.join(tmp, name);
  mkdirSync(path.join(dir, 'cmd', 'server'), { recursive: true });
  writeFileSync(path.join(dir, 'go.mod'), `module github.com/acme/${name}\n\ngo 1.19\n`);
  copyFileSync(path.join(ROOT, 'examples/echo/main.go'), path.join(dir, 'cmd', 'server', 'main.go'));
  for (const [f, c] of Object.entries(extra)) writeFileSync(path.join(dir, f), c);
  return dir;
}

/** tRPC-Go's defaults for the close (neither key set): it would not drain, so init offers the fix. */
const NO_DRAIN = `server:
  app: demo
  server: hello
  admin: {ip: 0.0.0.0, port: 9028}
  service:
    - name: trpc.demo.hello.http
      ip: 0.0.0.0
      port: 8080
      protocol: http_no_protocol
      timeout: 5000
`;
const trpcProject = (name: string) => {
  const dir = goProject(name, { 'trpc_go.yaml': NO_DRAIN });
  writeFileSync(path.join(dir, 'go.mod'), `module github.com/acme/${name}\n\ngo 1.19\n\nrequire trpc.group/trpc-go/trpc-go v1.1.0\n`);
  return dir;
};

const load = (dir: string) =>
  specFromText('goneat-deploy.yaml', readFileSync(path.join(dir, 'goneat-deploy.yaml'), 'utf8'), (p) => (existsSync(path.join(dir, p)) ? readFileSync(path.join(dir, p), 'utf8') : undefined)).spec;

describe('goneat-deploy init', () => {
  it('offers the trpc_go.yaml fix on a terminal (a real pty, answered through tmux)', async () => {
    if (spawnSync('sh', ['-c', 'command -v tmux']).status !== 0) throw new Error('tmux is required (scripts/ensure-env.sh installs it)');
    const dir = trpcProject('asked-trpc');
    const sock = `gd-init-trpc-${process.pid}`;
    execFileSync('tmux', ['-L', sock, '-f', '/dev/null', 'new-session', '-d', '-x', '200', '-y', '40', `cd ${dir} && env -u CI TERM=xterm-256color ${process.execPath} ${BIN} init; echo EXIT=$? > done.txt; sleep 10`]);
    const screen = () => execFileSync('tmux', ['-L', sock, 'capture-pane', '-p', '-J'], { encoding: 'utf8' });
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 100; i++) {
        if (re.test(screen())) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`prompt ${re} not shown:\n${screen()}`);
    };
    const keys = (...k: string[]) => execFileSync('tmux', ['-L', sock, 'send-keys', ...k]);
    try {
      await waitFor(/Service name/);
      keys('Enter');
      await waitFor(/Framework/);
      keys('Enter'); // detected: trpc-go
      await waitFor(/Image repository/);
      keys('Enter');
      await waitFor(/tRPC-Go would exit at once after SIGTERM, cutting off in-flight requests\. Set server\.close_wait_time: 2000, server\.max_close_wait_time: 10000\?/);
      keys('y', 'Enter');
      for (let i = 0; i < 100 && !existsSync(path.join(dir, 'done.txt')); i++) await new Promise((r) => setTimeout(r, 100));
      expect(readFileSync(path.join(dir, 'done.txt'), 'utf8').trim()).toBe('EXIT=0');
    } finally {
      spawnSync('tmux', ['-L', sock, 'kill-server']);
    }
    expect(load(dir).shutdown.drainMs).toBe(10_000);
    expect(readFileSync(path.join(dir, 'trpc_go.yaml'), 'utf8')).toMatch(/^ {2}max_close_wait_time: 10000 /m);
  });

  it('asks on a terminal (a real pty, answered through tmux)', async () => {
    if (spawnSync('sh', ['-c', 'command -v tmux']).status !== 0) throw new Error('tmux is required (scripts/ensure-env.sh installs it)');
    const dir = goProject('asked');
    const sock = `gd-init-${process.pid}`;
    execFileSync('tmux', ['-L', sock, '-f', '/dev/null', 'new-session', '-d', '-x', '160', '-y', '40', `cd ${dir} && env -u CI TERM=xterm-256color ${process.execPath} ${BIN} init; echo EXIT=$? > done.txt; sleep 10`]);
    const screen = () => execFileSync('tmux', ['-L', sock, 'capture-pane', '-p'], { encoding: 'utf8' });
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 100; i++) {
        if (re.test(screen())) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`prompt ${re} not shown:\n${screen()}`);
    };
    const keys = (...k: string[]) => execFileSync('tmux', ['-L', sock, 'send-keys', ...k]);
    try {
      await waitFor(/Service name/);
      keys('C-u', 'billing', 'Enter');
      await waitFor(/Framework/);
      keys('Enter'); // the detected framework: plain
      await waitFor(/Image repository/);
      keys('C-u', 'acme/billing', 'Enter');
      await waitFor(/Ports/);
      // A wrong answer is refused in the prompt, which asks again (nothing is lost, no flag is named).
      keys('C-u', 'http=abc', 'Enter');
      await waitFor(/http=abc: expected NAME=PORT like http=8080/);
      expect(screen()).not.toMatch(/--port/);
      keys('C-u', 'http=8081', 'Enter');
      await waitFor(/Drain/);
      keys('C-u', '7', 'Enter');
      await waitFor(/expected a duration like "5s"/);
      keys('C-u', '7s', 'Enter');
      for (let i = 0; i < 100 && !existsSync(path.join(dir, 'done.txt')); i++) await new Promise((r) => setTimeout(r, 100));
      expect(readFileSync(path.join(dir, 'done.txt'), 'utf8').trim()).toBe('EXIT=0');
    } finally {
      spawnSync('tmux', ['-L', sock, 'kill-server']);
    }
    const spec = load(dir);
    expect(spec.name).toBe('billing');
    expect(spec.image.repository).toBe('acme/billing');
    expect(spec.ports.map((p) => [p.name, p.port])).toEqual([['http', 8081]]);
    expect(spec.shutdown.drainMs).toBe(7000);
  });
});
