/**
 * ELF validation (src/image/elf.ts) on synthetic files: every way a file can
 * fail to be a complete executable is refused with a message naming it.
 * Debian's real binaries: test/integration/elf.test.ts; the adversarial
 * fixtures (a 55-byte tini, a relocatable object): test/cli/build-input.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseElf, NotElfError } from '../../src/image/elf.js';
import { EM, syntheticElf } from '../helpers/elf.js';

describe('parseElf', () => {
  it('reads the architecture and the interpreter from the headers', () => {
    expect(parseElf(syntheticElf(EM.arm64))).toMatchObject({ arch: 'arm64', static: true, kind: 'exec' });
    expect(parseElf(syntheticElf(EM.amd64, '/lib/ld.so'))).toMatchObject({ arch: 'amd64', static: false, interpreter: '/lib/ld.so' });
    expect(parseElf(syntheticElf(9999)).arch).toBe('unknown');
  });

  it('refuses scripts and other files', () => {
    expect(() => parseElf(Buffer.from('#!/bin/sh\necho hi\n'.padEnd(100)))).toThrow(/is a script/);
    expect(() => parseElf(Buffer.alloc(100))).toThrow(NotElfError);
    expect(() => parseElf(Buffer.from('x'))).toThrow(/not an ELF/);
  });

  it('refuses a file cut anywhere: in the identification, the header, the program headers, a segment', () => {
    const whole = syntheticElf(EM.amd64, '/lib64/ld-linux-x86-64.so.2');
    for (const n of [5, 16, 55, 63]) expect(() => parseElf(whole.subarray(0, n)), `${n} bytes`).toThrow(/truncated/);
    expect(() => parseElf(whole.subarray(0, 100))).toThrow(/program headers end at byte 176, past the end/);
    expect(() => parseElf(whole.subarray(0, 0x1ff))).toThrow(/segment 0 \(PT_LOAD\) ends at byte 512/);
  });

  it('refuses relocatable objects, core dumps, shared libraries and unknown types', () => {
    expect(() => parseElf(syntheticElf(EM.amd64, undefined, { type: 1 }))).toThrow(/relocatable object file/);
    expect(() => parseElf(syntheticElf(EM.amd64, undefined, { type: 4 }))).toThrow(/core dump/);
    expect(() => parseElf(syntheticElf(EM.amd64, undefined, { type: 3 }))).toThrow(/shared library/);
    expect(parseElf(syntheticElf(EM.amd64, undefined, { type: 3 }), 'library').kind).toBe('shared');
    expect(parseElf(syntheticElf(EM.amd64, '/lib/ld.so', { type: 3 })).kind).toBe('exec'); // a PIE
    expect(() => parseElf(syntheticElf(EM.amd64, undefined, { type: 9 }))).toThrow(/ELF type 9/);
  });

  it('refuses inconsistent headers: class for the machine, entry point, header sizes, segment sizes', () => {
    const b32 = syntheticElf(EM.amd64);
    b32[4] = 1;
    expect(() => parseElf(b32)).toThrow(/32-bit ELF for amd64/);
    const entry = syntheticElf(EM.amd64);
    entry.writeBigUInt64LE(0x10n, 24);
    expect(() => parseElf(entry)).toThrow(/entry point 0x10 outside every loadable segment/);
    const ph = syntheticElf(EM.amd64);
    ph.writeUInt16LE(40, 54);
    expect(() => parseElf(ph)).toThrow(/40-byte program headers/);
    const none = syntheticElf(EM.amd64);
    none.writeUInt16LE(0, 56);
    expect(() => parseElf(none)).toThrow(/no program headers/);
    const mem = syntheticElf(EM.amd64);
    mem.writeBigUInt64LE(0x10n, 64 + 40);
    expect(() => parseElf(mem)).toThrow(/file size 512 > memory size 16/);
    const sh = syntheticElf(EM.amd64);
    sh.writeBigUInt64LE(0x180n, 40);
    sh.writeUInt16LE(64, 58);
    sh.writeUInt16LE(10, 60);
    expect(() => parseElf(sh)).toThrow(/section headers end at byte 1024/);
    const cls = syntheticElf(EM.amd64);
    cls[4] = 7;
    expect(() => parseElf(cls)).toThrow(/invalid ELF class/);
  });
});
