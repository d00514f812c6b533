import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { specFromText } from '../../src/config/load.js';
import { ROOT } from '../helpers/cli.js';
import { runInProcess as runCli } from '../helpers/inprocess.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'gd-init-'));
afterAll(() => { if (!process.env.KEEP) rmSync(tmp, { recursive: true, force: true }); });

function goProject(name: string, extra: Record<string, string> = {}): string {
  const dir = path.join(tmp, name);
  mkdirSync(path.join(dir, 'cmd', 'server'), { recursive: true });
  writeFileSync(path.join(dir, 'go.mod'), `module github.com/acme/${name}\n\ngo 1.19\n`);
  copyFileSync(path.join(ROOT, 'examples/echo/main.go'), path.join(dir, 'cmd', 'server', 'main.go'));
  for (const [f, c] of Object.entries(extra)) writeFileSync(path.join(dir, f), c);
  return dir;
}

const load = (dir: string) =>
  specFromText('goneat-deploy.yaml', readFileSync(path.join(dir, 'goneat-deploy.yaml'), 'utf8'), (p) => (existsSync(path.join(dir, p)) ? readFileSync(path.join(dir, p), 'utf8') : undefined)).spec;

describe('goneat-deploy init', () => {
  it('finds the module and its main package, and writes a valid, commented config with a schema line', async () => {
    const dir = goProject('Order_Svc');
    const r = await runCli(['init', '-C', dir, '--port', 'http=8080', '--port', 'admin=9090', '--health', 'admin/is_healthy/', '--drain', '5s']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const text = readFileSync(path.join(dir, 'goneat-deploy.yaml'), 'utf8');
    expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=.*schema\/goneat-deploy\.schema\.json$/);
    const schemaPath = text.split('\n')[0]!.split('$schema=')[1]!;
    expect(existsSync(path.resolve(dir, schemaPath))).toBe(true);
    const spec = load(dir);
    expect(spec.name).toBe('order-svc');
    expect(spec.build).toMatchObject({ kind: 'go', main: './cmd/server' });
    expect(spec.health).toMatchObject({ port: 9090, path: '/is_healthy/' });
    expect(spec.shutdown.drainMs).toBe(5000);
    // and the rest of the tool takes it
    expect((await runCli(['generate', 'all', '-C', dir])).code).toBe(0);
  });

  it('refuses to overwrite an existing config without --force', async () => {
    const dir = goProject('twice');
    expect((await runCli(['init', '-C', dir])).code).toBe(0);
    writeFileSync(path.join(dir, 'goneat-deploy.yaml'), 'name: mine\n');
    const r = await runCli(['init', '-C', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/goneat-deploy\.yaml already exists; not overwriting it \(use --force/);
    expect(readFileSync(path.join(dir, 'goneat-deploy.yaml'), 'utf8')).toBe('name: mine\n');
    expect((await runCli(['init', '-C', dir, '--force'])).code).toBe(0);
  });

  it('recognizes tRPC-Go: writes its ports (published on 127.0.0.1, as for a plain module) and the admin health from trpc_go.yaml, leaves the drain to it', async () => {
    const dir = goProject('hello', {
      'trpc_go.yaml': 'server:\n  max_close_wait_time: 20000\n  admin: {port: 11014}\n  service:\n    - {name: trpc.demo.hello.Greeter, port: 8000}\n',
    });
    writeFileSync(path.join(dir, 'go.mod'), 'module github.com/acme/hello\n\ngo 1.19\n\nrequire trpc.group/trpc-go/trpc-go v1.0.3\n');
    expect((await runCli(['init', '-C', dir])).code).toBe(0);
    const text = readFileSync(path.join(dir, 'goneat-deploy.yaml'), 'utf8');
    expect(text).toMatch(/^framework: trpc-go/m);
    expect(text).toContain('ports:   # from trpc_go.yaml: keep the two in agreement (generate and lint warn when they differ)\n  - { name: rpc, port: 8000, publish: "127.0.0.1:8000" }\n  - { name: admin, port: 11014, publish: "127.0.0.1:11014" }\nhealth:\n  port: admin\n  path: /is_healthy/\n');
    expect(text).not.toMatch(/^ {2}drain:/m);
    const spec = load(dir);
    expect(spec.ports.map((p) => p.port)).toEqual([8000, 11014]);
    // compose publishes the service port (on loopback), as it does for a plain module's init.
    const compose = await runCli(['generate', 'compose', '-C', dir, '-o', '-']);
    expect(compose.code, compose.stderr).toBe(0);
    expect(compose.stderr).toBe('');
    expect(compose.stdout).toContain('127.0.0.1:8000:8000');
    expect(spec.health?.path).toBe('/is_healthy/');
    expect(spec.shutdown.drainMs).toBe(20_000);
    expect(spec.args).toEqual(['-conf', '/app/trpc_go.yaml']);
  });

  it('refuses, exit 2, a directory without a Go module or without a main package, and writes nothing', async () => {
    const empty = path.join(tmp, 'nomod');
    mkdirSync(empty);
    const r = await runCli(['init', '-C', empty, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^goneat-deploy: \S*nomod: no go\.mod here or in a parent directory: init needs a Go module \(`go mod init MODULE` first/);
    expect(existsSync(path.join(empty, 'goneat-deploy.yaml'))).toBe(false);
    writeFileSync(path.join(empty, 'go.mod'), 'module example.com/nomain\n\ngo 1.19\n');
    const nomain = await runCli(['init', '-C', empty, '--yes']);
    expect(nomain.code).toBe(2);
    expect(nomain.stderr).toMatch(/nomod: no main package \(no non-test \.go file with `package main` and `func main\(\)` here or in subdirectories\)/);
    expect(existsSync(path.join(empty, 'goneat-deploy.yaml'))).toBe(false);
  });

  it('checks --main: a directory that does not exist, or is not package main, is a usage error naming the flag and the main packages found', async () => {
    const dir = goProject('badmain');
    mkdirSync(path.join(dir, 'internal'));
    writeFileSync(path.join(dir, 'internal', 'lib.go'), 'package internal\n\nfunc F() {}\n');
    const nope = await runCli(['init', '-C', dir, '--yes', '--main', './cmd/nope']);
    expect(nope.code).toBe(2);
    expect(nope.stderr).toBe('goneat-deploy: --main ./cmd/nope: no such directory in ' + dir + '; main packages here: ./cmd/server\n');
    const lib = await runCli(['init', '-C', dir, '--yes', '--main', './internal']);
    expect(lib.code).toBe(2);
    expect(lib.stderr).toMatch(/^goneat-deploy: --main \.\/internal: not a main package \(no non-test \.go file there has `package main` and `func main\(\)`\); main packages here: \.\/cmd\/server\n$/);
    expect(existsSync(path.join(dir, 'goneat-deploy.yaml'))).toBe(false);
    // The import path and a path without ./ are the same package.
    expect((await runCli(['init', '-C', dir, '--yes', '--main', 'github.com/acme/badmain/cmd/server'])).code).toBe(0);
    expect(load(dir).build).toMatchObject({ main: './cmd/server' });
  });

  it('says which main package it picked when there are several', async () => {
    const dir = goProject('two');
    mkdirSync(path.join(dir, 'cmd', 'worker'), { recursive: true });
    copyFileSync(path.join(ROOT, 'examples/echo/main.go'), path.join(dir, 'cmd', 'worker', 'main.go'));
    const r = await runCli(['init', '-C', dir, '--yes']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('goneat-deploy: note: main packages here: ./cmd/server, ./cmd/worker; using ./cmd/server (choose another with --main)\n');
  });

  it('a bad flag value names the flag, not a line of the file it never wrote; an existing file is left alone', async () => {
    const dir = goProject('flagerr');
    writeFileSync(path.join(dir, 'goneat-deploy.yaml'), 'name: mine\n');
    const drain = await runCli(['init', '-C', dir, '--yes', '--force', '--drain', '5']);
    expect(drain.code).toBe(2);
    expect(drain.stderr.trim().split('\n')).toHaveLength(1);
    expect(drain.stderr).toMatch(/^goneat-deploy: --drain 5: expected a duration/);
    expect(drain.stderr).not.toMatch(/goneat-deploy\.yaml:\d+/);
    const name = await runCli(['init', '-C', dir, '--yes', '--force', '--name', 'Bad_Name']);
    expect(name.code).toBe(2);
    // One error, about what was typed: not a second one about the image.repository derived from it.
    expect(name.stderr.trim().split('\n')).toHaveLength(1);
    expect(name.stderr).toMatch(/^goneat-deploy: --name Bad_Name: /);
    expect(readFileSync(path.join(dir, 'goneat-deploy.yaml'), 'utf8')).toBe('name: mine\n');
  });

  const NO_DRAIN = `# the framework's defaults for the close: neither key set
server:
  app: demo   # kept as written
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

  it('tRPC-Go that would not drain: warns at trpc_go.yaml:line and leaves the file alone without --fix-trpc-close', async () => {
    const dir = trpcProject('nodrain');
    const r = await runCli(['init', '-C', dir]);
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^goneat-deploy: warning: .*trpc_go\.yaml:2:1: server\.max_close_wait_time: max_close_wait_time unset \(0\) is not above close_wait_time unset \(0\): .* set server\.max_close_wait_time: 10000 and close_wait_time: 2000 /);
    expect(lines[1]).toMatch(/--fix-trpc-close/);
    expect(lines).toHaveLength(2);
    expect(readFileSync(path.join(dir, 'trpc_go.yaml'), 'utf8')).toBe(NO_DRAIN);
    expect(load(dir).shutdown.drainMs).toBe(0);
    expect(readFileSync(path.join(dir, 'goneat-deploy.yaml'), 'utf8')).toMatch(/^ {2}preStop: "3s"/m);
  });

  it('--fix-trpc-close writes only the two values into trpc_go.yaml, comments and layout kept', async () => {
    const dir = trpcProject('fixed');
    const r = await runCli(['init', '-C', dir, '--fix-trpc-close']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/updated .*trpc_go\.yaml: server\.close_wait_time: 2000, server\.max_close_wait_time: 10000/);
    const after = readFileSync(path.join(dir, 'trpc_go.yaml'), 'utf8');
    expect(after.split('\n').filter((l) => !NO_DRAIN.split('\n').includes(l))).toEqual([
      '  close_wait_time: 2000   # ms: keeps accepting this long after SIGTERM (set by goneat-deploy init)',
      '  max_close_wait_time: 10000   # ms: waits for in-flight requests up to this (set by goneat-deploy init)',
    ]);
    expect(after.replace(/^ {2}(max_)?close_wait_time: .*\n/gm, '')).toBe(NO_DRAIN);
    const spec = load(dir);
    // counted now: 2s sleep, up to 10s for in-flight requests, bounded by max(10s, 10s)
    expect(spec.shutdown.drainMs).toBe(10_000);
    // close_wait_time does the preStop's job in-process: no preStop on top, and the file says why
    expect(spec.shutdown.preStopMs).toBe(0);
    expect(readFileSync(path.join(dir, 'goneat-deploy.yaml'), 'utf8')).toMatch(/^ {2}# preStop: not needed: close_wait_time keeps accepting for 2000 ms after SIGTERM$/m);
    // an existing value is replaced in place, its comment kept
    const again = trpcProject('fixed-again');
    writeFileSync(path.join(again, 'trpc_go.yaml'), NO_DRAIN.replace('  app: demo', '  close_wait_time: 4000   # mine\n  max_close_wait_time: 1000 # too short\n  app: demo'));
    expect((await runCli(['init', '-C', again, '--fix-trpc-close'])).code).toBe(0);
    expect(readFileSync(path.join(again, 'trpc_go.yaml'), 'utf8')).toMatch(/ {2}close_wait_time: 4000 {3}# mine\n {2}max_close_wait_time: 10000 # too short\n {2}app: demo/);
  });
});

describe('shell completion', () => {
  it('bash completes commands, generate targets and options from the real command tree', async () => {
    const r = await runCli(['completion', 'bash']);
    expect(r.code).toBe(0);
    const script = path.join(tmp, 'completion.bash');
    writeFileSync(script, r.stdout);
    const complete = (words: string[]) =>
      execFileSync('bash', ['-c', `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _goneat_deploy; echo "\${COMPREPLY[@]}"`], { encoding: 'utf8' }).trim();
    expect(complete(['goneat-deploy', 'ver'])).toBe('verify');
    expect(complete(['goneat-deploy', 'generate', 'k']).split(' ')).toEqual(['k8s']);
    expect(complete(['goneat-deploy', 'generate', 'k8s', '--ch'])).toBe('--check');
    expect(complete(['goneat-deploy', 'verify', '--a'])).toBe('--as');
    const zsh = await runCli(['completion', 'zsh']);
    expect(zsh.stdout).toMatch(/^#compdef goneat-deploy/);
    expect((await runCli(['completion', 'fish'])).code).toBe(2);
  });
});
