/**
 * The SBOM (src/image/sbom.ts) is a valid SPDX 2.3 document — checked against
 * the official SPDX 2.3 JSON Schema (test/vendor/spdx-schema-2.3.json) — with
 * the Go modules of `go version -m`, and the Debian packages with their
 * versions as pkg:deb purls; the same input gives the same bytes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseGoVersionM } from '../../src/image/provenance.js';
import { spdxDocument, type SbomInput } from '../../src/image/sbom.js';
import { ROOT } from '../helpers/cli.js';

const schema = JSON.parse(readFileSync(path.join(ROOT, 'test/vendor/spdx-schema-2.3.json'), 'utf8')) as Record<string, unknown>;
delete schema.$schema;
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

// `go version -m` of a module-mode build (the format of cmd/go's version -m: tab-separated).
const GO_VERSION_M = [
  '/tmp/echo: go1.22.1',
  '\tpath\texample.com/echo',
  '\tmod\texample.com/echo\tv1.4.0\th1:abc=',
  '\tdep\tgithub.com/google/uuid\tv1.6.0\th1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=',
  '\tdep\tgolang.org/x/sys\tv0.20.0\th1:x=',
  '\t=>\tgolang.org/x/sys\tv0.21.0\th1:y=',
  '\tbuild\t-trimpath=true',
  '\tbuild\tCGO_ENABLED=0',
  '',
].join('\n');

const input = (): SbomInput => ({
  image: 'registry.example.com/team/echo:1.4.0',
  arch: 'amd64',
  created: new Date(0),
  binary: { name: 'echo', sha256: 'a'.repeat(64), go: parseGoVersionM(GO_VERSION_M)! },
  debian: [
    { pkg: { name: 'tini', version: '0.19.0-1+b3', arch: 'amd64' }, files: [{ target: '/sbin/tini', sha256: 'b'.repeat(64) }] },
    { pkg: { name: 'libc6', version: '2.36-9+deb12u14', arch: 'amd64' }, files: [{ target: '/lib/x86_64-linux-gnu/libc.so.6', sha256: 'c'.repeat(64) }] },
  ],
  unowned: [{ name: 'CA bundle', target: '/etc/ssl/certs/ca-certificates.crt', sha256: 'd'.repeat(64) }],
});

describe('the SPDX SBOM', () => {
  it('parses go version -m: main module, dependencies with replacements, build settings', () => {
    const info = parseGoVersionM(GO_VERSION_M)!;
    expect(info.goVersion).toBe('go1.22.1');
    expect(info.main).toEqual({ path: 'example.com/echo', version: 'v1.4.0', sum: 'h1:abc=' });
    expect(info.deps.map((d) => `${d.path}@${d.version}`)).toEqual(['github.com/google/uuid@v1.6.0', 'golang.org/x/sys@v0.21.0']);
    expect(info.settings).toEqual({ '-trimpath': 'true', CGO_ENABLED: '0' });
    expect(parseGoVersionM('not go')).toBeUndefined();
  });

  it('validates against the SPDX 2.3 JSON Schema', () => {
    const doc = JSON.parse(spdxDocument(input())) as Record<string, unknown>;
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.spdxVersion).toBe('SPDX-2.3');
    // A document the schema refuses is refused: the check is real.
    expect(validate({ ...doc, packages: [{ name: 'x' }] })).toBe(false);
  });

  it('lists the Go modules and the Debian packages with versions and purls', () => {
    const doc = JSON.parse(spdxDocument(input())) as { packages: Array<{ name: string; versionInfo?: string; externalRefs?: Array<{ referenceLocator: string }> }>; relationships: Array<{ relationshipType: string }> };
    const purls = doc.packages.flatMap((p) => p.externalRefs?.map((r) => r.referenceLocator) ?? []);
    expect(purls).toContain('pkg:golang/example.com/echo@v1.4.0');
    expect(purls).toContain('pkg:golang/github.com/google/uuid@v1.6.0');
    expect(purls).toContain('pkg:deb/debian/tini@0.19.0-1%2Bb3?arch=amd64');
    expect(purls).toContain('pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64');
    expect(doc.packages.find((p) => p.name === 'libc6')!.versionInfo).toBe('2.36-9+deb12u14');
    expect(doc.relationships.filter((r) => r.relationshipType === 'DEPENDS_ON')).toHaveLength(2);
  });

  it('is the same bytes for the same input, and differs when a package does', () => {
    expect(spdxDocument(input())).toBe(spdxDocument(input()));
    const other = input();
    other.debian[0]!.pkg.version = '0.19.0-2';
    expect(spdxDocument(other)).not.toBe(spdxDocument(input()));
  });
});
