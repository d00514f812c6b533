/**
 * The CLI as a user meets it: argv in, exit code and stderr out. In-process:
 * the same commander program and error reporting as the bin (src/bin.ts run),
 * with cwd, env and output injected; test/integration/smoke.test.ts runs the
 * bundle itself. No Docker Engine needed: every case here must fail (or
 * succeed) before an engine would be contacted, or points DOCKER_HOST at a
 * socket that does not exist.
 */
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { DYNAMIC_BIN, STATIC_BIN } from '../helpers/corpus.js';
import { runInProcess as runCli } from '../helpers/inprocess.js';

let dir: string;
const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
const GOOD = `name: svc
image: {repository: example/svc, tag: "1"}
build: {binary: ${STATIC_BIN}}
ports: [{name: http, port: 8080, publish: 8080}]
shutdown: {drain: 5s}
`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gd-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function project(config: string): Promise<string> {
  const d = await mkdtemp(path.join(dir, 'p-'));
  await writeFile(path.join(d, 'goneat-deploy.yaml'), config);
  return d;
}

function oneLineError(stderr: string): void {
  // Warnings about the config (e.g. "no health check") may come first; the error is one line.
  const lines = stderr.trim().split('\n').filter((l) => !l.startsWith('goneat-deploy: warning: '));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^goneat-deploy: /);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('help and usage', () => {
  it('--help lists the commands and exit codes', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/build/);
    expect(r.stdout).toMatch(/generate/);
    expect(r.stdout).toMatch(/Exit codes: 0 ok, 1 runtime failure.*2 usage or config error/);
  });

  it('a misspelt DOCKER_CONTEXT or an unsupported DOCKER_HOST scheme is a usage error before go build, not the local engine or "start dockerd"', async () => {
    const d = await project(GOOD);
    const ctx = await runCli(['build', '-C', d], { env: { DOCKER_HOST: undefined, DOCKER_CONTEXT: 'nonexistent', DOCKER_CONFIG: path.join(d, 'docker-config') } });
    expect(ctx.code).toBe(2);
    oneLineError(ctx.stderr);
    expect(ctx.stderr).toMatch(/docker context "nonexistent" \(from DOCKER_CONTEXT\) not found/);
    const host = await runCli(['build', '-C', d], { env: { DOCKER_HOST: 'bogus://x' } });
    expect(host.code).toBe(2);
    oneLineError(host.stderr);
    expect(host.stderr).toMatch(/DOCKER_HOST=bogus:\/\/x: unsupported scheme "bogus:\/\/"; the docker CLI takes unix:\/\/, tcp:\/\/, ssh:\/\/, npipe:\/\//);
    expect(host.stderr).not.toMatch(/start it|cannot reach/);
  });

  it('generate without a target is a usage error listing the targets (an unknown one stays commander\'s unknown command)', async () => {
    const none = await runCli(['generate', '-C', os.tmpdir()]);
    expect(none.code).toBe(2);
    oneLineError(none.stderr);
    expect(none.stderr).toBe('goneat-deploy: generate needs a TARGET: one of dockerfile, compose, swarm, k8s, systemd, daemonize, launchd, upstart, all\n');
    expect(none.stdout).toBe('');
    const bad = await runCli(['generate', 'nomad']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown command 'nomad'/);
  });

  it('verify --signal SIGFOO is a usage error before any engine is contacted, listing the accepted names', async () => {
    const r = await runCli(['verify', 'example/svc:1', '-C', os.tmpdir(), '--signal', 'SIGFOO'], { env: NO_ENGINE });
    expect(r.code).toBe(2);
    oneLineError(r.stderr);
    expect(r.stderr).toMatch(/--signal SIGFOO: not a signal name; expected one of SIGABRT, .*SIGTERM/);
  });

  it.each([['build'], ['generate'], ['generate', 'compose'], ['generate', 'all'], ['init'], ['verify'], ['lint'], ['schema']])('%s --help has examples', async (...args) => {
    const r = await runCli([...args, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n  goneat-deploy /);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['build', '--frob'], /unknown option '--frob'/],
    [['generate', 'nope'], /unknown command 'nope'/],
    [['build', '--tag'], /option '-t, --tag <tag>' argument missing/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('bad input: one clear line, exit 2, nothing written', () => {
  it.each([
    ['bad YAML', 'name: svc\nimage: [\n', /^goneat-deploy: goneat-deploy\.yaml:\d+:\d+: invalid YAML/],
    ['an unknown key', `${GOOD}replicaz: 2\n`, /^goneat-deploy: goneat-deploy\.yaml:6:1: replicaz: unknown field \(did you mean "replicas"\?\)/],
    ['a wrong type', `${GOOD}replicas: "two"\n`, /^goneat-deploy: goneat-deploy\.yaml:6:11: replicas: expected a whole number, got "two"$/m],
    ['a bad duration', GOOD.replace('drain: 5s', 'drain: 5sec'), /^goneat-deploy: goneat-deploy\.yaml:5:19: shutdown\.drain: expected a duration like/],
  ])('%s', async (_what, config, message) => {
    const d = await project(config);
    for (const args of [['generate', 'compose'], ['build']]) {
      const r = await runCli(args, { cwd: d, env: NO_ENGINE });
      expect(r.code).toBe(2);
      oneLineError(r.stderr);
      expect(r.stderr).toMatch(message);
      expect(await readdir(d)).toEqual(['goneat-deploy.yaml']);
    }
  });

  it('a missing config names the file and how to create one', async () => {
    const r = await runCli(['build', '-C', dir], { cwd: dir, env: NO_ENGINE });
    expect(r.code).toBe(2);
    oneLineError(r.stderr);
    expect(r.stderr).toMatch(/goneat-deploy\.yaml: no such file or directory; create one with `goneat-deploy init`/);
  });

  it('a dynamically linked binary is refused before any engine is contacted', async () => {
    const d = await project(GOOD);
    const r = await runCli(['build', '-C', d, '--binary', DYNAMIC_BIN], { env: NO_ENGINE });
    expect(r.code).toBe(2);
    oneLineError(r.stderr);
    expect(r.stderr).toContain(`binary ${DYNAMIC_BIN} is dynamically linked (needs /lib64/ld-linux-x86-64.so.2), which cannot run in a scratch image: set image.libraries: host to copy its loader and libraries from this machine into the image, or rebuild it with CGO_ENABLED=0`);
  });

  it('a script or a missing file is refused as a binary', async () => {
    const d = await project(GOOD);
    await writeFile(path.join(d, 'run.sh'), '#!/bin/sh\nexec ./svc\n');
    let r = await runCli(['build', '-C', d, '--binary', path.join(d, 'run.sh')], { env: NO_ENGINE });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/run\.sh is a script, not an ELF executable: the image needs a complete static Linux executable/);
    r = await runCli(['build', '-C', d, '--binary', path.join(d, 'nope')], { env: NO_ENGINE });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/binary .*nope: no such file/);
  });

  it('-o pointing at a directory is refused and nothing is written', async () => {
    const d = await project(GOOD);
    await mkdir(path.join(d, 'out.yaml'));
    const r = await runCli(['generate', 'compose', '-C', d, '-o', path.join(d, 'out.yaml')]);
    expect(r.code).toBe(2);
    oneLineError(r.stderr);
    expect(r.stderr).toMatch(/out\.yaml: is a directory/);
    expect((await stat(path.join(d, 'out.yaml'))).isDirectory()).toBe(true);
  });
});

describe('an unreachable engine', () => {
  it('is a one-line hint and exit 1', async () => {
    const d = await project(GOOD);
    const r = await runCli(['build', '-C', d], { env: NO_ENGINE });
    expect(r.code).toBe(1);
    oneLineError(r.stderr);
    expect(r.stderr.trim()).toBe(
      'goneat-deploy: cannot reach the Docker Engine at unix:///nonexistent/docker.sock (from DOCKER_HOST): no socket there; start it (`sudo systemctl start docker`, or `sudo dockerd &`) or point DOCKER_HOST at a running engine',
    );
  });

  it('--verbose adds the engine in use and a stack trace', async () => {
    const d = await project(GOOD);
    const r = await runCli(['build', '-C', d, '--verbose'], { env: NO_ENGINE });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/› Docker Engine: unix:\/\/\/nonexistent\/docker\.sock \(from DOCKER_HOST\)/);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

describe('generate', () => {
  it('-o - prints the file for piping', async () => {
    const d = await project(GOOD);
    const r = await runCli(['generate', 'compose', '-C', d, '-o', '-']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# Generated by goneat-deploy/);
    expect(r.stdout).toMatch(/stop_grace_period: "7s"/);
    expect(await readdir(d)).toEqual(['goneat-deploy.yaml']);
  });

  it('writes, then reports unchanged, then --check catches drift with a diff and exit 1', async () => {
    const d = await project(GOOD);
    let r = await runCli(['generate', 'compose', '-C', d]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`wrote ${path.join(d, 'compose.yaml')}`);
    r = await runCli(['generate', 'compose', '-C', d, '--check']);
    expect(r.code).toBe(0);
    await writeFile(path.join(d, 'goneat-deploy.yaml'), GOOD.replace('drain: 5s', 'drain: 8s'));
    r = await runCli(['generate', 'compose', '-C', d, '--check']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^-    stop_grace_period: "7s"$/m);
    expect(r.stdout).toMatch(/^\+    stop_grace_period: "10s"$/m);
    expect(r.stderr).toMatch(/1 generated file\(s\) differ from goneat-deploy\.yaml/);
  });

  it('refuses to overwrite a hand-written compose.yaml without --force', async () => {
    const d = await project(GOOD);
    await writeFile(path.join(d, 'compose.yaml'), 'services: {}\n');
    let r = await runCli(['generate', 'compose', '-C', d]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/compose\.yaml: exists and was not generated by goneat-deploy; not overwriting it \(use --force/);
    expect(await readFile(path.join(d, 'compose.yaml'), 'utf8')).toBe('services: {}\n');
    r = await runCli(['generate', 'compose', '-C', d, '--force']);
    expect(r.code).toBe(0);
  });
});

describe('generate: runtime targets', () => {
  it('k8s -o - is one multi-document stream for kubectl apply -f -', async () => {
    const d = await project(`${GOOD}replicas: 3\n`);
    const r = await runCli(['generate', 'k8s', '-C', d, '-o', '-']);
    expect(r.code).toBe(0);
    const kinds = [...r.stdout.matchAll(/^kind: (\w+)$/gm)].map((m) => m[1]);
    expect(kinds).toEqual(['Deployment', 'Service', 'PodDisruptionBudget']);
    expect(r.stdout.match(/^---$/gm)).toHaveLength(2);
  });

  it('a multi-file target writes its files straight into -o DIR; all writes every target', async () => {
    const d = await project(GOOD);
    let r = await runCli(['generate', 'systemd', '-C', d, '-o', path.join(d, 'units')]);
    expect(r.code).toBe(0);
    expect((await readdir(path.join(d, 'units'))).sort()).toEqual(['svc-container.service', 'svc.service', 'svc.sysusers.conf']);
    r = await runCli(['generate', 'all', '-C', d]);
    expect(r.code).toBe(0);
    expect((await readdir(path.join(d, 'deploy'))).sort()).toEqual(['Dockerfile', 'compose.yaml', 'daemonize', 'k8s', 'launchd', 'swarm', 'systemd', 'upstart']);
    r = await runCli(['generate', 'all', '-C', d, '--check']);
    expect(r.code).toBe(0);
  });
});

describe('generate --recursive: a monorepo of services', () => {
  it('writes each service\'s files next to its config, in one run', async () => {
    const root = await mkdtemp(path.join(dir, 'mono-'));
    for (const n of ['a', 'b', 'c']) {
      await mkdir(path.join(root, 'services', n), { recursive: true });
      await writeFile(path.join(root, 'services', n, 'goneat-deploy.yaml'), GOOD.replace('name: svc', `name: ${n}`));
    }
    const r = await runCli(['generate', 'all', '-r', '-C', root]);
    expect(r.code).toBe(0);
    for (const n of ['a', 'b', 'c']) expect((await readdir(path.join(root, 'services', n, 'deploy'))).sort()).toEqual(['Dockerfile', 'compose.yaml', 'daemonize', 'k8s', 'launchd', 'swarm', 'systemd', 'upstart']);
    expect((await runCli(['generate', 'all', '-r', '-C', root, '--check'])).code).toBe(0);
  });

  it('one bad service stops all, with its problem located, and nothing is written', async () => {
    const root = await mkdtemp(path.join(dir, 'mono-'));
    for (const n of ['a', 'b']) {
      await mkdir(path.join(root, n), { recursive: true });
      await writeFile(path.join(root, n, 'goneat-deploy.yaml'), n === 'b' ? GOOD.replace('drain: 5s', 'drain: soon') : GOOD);
    }
    const r = await runCli(['generate', 'all', '-r', '-C', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/b\/goneat-deploy\.yaml:5:19: shutdown\.drain: expected a duration/);
    expect(await readdir(path.join(root, 'a'))).toEqual(['goneat-deploy.yaml']);
  });
});

describe('the committed generated files', () => {
  it.each([
    [['generate', 'compose', '-C', 'examples/echo', '-o', 'compose.yaml', '--check']],
    [['generate', 'dockerfile', '-C', 'examples/echo', '-o', 'Dockerfile', '--check']],
    [['generate', 'all', '-C', 'examples/echo', '-o', 'deploy', '--check']],
  ])('%j: no drift', async (args) => {
    const r = await runCli(args, { cwd: ROOT });
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });
});
