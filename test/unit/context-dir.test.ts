/**
 * build --context-dir: the directory is goneat-deploy's — new, empty, or a context it wrote before. A
 * hand-written Dockerfile is refused, not overwritten; an earlier rootfs/ is replaced, never merged, so no
 * stale file ships with COPY rootfs/ /.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeContextDir } from '../../src/image/context.js';
import type { ContextEntry } from '../../src/image/plan.js';
import { withHeader } from '../../src/model/generated.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'gd-ctxdir-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const entries = (binary: string): ContextEntry[] => [
  { name: 'Dockerfile', type: 'file', mode: 0o644, data: Buffer.from(withHeader('hash', 'FROM scratch\nCOPY rootfs/ /\n')) },
  { name: 'rootfs/app', type: 'directory', mode: 0o755 },
  { name: `rootfs/app/${binary}`, type: 'file', mode: 0o755, data: Buffer.from('bin') },
];

describe('build --context-dir', () => {
  it('writes a new directory, and on a second build replaces its rootfs/ (a renamed binary does not linger)', async () => {
    const dir = path.join(tmp, 'ctx');
    await writeContextDir(entries('old'), dir);
    await writeContextDir(entries('new'), dir);
    expect(existsSync(path.join(dir, 'rootfs/app/new'))).toBe(true);
    expect(existsSync(path.join(dir, 'rootfs/app/old'))).toBe(false);
  });

  it('refuses a hand-written Dockerfile, and a rootfs/ it did not write, leaving both as they were', async () => {
    const own = path.join(tmp, 'own');
    mkdirSync(own);
    writeFileSync(path.join(own, 'Dockerfile'), 'FROM scratch # my own\n');
    await expect(writeContextDir(entries('svc'), own)).rejects.toThrow(/its Dockerfile was not written by goneat-deploy/);
    expect(readFileSync(path.join(own, 'Dockerfile'), 'utf8')).toBe('FROM scratch # my own\n');
    const stray = path.join(tmp, 'stray');
    mkdirSync(path.join(stray, 'rootfs/app'), { recursive: true });
    writeFileSync(path.join(stray, 'rootfs/app/data.txt'), 'precious');
    await expect(writeContextDir(entries('svc'), stray)).rejects.toThrow(/a rootfs\/ that goneat-deploy did not write/);
    expect(readFileSync(path.join(stray, 'rootfs/app/data.txt'), 'utf8')).toBe('precious');
  });
});
