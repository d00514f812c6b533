/**
 * The image's SBOM: an SPDX 2.3 JSON document (SPDX 2.3 spec, clauses 6–11;
 * validated against the SPDX JSON Schema in test/unit/sbom.test.ts), shaped
 * the way ko emits one for a Go image: a package per Go module from the
 * binary's build info (`go version -m`) with a pkg:golang purl, plus the
 * Debian packages whose files were copied in (tini, the libraries of
 * `image.libraries: host`, ca-certificates, tzdata) with pkg:deb purls and
 * their versions. Pure and deterministic: `created` is the build's fixed time
 * and the namespace is derived from the contents, so the same inputs give the
 * same bytes (reproducible image IDs).
 *
 * Written here: npm has no maintained SPDX document model (the `spdx*`
 * packages there are license-expression tools); the document is a few plain
 * objects and the test holds it against the official schema.
 */
import { createHash } from 'node:crypto';
import type { DebianPackage, GoBuildInfo } from './provenance.js';

export interface SbomInput {
  /** repository:tag */
  image: string;
  arch: string;
  created: Date;
  binary: { name: string; sha256: string; go?: GoBuildInfo };
  /** Debian packages with the files of theirs that are in the image (path in the image, sha256 hex). */
  debian: Array<{ pkg: DebianPackage; files: Array<{ target: string; sha256: string }> }>;
  /** Files in the image that no package owns (the tini of build.tini, a CA bundle of $GONEAT_CA_BUNDLE). */
  unowned: Array<{ name: string; target: string; sha256: string }>;
}

const id = (s: string) => `SPDXRef-${s.replace(/[^A-Za-z0-9.-]/g, '-')}`;
const purlVersion = (v: string) => encodeURIComponent(v);

/** The SPDX 2.3 JSON document, pretty-printed with a final newline. */
export function spdxDocument(input: SbomInput): string {
  const created = input.created.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const packages: Array<Record<string, unknown>> = [];
  const relationships: Array<Record<string, string>> = [];
  const rel = (a: string, type: string, b: string) => relationships.push({ spdxElementId: a, relationshipType: type, relatedSpdxElement: b });
  const image = id('Image');
  packages.push({
    name: input.image,
    SPDXID: image,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    primaryPackagePurpose: 'CONTAINER',
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: `pkg:oci/${encodeURIComponent(input.image.split('/').pop()!.split(':')[0]!)}?arch=${input.arch}&repository_url=${encodeURIComponent(input.image.split(':')[0]!)}` }],
  });
  rel('SPDXRef-DOCUMENT', 'DESCRIBES', image);

  const go = input.binary.go;
  const binary = id('Binary');
  const mainPath = go?.main?.path ?? go?.path;
  packages.push({
    name: mainPath ?? input.binary.name,
    SPDXID: binary,
    ...(go?.main?.version ? { versionInfo: go.main.version } : {}),
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    primaryPackagePurpose: 'APPLICATION',
    checksums: [{ algorithm: 'SHA256', checksumValue: input.binary.sha256 }],
    ...(mainPath ? { externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: `pkg:golang/${mainPath}${go?.main?.version && go.main.version !== '(devel)' ? `@${purlVersion(go.main.version)}` : ''}` }] } : {}),
    ...(go ? { comment: `built with ${go.goVersion}${Object.keys(go.settings).length ? ` (${Object.entries(go.settings).map(([k, v]) => `${k}=${v}`).join(' ')})` : ''}` } : { comment: 'no Go build info (go version -m found none)' }),
  });
  rel(image, 'CONTAINS', binary);
  for (const d of go?.deps ?? []) {
    const did = id(`Go-${d.path}-${d.version}`);
    packages.push({
      name: d.path,
      SPDXID: did,
      versionInfo: d.version,
      downloadLocation: `https://proxy.golang.org/${d.path.toLowerCase()}/@v/${d.version}.zip`,
      filesAnalyzed: false,
      primaryPackagePurpose: 'LIBRARY',
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: `pkg:golang/${d.path}@${purlVersion(d.version)}` }],
    });
    rel(binary, 'DEPENDS_ON', did);
  }
  for (const { pkg, files } of [...input.debian].sort((a, b) => a.pkg.name.localeCompare(b.pkg.name))) {
    const pid = id(`Deb-${pkg.name}-${pkg.arch}`);
    packages.push({
      name: pkg.name,
      SPDXID: pid,
      versionInfo: pkg.version,
      supplier: 'Organization: Debian',
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      primaryPackagePurpose: 'LIBRARY',
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: `pkg:deb/debian/${pkg.name}@${purlVersion(pkg.version)}?arch=${pkg.arch}` }],
      comment: `in the image: ${files.map((f) => `${f.target} (sha256 ${f.sha256})`).join(', ')}`,
    });
    rel(image, 'CONTAINS', pid);
  }
  for (const u of input.unowned) {
    const uid = id(`File-${u.target}`);
    packages.push({ name: u.name, SPDXID: uid, downloadLocation: 'NOASSERTION', filesAnalyzed: false, checksums: [{ algorithm: 'SHA256', checksumValue: u.sha256 }], comment: `in the image: ${u.target}; no Debian package owns it` });
    rel(image, 'CONTAINS', uid);
  }
  const hash = createHash('sha256').update(JSON.stringify({ image: input.image, arch: input.arch, packages })).digest('hex');
  const doc = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: input.image,
    documentNamespace: `https://spdx.org/spdxdocs/goneat-deploy/${encodeURIComponent(input.image)}-${hash}`,
    creationInfo: { created, creators: ['Tool: goneat-deploy'] },
    documentDescribes: [image],
    packages,
    relationships,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
