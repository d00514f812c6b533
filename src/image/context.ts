/**
 * Turns an image plan's entries into a tar stream for the engine (or a
 * directory for a plain `docker build`). Entries get fixed owners and
 * modification times so the same inputs give the same bytes.
 */
import { createReadStream } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { ContextEntry } from './plan.js';
import { UsageError } from '../errors.js';
import { generatedState } from '../model/generated.js';

/** SOURCE_DATE_EPOCH (seconds) when set and valid, else the Unix epoch. */
export function sourceDateEpoch(env: Record<string, string | undefined> = process.env): Date {
  const v = env.SOURCE_DATE_EPOCH;
  return v && /^\d+$/.test(v) ? new Date(Number(v) * 1000) : new Date(0);
}

export interface PackedContext {
  stream: Readable;
  /** Resolves with the number of bytes produced once the stream has been consumed. */
  bytes: Promise<number>;
}

export function packContext(entries: ContextEntry[], mtime: Date = sourceDateEpoch()): PackedContext {
  const pack = tar.pack();
  let count = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      count += chunk.length;
      cb(null, chunk);
    },
  });
  const out = new PassThrough();
  const bytes = pipeline(pack, counter, out).then(() => count);
  bytes.catch(() => undefined); // surfaced through the stream to its consumer

  (async () => {
    for (const e of entries) {
      const header = { name: e.name, mode: e.mode, mtime, uid: 0, gid: 0, uname: '', gname: '' };
      if (e.type === 'directory') {
        await new Promise<void>((res, rej) => pack.entry({ ...header, type: 'directory' }, (err) => (err ? rej(err) : res())));
      } else if (e.type === 'symlink') {
        await new Promise<void>((res, rej) => pack.entry({ ...header, type: 'symlink', linkname: e.linkname! }, (err) => (err ? rej(err) : res())));
      } else if (e.data) {
        await new Promise<void>((res, rej) => pack.entry({ ...header, type: 'file', size: e.data!.length }, e.data!, (err) => (err ? rej(err) : res())));
      } else {
        const size = e.size ?? (await stat(e.hostPath!)).size;
        await new Promise<void>((res, rej) => {
          const sink = pack.entry({ ...header, type: 'file', size }, (err) => (err ? rej(err) : res()));
          pipeline(createReadStream(e.hostPath!), sink).catch(rej);
        });
      }
    }
    pack.finalize();
  })().catch((err: unknown) => out.destroy(err as Error));

  return { stream: out, bytes };
}

/** Writes the context as a directory, for users who want to run `docker build DIR` themselves. */
export async function writeContextDir(entries: ContextEntry[], dir: string): Promise<void> {
  // The directory is goneat-deploy's: empty, new, or a context it wrote before (its Dockerfile carries the
  // generated header). Anything else is refused, not overwritten; an old rootfs/ is removed first, so that no
  // file of an earlier build (a renamed binary, a file put there by hand) ships with `COPY rootfs/ /`.
  const shown = dir;
  const dockerfile = await readFile(path.join(dir, 'Dockerfile'), 'utf8').catch(() => undefined);
  const ours = dockerfile !== undefined && generatedState(dockerfile) !== 'foreign';
  if (dockerfile !== undefined && !ours) {
    throw new UsageError(`--context-dir ${shown}: its Dockerfile was not written by goneat-deploy; the context's Dockerfile and rootfs/ would replace it: use a new or empty directory`);
  }
  const rootfs = path.join(dir, 'rootfs');
  const hasRootfs = await lstat(rootfs).then(() => true, () => false);
  if (hasRootfs && !ours) {
    throw new UsageError(`--context-dir ${shown}: it has a rootfs/ that goneat-deploy did not write (no Dockerfile of its own beside it); its files would go into the image: use a new or empty directory`);
  }
  if (hasRootfs) await rm(rootfs, { recursive: true, force: true });
  for (const e of entries) {
    const target = path.join(dir, e.name);
    if (e.type === 'directory') {
      await mkdir(target, { recursive: true });
    } else if (e.type === 'symlink') {
      await mkdir(path.dirname(target), { recursive: true });
      await symlink(e.linkname!, target);
      continue;
    } else {
      await mkdir(path.dirname(target), { recursive: true });
      if (e.data) await writeFile(target, e.data);
      else await copyFile(e.hostPath!, target);
    }
    await chmod(target, e.mode);
  }
}
