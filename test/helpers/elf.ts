/**
 * Synthetic ELF executables (headers only): enough for goneat-deploy's
 * static/dynamic and architecture checks, so tests need no real binaries.
 * 62 = EM_X86_64 (amd64), 183 = EM_AARCH64 (arm64).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const EM = { amd64: 62, arm64: 183 } as const;

/**
 * A complete 64-bit little-endian ELF executable (headers only, 0x200 bytes):
 * a PT_LOAD covering the file with the entry point inside it, and a PT_INTERP
 * naming `interpreter` when given (dynamic) — what the build's checks accept.
 */
export function syntheticElf(machine: number, interpreter?: string, opts: { type?: number } = {}): Buffer {
  const b = Buffer.alloc(0x200);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2; // 64-bit
  b[5] = 1; // little endian
  b[6] = 1; // EI_VERSION
  b.writeUInt16LE(opts.type ?? 2, 16); // ET_EXEC
  b.writeUInt16LE(machine, 18);
  b.writeUInt32LE(1, 20); // e_version
  b.writeBigUInt64LE(0x400180n, 24); // e_entry
  b.writeBigUInt64LE(64n, 32); // e_phoff
  b.writeUInt16LE(64, 52); // e_ehsize
  b.writeUInt16LE(56, 54); // e_phentsize
  b.writeUInt16LE(interpreter ? 2 : 1, 56); // e_phnum
  // PT_LOAD: the whole file at 0x400000
  b.writeUInt32LE(1, 64);
  b.writeBigUInt64LE(0n, 64 + 8);
  b.writeBigUInt64LE(0x400000n, 64 + 16);
  b.writeBigUInt64LE(0x200n, 64 + 32);
  b.writeBigUInt64LE(0x200n, 64 + 40);
  if (interpreter) {
    const o = 64 + 56;
    b.writeUInt32LE(3, o); // PT_INTERP
    b.writeBigUInt64LE(0x100n, o + 8); // p_offset
    b.writeBigUInt64LE(BigInt(interpreter.length + 1), o + 32); // p_filesz
    b.write(`${interpreter}\0`, 0x100, 'latin1');
  }
  return b;
}

// In the run's temp dir (test/helpers/tmp-setup.ts), removed when the run ends; the 'exit' handler below
// covers runs without it.
const dir = path.join(process.env.GONEAT_TEST_TMP ?? os.tmpdir(), `gd-elf-${process.pid}`);
const made = new Map<string, string>();

/** Path of a synthetic executable in this process's temp dir (written once). */
export function elfFile(name: 'static-amd64' | 'static-arm64' | 'dynamic-amd64'): string {
  const known = made.get(name);
  if (known) return known;
  if (!made.size) process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(dir, { recursive: true });
  const p = path.join(dir, name);
  const bytes = name === 'static-amd64' ? syntheticElf(EM.amd64) : name === 'static-arm64' ? syntheticElf(EM.arm64) : syntheticElf(EM.amd64, '/lib64/ld-linux-x86-64.so.2');
  // Each ends with tini's version banner (src/tini.c TINI_VERSION_STRING) so that it can stand for tini too:
  // build refuses a "tini" without it (src/image/artifacts.ts). Trailing bytes are outside every segment.
  writeFileSync(p, Buffer.concat([bytes, Buffer.from('\0tini version 0.19.0 (synthetic)\0')]), { mode: 0o755 });
  made.set(name, p);
  return p;
}

/**
 * A dynamic amd64 executable (headers only): PT_INTERP
 * /lib64/ld-linux-x86-64.so.2 and a PT_DYNAMIC whose DT_NEEDED are `needed`
 * (and DT_RUNPATH `runpath` when given), for library resolution tests.
 */
export function syntheticElfWithNeeded(needed: string[], runpath?: string): Buffer {
  const interp = '/lib64/ld-linux-x86-64.so.2';
  const b = Buffer.alloc(0x600);
  syntheticElf(EM.amd64, interp).copy(b);
  b.writeUInt16LE(3, 56); // e_phnum: PT_LOAD, PT_INTERP, PT_DYNAMIC
  // PT_LOAD covers the whole (larger) file.
  b.writeBigUInt64LE(0x600n, 64 + 32);
  b.writeBigUInt64LE(0x600n, 64 + 40);
  // Strings at 0x400.
  const strings = ['', ...needed, ...(runpath ? [runpath] : [])];
  const offsets: number[] = [];
  let at = 0;
  for (const s of strings) {
    offsets.push(at);
    b.write(`${s}\0`, 0x400 + at, 'latin1');
    at += s.length + 1;
  }
  const entries: Array<[number, number]> = [
    ...needed.map((_, i): [number, number] => [1, offsets[i + 1]!]),
    ...(runpath ? [[29, offsets.at(-1)!] as [number, number]] : []),
    [5, 0x400400],
    [10, at],
    [0, 0],
  ];
  entries.forEach(([tag, val], i) => {
    b.writeBigUInt64LE(BigInt(tag), 0x200 + i * 16);
    b.writeBigUInt64LE(BigInt(val), 0x200 + i * 16 + 8);
  });
  const o = 64 + 2 * 56;
  b.writeUInt32LE(2, o); // PT_DYNAMIC
  b.writeBigUInt64LE(0x200n, o + 8);
  b.writeBigUInt64LE(0x400200n, o + 16);
  b.writeBigUInt64LE(BigInt(entries.length * 16), o + 32);
  b.writeBigUInt64LE(BigInt(entries.length * 16), o + 40);
  return b;
}
