/**
 * Bad-input cases, tried as a new user would: each gives one clear line on
 * stderr, the right exit code, and leaves no file changed, no temp dir and
 * (for cases that reach the engine) no container or image behind.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { runCli, type CliResult } from './cli.js';
import { elfFile } from './elf.js';

export interface BadCase {
  name: string;
  /** Files of the project dir; "goneat-deploy.yaml" unless given. */
  files?: Record<string, string | Buffer | { dir: true } | { symlink: string }>;
  args: (dir: string) => string[];
  env?: Record<string, string>;
  code: 1 | 2;
  message: RegExp;
}

/** A static amd64 executable (headers only): the prebuilt binary of BASE, checked before any engine is contacted. */
export const STATIC_BIN = elfFile('static-amd64');
/** A dynamically linked one (PT_INTERP /lib64/ld-linux-x86-64.so.2). */
export const DYNAMIC_BIN = elfFile('dynamic-amd64');

export const BASE = `name: svc
image: {repository: example/svc, tag: "1"}
build: {binary: ${STATIC_BIN}}
ports: [{name: http, port: 8080, publish: 8080}]
shutdown: {drain: 5s}
`;

const cfg = (yaml: string) => ({ 'goneat-deploy.yaml': yaml });
const gen = (dir: string) => ['generate', 'compose', '-C', dir];

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        out[`${path.relative(dir, p)}/`] = 'dir';
        await walk(p);
      } else if (e.isSymbolicLink()) out[path.relative(dir, p)] = 'link';
      else out[path.relative(dir, p)] = createHash('sha256').update(await readFile(p)).digest('hex');
    }
  };
  await walk(dir);
  return out;
}


type Runner = (args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> }) => Promise<CliResult>;

/** Runs one case (with the bundle, or `run`: the CLI in-process) and checks every promise of the bad-input contract. */
export async function runBadCase(c: BadCase, run: Runner = runCli): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gd-bad-'));
  try {
    for (const [name, content] of Object.entries(c.files ?? {})) {
      const p = path.join(dir, name);
      await mkdir(path.dirname(p), { recursive: true });
      if (typeof content === 'string' || Buffer.isBuffer(content)) await writeFile(p, content);
      else if ('dir' in content) await mkdir(p, { recursive: true });
      else await symlink(content.symlink, p);
    }
    const before = await snapshot(dir);
    // The command's own temp dir: nothing may be left in it (other runs on the machine use the OS one).
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'gd-bad-tmp-'));
    const r = await run(c.args(dir), { cwd: dir, env: { ...c.env, TMPDIR: tmp } });
    const leftInTmp = await readdir(tmp);
    await rm(tmp, { recursive: true, force: true });
    // Warnings about the config (e.g. "no health check") may come first; the error itself is one line.
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('goneat-deploy: warning: '));
    expect(r.stderr, c.name).not.toMatch(/\n\s+at |TypeError|ReferenceError|internal error/);
    expect(lines, `${c.name}: one line\n${r.stderr}`).toHaveLength(1);
    expect(lines[0], c.name).toMatch(/^goneat-deploy: /);
    expect(lines[0], c.name).toMatch(c.message);
    expect(r.code, `${c.name}: ${r.stderr}`).toBe(c.code);
    expect(await snapshot(dir), `${c.name}: files unchanged`).toEqual(before);
    expect(leftInTmp, `${c.name}: no temp dirs`).toEqual([]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const CORPUS: BadCase[] = [
  // YAML
  { name: 'unclosed flow sequence', files: cfg('name: svc\nimage: [a\n'), args: gen, code: 2, message: /goneat-deploy\.yaml:\d+:\d+: invalid YAML/ },
  { name: 'tab indentation', files: cfg('name: svc\nimage:\n\trepository: x\n'), args: gen, code: 2, message: /goneat-deploy\.yaml:3:1: invalid YAML/ },
  { name: 'duplicate key', files: cfg(`${BASE}name: other\n`), args: gen, code: 2, message: /goneat-deploy\.yaml:6:1: invalid YAML: Map keys must be unique/ },
  { name: 'an alias bomb', files: cfg(`${BASE}x: &a [1,1,1,1,1,1,1,1,1,1]\ny: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nz: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nw: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n`), args: gen, code: 2, message: /goneat-deploy\.yaml/ },
  { name: 'an empty file', files: cfg(''), args: gen, code: 2, message: /the file is empty/ },
  { name: 'a list at the top', files: cfg('- name: svc\n'), args: gen, code: 2, message: /expected a mapping of fields/ },
  { name: 'a scalar at the top', files: cfg('hello\n'), args: gen, code: 2, message: /expected a mapping of fields/ },
  // Unknown keys
  { name: 'an unknown top-level key', files: cfg(`${BASE}replica: 2\n`), args: gen, code: 2, message: /6:1: replica: unknown field \(did you mean "replicas"\?\)/ },
  { name: 'an unknown nested key', files: cfg(`${BASE.replace('drain: 5s', 'drian: 5s')}`), args: gen, code: 2, message: /shutdown\.drian: unknown field \(did you mean "drain"\?\)/ },
  { name: 'image.repo for image.repository', files: cfg(BASE.replace('repository:', 'repo:')), args: gen, code: 2, message: /image: missing required field "repository"|image\.repo: unknown field/ },
  // Types
  { name: 'replicas as a word', files: cfg(`${BASE}replicas: two\n`), args: gen, code: 2, message: /replicas: expected a whole number, got "two"/ },
  { name: 'ports as a mapping', files: cfg(BASE.replace('ports: [{name: http, port: 8080, publish: 8080}]', 'ports: {http: 8080}')), args: gen, code: 2, message: /ports: expected a list/ },
  { name: 'a port out of range', files: cfg(BASE.replace('port: 8080,', 'port: 99999,')), args: gen, code: 2, message: /ports\[0\]\.port: expected a number <= 65535/ },
  { name: 'a port name too long', files: cfg(BASE.replace('name: http', 'name: a-very-long-port-name')), args: gen, code: 2, message: /ports\[0\]\.name: expected a port name/ },
  { name: 'args as a string', files: cfg(`${BASE}args: -drain 5s\n`), args: gen, code: 2, message: /args: expected a list/ },
  { name: 'an env value that is a list', files: cfg(`${BASE}env: {A: [1]}\n`), args: gen, code: 2, message: /env\.A: expected a string, number or boolean/ },
  // Durations
  { name: 'a duration in words', files: cfg(BASE.replace('drain: 5s', 'drain: 5 seconds')), args: gen, code: 2, message: /shutdown\.drain: expected a duration/ },
  { name: 'a bare number duration', files: cfg(BASE.replace('drain: 5s', 'drain: 20')), args: gen, code: 2, message: /shutdown\.drain: expected a duration .* got the number 20/ },
  { name: 'a negative duration', files: cfg(BASE.replace('drain: 5s', 'drain: -5s')), args: gen, code: 2, message: /shutdown\.drain: expected a duration/ },
  { name: 'a duration in days', files: cfg(BASE.replace('drain: 5s', 'drain: 1d')), args: gen, code: 2, message: /shutdown\.drain: expected a duration/ },
  // Budget contradictions
  { name: 'preStop with zero drain', files: cfg(BASE.replace('drain: 5s', 'drain: 0s, preStop: 5s')), args: gen, code: 2, message: /shutdown\.drain: is 0s but preStop is 5s/ },
  { name: 'grace period below the budget', files: cfg(BASE.replace('drain: 5s', 'drain: 20s, gracePeriod: 10s')), args: gen, code: 2, message: /shutdown\.gracePeriod: 10s is shorter than the shutdown budget/ },
  { name: 'preStop not shorter than the grace period', files: cfg(BASE.replace('drain: 5s', 'drain: 5s, preStop: 30s, gracePeriod: 30s')), args: gen, code: 2, message: /shutdown\.preStop: 30s is not shorter than gracePeriod 30s/ },
  { name: 'a sub-second preStop', files: cfg(BASE.replace('drain: 5s', 'drain: 5s, preStop: 1500ms')), args: gen, code: 2, message: /shutdown\.preStop: must be whole seconds/ },
  { name: 'SIGHUP as stop signal', files: cfg(BASE.replace('drain: 5s', 'drain: 5s, signal: SIGHUP')), args: gen, code: 2, message: /SIGHUP is refused as a stop signal/ },
  { name: 'SIGUSR2 as stop signal', files: cfg(BASE.replace('drain: 5s', 'drain: 5s, signal: SIGUSR2')), args: gen, code: 2, message: /SIGUSR2 is refused as a stop signal.*hot restart/ },
  { name: 'SIGKILL as stop signal', files: cfg(BASE.replace('drain: 5s', 'drain: 5s, signal: SIGKILL')), args: gen, code: 2, message: /SIGKILL is refused as a stop signal/ },
  { name: 'an unknown signal', files: cfg(BASE.replace('drain: 5s', 'drain: 5s, signal: SIGNOPE')), args: gen, code: 2, message: /shutdown\.signal: expected one of SIGTERM/ },
  // Names and injection attempts
  { name: 'an upper-case name', files: cfg(BASE.replace('name: svc', 'name: Svc')), args: gen, code: 2, message: /name: expected a DNS label/ },
  { name: 'a name with a space', files: cfg(BASE.replace('name: svc', 'name: "my svc"')), args: gen, code: 2, message: /name: expected a DNS label/ },
  { name: 'a name with $()', files: cfg(BASE.replace('name: svc', 'name: "$(reboot)"')), args: gen, code: 2, message: /name: expected a DNS label/ },
  { name: 'a name with a newline', files: cfg(BASE.replace('name: svc', 'name: "svc\\nExecStartPre=/bin/rm"')), args: gen, code: 2, message: /name: expected a DNS label/ },
  { name: 'a name too long', files: cfg(BASE.replace('name: svc', `name: ${'a'.repeat(64)}`)), args: gen, code: 2, message: /name: expected a DNS label/ },
  { name: 'an upper-case repository', files: cfg(BASE.replace('example/svc', 'Example/Svc')), args: gen, code: 2, message: /image\.repository: expected an image repository/ },
  { name: 'a tag with a space', files: cfg(BASE.replace('tag: "1"', 'tag: "1 2"')), args: gen, code: 2, message: /image\.tag: expected an image tag/ },
  { name: 'a newline in an argument', files: cfg(`${BASE}args: ["-x", "a\\n[Service]"]\n`), args: gen, code: 2, message: /args\[1\]: control characters/ },
  { name: 'a NUL in an env value', files: cfg(`${BASE}env: {A: "x\\0y"}\n`), args: gen, code: 2, message: /env\.A: control characters/ },
  { name: 'an env name with =', files: cfg(`${BASE}env: {"A=B": x}\n`), args: gen, code: 2, message: /env\.A=B: invalid name/ },
  { name: 'a newline in the description', files: cfg(`${BASE}description: "a\\nb"\n`), args: gen, code: 2, message: /description: control characters \(U\+000A, a newline\) are not allowed/ },
  { name: 'a host path with a space', files: cfg(`${BASE}host: {binaryPath: "/opt/my svc"}\n`), args: gen, code: 2, message: /host\.binaryPath: expected an absolute path/ },
  { name: 'a relative host path', files: cfg(`${BASE}host: {workingDirectory: var/lib/svc}\n`), args: gen, code: 2, message: /host\.workingDirectory: expected an absolute path/ },
  { name: 'a host path with %', files: cfg(`${BASE}host: {binaryPath: "/opt/%n"}\n`), args: gen, code: 2, message: /host\.binaryPath: expected an absolute path/ },
  // Users, health, build, resources
  { name: 'user root', files: cfg(`${BASE}user: "0"\n`), args: gen, code: 2, message: /user: runs as root/ },
  { name: 'a user name', files: cfg(`${BASE}user: app\n`), args: gen, code: 2, message: /user: expected a numeric non-root/ },
  { name: 'a health port that does not exist', files: cfg(`${BASE}health: {port: admin, path: /is_healthy/}\n`), args: gen, code: 2, message: /health\.port: no port named "admin" in ports \(have: http\)/ },
  { name: 'a health path without a slash', files: cfg(`${BASE}health: {port: http, path: is_healthy}\n`), args: gen, code: 2, message: /health\.path: expected an HTTP path/ },
  { name: 'both main and binary', files: cfg(BASE.replace(`build: {binary: ${STATIC_BIN}}`, 'build: {main: ., binary: ./x}')), args: gen, code: 2, message: /build\.binary: set either build\.main/ },
  { name: '/bin/sleep in a scratch image', files: cfg(BASE.replace('drain: 5s', 'drain: 5s, preStop: 3s') + 'kubernetes: {preStopExec: ["/bin/sleep", "3"]}\n'), args: gen, code: 2, message: /kubernetes\.preStopExec\[0\]: the image is FROM scratch/ },
  { name: 'goRuntimeEnv without limits', files: cfg(`${BASE}kubernetes: {goRuntimeEnv: true}\n`), args: gen, code: 2, message: /kubernetes\.goRuntimeEnv: needs resources\.cpu and resources\.memory/ },
  { name: 'a bad memory quantity', files: cfg(`${BASE}resources: {memory: 128MB}\n`), args: gen, code: 2, message: /resources\.memory: expected a Kubernetes quantity/ },
  { name: 'host-mode ports colliding', files: cfg(`${BASE}replicas: 3\nswarm: {publishMode: host}\n`), args: gen, code: 2, message: /ports\[0\]\.publish: swarm\.publishMode host binds port 8080/ },
  // Files
  { name: 'no config file', files: {}, args: gen, code: 2, message: /goneat-deploy\.yaml: no such file or directory; create one with `goneat-deploy init`/ },
  { name: 'the config is a directory', files: { 'goneat-deploy.yaml': { dir: true } }, args: gen, code: 2, message: /goneat-deploy\.yaml: is a directory/ },
  { name: 'the config is a broken symlink', files: { 'goneat-deploy.yaml': { symlink: '/nonexistent/x.yaml' } }, args: gen, code: 2, message: /no such file/ },
  { name: 'the output is a directory', files: { ...cfg(BASE), 'out.yaml': { dir: true } }, args: (d) => ['generate', 'compose', '-C', d, '-o', path.join(d, 'out.yaml')], code: 2, message: /out\.yaml: is a directory/ },
  { name: 'the output parent is a file', files: { ...cfg(BASE), file: 'x' }, args: (d) => ['generate', 'compose', '-C', d, '-o', path.join(d, 'file', 'compose.yaml')], code: 2, message: /a parent of this path is a file|cannot create directory/ },
  { name: 'a hand-written compose.yaml', files: { ...cfg(BASE), 'compose.yaml': 'services: {}\n' }, args: gen, code: 2, message: /compose\.yaml: exists and was not generated by goneat-deploy/ },
  { name: 'a hand-edited generated file', files: { ...cfg(BASE), 'compose.yaml': '# goneat-deploy:generated sha256:0000000000000000\nservices: {}\n' }, args: gen, code: 2, message: /compose\.yaml: was edited by hand/ },
  { name: '--check with -o -', files: cfg(BASE), args: (d) => ['generate', 'compose', '-C', d, '-o', '-', '--check'], code: 2, message: /--check compares files on disk/ },
  // Binaries (checked before any engine is contacted)
  { name: 'a missing binary', files: cfg(BASE), args: (d) => ['build', '-C', d, '--binary', path.join(d, 'nope')], env: { DOCKER_HOST: 'unix:///nonexistent.sock' }, code: 2, message: /binary .*nope: no such file/ },
  { name: 'a dynamically linked binary', files: cfg(BASE), args: (d) => ['build', '-C', d, '--binary', DYNAMIC_BIN], env: { DOCKER_HOST: 'unix:///nonexistent.sock' }, code: 2, message: /is dynamically linked .* rebuild it with CGO_ENABLED=0/ },
  { name: 'a script as binary', files: { ...cfg(BASE), 'run.sh': '#!/bin/sh\n' }, args: (d) => ['build', '-C', d, '--binary', path.join(d, 'run.sh')], env: { DOCKER_HOST: 'unix:///nonexistent.sock' }, code: 2, message: /is a script, not an ELF executable/ },
  { name: 'a text file as binary', files: { ...cfg(BASE), 'bin.txt': 'hello world, not a program at all, long enough to read a header from' }, args: (d) => ['build', '-C', d, '--binary', path.join(d, 'bin.txt')], env: { DOCKER_HOST: 'unix:///nonexistent.sock' }, code: 2, message: /is not an ELF executable/ },
  { name: 'a directory as binary', files: { ...cfg(BASE), bindir: { dir: true } }, args: (d) => ['build', '-C', d, '--binary', path.join(d, 'bindir')], env: { DOCKER_HOST: 'unix:///nonexistent.sock' }, code: 2, message: /is not a regular file/ },
  // Engine
  { name: 'no engine at DOCKER_HOST (unix)', files: cfg(BASE), args: (d) => ['build', '-C', d], env: { DOCKER_HOST: 'unix:///nonexistent.sock' }, code: 1, message: /cannot reach the Docker Engine at unix:\/\/\/nonexistent\.sock \(from DOCKER_HOST\): no socket there/ },
  { name: 'no engine at DOCKER_HOST (tcp)', files: cfg(BASE), args: (d) => ['build', '-C', d], env: { DOCKER_HOST: 'tcp://127.0.0.1:1' }, code: 1, message: /cannot reach the Docker Engine at tcp:\/\/127\.0\.0\.1:1 \(from DOCKER_HOST\): connection refused/ },
  { name: 'verify with no engine', files: cfg(BASE), args: (d) => ['verify', '-C', d], env: { DOCKER_HOST: 'unix:///nonexistent.sock' }, code: 1, message: /cannot reach the Docker Engine/ },
  // Flags
  { name: 'an invalid --tag', files: cfg(BASE), args: (d) => ['build', '-C', d, '--tag', 'Bad Tag'], env: { DOCKER_HOST: 'unix:///nonexistent.sock' }, code: 2, message: /--tag "Bad Tag": expected a tag/ },
  { name: 'an unknown --platform', files: cfg(BASE), args: (d) => ['build', '-C', d, '--platform', 'windows/amd64'], env: { DOCKER_HOST: 'unix:///nonexistent.sock' }, code: 2, message: /--platform windows\/amd64: expected linux\/amd64 or linux\/arm64/ },
  { name: 'two platforms without --push', files: cfg(BASE), args: (d) => ['build', '-C', d, '--platform', 'linux/amd64,linux/arm64'], env: { DOCKER_HOST: 'unix:///nonexistent.sock' }, code: 2, message: /2 platforms need --push/ },
  { name: '--binary with two platforms', files: cfg(BASE), args: (d) => ['build', '-C', d, '--platform', 'linux/amd64,linux/arm64', '--push', '--binary', STATIC_BIN], env: { DOCKER_HOST: 'unix:///nonexistent.sock' }, code: 2, message: /--binary is one architecture/ },
  { name: 'an unknown command', files: cfg(BASE), args: () => ['deploy'], code: 2, message: /unknown command 'deploy'/ },
  { name: 'an unknown option', files: cfg(BASE), args: (d) => ['generate', 'compose', '-C', d, '--outptu', 'x'], code: 2, message: /unknown option '--outptu'/ },
  { name: 'a missing option value', files: cfg(BASE), args: () => ['generate', 'compose', '-o'], code: 2, message: /argument missing/ },
  { name: 'an unknown generate target', files: cfg(BASE), args: () => ['generate', 'nomad'], code: 2, message: /unknown command 'nomad'/ },
  { name: 'lint --format xml', files: cfg(BASE), args: (d) => ['lint', '-C', d, '--format', 'xml'], code: 2, message: /--format xml: expected text, json or sarif/ },
  { name: 'lint of a missing path', files: cfg(BASE), args: (d) => ['lint', '-C', d, path.join(d, 'nope')], code: 2, message: /nope: no such file or directory/ },
  { name: 'lint --drain that is not a duration', files: cfg(BASE), args: (d) => ['lint', '-C', d, '--drain', 'long'], code: 2, message: /--drain "long": expected a duration/ },
  { name: 'verify --as nomad', files: cfg(BASE), args: (d) => ['verify', '-C', d, '--as', 'nomad'], env: { DOCKER_HOST: 'unix:///nonexistent.sock' }, code: 2, message: /--as nomad: expected compose or k8s/ },
];

export async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}
