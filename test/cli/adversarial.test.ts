/**
 * Issue 19's hostile inputs (test/fixtures/adversarial/, copied from
 * shared/adversarial/), each as its repro.sh runs it, through the CLI
 * in-process: the right result, not just "no crash". The folders that need a
 * real process, root or signals (047, 074, 080, 086, 100) are in
 * test/integration/adversarial.test.ts, the consumer reads of the kinds of 002,
 * 005, 008, 012, 015, 030, 035 in test/integration/hostile-consumers.test.ts;
 * the build ones (043, 112, 115, 123) in test/cli/build-input.test.ts. The
 * last test here checks that every folder is the subject of a test.
 */
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { runInProcess as runCli } from '../helpers/inprocess.js';
import { kubeletEnvironment } from '../helpers/kubelet.js';

const FIXTURES = path.join(ROOT, 'test/fixtures/adversarial');
const made: string[] = [];
afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

/** A writable copy of one fixture folder. */
async function fixture(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `gd-adv-${name.slice(0, 3)}-`));
  made.push(dir);
  await cp(path.join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

async function files(dir: string): Promise<string[]> {
  return ((await readdir(dir, { recursive: true })) as string[]).sort();
}

/** One clean line on stderr, exit 2, nothing written under out/. */
async function refused(dir: string, args: string[], message: RegExp): Promise<void> {
  const before = await files(dir);
  const r = await runCli(args, { cwd: dir });
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  // Warnings about the config (e.g. "no health check") may come first; the refusal is the line after them.
  const errors = r.stderr.split('\n').filter((l) => !l.startsWith('goneat-deploy: warning: ')).join('\n');
  expect(errors, r.stderr).toMatch(message);
  expect(r.code).toBe(2);
  expect(await files(dir)).toEqual(before);
}

describe('issue 19: hostile inputs, each folder as a test', () => {
  it('002: a non-character in args is a located error, not an internal error', async () => {
    const dir = await fixture('002-args-noncharacter-crash');
    await refused(dir, ['generate', 'all', '-C', '.', '-o', 'out'], /^goneat-deploy: goneat-deploy\.yaml:5:8: args\[0\]: has U\+FFFE, a Unicode non-character: launchd's property list \(XML\) and systemd's unit parser refuse it\n$/);
  });

  it('002, more of the kind: U+FDD0, U+1FFFF and an unpaired surrogate, in every free-text field', async () => {
    const dir = await fixture('002-args-noncharacter-crash');
    for (const bad of ['\\uFDD0', '\\U0001FFFF', '\\uD800']) {
      for (const [field, text] of [
        ['args[0]', `args: ["${bad}"]`],
        ['env.V', `env: { V: "x${bad}" }`],
        ['description', `description: "d${bad}"`],
        ['health.command[1]', `health: { port: 8080, path: /, command: ["/app/svc", "${bad}"] }`],
      ] as const) {
        await writeFile(path.join(dir, 'goneat-deploy.yaml'), `name: svc\nimage: { repository: adv/svc, tag: dev }\nports: [{ name: http, port: 8080 }]\n${text}\n`);
        const r = await runCli(['generate', 'all', '-C', '.', '-o', 'out'], { cwd: dir });
        expect(r.code, `${field} ${bad}`).toBe(2);
        expect(r.stderr).toMatch(new RegExp(`goneat-deploy\\.yaml:4:\\d+: ${field.replace(/[[\].]/g, '\\$&')}: has (U\\+[0-9A-F]+, a Unicode non-character|an unpaired surrogate)`));
      }
    }
  });

  it('005: a 1.1 MB argument is refused with the limits it breaks, before anything is written', async () => {
    const dir = await fixture('005-args-1mb-systemd-line');
    // gen.sh, as it writes the config.
    await writeFile(path.join(dir, 'goneat-deploy.yaml'), `name: svc\nimage: { repository: adv/svc, tag: dev }\nargs: ["${'A'.repeat(1_100_000)}"]\n`);
    await refused(dir, ['generate', 'all', '-C', '.', '-o', 'out'], /args\[0\]: is 1,100,000 bytes: Linux passes at most 131,071 bytes in an argument \(MAX_ARG_STRLEN, execve\(2\)\)/);
    const r = await runCli(['generate', 'all', '-C', '.', '-o', 'out'], { cwd: dir });
    expect(r.stderr).toMatch(/args: together the arguments make the image's ENTRYPOINT line 1,100,044 bytes long: docker build reads Dockerfile lines of at most 65,535 bytes/);
  });

  it('005, more of the kind: the Dockerfile line and the unit line are checked exactly at their limits', async () => {
    const dir = await fixture('005-args-1mb-systemd-line');
    const config = (args: string[], env = '') => `name: svc\nimage: { repository: adv/svc, tag: dev }\nargs: ${JSON.stringify(args)}\n${env}`;
    // ENTRYPOINT ["/sbin/tini","--","/app/svc","AAA…"]: 41 bytes around the argument.
    const fits = 65_535 - 'ENTRYPOINT ["/sbin/tini","--","/app/svc",""]'.length;
    await writeFile(path.join(dir, 'goneat-deploy.yaml'), config(['A'.repeat(fits)]));
    expect((await runCli(['generate', 'dockerfile', '-C', '.', '-o', 'out/Dockerfile'], { cwd: dir })).code).toBe(0);
    const line = (await readFile(path.join(dir, 'out/Dockerfile'), 'utf8')).split('\n').find((l) => l.startsWith('ENTRYPOINT'))!;
    expect(Buffer.byteLength(line)).toBe(65_535);
    await writeFile(path.join(dir, 'goneat-deploy.yaml'), config(['A'.repeat(fits + 1)]));
    const r = await runCli(['generate', 'dockerfile', '-C', '.', '-o', 'out/Dockerfile2'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ENTRYPOINT line 65,536 bytes long/);
    // Twenty 60 KB variables: each fits its ENV line, together they pass the container unit's 1 MiB ExecStart line.
    const env = `env:\n${Array.from({ length: 20 }, (_, i) => `  V${i}: "${'x'.repeat(60_000)}"`).join('\n')}\n`;
    await writeFile(path.join(dir, 'goneat-deploy.yaml'), config([], env));
    const e = await runCli(['generate', 'systemd', '-C', '.', '-o', 'out/systemd'], { cwd: dir });
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/env: together the variables make the container unit's ExecStart line more than 1,2\d\d,\d{3} bytes long: systemd reads unit lines of at most 1,048,575 bytes \(LONG_LINE_MAX\)/);
  });

  it('008, 012: U+2028 and "=" reach every YAML reader as the same string (the yaml library here; PyYAML, compose v1/v2 and go-yaml in integration)', async () => {
    for (const [name, value] of [
      ['008-env-u2028-yaml', 'a\u2028b'],
      ['012-env-equals-pyyaml', '='],
    ] as const) {
      const dir = await fixture(name);
      const r = await runCli(['generate', 'all', '-C', '.', '-o', 'out'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      const compose = YAML.parse(await readFile(path.join(dir, 'out/compose.yaml'), 'utf8'), { version: '1.1' }) as { services: { svc: { environment: Record<string, string> } } };
      expect(compose.services.svc.environment.V).toBe(value);
      const k8s = YAML.parse(await readFile(path.join(dir, 'out/k8s/deployment.yaml'), 'utf8'), { version: '1.1' }) as { spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value: string }> }> } } } };
      expect(k8s.spec.template.spec.containers[0]!.env.find((e) => e.name === 'V')!.value).toBe(value);
    }
  });

  it('015: the kubelet hands every env value over exactly; $(A_SECRET) does not read the secret', async () => {
    const dir = await fixture('015-k8s-env-dollar-expansion');
    const r = await runCli(['generate', 'k8s', '-C', '.', '-o', 'out/k8s'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const d = YAML.parse(await readFile(path.join(dir, 'out/k8s/deployment.yaml'), 'utf8')) as { spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value: string }> }> } } } };
    const env = kubeletEnvironment(d.spec.template.spec.containers[0]!.env, { KUBERNETES_SERVICE_HOST: '10.96.0.1' });
    expect(env).toEqual({ A_SECRET: 's3cr3t', B: '$(A_SECRET)', C: 'price: a$$b', D: '$(KUBERNETES_SERVICE_HOST)' });
  });

  it('030: ".." in a host path is refused, located', async () => {
    const dir = await fixture('030-workdir-dotdot');
    await refused(dir, ['generate', 'all', '-C', '.', '-o', 'out'], /goneat-deploy\.yaml:5:27: host\.workingDirectory: "\/var\/lib\/\.\.\/\.\.\/etc" is not a normalized absolute path/);
  });

  it('030, more of the kind: ".", "//", a trailing "/", a 256-byte name and a path past PATH_MAX, in every host path', async () => {
    const dir = await fixture('030-workdir-dotdot');
    for (const key of ['binaryPath', 'workingDirectory', 'runDirectory', 'logDirectory']) {
      for (const [bad, why] of [
        ['/opt/./svc', /not a normalized absolute path/],
        ['/opt//svc', /not a normalized absolute path/],
        ['/opt/svc/', /not a normalized absolute path/],
        [`/opt/${'n'.repeat(256)}`, /a file name is at most 255 bytes \(NAME_MAX\)/],
        [`/${Array.from({ length: 20 }, () => 'd'.repeat(250)).join('/')}`, /a path is at most 4,095 bytes \(PATH_MAX\)/],
      ] as const) {
        await writeFile(path.join(dir, 'goneat-deploy.yaml'), `name: svc\nimage: { repository: adv/svc, tag: dev }\nhost: { ${key}: ${bad} }\n`);
        const r = await runCli(['generate', 'systemd', '-C', '.', '-o', 'out'], { cwd: dir });
        expect(r.code, `${key} ${bad.slice(0, 20)}`).toBe(2);
        expect(r.stderr).toMatch(new RegExp(`host\\.${key}: `));
        expect(r.stderr).toMatch(why);
      }
    }
  });

  it('035: --image=--privileged is not an image reference; nothing is written', async () => {
    const dir = await fixture('035-image-flag-option');
    await refused(dir, ['generate', 'systemd', '-C', '.', '-o', 'out', '--image=--privileged'], /^goneat-deploy: --image "--privileged": starts with "-": expected an image reference/);
  });

  it('035, more of the kind: a newline, a space, "$", upper case, a bad digest, and a name past 255 characters', async () => {
    const dir = await fixture('035-image-flag-option');
    for (const bad of ['a\nExecStartPre=/bin/sh', 'a b', 'repo/$HOME:1', 'Repo/x', 'x:1@sha256:abc', `r/${'a'.repeat(260)}:1`, 'x@md5:0123456789abcdef0123456789abcdef']) {
      const r = await runCli(['generate', 'compose', '-C', '.', '-o', 'out/compose.yaml', `--image=${bad}`], { cwd: dir });
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toMatch(/^goneat-deploy: --image "/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    for (const good of ['registry.example.com:5000/team/echo:1.2.3', `example/echo@sha256:${'a'.repeat(64)}`, `localhost/x:1@sha512:${'b'.repeat(128)}`]) {
      const r = await runCli(['generate', 'compose', '-C', '.', '-o', `out/${good.length}.yaml`, `--image=${good}`], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
    }
  });

  it('037: trpc_go.yaml ports out of range are errors located in trpc_go.yaml, before anything is written', async () => {
    const dir = await fixture('037-trpc-ports-out-of-range');
    await refused(dir, ['generate', 'all', '-C', '.', '-o', 'out'], /^goneat-deploy: trpc_go\.yaml:4:13: server\.service\[0\]\.port: expected a port 1\.\.65535, got 70000\n {2}trpc_go\.yaml:6:11: server\.admin\.port: expected a port 0\.\.65535 \(0: no admin server\), got 99999\n$/);
    const v = await runCli(['generate', 'k8s', '-C', '.', '-o', '-', '--validate'], { cwd: dir });
    expect(v.code).toBe(2);
  });

  it('062: invalid UTF-8 in the config is an error at its line and column, never U+FFFD', async () => {
    const dir = await fixture('062-config-non-utf8');
    await refused(dir, ['generate', 'all', '-C', '.', '-o', 'out'], /^goneat-deploy: goneat-deploy\.yaml:3:18: not valid UTF-8 \(byte 0xe9\): save the file as UTF-8\n$/);
  });

  it('062, more of the kind: an overlong form, an encoded surrogate and a truncated sequence in trpc_go.yaml and the lock file', async () => {
    const dir = await fixture('062-config-non-utf8');
    await writeFile(path.join(dir, 'goneat-deploy.yaml'), 'name: svc\nimage: { repository: adv/svc, tag: dev }\nframework: trpc-go\n');
    for (const [bytes, col] of [
      [[0xc0, 0xaf], 8],
      [[0xed, 0xa0, 0x80], 8],
      [[0xe2, 0x82], 8],
    ] as const) {
      await writeFile(path.join(dir, 'trpc_go.yaml'), Buffer.concat([Buffer.from('server:\n  # caf'), Buffer.from(bytes), Buffer.from('\n')]));
      const r = await runCli(['generate', 'all', '-C', '.', '-o', 'out'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^goneat-deploy: trpc_go\\.yaml:2:${col}: not valid UTF-8 \\(byte 0x${bytes[0].toString(16)}\\)`));
    }
  });

  it('064: control characters from the config reach the terminal escaped', async () => {
    const dir = await fixture('064-terminal-escape-name');
    const r = await runCli(['generate', 'all', '-C', '.', '-o', 'out'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(r.stderr).toContain('got "\\e]0;PWNED-TITLE\\a\\e[2J\\e[31mFAKE: all good\\r"');
  });

  it('064, more of the kind: C1 controls, bidi overrides and a newline in a file name are escaped too', async () => {
    const dir = await fixture('064-terminal-escape-name');
    await writeFile(path.join(dir, 'goneat-deploy.yaml'), 'name: "a\\u009b31mb\\u202ec\\nd"\nimage: { repository: adv/svc, tag: dev }\n');
    const r = await runCli(['generate', 'all', '-C', '.', '-o', 'out'], { cwd: dir });
    expect(r.stderr).toContain('got "a\\x9b31mb\\u202ec\\nd"');
    const odd = path.join(dir, 'evil\x1b[2Jdir');
    await cp(path.join(FIXTURES, '072-header-edit-overwritten'), odd, { recursive: true });
    const w = await runCli(['generate', 'compose', '-C', odd, '-o', path.join(odd, 'c\u202e.yaml')], { cwd: dir });
    expect(w.code, w.stderr).toBe(0);
    expect(w.stdout).toBe(`wrote evil\\e[2Jdir/c\\u202e.yaml\n`);
  });

  it('072: a line added above the header makes the file "edited": not overwritten without --force', async () => {
    const dir = await fixture('072-header-edit-overwritten');
    expect((await runCli(['generate', 'compose', '-C', '.', '-o', 'out/compose.yaml'], { cwd: dir })).code).toBe(0);
    const file = path.join(dir, 'out/compose.yaml');
    const edited = `name: prod-stack\nvolumes: { data: { external: true } }\n${await readFile(file, 'utf8')}`;
    await writeFile(file, edited);
    const r = await runCli(['generate', 'compose', '-C', '.', '-o', 'out/compose.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/out\/compose\.yaml: was edited by hand since goneat-deploy generated it; not overwriting it/);
    expect(await readFile(file, 'utf8')).toBe(edited);
    expect((await runCli(['generate', 'compose', '-C', '.', '-o', 'out/compose.yaml', '--force'], { cwd: dir })).code).toBe(0);
    expect(await readFile(file, 'utf8')).not.toContain('prod-stack');
  });

  it('090: a truncated lock file is an error located in it, not a silent un-pin', async () => {
    const dir = await fixture('090-lock-corrupt-silent-unpin');
    await refused(dir, ['generate', 'compose', '-C', '.', '-o', 'out/compose.yaml'], /^goneat-deploy: goneat-deploy\.lock\.json:1:118: not valid JSON \(Unterminated string; a truncated or hand-edited lock file\?\): run `goneat-deploy build --push` again/);
  });

  it('090, more of the kind: a lock with a bad digest, a bad repository or no platforms; a good one pins', async () => {
    const dir = await fixture('090-lock-corrupt-silent-unpin');
    const lock = (o: Record<string, unknown>) => writeFile(path.join(dir, 'goneat-deploy.lock.json'), `${JSON.stringify({ repository: 'adv/svc', tag: 'dev', digest: `sha256:${'a'.repeat(64)}`, platforms: ['linux/amd64'], ...o }, null, 2)}\n`);
    for (const [o, at] of [
      [{ digest: 'sha256:abc' }, /goneat-deploy\.lock\.json:4:13: digest: expected a digest/],
      [{ repository: 'adv/svc\nExecStart=x' }, /goneat-deploy\.lock\.json:2:17: repository: expected an image repository/],
      [{ platforms: 'linux/amd64' }, /goneat-deploy\.lock\.json:5:16: platforms: expected a list/],
    ] as const) {
      await lock(o);
      const r = await runCli(['generate', 'compose', '-C', '.', '-o', 'out/compose.yaml'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(at);
    }
    await lock({});
    const ok = await runCli(['generate', 'compose', '-C', '.', '-o', 'out/compose.yaml'], { cwd: dir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(await readFile(path.join(dir, 'out/compose.yaml'), 'utf8')).toContain(`image: adv/svc:dev@sha256:${'a'.repeat(64)}`);
  });

  it('every folder of test/fixtures/adversarial is the subject of a test (its number opens a test title)', async () => {
    const folders = (await readdir(FIXTURES, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.length).toBeGreaterThanOrEqual(21);
    const sources = await Promise.all(['test/cli/adversarial.test.ts', 'test/cli/build-input.test.ts', 'test/integration/adversarial.test.ts'].map((f) => readFile(path.join(ROOT, f), 'utf8')));
    const titles = sources.join('\n').match(/\bit\((['"`])[^\n]*/g) ?? [];
    for (const f of folders) expect(titles.some((t) => new RegExp(`^it\\(['"\`]([0-9, ]*\\b)?${f.slice(0, 3)}\\b`).test(t)), f).toBe(true);
  });
});
