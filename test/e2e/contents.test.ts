/**
 * Images that real Go services run in (issue 16), on the real engine with
 * real third-party binaries:
 *  - Debian's docker-registry, unmodified (dynamically linked Go), with its
 *    config file through image.files and image.libraries: host → build →
 *    verify passes → `docker compose up -d` serves a push and a pull from the host;
 *  - Debian's etcd (etcd-server), packaged and verified the same way;
 *  - the CA bundle is the one used: a TLS request to a local HTTPS server whose
 *    CA is in the bundle succeeds, and without certificates fails with x509;
 *  - reproducible with files, certificates, zoneinfo and libraries;
 *  - image.base from the local engine and from a registry; a shell ENTRYPOINT refused;
 *  - the SBOM in the image validates against SPDX 2.3 and names libc6's version.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { composeDown, composeRun, compose, hostPort, inspect, removeDir, tempDir, TEST_PREFIX, TEST_REPO, uid } from '../helpers/docker.js';
import { exec, run } from '../helpers/exec.js';
import { echoConfig } from '../helpers/project.js';
import { startRegistry } from '../helpers/registry.js';
import { untar } from '../helpers/tar.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});
const rmi = (...refs: string[]) => cleanups.push(async () => void (await exec('docker', ['rmi', '-f', ...refs])));

async function project(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('gdt-contents-');
  cleanups.push(() => removeDir(dir));
  for (const [f, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, f)), { recursive: true });
    await writeFile(path.join(dir, f), text);
  }
  return dir;
}

async function build(dir: string, env: Record<string, string> = {}): Promise<{ id: string; size: number; binarySize: number; durationMs: number }> {
  const r = await runCli(['build', '-C', dir, '--json'], { env });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { id: string; size: number; binarySize: number; durationMs: number };
}

/** Every file of an image, by path (later layers win). */
async function imageContents(image: string): Promise<Map<string, Buffer>> {
  const saved = await untar(execFileSync('docker', ['save', image], { maxBuffer: 512 * 1024 * 1024 }));
  const manifest = JSON.parse(saved.get('manifest.json')!.toString()) as Array<{ Layers: string[] }>;
  const out = new Map<string, Buffer>();
  for (const l of manifest[0]!.Layers) for (const [n, b] of await untar(saved.get(l)!)) out.set(n, b);
  return out;
}

const REGISTRY_CONFIG = `version: 0.1
log: {level: info}
storage:
  filesystem: {rootdirectory: /tmp/registry}
http:
  addr: :5000
  draintimeout: 5s
`;

function registryProject(tag: string, extra = ''): Record<string, string> {
  return {
    'config.yml': REGISTRY_CONFIG,
    'goneat-deploy.yaml': `name: registry
build: { binary: /usr/bin/docker-registry }
image:
  repository: ${TEST_REPO}/registry
  tag: ${tag}
  libraries: host
  files:
    - { source: config.yml, target: /etc/docker/registry/config.yml }
${extra}args: [serve, /etc/docker/registry/config.yml]
ports:
  - { name: http, port: 5000, publish: "127.0.0.1:0" }
health: { port: http, path: /v2/ }
shutdown: { drain: 5s }
`,
  };
}

describe('Debian\'s docker-registry, unmodified, with image.files and image.libraries: host', () => {
  it('builds, verifies (tini PID 1, exit 0 within its draintimeout, /v2/ health), and serves a push and a pull under compose', async () => {
    const tag = `e2e-${uid()}`;
    const dir = await project(registryProject(tag));
    const image = `${TEST_REPO}/registry:${tag}`;
    rmi(image);
    const built = await build(dir);
    expect(built.id).toMatch(/^sha256:/);

    const v = await runCli(['verify', '-C', dir, '--json'], { timeoutMs: 120_000 });
    const report = JSON.parse(v.stdout) as { checks: Array<{ id: string; status: string; measured: string }> };
    expect(v.code, v.stdout).toBe(0);
    const check = (id: string) => report.checks.find((c) => c.id === id)!;
    expect(check('pid1-init').status).toBe('pass');
    expect(check('graceful-stop')).toMatchObject({ status: 'pass' });
    expect(check('graceful-stop').measured).toMatch(/^exit 0 /);
    expect(check('health-not-ready').status).toBe('pass');

    const g = await runCli(['generate', 'compose', '-C', dir]);
    expect(g.code, g.stderr).toBe(0);
    const file = path.join(dir, 'compose.yaml');
    const proj = `${TEST_PREFIX}${uid()}`;
    cleanups.push(() => composeDown(proj, file));
    await composeRun(proj, file, ['up', '-d']);
    const [cmd, ...pre] = await compose();
    const id = (await run(cmd!, [...pre, '-p', proj, '-f', file, 'ps', '-q', 'registry'], { cwd: dir })).trim();
    const port = await hostPort(id, 5000);
    const deadline = Date.now() + 30_000;
    while ((await fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.status).catch(() => 0)) !== 200) {
      if (Date.now() > deadline) throw new Error('the registry did not answer /v2/');
      await new Promise((r) => setTimeout(r, 200));
    }
    // A push from the host, and a pull back after the local copy is gone.
    const pushed = `127.0.0.1:${port}/${TEST_REPO}/pushed:${tag}`;
    cleanups.push(async () => void (await exec('docker', ['rmi', '-f', pushed])));
    await run('docker', ['tag', image, pushed]);
    await run('docker', ['push', pushed], { timeoutMs: 120_000 });
    await run('docker', ['rmi', pushed]);
    await run('docker', ['pull', pushed], { timeoutMs: 120_000 });
    expect((await inspect<{ Id: string }>(pushed)).Id).toBe(built.id);
  });

  it('is reproducible with files, certificates, zoneinfo and libraries: the same image ID twice', async () => {
    const tag = `repro-${uid()}`;
    const dir = await project(registryProject(tag, '  timezones: true\n'));
    rmi(`${TEST_REPO}/registry:${tag}`);
    const a = await build(dir, { SOURCE_DATE_EPOCH: '1700000000' });
    const b = await build(dir, { SOURCE_DATE_EPOCH: '1700000000' });
    expect(b.id).toBe(a.id);
    const files = await imageContents(`${TEST_REPO}/registry:${tag}`);
    expect(files.has('usr/share/zoneinfo/Europe/Berlin')).toBe(true);
    expect(files.has('etc/ssl/certs/ca-certificates.crt')).toBe(true);
    expect(files.has('lib/x86_64-linux-gnu/libc.so.6')).toBe(true);
    expect(files.has('etc/nsswitch.conf')).toBe(true);
  });

  it('carries an SPDX 2.3 SBOM, named by a label, with libc6 at the version dpkg reports', async () => {
    const tag = `sbom-${uid()}`;
    const dir = await project(registryProject(tag));
    const image = `${TEST_REPO}/registry:${tag}`;
    rmi(image);
    await build(dir);
    const labels = (await inspect<{ Config: { Labels: Record<string, string> } }>(image)).Config.Labels;
    const sbomPath = labels['io.goneat-deploy.sbom']!;
    expect(sbomPath).toBe('/usr/share/doc/goneat-deploy/sbom.spdx.json');
    const doc = JSON.parse((await imageContents(image)).get(sbomPath.slice(1))!.toString()) as { packages: Array<{ name: string; versionInfo?: string }> };
    const schema = JSON.parse(readFileSync(path.join(ROOT, 'test/vendor/spdx-schema-2.3.json'), 'utf8')) as Record<string, unknown>;
    delete schema.$schema;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    const libc = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'libc6'], { encoding: 'utf8' });
    expect(doc.packages.find((p) => p.name === 'libc6')?.versionInfo).toBe(libc);
    expect(doc.packages.find((p) => p.name === 'tini')?.versionInfo).toBe(execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'tini'], { encoding: 'utf8' }));
    expect(doc.packages.find((p) => p.name === 'ca-certificates')?.versionInfo).toMatch(/^\d{8}/);
    expect(doc.packages.some((p) => p.name === 'github.com/docker/distribution/cmd/registry')).toBe(true);

    // The command docs/targets/dockerfile.md gives to read it prints this JSON and leaves no container behind.
    const docs = readFileSync(path.join(ROOT, 'docs/targets/dockerfile.md'), 'utf8').replace(/\n/g, ' ');
    const documented = /Read it with `([^`]+)`/.exec(docs)![1]!;
    const out = await run('bash', ['-c', `set -o pipefail; ${documented.replaceAll('IMAGE', `'${image}'`)}`]);
    expect(JSON.parse(out)).toEqual(doc);
    expect((await run('docker', ['ps', '-a', '-q', '--filter', `ancestor=${image}`])).trim()).toBe('');
  });
});

describe('Debian\'s etcd (etcd-server), unmodified', () => {
  it('builds and verifies: tini PID 1, health on /health, a graceful stop (etcd re-raises SIGTERM: 143)', async () => {
    const tag = `e2e-${uid()}`;
    const dir = await project({
      'goneat-deploy.yaml': `name: etcd
build: { binary: /usr/bin/etcd }
image: { repository: ${TEST_REPO}/etcd, tag: ${tag}, libraries: host }
args: ["--name", "gd", "--data-dir", "/tmp/etcd", "--listen-client-urls", "http://0.0.0.0:2379", "--advertise-client-urls", "http://127.0.0.1:2379", "--listen-peer-urls", "http://127.0.0.1:2380"]
ports:
  - { name: client, port: 2379, publish: "127.0.0.1:0" }
health: { port: client, path: /health }
# etcd stops gracefully, then re-raises the signal on purpose (pkg/osutil HandleInterrupts): 143 is its clean exit.
shutdown: { drain: 5s, successExitCodes: [0, 143] }
`,
    });
    rmi(`${TEST_REPO}/etcd:${tag}`);
    await build(dir);
    const v = await runCli(['verify', '-C', dir, '--json'], { timeoutMs: 120_000 });
    expect(v.code, v.stdout).toBe(0);
    const report = JSON.parse(v.stdout) as { checks: Array<{ id: string; status: string }> };
    for (const id of ['pid1-init', 'non-root', 'read-only-rootfs', 'graceful-stop', 'health-not-ready']) expect(report.checks.find((c) => c.id === id)?.status, id).toBe('pass');
  });
});

describe('image.certificates: the CA bundle is the one Go uses', () => {
  let server: https.Server;
  let port: number;
  let bundle: string;
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('gdt-tls-');
    cleanups.push(() => removeDir(dir));
    const sh = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    sh(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=goneat-test-ca']);
    sh(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1']);
    await writeFile(path.join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1\n');
    sh(['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.crt', '-days', '2', '-extfile', 'ext']);
    bundle = path.join(dir, 'bundle.crt');
    await writeFile(bundle, `${await readFile('/etc/ssl/certs/ca-certificates.crt', 'utf8')}${await readFile(path.join(dir, 'ca.crt'), 'utf8')}`);
    server = https.createServer({ key: await readFile(path.join(dir, 'srv.key')), cert: await readFile(path.join(dir, 'srv.crt')) }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    cleanups.push(async () => void server.close());
    // A static Go HTTPS client (test/fixtures/tlsget).
    await copyFile(path.join(ROOT, 'test/fixtures/tlsget/main.go'), path.join(dir, 'main.go'));
    await copyFile(path.join(ROOT, 'test/fixtures/tlsget/go.mod'), path.join(dir, 'go.mod'));
  });

  async function tlsImage(certificates: boolean): Promise<string> {
    const tag = `tls-${certificates}-${uid()}`;
    await writeFile(
      path.join(dir, 'goneat-deploy.yaml'),
      `name: tlsget\nimage: { repository: ${TEST_REPO}/tlsget, tag: ${tag}, certificates: ${certificates} }\nargs: ["https://127.0.0.1:${port}/"]\n`,
    );
    const r = await runCli(['build', '-C', dir], { env: { GONEAT_CA_BUNDLE: bundle }, timeoutMs: 300_000 });
    expect(r.code, r.stderr).toBe(0);
    const image = `${TEST_REPO}/tlsget:${tag}`;
    rmi(image);
    return image;
  }

  it('with certificates the request succeeds; without them it fails with the x509 error', async () => {
    const withCerts = await exec('docker', ['run', '--rm', '--network', 'host', '--read-only', await tlsImage(true)]);
    expect(withCerts.stdout.trim(), withCerts.stderr).toBe('status 200');
    expect(withCerts.code).toBe(0);
    const without = await exec('docker', ['run', '--rm', '--network', 'host', '--read-only', await tlsImage(false)]);
    expect(without.code).toBe(1);
    expect(without.stdout).toMatch(/x509: certificate signed by unknown authority/);
  });
});

describe('image.base', () => {
  let work: string;
  beforeAll(async () => {
    work = await tempDir('gdt-base-');
    cleanups.push(() => removeDir(work));
  });

  /** A base made here: busybox-static FROM scratch, with the given Dockerfile lines. */
  async function makeBase(name: string, lines: string): Promise<string> {
    const d = path.join(work, name);
    await mkdir(d);
    await copyFile('/bin/busybox', path.join(d, 'sh'));
    await writeFile(path.join(d, 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nwww:x:33:33:www:/var/www:/bin/sh\n');
    await writeFile(path.join(d, 'Dockerfile'), `FROM scratch\nCOPY sh /bin/sh\nCOPY passwd /etc/passwd\n${lines}`);
    const ref = `${TEST_REPO}/base-${name}:${uid()}`;
    await run('docker', ['build', '-q', '-t', ref, d], { env: { DOCKER_BUILDKIT: '0' } });
    rmi(ref);
    return ref;
  }

  async function echoOn(base: string): Promise<{ dir: string; image: string }> {
    const tag = `base-${uid()}`;
    const yaml = (await echoConfig({ tag })).replace(/^image: \{ repository: ([^,]+), tag: ([^ ]+) \}$/m, `image: { repository: $1, tag: $2, base: "${base}" }`);
    const dir = await project({ 'goneat-deploy.yaml': yaml });
    rmi(`${TEST_REPO}/echo:${tag}`);
    return { dir, image: `${TEST_REPO}/echo:${tag}` };
  }

  it('a base with a shell ENTRYPOINT is refused: one line, exit 2, nothing built', async () => {
    const base = await makeBase('shell', 'ENTRYPOINT ["/bin/sh", "-c", "exec \\"$@\\"", "--"]\n');
    const { dir, image } = await echoOn(base);
    const r = await runCli(['build', '-C', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/image\.base \S+ has an ENTRYPOINT that runs a shell \(\["\/bin\/sh","-c",/);
    expect((await exec('docker', ['image', 'inspect', image])).code).not.toBe(0);
  });

  it('from the local engine: its layers and ENV kept, tini PID 1 in exec form, numeric user and our STOPSIGNAL; reproducible; verify passes', async () => {
    const base = await makeBase('plain', 'ENV BASE_VAR=from-base\nLABEL org.example.base=yes\nUSER 0\nWORKDIR /srv\nSTOPSIGNAL SIGQUIT\nCMD ["/bin/sh"]\n');
    const { dir, image } = await echoOn(base);
    const a = await build(dir, { SOURCE_DATE_EPOCH: '1700000000' });
    const b = await build(dir, { SOURCE_DATE_EPOCH: '1700000000' });
    expect(b.id).toBe(a.id);
    const cfg = (await inspect<{ Config: { Entrypoint: string[]; Cmd: string[] | null; User: string; StopSignal: string; Env: string[]; Labels: Record<string, string>; WorkingDir: string }; RootFS: { Layers: string[] } }>(image));
    const baseLayers = (await inspect<{ RootFS: { Layers: string[] } }>(base)).RootFS.Layers;
    expect(cfg.RootFS.Layers.slice(0, baseLayers.length)).toEqual(baseLayers);
    expect(cfg.Config.Entrypoint.slice(0, 3)).toEqual(['/sbin/tini', '--', '/app/echo']);
    expect(cfg.Config.Cmd).toBeNull();
    expect(cfg.Config.User).toBe('65532:65532');
    expect(cfg.Config.StopSignal).toBe('SIGTERM');
    expect(cfg.Config.WorkingDir).toBe('/app');
    expect(cfg.Config.Env).toContain('BASE_VAR=from-base');
    expect(cfg.Config.Labels['org.example.base']).toBe('yes');
    // The base's users are kept, the service's added.
    const passwd = (await run('docker', ['run', '--rm', '--entrypoint', '/bin/sh', image, '-c', 'cat /etc/passwd; id -u'])).trim().split('\n');
    expect(passwd).toEqual(['root:x:0:0:root:/root:/bin/sh', 'www:x:33:33:www:/var/www:/bin/sh', 'nonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin', '65532']);
    const v = await runCli(['verify', '-C', dir], { timeoutMs: 120_000 });
    expect(v.code, v.stdout).toBe(0);
  });

  it('from a registry when the engine does not have it (Debian\'s docker-registry on 127.0.0.1)', async () => {
    const reg = await startRegistry();
    cleanups.push(() => reg.stop());
    const local = await makeBase('pushed', 'ENV FROM_REGISTRY=1\n');
    const remote = `${reg.host}/${TEST_REPO}/base:${uid()}`;
    await run('docker', ['tag', local, remote]);
    await run('docker', ['--config', reg.dockerConfig, 'push', remote]);
    await run('docker', ['rmi', remote]);
    const { dir, image } = await echoOn(remote);
    await build(dir, { DOCKER_CONFIG: reg.dockerConfig });
    const cfg = await inspect<{ Config: { Env: string[] } }>(image);
    expect(cfg.Config.Env).toContain('FROM_REGISTRY=1');
    expect((await run('docker', ['run', '--rm', '--entrypoint', '/bin/sh', image, '-c', 'echo on-base'])).trim()).toBe('on-base');
  });
});
