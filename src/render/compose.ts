/**
 * Compose file for `docker compose up -d` / `docker-compose up -d`.
 * Valid Compose Specification (no `version:` key), so v1 (1.27+) and v2 both take it.
 * Why each setting: ../../docs/targets/compose.md. Pure.
 */
import { formatDuration } from '../model/duration.js';
import type { PortSpec, ServiceSpec } from '../model/service.js';
import { withHeader, type RenderedFile } from '../model/generated.js';
import { composeEscape, toYaml } from './yaml.js';

export interface ComposeOptions {
  /** Image reference to run; defaults to the spec's repository:tag (or its digest when known). */
  image?: string;
  /** Output path recorded in the RenderedFile. */
  path?: string;
}

export const LOG_MAX_SIZE = '10m';
export const LOG_MAX_FILE = '3';

export function composePort(p: PortSpec): string {
  const proto = p.protocol === 'udp' ? '/udp' : '';
  const pub = p.publish!;
  const hostPort = pub.hostPort === 0 ? '' : String(pub.hostPort);
  return `${pub.hostIp}:${hostPort}:${p.port}${proto}`;
}

/** The settings shared by the compose service and the swarm stack service. */
export function composeServiceBase(spec: ServiceSpec, image: string): Record<string, unknown> {
  const svc: Record<string, unknown> = {
    image: composeEscape(image),
    // tini is PID 1 inside the image; init: true would put docker-init (also tini) in front of it.
    init: false,
    user: `${spec.user.uid}:${spec.user.gid}`,
  };
  if (spec.env.length) svc.environment = Object.fromEntries(spec.env.map(([k, v]) => [k, composeEscape(v)]));
  svc.stop_signal = spec.shutdown.signal;
  svc.stop_grace_period = `${spec.shutdown.timeoutSeconds}s`;
  svc.tty = false;
  svc.stdin_open = false;
  svc.read_only = true;
  svc.tmpfs = ['/tmp'];
  svc.cap_drop = ['ALL'];
  svc.security_opt = ['no-new-privileges:true'];
  svc.logging = { driver: 'json-file', options: { 'max-size': LOG_MAX_SIZE, 'max-file': LOG_MAX_FILE } };
  if (spec.health?.command) {
    const h = spec.health;
    svc.healthcheck = {
      test: ['CMD', ...h.command!.map(composeEscape)],
      interval: formatDuration(h.intervalMs),
      timeout: formatDuration(h.timeoutMs),
      retries: h.failureThreshold,
      start_period: formatDuration(h.startPeriodMs),
    };
  }
  svc.labels = { 'io.goneat-deploy.service': spec.name, 'io.goneat-deploy.stop-timeout': `${spec.shutdown.timeoutSeconds}s` };
  return svc;
}

export function renderCompose(spec: ServiceSpec, opts: ComposeOptions = {}): RenderedFile {
  const svc = composeServiceBase(spec, opts.image ?? spec.image.ref);
  // Compose v2 only, and Engine 25+ (API 1.44): docker-compose 1.29's schema (compose/config/compose_spec.json)
  // has no healthcheck.start_interval and allows no other keys ("does not match any of the regexes: '^x-'");
  // Compose v2 refuses it below API 1.44 (docker/compose pkg/compose/convert.go, ToMobyHealthCheck:
  // "can't set healthcheck.start_interval as feature require Docker Engine v25 or later"). So it is
  // written only when asked for. Not in the swarm stack: `docker stack deploy` reads the file with the
  // docker CLI's own loader (cli/compose/schema), not with Compose. Why: docs/targets/compose.md.
  if (spec.health?.command && spec.health.startIntervalMs !== undefined) {
    (svc.healthcheck as Record<string, unknown>).start_interval = formatDuration(spec.health.startIntervalMs);
  }
  const published = spec.ports.filter((p) => p.publish);
  if (published.length) svc.ports = published.map(composePort);
  svc.restart = 'unless-stopped';
  if (spec.resources.cpuMillis) svc.cpus = spec.resources.cpuMillis / 1000;
  if (spec.resources.memoryBytes) svc.mem_limit = spec.resources.memoryBytes;
  const doc = { services: { [spec.name]: svc } };
  return { path: opts.path ?? 'compose.yaml', content: withHeader('hash', toYaml(doc)) };
}
