/**
 * A real systemd (Debian 12's, v252) as PID 1 in a container on the real
 * Docker Engine, for end-to-end tests of the generated units. The image is
 * built from Debian's packages by scripts/systemd-image.sh (cached by the
 * script's hash). Containers are named gdt-… and labelled, so the e2e sweep
 * finds them; each test removes its own.
 */
import path from 'node:path';
import { exec, run } from './exec.js';
import { ROOT } from './cli.js';
import { TEST_LABEL, TEST_PREFIX, uid, waitFor } from './docker.js';

/** The image reference, and how long the build took when it was not cached (cold: ~80-100 s here). */
export async function systemdImage(): Promise<{ ref: string; builtSeconds?: number }> {
  const r = await exec('bash', [path.join(ROOT, 'scripts/systemd-image.sh')], { timeoutMs: 900_000 });
  if (r.code !== 0) throw new Error(`scripts/systemd-image.sh exited ${r.code}: ${r.stderr.trim()}`);
  const built = /built \S+ in (\d+) s/.exec(r.stderr);
  return { ref: r.stdout.trim(), ...(built ? { builtSeconds: Number(built[1]) } : {}) };
}

/** The engine's Unix socket on this machine ($DOCKER_HOST unix://…, else the default). */
export function dockerSocket(): string {
  const host = process.env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
}

export interface SystemdOptions {
  /** CAP_SYS_ADMIN: lets systemd create mount namespaces for the sandbox. Without it, a host that refuses them. */
  sysAdmin: boolean;
  /** Container ports to publish on 127.0.0.1 (a free host port each). */
  publish?: number[];
  /** Mount the host engine's socket and docker CLI (the container unit runs `docker run` under this systemd). */
  docker?: boolean;
}

export interface SystemdHost {
  name: string;
  /** Runs a command inside (as root); never throws. */
  exec(args: string[], timeoutMs?: number): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Like exec, but throws with stderr on a non-zero exit. */
  run(args: string[], timeoutMs?: number): Promise<string>;
  /** Copies a host file to a path inside. */
  copy(from: string, to: string): Promise<void>;
  /** The 127.0.0.1 port a published container port is on. */
  port(containerPort: number): Promise<number>;
  /** `systemctl show -p …` as a record. */
  show(unit: string, props: string[]): Promise<Record<string, string>>;
  /** The unit's journal, message text only. */
  journal(unit: string): Promise<string>;
  remove(): Promise<void>;
}

/**
 * Boots systemd in a fresh container, as issue 14 measured it works:
 * seccomp and AppArmor unconfined (systemd needs its own syscalls), cgroups
 * from the host (read-only on cgroup v1), tmpfs on /run, /run/lock and /tmp.
 */
export async function bootSystemd(image: string, opts: SystemdOptions): Promise<SystemdHost> {
  const name = `${TEST_PREFIX}systemd-${uid()}`;
  // cgroup v1 (this machine): the host's hierarchy read-only, as measured. cgroup v2: systemd must write
  // its own subtree, so the host's cgroup namespace and a writable mount — the recipe systemd-in-docker
  // images document for v2; not exercised on this machine.
  const v2 = (await exec('stat', ['-fc', '%T', '/sys/fs/cgroup'])).stdout.trim() === 'cgroup2fs';
  const cgroup = v2 ? ['--cgroupns=host', '-v', '/sys/fs/cgroup:/sys/fs/cgroup:rw'] : ['-v', '/sys/fs/cgroup:/sys/fs/cgroup:ro'];
  const args = [
    'run', '-d', '--name', name, '--label', `${TEST_LABEL}=1`, '--hostname', name,
    ...(opts.sysAdmin ? ['--cap-add', 'SYS_ADMIN'] : []),
    '--security-opt', 'seccomp=unconfined', '--security-opt', 'apparmor=unconfined',
    ...cgroup, '--tmpfs', '/run', '--tmpfs', '/run/lock', '--tmpfs', '/tmp',
    ...(opts.publish ?? []).flatMap((p) => ['-p', `127.0.0.1::${p}`]),
    ...(opts.docker ? ['-v', `${dockerSocket()}:/var/run/docker.sock`, '-v', `${(await run('sh', ['-c', 'command -v docker'])).trim()}:/usr/bin/docker:ro`] : []),
    image,
  ];
  await run('docker', args);
  const host: SystemdHost = {
    name,
    exec: (a, timeoutMs = 120_000) => exec('docker', ['exec', name, ...a], { timeoutMs }),
    run: (a, timeoutMs = 120_000) => run('docker', ['exec', name, ...a], { timeoutMs }),
    copy: async (from, to) => void (await run('docker', ['cp', from, `${name}:${to}`])),
    port: async (p) => {
      const out = await run('docker', ['port', name, `${p}/tcp`]);
      const line = out.split('\n').find((l) => l.startsWith('127.0.0.1:'));
      if (!line) throw new Error(`port ${p} of ${name} is not published on 127.0.0.1: ${out}`);
      return Number(line.split(':')[1]);
    },
    show: async (unit, props) => {
      const out = await run('docker', ['exec', name, 'systemctl', 'show', unit, ...props.map((p) => `--property=${p}`)]);
      return Object.fromEntries(out.trim().split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    },
    journal: async (unit) => (await exec('docker', ['exec', name, 'journalctl', '--no-pager', '-o', 'cat', '-u', unit])).stdout,
    remove: async () => void (await exec('docker', ['rm', '-f', '-v', name])),
  };
  try {
    // "degraded" is fine: some stock units cannot start in a container.
    await waitFor('systemd to finish booting', async () => {
      const r = await host.exec(['systemctl', 'is-system-running', '--wait'], 60_000);
      return ['running', 'degraded'].includes(r.stdout.trim()) ? true : undefined;
    }, 90_000, 500);
  } catch (err) {
    const logs = await exec('docker', ['logs', '--tail', '30', name]);
    await host.remove();
    throw new Error(`${String(err)}\n${logs.stdout}${logs.stderr}`);
  }
  return host;
}
