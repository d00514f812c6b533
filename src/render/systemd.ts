/**
 * systemd units (systemd 252 semantics; systemd.service(5), systemd.kill(5),
 * systemd.exec(5)). The binary unit runs the service in the foreground as a
 * Type=exec service; the container unit runs the image with the docker CLI.
 * Pure.
 */
import type { ServiceSpec } from '../model/service.js';
import { composePort } from './compose.js';
import { withHeader, type RenderedFile } from '../model/generated.js';

/**
 * One word of a command line (ExecStart=, ExecStop=): "%" is a specifier and
 * "$" a variable reference, so both are doubled; backslash and double quote
 * are C-escaped inside double quotes, which also keep spaces and ";" literal.
 */
export function systemdWord(word: string): string {
  const escaped = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_./:=,@+-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function systemdCommand(argv: string[]): string {
  return argv.map(systemdWord).join(' ');
}

/** An Environment= assignment: quoted, C-escaped, "%" doubled ("$" is literal there). */
export function systemdEnv(name: string, value: string): string {
  return `"${`${name}=${value}`.replace(/%/g, '%%').replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Free text after a key (Description=): specifiers doubled. The spec refuses newlines and a trailing backslash. */
function text(s: string): string {
  return s.replace(/%/g, '%%');
}

function section(name: string, entries: Array<[string, string | number] | null>): string {
  return `[${name}]\n${entries
    .filter((e): e is [string, string | number] => e !== null)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

function unitSection(spec: ServiceSpec, what: string, extra: Array<[string, string]> = []): string {
  return section('Unit', [
    ['Description', text(`${spec.name}${spec.description ? `: ${spec.description}` : ''} (${what})`)],
    ['Documentation', 'https://github.com/krallin/tini man:systemd.service(5)'],
    ['After', 'network-online.target'],
    ['Wants', 'network-online.target'],
    ...extra,
    // Restart=always, but not in a tight loop: at most 10 starts in 60s.
    ['StartLimitIntervalSec', '60'],
    ['StartLimitBurst', '10'],
  ]);
}

const INSTALL = section('Install', [['WantedBy', 'multi-user.target']]);

/** The service binary on the host, in the foreground, supervised by systemd. */
export function renderSystemdUnit(spec: ServiceSpec, dir = 'systemd'): RenderedFile {
  const h = spec.host;
  const T = spec.shutdown.timeoutSeconds;
  const needsBind = spec.ports.some((p) => p.port < 1024);
  const dataDir = h.workingDirectory.startsWith('/var/lib/') ? h.workingDirectory.slice('/var/lib/'.length) : undefined;
  const service = section('Service', [
    // Start fails if execve fails (systemd 240+). Never Type=forking: the service does not fork.
    ['Type', 'exec'],
    ['ExecStart', systemdCommand([h.binaryPath, ...spec.args])],
    // tRPC-Go reads ./trpc_go.yaml relative to the working directory.
    ['WorkingDirectory', h.workingDirectory],
    ...spec.env.map(([k, v]): [string, string] => ['Environment', systemdEnv(k, v)]),
    ...(h.user ? [['User', h.user] as [string, string], ['Group', h.user] as [string, string]] : [['DynamicUser', 'yes'] as [string, string]]),
    ...(dataDir ? [['StateDirectory', dataDir] as [string, string]] : []),
    // Stop: the signal to the main process, then SIGKILL to the whole group after TimeoutStopSec.
    ['KillSignal', spec.shutdown.signal],
    ['KillMode', 'mixed'],
    ['SendSIGHUP', 'no'],
    ['TimeoutStopSec', `${T}s`],
    ...(spec.shutdown.successExitCodes.filter((c) => c !== 0).length
      ? [['SuccessExitStatus', spec.shutdown.successExitCodes.filter((c) => c !== 0).join(' ')] as [string, string]]
      : []),
    // tRPC-Go can exit 0 after a failure: restart on any exit.
    ['Restart', 'always'],
    ['RestartSec', '1s'],
    ['StandardOutput', 'journal'],
    ['StandardError', 'journal'],
    // Hardening (systemd.exec(5)).
    ['NoNewPrivileges', 'yes'],
    ['ProtectSystem', 'strict'],
    ...(dataDir ? [] : [['ReadWritePaths', h.workingDirectory] as [string, string]]),
    ['ProtectHome', 'yes'],
    ['PrivateTmp', 'yes'],
    ['PrivateDevices', 'yes'],
    ['ProtectKernelTunables', 'yes'],
    ['ProtectKernelModules', 'yes'],
    ['ProtectControlGroups', 'yes'],
    ['RestrictNamespaces', 'yes'],
    ['RestrictSUIDSGID', 'yes'],
    ['LockPersonality', 'yes'],
    ['RestrictRealtime', 'yes'],
    ['SystemCallArchitectures', 'native'],
    ['RestrictAddressFamilies', 'AF_INET AF_INET6 AF_UNIX'],
    ['CapabilityBoundingSet', needsBind ? 'CAP_NET_BIND_SERVICE' : ''],
    ...(needsBind ? [['AmbientCapabilities', 'CAP_NET_BIND_SERVICE'] as [string, string]] : []),
    ...(spec.resources.cpuMillis ? [['CPUQuota', `${Math.ceil(spec.resources.cpuMillis / 10)}%`] as [string, string]] : []),
    ...(spec.resources.memoryBytes ? [['MemoryMax', String(spec.resources.memoryBytes)] as [string, string]] : []),
  ]);
  const body = `${unitSection(spec, 'binary, foreground, supervised by systemd')}\n${service}\n${INSTALL}`;
  return { path: `${dir}/${spec.name}.service`, content: withHeader('hash', body) };
}

/** The container image on a plain host, run by the docker CLI under systemd. */
export function renderSystemdContainerUnit(spec: ServiceSpec, opts: { image?: string } = {}, dir = 'systemd'): RenderedFile {
  const T = spec.shutdown.timeoutSeconds;
  const name = spec.name;
  const run = [
    '/usr/bin/docker',
    'run',
    '--rm',
    '--name',
    name,
    '--init=false',
    `--stop-signal=${spec.shutdown.signal}`,
    `--stop-timeout=${T}`,
    '--read-only',
    '--tmpfs=/tmp',
    '--cap-drop=ALL',
    '--security-opt=no-new-privileges:true',
    `--user=${spec.user.uid}:${spec.user.gid}`,
    '--log-driver=journald',
    ...spec.env.map(([k, v]) => `--env=${k}=${v}`),
    ...spec.ports.filter((p) => p.publish).map((p) => `--publish=${composePort(p)}`),
    ...(spec.resources.cpuMillis ? [`--cpus=${spec.resources.cpuMillis / 1000}`] : []),
    ...(spec.resources.memoryBytes ? [`--memory=${spec.resources.memoryBytes}`] : []),
    opts.image ?? spec.image.ref,
  ];
  const service = section('Service', [
    ['Type', 'exec'],
    ['ExecStartPre', `-${systemdCommand(['/usr/bin/docker', 'rm', '--force', name])}`],
    // Attached `docker run` proxies signals and exits with the container's status.
    ['ExecStart', systemdCommand(run)],
    ['ExecStop', systemdCommand(['/usr/bin/docker', 'stop', `--time=${T}`, name])],
    ['KillMode', 'mixed'],
    ['SendSIGHUP', 'no'],
    // docker stop waits up to the budget, then SIGKILLs; systemd allows a little longer for the CLI to return.
    ['TimeoutStopSec', `${T + 5}s`],
    ['Restart', 'always'],
    ['RestartSec', '1s'],
  ]);
  const body = `${unitSection(spec, 'container image, supervised by systemd', [['Requires', 'docker.service'], ['After', 'docker.service']])}\n${service}\n${INSTALL}`;
  return { path: `${dir}/${spec.name}-container.service`, content: withHeader('hash', body) };
}
