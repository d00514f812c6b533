/**
 * image.libraries: host on this machine's real binaries and libraries
 * (src/image/libraries.ts): the closure ld.so would load, compared with what
 * ld.so itself says (`ld.so --list`, glibc's own resolver), plus the NSS
 * modules; $ORIGIN run paths; and the Debian packages dpkg reports for them.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseElf } from '../../src/image/elf.js';
import { resolveLibraries, systemDirs } from '../../src/image/libraries.js';
import { debianPackages } from '../../src/image/provenance.js';
import { syntheticElfWithNeeded } from '../helpers/elf.js';

const LDSO = '/lib64/ld-linux-x86-64.so.2';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'gd-libs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** What glibc's loader resolves for a binary: soname → path (ld.so --list, as ldd does). */
function ldsoList(binary: string): Map<string, string> {
  const out = execFileSync(LDSO, ['--list', binary], { encoding: 'utf8' });
  const m = new Map<string, string>();
  for (const line of out.split('\n')) {
    const r = /^\s*(\S+) => (\S+) \(/.exec(line);
    if (r) m.set(r[1]!, r[2]!);
  }
  return m;
}

describe.runIf(process.arch === 'x64')('libraries resolved like ld.so', () => {
  it('Debian\'s dynamic tini: the interpreter, libc, and the NSS modules glibc loads', async () => {
    const elf = parseElf(readFileSync('/usr/bin/tini'));
    const libs = await resolveLibraries({ hostPath: '/usr/bin/tini', elf, shown: '/usr/bin/tini' }, 'amd64', '/app/tini');
    const targets = libs.map((l) => l.target);
    expect(targets).toContain(LDSO);
    for (const [soname, p] of ldsoList('/usr/bin/tini')) {
      const ours = libs.find((l) => path.basename(l.target) === soname)!;
      expect(ours, soname).toBeDefined();
      expect(ours.lookedUp, soname).toBe(p); // found where ld.so finds it
    }
    expect(targets).toContain('/lib/x86_64-linux-gnu/libnss_files.so.2');
    expect(targets).toContain('/lib/x86_64-linux-gnu/libnss_dns.so.2');
    // dpkg knows every one of them: libc6 with its version.
    const pkgs = await debianPackages(libs.map((l) => l.lookedUp));
    expect(pkgs.get('/lib/x86_64-linux-gnu/libc.so.6')).toMatchObject({ name: 'libc6', arch: 'amd64' });
    expect(pkgs.get('/lib/x86_64-linux-gnu/libc.so.6')!.version).toMatch(/^2\.\d+/);
  });

  it('$ORIGIN in DT_RUNPATH: found beside the binary on the host, placed beside it in the image', async () => {
    const dir = path.join(tmp, 'origin');
    mkdirSync(path.join(dir, 'lib'), { recursive: true });
    // A real shared library under another name, found only through the run path.
    copyFileSync('/lib/x86_64-linux-gnu/libnss_files.so.2', path.join(dir, 'lib', 'libgoneat-origin.so.1'));
    const bin = path.join(dir, 'svc');
    writeFileSync(bin, syntheticElfWithNeeded(['libgoneat-origin.so.1', 'libc.so.6'], '$ORIGIN/lib'), { mode: 0o755 });
    const libs = await resolveLibraries({ hostPath: bin, elf: parseElf(readFileSync(bin)), shown: bin }, 'amd64', '/app/svc');
    const lib = libs.find((l) => l.target.endsWith('libgoneat-origin.so.1'))!;
    expect(lib.target).toBe('/app/lib/libgoneat-origin.so.1');
    expect(lib.hostPath).toBe(path.join(dir, 'lib', 'libgoneat-origin.so.1'));
  });

  it('another architecture without multiarch libraries is a clear refusal naming the option', async () => {
    const bin = path.join(tmp, 'arm');
    const b = syntheticElfWithNeeded(['libc.so.6']);
    b.writeUInt16LE(183, 18); // EM_AARCH64
    b.write('/lib/ld-linux-aarch64.so.1\0', 0x100, 'latin1');
    writeFileSync(bin, b);
    const elf = parseElf(b);
    const has = systemDirs('arm64').some((d) => { try { return execFileSync('ls', [`${d}/libc.so.6`]).length > 0; } catch { return false; } });
    if (has) return; // this machine has arm64 libraries: resolution would succeed
    await expect(resolveLibraries({ hostPath: bin, elf, shown: 'arm' }, 'arm64', '/app/arm')).rejects.toThrow(
      /image\.libraries: host: binary arm needs the loader \/lib\/ld-linux-aarch64\.so\.1, which this machine does not have for arm64 \(install arm64 libraries with Debian multiarch/,
    );
  });
});
