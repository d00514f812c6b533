/**
 * Bad input that only a real engine can answer: wrong-architecture binaries,
 * missing, corrupt or dynamic tini, and a build error the daemon reports
 * inside its 200 stream. Same contract as test/cli/corpus.test.ts, plus:
 * no container or image left behind.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { connectDocker } from '../../src/runtime/docker/client.js';
import { RuntimeError } from '../../src/errors.js';
import { BASE, runBadCase, STATIC_BIN, type BadCase } from '../helpers/corpus.js';
import { run } from '../helpers/exec.js';
import { record } from '../helpers/results.js';

async function engineState(): Promise<{ containers: string; images: string }> {
  return {
    containers: (await run('docker', ['ps', '-aq'])).trim(),
    images: (await run('docker', ['images', '-aq'])).trim().split('\n').sort().join('\n'),
  };
}

/**
 * A real static linux/arm64 executable: a tiny Go program cross-compiled here (GOARCH=arm64, CGO_ENABLED=0).
 * A hand-made header went stale once build learned complete ELF checks (version, program headers inside
 * the file) and failed on those instead of on the architecture; a real binary passes every check but that one.
 */
const ARM64_ELF = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'gd-arm64-'));
  try {
    writeFileSync(join(dir, 'go.mod'), 'module arm64\n\ngo 1.21\n');
    writeFileSync(join(dir, 'main.go'), 'package main\n\nfunc main() {}\n');
    execFileSync('go', ['build', '-trimpath', '-o', 'bin', '.'], {
      cwd: dir,
      env: { ...process.env, GOOS: 'linux', GOARCH: 'arm64', CGO_ENABLED: '0', GOFLAGS: '-mod=mod' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return readFileSync(join(dir, 'bin'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

const CASES: BadCase[] = [
  { name: 'a binary for another architecture', files: { 'goneat-deploy.yaml': BASE.replace(STATIC_BIN, './arm64-bin'), 'arm64-bin': ARM64_ELF }, args: (d) => ['build', '-C', d], code: 2, message: /binary \.\/arm64-bin is built for arm64, but the image is linux\/amd64: rebuild it with GOOS=linux GOARCH=amd64/ },
  { name: 'a missing tini', files: { 'goneat-deploy.yaml': BASE.replace(`build: {binary: ${STATIC_BIN}}`, `build: {binary: ${STATIC_BIN}, tini: ./tini}`) }, args: (d) => ['build', '-C', d], code: 2, message: /tini \(build\.tini\) .*tini: no such file/ },
  { name: 'a corrupt tini', files: { 'goneat-deploy.yaml': BASE.replace(`build: {binary: ${STATIC_BIN}}`, `build: {binary: ${STATIC_BIN}, tini: ./tini}`), tini: 'not really tini, just some text that is long enough to be read as a header' }, args: (d) => ['build', '-C', d], code: 2, message: /tini \(build\.tini\) .* is not an ELF executable/ },
  { name: 'a dynamically linked tini', files: { 'goneat-deploy.yaml': BASE.replace(`build: {binary: ${STATIC_BIN}}`, `build: {binary: ${STATIC_BIN}, tini: /usr/bin/tini}`) }, args: (d) => ['build', '-C', d], code: 2, message: /tini \(build\.tini\) \/usr\/bin\/tini is dynamically linked .* use a static tini such as Debian's \/usr\/bin\/tini-static/ },
  { name: 'a tini for another architecture', files: { 'goneat-deploy.yaml': BASE.replace(`build: {binary: ${STATIC_BIN}}`, `build: {binary: ${STATIC_BIN}, tini: ./tini}`), tini: ARM64_ELF }, args: (d) => ['build', '-C', d], code: 2, message: /tini \(build\.tini\) .* is built for arm64, but the image is linux\/amd64/ },
  { name: 'a go build that fails', files: { 'goneat-deploy.yaml': BASE.replace(`build: {binary: ${STATIC_BIN}}`, 'build: {main: .}'), 'go.mod': 'module x\n\ngo 1.19\n', 'main.go': 'package main\n\nfunc main() { undefined() }\n' }, args: (d) => ['build', '-C', d], code: 1, message: /go build of \. in \. failed \(exit [12]\): \.\/main\.go:3:15: undefined: undefined$/ },
];

describe('bad input that reaches the engine', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s: one line, right code, nothing left behind', async (_n, c) => {
    const before = await engineState();
    await runBadCase(c);
    expect(await engineState()).toEqual(before);
  });

  it('records the figures', async () => {
    await record('bad-input-engine', { cases: CASES.length + 1 });
  });

  it('a build error inside the daemon\'s 200 stream fails the build with the daemon\'s message', async () => {
    const before = await engineState();
    const engine = await connectDocker();
    const pack = tar.pack();
    pack.entry({ name: 'Dockerfile' }, 'FROM scratch\nCOPY missing-file /missing-file\n');
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    const attempt = engine.images.build(Readable.from([Buffer.concat(chunks)]), { tag: 'goneat-test/broken:x' });
    await expect(attempt).rejects.toBeInstanceOf(RuntimeError);
    await expect(attempt).rejects.toThrow(/^image build failed in the Docker Engine: COPY failed: .*missing-file/);
    expect(await engineState()).toEqual(before);
  });
});
