/** parseElf on Debian's real tini binaries (package tini); test/unit/elf.test.ts covers synthetic headers. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../src/image/elf.js';

const head = (p: string) => readFileSync(p); // the whole file: the checks need the section headers at its end

describe('parseElf on real binaries', () => {
  it('sees Debian tini-static as a static amd64 executable', () => {
    expect(parseElf(head('/usr/bin/tini-static'))).toMatchObject({ bits: 64, arch: 'amd64', static: true });
  });

  it('sees Debian tini (not -static) as dynamically linked, naming its loader', () => {
    const info = parseElf(head('/usr/bin/tini'));
    expect(info.static).toBe(false);
    expect(info.interpreter).toMatch(/ld-linux/);
  });
});

describe('complete ELF validation on real binaries', () => {
  it('accepts Debian\'s docker-registry and etcd (dynamic Go executables) and refuses them cut short', () => {
    for (const p of ['/usr/bin/docker-registry', '/usr/bin/etcd']) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(p);
      } catch {
        continue; // GONEAT_ENV_MINIMAL machines lack them
      }
      expect(parseElf(bytes)).toMatchObject({ arch: 'amd64', static: false, needed: ['libc.so.6'] });
      expect(() => parseElf(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated/);
      expect(() => parseElf(bytes.subarray(0, 1 << 20))).toThrow(/truncated/);
    }
  });

  it('reads libc.so.6 as a shared library with its SONAME', () => {
    const libc = readFileSync('/lib/x86_64-linux-gnu/libc.so.6');
    expect(parseElf(libc, 'library')).toMatchObject({ soname: 'libc.so.6' });
  });
});
