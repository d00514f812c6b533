/**
 * Every generate target in one table: its files (paths relative to the
 * output directory of `generate all`) rendered from the spec. Pure.
 */
import type { ServiceSpec } from '../model/service.js';
import { renderCompose } from '../render/compose.js';
import { renderDaemonize } from '../render/daemonize.js';
import { imageLabels, renderDockerfile } from '../image/dockerfile.js';
import type { RenderedFile } from '../model/generated.js';
import { renderK8s, renderK8sStream } from '../render/k8s.js';
import { renderLaunchd } from '../render/launchd.js';
import { renderSwarm } from '../render/swarm.js';
import { renderSysusers, renderSystemdContainerUnit, renderSystemdUnit } from '../render/systemd.js';
import { renderUpstart } from '../render/upstart.js';

export interface RenderOptions {
  /** Image reference the runtime targets run. */
  image?: string;
}

export interface Target {
  name: string;
  description: string;
  /** Single-file targets take `-o FILE`; multi-file ones `-o DIR`. */
  single: boolean;
  /** Where `generate <target>` writes without -o, for --help: the path `generate all` uses under deploy/. */
  defaultOutput?: string;
  render(spec: ServiceSpec, opts: RenderOptions): RenderedFile[];
  /** What `-o -` prints, when it is not just the files one after another. */
  stdout?(spec: ServiceSpec, opts: RenderOptions): string;
}

export const TARGETS: Target[] = [
  {
    name: 'dockerfile',
    description: 'the Dockerfile goneat-deploy builds with (FROM scratch, tini, exec-form ENTRYPOINT)',
    single: true,
    render: (spec) => [renderDockerfile(spec, imageLabels(spec))],
  },
  {
    name: 'compose',
    description: 'compose.yaml for `docker compose up -d` / `docker-compose up -d`',
    single: true,
    render: (spec, opts) => [renderCompose(spec, opts)],
  },
  {
    name: 'swarm',
    description: 'a stack file for `docker stack deploy` (replicas, start-first rolling updates with rollback)',
    single: true,
    render: (spec, opts) => [renderSwarm(spec, opts)],
  },
  {
    name: 'k8s',
    description: 'Kubernetes Deployment, Service, PodDisruptionBudget and kustomization.yaml (-o - : one stream for kubectl apply -f -)',
    single: false,
    render: (spec, opts) => renderK8s(spec, opts),
    stdout: (spec, opts) => renderK8sStream(spec, opts),
  },
  {
    name: 'systemd',
    description:
      'systemd units: the binary on the host (Type=exec, sandbox per host.hardening) with a sysusers.d file for its account, and the container image under the docker CLI',
    single: false,
    render: (spec, opts) => [renderSystemdUnit(spec), renderSystemdContainerUnit(spec, opts), ...[renderSysusers(spec)].filter((f): f is RenderedFile => f !== undefined)],
  },
  {
    name: 'daemonize',
    description: 'a start|stop|restart|status script for daemonize(1), for hosts without systemd: pid and lock files, logs, stop within the budget then SIGKILL',
    single: true,
    defaultOutput: 'deploy/daemonize/<name>.sh',
    render: (spec) => [renderDaemonize(spec)],
  },
  {
    name: 'launchd',
    description: 'a launchd property list (macOS): RunAtLoad, KeepAlive, ExitTimeOut from the budget',
    single: true,
    defaultOutput: 'deploy/launchd/<label>.plist',
    render: (spec) => [renderLaunchd(spec)],
  },
  {
    name: 'upstart',
    description: 'an upstart job: respawn, kill signal and kill timeout from the budget, reload made harmless, no expect stanza',
    single: true,
    defaultOutput: 'deploy/upstart/<name>.conf',
    render: (spec) => [renderUpstart(spec)],
  },
];

export function target(name: string): Target | undefined {
  return TARGETS.find((t) => t.name === name);
}

export function renderAll(spec: ServiceSpec, opts: RenderOptions): RenderedFile[] {
  return TARGETS.flatMap((t) => t.render(spec, opts));
}
