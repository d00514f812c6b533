/**
 * The Dockerfile for a service image: FROM scratch, one layer holding tini,
 * the static binary and passwd/group for the numeric user; exec-form
 * ENTRYPOINT with tini as PID 1; STOPSIGNAL; numeric non-root USER. Pure.
 */
import type { ServiceSpec } from '../model/service.js';
import { withHeader, type RenderedFile } from '../model/generated.js';
import { CA_BUNDLE_PATH, SBOM_LABEL, SBOM_PATH, ZONEINFO_DIR } from '../model/contents.js';
import { execForm, quoteExpanding } from '../model/syntax.js';

export const ROOTFS_DIR = 'rootfs';

// How values are quoted in a Dockerfile: model/syntax.ts (shared with the line-length checks of model/values.ts).
export { execForm, quoteExpanding } from '../model/syntax.js';

export function imageLabels(spec: ServiceSpec, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'org.opencontainers.image.title': spec.name,
    ...(spec.description ? { 'org.opencontainers.image.description': spec.description } : {}),
    'org.opencontainers.image.version': spec.image.tag,
    'io.goneat-deploy.service': spec.name,
    'io.goneat-deploy.stop-signal': spec.shutdown.signal,
    'io.goneat-deploy.stop-timeout': `${spec.shutdown.timeoutSeconds}s`,
    'io.goneat-deploy.drain': `${spec.shutdown.drainMs}ms`,
    'io.goneat-deploy.success-exit-codes': spec.shutdown.successExitCodes.join(','),
    [SBOM_LABEL]: SBOM_PATH,
    ...(spec.health ? { 'io.goneat-deploy.health': `${spec.health.port}${spec.health.path}` } : {}),
    ...(spec.verify ? { 'io.goneat-deploy.verify.inflight': `${spec.verify.port}${spec.verify.path}` } : {}),
    ...(spec.kubernetes.preStop?.kind === 'sleep' ? { 'io.goneat-deploy.prestop': `${spec.kubernetes.preStop.seconds}s` } : {}),
    ...extra,
  };
}

export function renderDockerfileBody(spec: ServiceSpec, labels: Record<string, string>): string {
  const extras = [
    ...spec.files.map((f) => `${ROOTFS_DIR}${f.target}`),
    ...(spec.image.certificates ? [`${ROOTFS_DIR}${CA_BUNDLE_PATH} (CA bundle)`] : []),
    ...(spec.image.timezones ? [`${ROOTFS_DIR}${ZONEINFO_DIR}/ (zoneinfo)`] : []),
    ...(spec.image.libraries === 'host' ? ['the ELF interpreter and libraries of the binary, /etc/nsswitch.conf'] : []),
    `${ROOTFS_DIR}${SBOM_PATH} (SPDX SBOM)`,
  ];
  const lines = [
    `# Context (assembled by \`goneat-deploy build\`, or written out with --context-dir):`,
    `#   ${ROOTFS_DIR}/sbin/tini (static), ${ROOTFS_DIR}${spec.binaryPath} (${spec.image.libraries === 'host' ? 'Go binary' : 'static Go binary'}), ${ROOTFS_DIR}/etc/passwd, ${ROOTFS_DIR}/etc/group, ${ROOTFS_DIR}/tmp/${extras.map((f) => `, ${f}`).join('')}`,
    `FROM ${spec.image.base ?? 'scratch'}`,
    `COPY ${ROOTFS_DIR}/ /`,
    `USER ${spec.user.uid}:${spec.user.gid}`,
    'WORKDIR /app',
  ];
  if (spec.env.length) {
    lines.push(`ENV ${spec.env.map(([k, v]) => `${k}=${quoteExpanding(v)}`).join(' \\\n    ')}`);
  }
  if (spec.ports.length) lines.push(`EXPOSE ${spec.ports.map((p) => `${p.port}/${p.protocol}`).join(' ')}`);
  lines.push(`STOPSIGNAL ${spec.shutdown.signal}`);
  const entries = Object.entries(labels);
  lines.push(`LABEL ${entries.map(([k, v]) => `${k}=${quoteExpanding(v)}`).join(' \\\n      ')}`);
  lines.push(`ENTRYPOINT ${execForm(spec.entrypoint)}`);
  return `${lines.join('\n')}\n`;
}

export function renderDockerfile(spec: ServiceSpec, labels: Record<string, string>, path = 'Dockerfile'): RenderedFile {
  return { path, content: withHeader('hash', renderDockerfileBody(spec, labels)) };
}
