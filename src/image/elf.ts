/**
 * Just enough ELF reading to refuse binaries that cannot run in a scratch
 * image: not ELF, wrong architecture, or dynamically linked (has an
 * interpreter, i.e. needs ld.so and libc that scratch does not have). Pure
 * over a buffer holding the start of the file.
 */

export type Arch = 'amd64' | 'arm64' | '386' | 'arm' | 'riscv64' | 'ppc64le' | 's390x' | 'unknown';

export interface ElfInfo {
  bits: 32 | 64;
  littleEndian: boolean;
  arch: Arch;
  /** e_machine number, for messages about unknown machines. */
  machine: number;
  /** Has a PT_INTERP segment: needs a dynamic loader at run time. */
  interpreter?: string;
  static: boolean;
}

const MACHINES: Record<number, Arch> = { 62: 'amd64', 183: 'arm64', 3: '386', 40: 'arm', 243: 'riscv64', 21: 'ppc64le', 22: 's390x' };
const PT_INTERP = 3;

export class NotElfError extends Error {}

/** Parses the ELF header and program headers from the first bytes of a file. */
export function parseElf(buf: Buffer): ElfInfo {
  if (buf.length < 52 || buf.readUInt32BE(0) !== 0x7f454c46) {
    const head = buf.subarray(0, 2).toString('latin1');
    throw new NotElfError(head === '#!' ? 'is a script, not an ELF executable' : 'is not an ELF executable');
  }
  const bits = buf[4] === 2 ? 64 : 32;
  const le = buf[5] === 1;
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const u64 = (o: number) => Number(le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o));
  const machine = u16(18);
  const phoff = bits === 64 ? u64(32) : u32(28);
  const phentsize = u16(bits === 64 ? 54 : 42);
  const phnum = u16(bits === 64 ? 56 : 44);
  let interpreter: string | undefined;
  for (let i = 0; i < phnum; i++) {
    const off = phoff + i * phentsize;
    if (off + phentsize > buf.length) throw new NotElfError('has program headers beyond the bytes read (truncated file?)');
    if (u32(off) === PT_INTERP) {
      const pOffset = bits === 64 ? u64(off + 8) : u32(off + 4);
      const pSize = bits === 64 ? u64(off + 32) : u32(off + 16);
      interpreter =
        pOffset + pSize <= buf.length ? buf.subarray(pOffset, pOffset + pSize).toString('latin1').replace(/\0+$/, '') : '(unknown)';
    }
  }
  return {
    bits,
    littleEndian: le,
    arch: MACHINES[machine] ?? 'unknown',
    machine,
    ...(interpreter !== undefined ? { interpreter } : {}),
    static: interpreter === undefined,
  };
}

/** Bytes to read from the start of a file to parse it: generous for program headers and PT_INTERP. */
export const ELF_PROBE_BYTES = 64 * 1024;
