/**
 * Docker Swarm stack file for `docker stack deploy -c stack.yaml NAME`.
 * Same service settings as compose, plus `deploy:` with start-first rolling
 * updates that roll back on failure. `version: "3.8"` is kept because
 * `docker stack` of Docker 20.10 still requires it (the Compose
 * Specification allows it as informative). Pure.
 */
import type { ServiceSpec } from '../model/service.js';
import { composeServiceBase } from './compose.js';
import { withHeader, type RenderedFile } from '../model/generated.js';
import { toYaml } from './yaml.js';

export const STACK_VERSION = '3.8';

export function renderSwarm(spec: ServiceSpec, opts: { image?: string } = {}, path = 'swarm/stack.yaml'): RenderedFile {
  const svc = composeServiceBase(spec, opts.image ?? spec.image.ref);
  // Swarm ignores security_opt (it warns "Ignoring unsupported options"); the non-root user and cap_drop ALL still apply.
  delete svc.security_opt;
  // Service-level `tmpfs:` is parsed by the docker CLI's stack loader but never converted: cli/compose/convert/service.go
  // (v20.10.24 and v28.2.2) builds ContainerSpec.Mounts only from `volumes:` (convert/volume.go, `case "tmpfs"` →
  // handleTmpfsToMount), and `tmpfs` is not in types.UnsupportedProperties, so it is dropped without a warning and
  // /tmp would be read-only under read_only: true. The long volume syntax (schema config_schema_v3.8.json:
  // type, target; source must be empty) becomes a swarm tmpfs mount; without tmpfs options it gets the kernel's tmpfs default mode 1777.
  delete svc.tmpfs;
  svc.volumes = [{ type: 'tmpfs', target: '/tmp' }];
  // Swarm publishes on every interface (ingress: the routing mesh; host: each task on its node); host_ip does not apply.
  // So an admin port (/debug/pprof, /cmds/config: src/model/admin-port.ts) is never published here; the healthcheck runs inside the task.
  const published = spec.ports.filter((p) => p.publish && !p.admin);
  if (published.length) {
    svc.ports = published.map((p) => ({
      target: p.port,
      ...(p.publish!.hostPort ? { published: p.publish!.hostPort } : {}),
      protocol: p.protocol,
      mode: spec.swarm.publishMode,
    }));
  }
  const limits: Record<string, string> = {};
  if (spec.resources.cpuMillis) limits.cpus = String(spec.resources.cpuMillis / 1000);
  if (spec.resources.memoryBytes) limits.memory = String(spec.resources.memoryBytes);
  svc.deploy = {
    replicas: spec.replicas,
    // Start the new task, wait until it is healthy, then stop an old one (rolling updates replace hot restart).
    update_config: { parallelism: 1, order: 'start-first', failure_action: 'rollback', monitor: '10s', delay: '0s' },
    rollback_config: { parallelism: 1, order: 'start-first' },
    restart_policy: { condition: 'any', delay: '1s', window: '30s' },
    ...(Object.keys(limits).length ? { resources: { limits } } : {}),
  };
  return { path, content: withHeader('hash', toYaml({ version: STACK_VERSION, services: { [spec.name]: svc } })) };
}
