/**
 * ELF reading for the build: complete validation of executables (the service
 * binary, tini) and shared libraries, and the dynamic section that
 * `image.libraries: host` resolves (PT_INTERP, DT_NEEDED, DT_RUNPATH,
 * DT_RPATH). Pure over the whole file's bytes.
 *
 * Written here rather than taken from npm: the packages there (elfy,
 * elf-tools, elfinfo) parse what they are given leniently — the point of this
 * module is to *refuse* what the kernel or ld.so would refuse or crash on
 * (truncated files, headers or segments past the end, relocatable objects,
 * shared objects, core dumps, a class that does not fit the machine), with a
 * message that says which. The rules are the System V gABI ("ELF Header",
 * "Program Header", "Dynamic Section") and the kernel's loader
 * (fs/binfmt_elf.c: e_type ET_EXEC or ET_DYN, e_phentsize == sizeof(phdr),
 * program headers read from the file; a PT_INTERP names the loader).
 */

export type Arch = 'amd64' | 'arm64' | '386' | 'arm' | 'riscv64' | 'ppc64le' | 's390x' | 'unknown';

export interface ElfInfo {
  bits: 32 | 64;
  littleEndian: boolean;
  arch: Arch;
  /** e_machine number, for messages about unknown machines. */
  machine: number;
  /** 'exec' (ET_EXEC, or a PIE: ET_DYN with an interpreter or DF_1_PIE), 'shared' (a shared object). */
  kind: 'exec' | 'shared';
  /** PT_INTERP: the dynamic loader it needs at run time. */
  interpreter?: string;
  /** No interpreter: runs in an empty (scratch) image. */
  static: boolean;
  /** DT_NEEDED, in order. */
  needed: string[];
  /** DT_RUNPATH entries (colon-separated in the file), unexpanded ($ORIGIN stays). */
  runpath?: string[];
  /** DT_RPATH entries, unexpanded. */
  rpath?: string[];
  soname?: string;
}

const MACHINES: Record<number, Arch> = { 62: 'amd64', 183: 'arm64', 3: '386', 40: 'arm', 243: 'riscv64', 21: 'ppc64le', 22: 's390x' };
/** Machines that exist only as 64-bit ELF (x86-64 psABI, AArch64 ELF ABI). */
const ONLY_64 = new Set([62, 183, 243, 21, 22]);
const ET = { REL: 1, EXEC: 2, DYN: 3, CORE: 4 } as const;
const PT = { LOAD: 1, DYNAMIC: 2, INTERP: 3 } as const;
const DT = { NULL: 0, NEEDED: 1, STRTAB: 5, STRSZ: 10, SONAME: 14, RPATH: 15, RUNPATH: 29, FLAGS_1: 0x6ffffffb } as const;
const DF_1_PIE = 0x08000000;

/** The file is not something the image can use; the message completes "<role> <path> …". */
export class NotElfError extends Error {}

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
}

const hex = (n: number) => `0x${n.toString(16)}`;

/**
 * Parses and validates a whole ELF file. `want` says what the caller needs:
 * an executable (ET_EXEC, or ET_DYN that is a PIE) or a shared library.
 * Throws NotElfError naming the first problem; returns the facts the build
 * uses. Sizes are bytes.
 */
export function parseElf(buf: Buffer, want: 'executable' | 'library' = 'executable'): ElfInfo {
  const size = buf.length;
  if (size < 4 || buf.readUInt32BE(0) !== 0x7f454c46) {
    const head = buf.subarray(0, 2).toString('latin1');
    throw new NotElfError(head === '#!' ? 'is a script, not an ELF executable' : 'is not an ELF executable');
  }
  if (size < 16) throw new NotElfError(`is truncated (${size} bytes: shorter than an ELF identification)`);
  const cls = buf[4];
  if (cls !== 1 && cls !== 2) throw new NotElfError(`has an invalid ELF class (${cls})`);
  const bits = cls === 2 ? 64 : 32;
  const data = buf[5];
  if (data !== 1 && data !== 2) throw new NotElfError(`has an invalid ELF byte order (${data})`);
  if (buf[6] !== 1) throw new NotElfError(`has an unknown ELF version (${buf[6]})`);
  const ehsize = bits === 64 ? 64 : 52;
  if (size < ehsize) throw new NotElfError(`is truncated (${size} bytes: shorter than its ${ehsize}-byte ELF header)`);
  const le = data === 1;
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const u64 = (o: number) => {
    const v = le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  };
  const word = (o: number) => (bits === 64 ? u64(o) : u32(o));

  const type = u16(16);
  const machine = u16(18);
  const arch = MACHINES[machine] ?? 'unknown';
  if (u32(20) !== 1) throw new NotElfError(`has an unknown ELF version (e_version ${u32(20)})`);
  if (type === ET.REL) throw new NotElfError('is a relocatable object file (.o), not an executable: link it first');
  if (type === ET.CORE) throw new NotElfError('is a core dump, not an executable');
  if (type !== ET.EXEC && type !== ET.DYN) throw new NotElfError(`has ELF type ${type}, not an executable`);
  if (ONLY_64.has(machine) && bits !== 64) throw new NotElfError(`is a 32-bit ELF for ${arch}, which is 64-bit only (inconsistent header)`);

  const entry = word(24);
  const phoff = word(bits === 64 ? 32 : 28);
  const shoff = word(bits === 64 ? 40 : 32);
  const phentsize = u16(bits === 64 ? 54 : 42);
  const phnum = u16(bits === 64 ? 56 : 44);
  const shentsize = u16(bits === 64 ? 58 : 46);
  const shnum = u16(bits === 64 ? 60 : 48);
  const wantPh = bits === 64 ? 56 : 32;
  if (phnum === 0) throw new NotElfError('has no program headers: nothing to load');
  if (phentsize !== wantPh) throw new NotElfError(`has ${phentsize}-byte program headers (expected ${wantPh})`);
  const phEnd = phoff + phnum * phentsize;
  if (phEnd > size) throw new NotElfError(`is truncated: its program headers end at byte ${phEnd}, past the end of the file (${size} bytes)`);
  if (shoff !== 0 && shnum !== 0) {
    const wantSh = bits === 64 ? 64 : 40;
    if (shentsize !== wantSh) throw new NotElfError(`has ${shentsize}-byte section headers (expected ${wantSh})`);
    const shEnd = shoff + shnum * shentsize;
    if (shEnd > size) throw new NotElfError(`is truncated: its section headers end at byte ${shEnd}, past the end of the file (${size} bytes)`);
  }

  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    const s: Segment =
      bits === 64
        ? { type: u32(o), offset: u64(o + 8), vaddr: u64(o + 16), filesz: u64(o + 32), memsz: u64(o + 40) }
        : { type: u32(o), offset: u32(o + 4), vaddr: u32(o + 8), filesz: u32(o + 16), memsz: u32(o + 20) };
    if (s.type === PT.LOAD || s.type === PT.INTERP || s.type === PT.DYNAMIC) {
      const name = s.type === PT.LOAD ? 'PT_LOAD' : s.type === PT.INTERP ? 'PT_INTERP' : 'PT_DYNAMIC';
      if (s.offset + s.filesz > size) {
        throw new NotElfError(`is truncated: segment ${i} (${name}) ends at byte ${s.offset + s.filesz}, past the end of the file (${size} bytes)`);
      }
      if (s.type === PT.LOAD && s.filesz > s.memsz) throw new NotElfError(`has an inconsistent segment ${i} (PT_LOAD: file size ${s.filesz} > memory size ${s.memsz})`);
    }
    segments.push(s);
  }
  const loads = segments.filter((s) => s.type === PT.LOAD);
  if (!loads.length) throw new NotElfError('has no PT_LOAD segment: nothing to load');

  let interpreter: string | undefined;
  const interp = segments.filter((s) => s.type === PT.INTERP);
  if (interp.length > 1) throw new NotElfError('has more than one PT_INTERP');
  if (interp[0]) {
    const bytes = buf.subarray(interp[0].offset, interp[0].offset + interp[0].filesz);
    const nul = bytes.indexOf(0);
    if (nul <= 0) throw new NotElfError('has an interpreter path (PT_INTERP) that is empty or not NUL-terminated');
    interpreter = bytes.subarray(0, nul).toString('latin1');
  }

  // The dynamic section: strings are found through DT_STRTAB, a virtual address.
  const toOffset = (addr: number): number | undefined => {
    const l = loads.find((s) => addr >= s.vaddr && addr < s.vaddr + s.filesz);
    return l ? addr - l.vaddr + l.offset : undefined;
  };
  const needed: string[] = [];
  let runpath: string[] | undefined;
  let rpath: string[] | undefined;
  let soname: string | undefined;
  let pie = false;
  const dyn = segments.find((s) => s.type === PT.DYNAMIC);
  if (dyn) {
    const esz = bits === 64 ? 16 : 8;
    const entries: Array<[number, number]> = [];
    for (let o = dyn.offset; o + esz <= dyn.offset + dyn.filesz; o += esz) {
      const tag = bits === 64 ? u64(o) : u32(o);
      if (tag === DT.NULL) break;
      entries.push([tag, word(o + esz / 2)]);
    }
    const strtab = entries.find(([t]) => t === DT.STRTAB)?.[1];
    const strsz = entries.find(([t]) => t === DT.STRSZ)?.[1] ?? 0;
    const strOff = strtab === undefined ? undefined : toOffset(strtab);
    const str = (i: number): string => {
      if (strOff === undefined) throw new NotElfError('has a dynamic section whose string table (DT_STRTAB) is outside the file');
      if (i >= strsz || strOff + i >= size) throw new NotElfError(`has a dynamic string at ${i}, outside its string table (${strsz} bytes)`);
      const end = buf.indexOf(0, strOff + i);
      if (end < 0 || end > strOff + strsz) throw new NotElfError('has an unterminated dynamic string');
      return buf.subarray(strOff + i, end).toString('latin1');
    };
    for (const [tag, val] of entries) {
      if (tag === DT.NEEDED) needed.push(str(val));
      else if (tag === DT.RUNPATH) runpath = str(val).split(':').filter(Boolean);
      else if (tag === DT.RPATH) rpath = str(val).split(':').filter(Boolean);
      else if (tag === DT.SONAME) soname = str(val);
      else if (tag === DT.FLAGS_1) pie = (val & DF_1_PIE) !== 0;
    }
  }

  // ET_DYN is a PIE when it has a loader or says so (DF_1_PIE); else a shared object.
  const kind: ElfInfo['kind'] = type === ET.EXEC || interpreter !== undefined || pie ? 'exec' : 'shared';
  if (want === 'executable') {
    if (kind === 'shared') throw new NotElfError(`is a shared library${soname ? ` (${soname})` : ''}, not an executable`);
    if (!loads.some((s) => entry >= s.vaddr && entry < s.vaddr + s.memsz)) {
      throw new NotElfError(`has its entry point ${hex(entry)} outside every loadable segment (inconsistent header)`);
    }
  }
  return {
    bits,
    littleEndian: le,
    arch,
    machine,
    kind,
    ...(interpreter !== undefined ? { interpreter } : {}),
    static: interpreter === undefined,
    needed,
    ...(runpath ? { runpath } : {}),
    ...(rpath ? { rpath } : {}),
    ...(soname ? { soname } : {}),
  };
}

/** The largest file the build reads whole to check it (bytes): far above any Go binary. */
export const ELF_MAX_BYTES = 1024 ** 3;
