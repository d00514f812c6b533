/** A real one-node Docker Swarm on 127.0.0.1 for tests; left again in teardown if the test started it. */
import Docker from 'dockerode';
import { exec, run } from './exec.js';
import { waitFor } from './docker.js';

export async function ensureSwarm(): Promise<{ leave: () => Promise<void> }> {
  const state = (await run('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}'])).trim();
  if (state === 'active') return { leave: async () => undefined };
  const hadGwBridge = (await exec('docker', ['network', 'inspect', 'docker_gwbridge'])).code === 0;
  await run('docker', ['swarm', 'init', '--advertise-addr', '127.0.0.1']);
  return {
    leave: async () => {
      await exec('docker', ['swarm', 'leave', '--force']);
      // swarm init creates docker_gwbridge and leaving does not remove it.
      if (!hadGwBridge) await exec('docker', ['network', 'rm', 'docker_gwbridge']);
    },
  };
}

export async function stackRemove(stack: string): Promise<void> {
  await exec('docker', ['stack', 'rm', stack]);
  // stack rm returns before tasks and networks are gone.
  await waitFor(
    `stack ${stack} to be removed`,
    async () => {
      const c = (await exec('docker', ['ps', '-aq', '--filter', `label=com.docker.stack.namespace=${stack}`])).stdout.trim();
      const n = (await exec('docker', ['network', 'ls', '-q', '--filter', `label=com.docker.stack.namespace=${stack}`])).stdout.trim();
      return c === '' && n === '' ? true : undefined;
    },
    90_000,
    500,
  );
}

export interface TaskState {
  image: string;
  state: string;
  health?: string;
}

/** Running tasks of a service with their image and container health. */
export async function runningTasks(service: string): Promise<TaskState[]> {
  const ids = (await run('docker', ['service', 'ps', service, '--filter', 'desired-state=running', '-q'])).trim().split('\n').filter(Boolean);
  const out: TaskState[] = [];
  for (const id of ids) {
    const t = JSON.parse(await run('docker', ['inspect', id]))[0] as {
      Spec: { ContainerSpec: { Image: string } };
      Status: { State: string; ContainerStatus?: { ContainerID?: string } };
    };
    let health: string | undefined;
    const cid = t.Status.ContainerStatus?.ContainerID;
    if (cid) {
      const h = await exec('docker', ['inspect', '--format', '{{if .State.Health}}{{.State.Health.Status}}{{end}}', cid]);
      health = h.stdout.trim() || undefined;
    }
    out.push({ image: t.Spec.ContainerSpec.Image, state: t.Status.State, ...(health ? { health } : {}) });
  }
  return out;
}

export async function updateState(service: string): Promise<string | undefined> {
  const r = await run('docker', ['service', 'inspect', '--format', '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}', service]);
  return r.trim() || undefined;
}

/**
 * A stand-in for the load balancer in front of swarm tasks. This machine's
 * kernel has no IPVS, so swarm's routing mesh (ingress and VIPs) cannot
 * carry traffic here; with host-mode publishing, each task gets its own
 * 127.0.0.1 port and this router sends each request to a task that swarm
 * wants running, that is running, and whose container is healthy — the
 * states the routing mesh follows too. It polls the Engine API.
 */

export class TaskRouter {
  private readonly docker = new Docker();
  private backends: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  readonly seen = new Set<number>();

  constructor(
    private readonly service: string,
    private readonly targetPort: number,
  ) {}

  async refresh(): Promise<void> {
    const tasks = (await this.docker.listTasks({ filters: { service: [this.service], 'desired-state': ['running'] } })) as Array<{
      Status: { State: string; ContainerStatus?: { ContainerID?: string }; PortStatus?: { Ports?: Array<{ TargetPort: number; PublishedPort: number }> } };
    }>;
    const healthy = new Set(
      (await this.docker.listContainers({ filters: { health: ['healthy'], label: [`com.docker.swarm.service.name=${this.service}`] } })).map((c) => c.Id),
    );
    this.backends = tasks
      .filter((t) => t.Status.State === 'running' && healthy.has(t.Status.ContainerStatus?.ContainerID ?? ''))
      .map((t) => t.Status.PortStatus?.Ports?.find((p) => p.TargetPort === this.targetPort)?.PublishedPort ?? 0)
      .filter((p) => p > 0);
    for (const b of this.backends) this.seen.add(b);
  }

  start(intervalMs = 200): void {
    const tick = async () => {
      await this.refresh().catch(() => undefined);
      this.timer = setTimeout(tick, intervalMs);
    };
    void tick();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  /** The next backend port, round robin; 0 when none is ready. */
  pick(): number {
    if (this.backends.length === 0) return 0;
    this.next = (this.next + 1) % this.backends.length;
    return this.backends[this.next]!;
  }

  get size(): number {
    return this.backends.length;
  }
}
