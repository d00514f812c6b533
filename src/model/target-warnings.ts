/**
 * Settings that generate accepts but that a target carries out differently from what
 * goneat-deploy.yaml says: warnings (stderr, exit 0), each for the targets it concerns, located
 * at the field to change. Errors belong in service.ts; these are legal configs where one
 * runtime cannot honour one value. Pure.
 */
import type { FieldPath } from './issues.js';
import type { ServiceSpec } from './service.js';

export interface TargetWarning {
  path: FieldPath;
  message: string;
  /** The `generate` targets it concerns (`generate all` concerns every target). */
  targets: readonly string[];
}

const EVERY_ADDRESS = new Set(['0.0.0.0', '::', '']);

/**
 * The warnings for `spec`:
 *  - swarm: a port published on one host address (127.0.0.1, also what a bare port means, or any
 *    other specific address) is published on every interface of every node by the stack file.
 *    The docker CLI's stack converter (docker/cli cli/compose/convert/service.go
 *    convertEndpointSpec) copies only protocol, target, published and mode into the Engine API's
 *    swarm PortConfig, which has no host address; ingress then listens on every node, host mode on
 *    every interface of the node running the task. Admin ports are left out of the stack file
 *    (render/swarm.ts), so they are not widened.
 *  - k8s, compose, swarm: no health section (and no tRPC-Go preset, which warns itself).
 *  - launchd: launchd stops a job with SIGTERM and, after ExitTimeOut, SIGKILL (launchd.plist(5),
 *    ExitTimeOut; the page asks jobs to "catch the SIGTERM signal"); it has no key for another stop
 *    signal, so shutdown.signal other than SIGTERM is not what the service receives there.
 * Ports are located at `ports[i]`: spec.ports keeps the order of the config's `ports` (the trpc-go
 * preset only appends, and never with a publish).
 */
export function targetWarnings(spec: ServiceSpec): TargetWarning[] {
  const out: TargetWarning[] = [];
  spec.ports.forEach((p, i) => {
    if (!p.publish || p.admin || EVERY_ADDRESS.has(p.publish.hostIp)) return;
    const { hostIp, hostPort } = p.publish;
    out.push({
      path: ['ports', i, 'publish'],
      targets: ['swarm'],
      message:
        `swarm has no host address (docker stack's PortConfig): the stack file publishes ${hostPort || 'a port swarm picks'} on every interface ` +
        `${spec.swarm.publishMode === 'ingress' ? 'of every node (routing mesh)' : 'of the node running the task'}, not on ${hostIp} only; ` +
        `remove publish to keep it off the network, or write "0.0.0.0:${hostPort}" if that is meant`,
    });
  });
  // No health: nothing tells a runtime that the service is ready. The tRPC-Go preset already warns about
  // the admin server it lacks (model/trpc.ts), so that case is left to that warning.
  if (!spec.health && spec.framework !== 'trpc-go') {
    out.push({
      path: ['health'],
      targets: ['k8s', 'compose', 'swarm'],
      message:
        'no health check: Kubernetes gets no readiness probe (a pod is Ready, and gets Service traffic, as soon as it starts) and compose/swarm no healthcheck; ' +
        'add health: {port, path} for an endpoint that answers 200 when the service can serve',
    });
  }
  if (spec.shutdown.signal !== 'SIGTERM') {
    out.push({
      path: ['shutdown', 'signal'],
      targets: ['launchd'],
      message: `launchd stops a job with SIGTERM, then SIGKILL after ExitTimeOut (launchd.plist(5)); it has no setting for ${spec.shutdown.signal}, so under launchd the service gets SIGTERM: make it drain on SIGTERM too, or keep shutdown.signal at SIGTERM`,
    });
  }
  return out;
}
