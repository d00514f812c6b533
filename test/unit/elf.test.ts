import { describe, expect, it } from 'vitest';
import { parseElf, NotElfError } from '../../src/image/elf.js';

// Debian's real tini and tini-static: test/integration/elf.test.ts.

/** A minimal 64-bit little-endian ELF header with one PT_INTERP (or PT_LOAD) program header. */
function synthetic(machine: number, interp: boolean): Buffer {
  const b = Buffer.alloc(0x200);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2; // 64-bit
  b[5] = 1; // little endian
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(machine, 18);
  b.writeBigUInt64LE(64n, 32); // e_phoff
  b.writeUInt16LE(56, 54); // e_phentsize
  b.writeUInt16LE(1, 56); // e_phnum
  b.writeUInt32LE(interp ? 3 : 1, 64); // p_type
  b.writeBigUInt64LE(0x100n, 64 + 8); // p_offset
  b.writeBigUInt64LE(11n, 64 + 32); // p_filesz
  b.write('/lib/ld.so\0', 0x100, 'latin1');
  return b;
}

describe('parseElf', () => {
  it('reads the architecture and the interpreter from the headers', () => {
    expect(parseElf(synthetic(183, false))).toMatchObject({ arch: 'arm64', static: true });
    expect(parseElf(synthetic(62, true))).toMatchObject({ arch: 'amd64', static: false, interpreter: '/lib/ld.so' });
    expect(parseElf(synthetic(9999, false)).arch).toBe('unknown');
  });

  it('refuses scripts and other files', () => {
    expect(() => parseElf(Buffer.from('#!/bin/sh\necho hi\n'.padEnd(100)))).toThrow(/is a script/);
    expect(() => parseElf(Buffer.alloc(100))).toThrow(NotElfError);
    expect(() => parseElf(Buffer.from('x'))).toThrow(/not an ELF/);
  });

  it('refuses a truncated header', () => {
    const b = synthetic(62, false);
    b.writeUInt16LE(50, 56); // 50 program headers, beyond the buffer
    expect(() => parseElf(b)).toThrow(/truncated/);
  });
});
