/**
 * `build` refuses bad input with one clear line and exit 2, before any engine
 * is contacted and before anything runs: the adversarial build inputs of
 * issue 19 (test/fixtures/adversarial, copied from shared/adversarial) and the
 * bad `image.*` contents of issue 16. DOCKER_HOST points at a socket that does
 * not exist, so "cannot reach the Docker Engine" would mean a check came too late.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { elfFile } from '../helpers/elf.js';
import { runInProcess } from '../helpers/inprocess.js';

const FIXTURES = path.join(ROOT, 'test/fixtures/adversarial');
const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent.sock', GONEAT_TINI: undefined, GONEAT_TINI_ARM64: undefined };
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function copyOf(fixture: string): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'gd-adv-'));
  dirs.push(d);
  await cp(path.join(FIXTURES, fixture), d, { recursive: true });
  return d;
}

function refused(r: { code: number | null; stderr: string }, message: RegExp): void {
  expect(r.stderr).not.toMatch(/cannot reach the Docker Engine/);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(message);
}

describe('issue 19: adversarial build inputs', () => {
  it('043: ldflags that would run a program (-linkmode=external -extld=./evil.sh) are refused; evil.sh never runs', async () => {
    const d = await copyOf('043-ldflags-extld-exec');
    const marker = '/tmp/PWNED-ldflags';
    await rm(marker, { force: true });
    const r = await runInProcess(['build', '-C', d], { env: NO_ENGINE });
    refused(r, /goneat-deploy\.yaml:3:\d+: build\.ldflags: "-linkmode=external" is not allowed: only -s, -w, -X importpath\.name=value and -buildid= are allowed/);
    expect(existsSync(marker)).toBe(false);
  });

  it('112: a 55-byte truncated ELF is "truncated", exit 2, not an internal error', async () => {
    const d = await copyOf('112-elf-trunc55-crash');
    const r = await runInProcess(['build', '-C', d, '--binary', 'trunc55'], { cwd: d, env: NO_ENGINE });
    refused(r, /^goneat-deploy: binary trunc55 is truncated \(55 bytes: shorter than its 64-byte ELF header\)/);
  });

  it('115: a relocatable object (.o) is not an executable', async () => {
    const d = await copyOf('115-elf-object-accepted');
    const r = await runInProcess(['build', '-C', d, '--binary', 'obj.o'], { cwd: d, env: NO_ENGINE });
    refused(r, /binary obj\.o is a relocatable object file \(\.o\), not an executable: link it first/);
  });

  it('123: a script as tini is refused without an engine (exit 2, not "cannot reach")', async () => {
    const d = await copyOf('123-tini-script-needs-engine');
    const r = await runInProcess(['build', '-C', d], { env: NO_ENGINE });
    refused(r, /tini \(build\.tini\) \S+tini\.sh is a script, not an ELF executable/);
  });

  it('123: an arm64 binary for a local (amd64) engine is refused without contacting it', async () => {
    const d = await copyOf('123-tini-script-needs-engine');
    await writeFile(path.join(d, 'goneat-deploy.yaml'), `name: svc\nimage: { repository: advbin/svc, tag: adv1 }\nbuild: { binary: ${elfFile('static-arm64')}, tini: ${elfFile('static-amd64')} }\n`);
    const r = await runInProcess(['build', '-C', d], { env: NO_ENGINE });
    refused(r, /is built for arm64, but the image is linux\/amd64/);
  });

  it('a truncated or shared-object tini is refused as tini', async () => {
    const d = await copyOf('112-elf-trunc55-crash');
    await writeFile(path.join(d, 'goneat-deploy.yaml'), `name: svc\nimage: { repository: advbin/svc, tag: adv1 }\nbuild: { binary: ${elfFile('static-amd64')}, tini: ./trunc55 }\n`);
    const r = await runInProcess(['build', '-C', d], { env: NO_ENGINE });
    refused(r, /tini \(build\.tini\) \S+trunc55 is truncated/);
  });

  it('a static executable that is not tini (busybox) is refused as tini: it passed every ELF check and failed at run time', async () => {
    const d = await copyOf('112-elf-trunc55-crash');
    await writeFile(path.join(d, 'goneat-deploy.yaml'), `name: svc\nimage: { repository: advbin/svc, tag: adv1 }\nbuild: { binary: /usr/bin/tini-static, tini: /bin/busybox }\n`);
    const r = await runInProcess(['build', '-C', d], { env: NO_ENGINE });
    refused(r, /tini \(build\.tini\) \/bin\/busybox is a static executable but not tini \(it has no "tini version" banner/);
    // Debian's tini-static passes: the build goes on to the engine (unreachable here: exit 1, not 2).
    await writeFile(path.join(d, 'goneat-deploy.yaml'), `name: svc\nimage: { repository: advbin/svc, tag: adv1 }\nbuild: { binary: /usr/bin/tini-static, tini: /usr/bin/tini-static }\n`);
    const ok = await runInProcess(['build', '-C', d], { env: NO_ENGINE });
    expect(ok.stderr).not.toMatch(/not tini/);
    expect(ok.stderr).toMatch(/cannot reach the Docker Engine/);
  });

  it('only link flags that cannot run programs pass: -s -w -X -buildid=', async () => {
    const d = await copyOf('043-ldflags-extld-exec');
    for (const bad of ['-extldflags=-fuse-ld=./x', '-linkmode external', '-I /tmp/ld.so', '-r /tmp', '-X', '-X noequals', "'-s"]) {
      await writeFile(path.join(d, 'goneat-deploy.yaml'), `name: svc\nimage: { repository: advbin/svc, tag: adv-ldf }\nbuild: { main: ., ldflags: ${JSON.stringify(bad)} }\n`);
      const r = await runInProcess(['build', '-C', d], { env: NO_ENGINE });
      expect(r.code, bad).toBe(2);
      expect(r.stderr, bad).toMatch(/build\.ldflags: /);
    }
  });
});

describe('issue 16: bad image contents', () => {
  async function project(image: string, files: Record<string, string> = {}): Promise<string> {
    const d = await mkdtemp(path.join(os.tmpdir(), 'gd-contents-'));
    dirs.push(d);
    await writeFile(path.join(d, 'goneat-deploy.yaml'), `name: svc\nbuild: { binary: ${elfFile('static-amd64')}, tini: ${elfFile('static-amd64')} }\nimage:\n  repository: goneat-test/svc\n${image}`);
    for (const [f, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(d, f)), { recursive: true });
      await writeFile(path.join(d, f), text);
    }
    return d;
  }
  const cases: Array<[string, string, Record<string, string>, RegExp]> = [
    ['a missing source', '  files: [{source: nope.yml, target: /etc/app.yml}]\n', {}, /image\.files\[0\]\.source "nope\.yml" \(in \S+\): no such file or directory/],
    ['a target outside /', '  files: [{source: a.yml, target: /etc/../../x}]\n', { 'a.yml': 'a' }, /image\.files\[0\]\.target: "\/etc\/\.\.\/\.\.\/x" is outside \/ or not normalized/],
    ['a relative target', '  files: [{source: a.yml, target: etc/a}]\n', { 'a.yml': 'a' }, /image\.files\[0\]\.target: /],
    ['a target overwriting tini', '  files: [{source: a.yml, target: /sbin/tini}]\n', { 'a.yml': 'a' }, /image\.files\[0\]\.target: \/sbin\/tini is tini, PID 1: goneat-deploy writes it/],
    ['a target overwriting the binary', '  files: [{source: a.yml, target: /app/svc}]\n', { 'a.yml': 'a' }, /\/app\/svc is the service binary/],
    ['a target overwriting passwd', '  files: [{source: a.yml, target: /etc/passwd}]\n', { 'a.yml': 'a' }, /\/etc\/passwd is the image's users/],
    ['a directory carrying passwd', '  files: [{source: etc, target: /etc}]\n', { 'etc/passwd': 'root:x:0:0::/:/bin/sh\n' }, /image\.files\[0\]: \/etc\/passwd is the image's users/],
    ['the CA bundle while certificates are on', '  files: [{source: a.yml, target: /etc/ssl/certs/ca-certificates.crt}]\n', { 'a.yml': 'a' }, /set image\.certificates: false to ship your own/],
    ['a source outside the project', '  files: [{source: ../../../../../../etc/hostname, target: /etc/x}]\n', {}, /leads outside the project directory/],
    ['a target under /proc', '  files: [{source: a.yml, target: /proc/app.conf}]\n', { 'a.yml': 'a' }, /image\.files\[0\]\.target: \/proc is mounted over by the container runtime/],
    ['a target under /tmp, which every generated target mounts over', '  files: [{source: a.yml, target: /tmp/app.conf}]\n', { 'a.yml': 'a' }, /goneat-deploy\.yaml:5:\d+: image\.files\[0\]\.target: \/tmp is mounted over by every generated target .*a file there would never be seen/],
    ['/tmp itself', '  files: [{source: conf, target: /tmp}]\n', { 'conf/a': 'a' }, /image\.files\[0\]\.target: \/tmp is mounted over by every generated target/],
    ['a bad mode', '  files: [{source: a.yml, target: /etc/a, mode: "4755"}]\n', { 'a.yml': 'a' }, /image\.files\[0\]\.mode/],
  ];
  it.each(cases)('%s', async (_name, image, files, message) => {
    const d = await project(image, files);
    refused(await runInProcess(['build', '-C', d], { env: NO_ENGINE }), message);
  });

  it('a symlink in the project leading outside it', async () => {
    const d = await project('  files: [{source: conf, target: /etc/conf}]\n', { 'conf/a': 'a' });
    await symlink('/etc/hostname', path.join(d, 'conf', 'h'));
    refused(await runInProcess(['build', '-C', d], { env: NO_ENGINE }), /image\.files\[0\]: conf\/h is a symlink leading outside the project directory/);
  });

  it('a library that cannot be resolved names it, who needs it, and where it was looked for', async () => {
    const d = await project('  libraries: host\n');
    const { syntheticElfWithNeeded } = await import('../helpers/elf.js');
    await writeFile(path.join(d, 'svc'), syntheticElfWithNeeded(['libgoneat-missing.so.1']), { mode: 0o755 });
    refused(
      await runInProcess(['build', '-C', d, '--binary', path.join(d, 'svc')], { env: NO_ENGINE }),
      /image\.libraries: host: libgoneat-missing\.so\.1, needed by \S+svc, is not on this machine for amd64 \(looked in [^)]*\/lib\/x86_64-linux-gnu[^)]*\): install the package that provides it/,
    );
  });

  it('a dynamic binary without image.libraries names the option', async () => {
    const d = await project('');
    refused(await runInProcess(['build', '-C', d, '--binary', elfFile('dynamic-amd64')], { env: NO_ENGINE }), /is dynamically linked .*set image\.libraries: host/);
  });
});
