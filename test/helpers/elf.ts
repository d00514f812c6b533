/**
 * Synthetic ELF executables (headers only): enough for goneat-deploy's
 * static/dynamic and architecture checks, so tests need no real binaries.
 * 62 = EM_X86_64 (amd64), 183 = EM_AARCH64 (arm64).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const EM = { amd64: 62, arm64: 183 } as const;

/** A 64-bit little-endian ELF header with one program header: PT_INTERP (dynamic, naming `interpreter`) or PT_LOAD (static). */
export function syntheticElf(machine: number, interpreter?: string): Buffer {
  const b = Buffer.alloc(0x200);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2; // 64-bit
  b[5] = 1; // little endian
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(machine, 18);
  b.writeBigUInt64LE(64n, 32); // e_phoff
  b.writeUInt16LE(56, 54); // e_phentsize
  b.writeUInt16LE(1, 56); // e_phnum
  b.writeUInt32LE(interpreter ? 3 : 1, 64); // p_type
  if (interpreter) {
    b.writeBigUInt64LE(0x100n, 64 + 8); // p_offset
    b.writeBigUInt64LE(BigInt(interpreter.length + 1), 64 + 32); // p_filesz
    b.write(`${interpreter}\0`, 0x100, 'latin1');
  }
  return b;
}

const dir = path.join(os.tmpdir(), `gd-elf-${process.pid}`);
const made = new Map<string, string>();

/** Path of a synthetic executable in this process's temp dir (written once). */
export function elfFile(name: 'static-amd64' | 'static-arm64' | 'dynamic-amd64'): string {
  const known = made.get(name);
  if (known) return known;
  if (!made.size) process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(dir, { recursive: true });
  const p = path.join(dir, name);
  const bytes = name === 'static-amd64' ? syntheticElf(EM.amd64) : name === 'static-arm64' ? syntheticElf(EM.arm64) : syntheticElf(EM.amd64, '/lib64/ld-linux-x86-64.so.2');
  writeFileSync(p, bytes, { mode: 0o755 });
  made.set(name, p);
  return p;
}
