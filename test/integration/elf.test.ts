/** parseElf on Debian's real tini binaries (package tini); test/unit/elf.test.ts covers synthetic headers. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../src/image/elf.js';

const head = (p: string) => readFileSync(p).subarray(0, 64 * 1024);

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
