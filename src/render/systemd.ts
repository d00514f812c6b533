/**
 * systemd units (systemd 252 semantics; systemd.service(5), systemd.kill(5),
 * systemd.exec(5)). The binary unit runs the service in the foreground as a
 * Type=exec service; the container unit runs the image with the docker CLI.
 * Pure.
 */
import type { ServiceSpec } from '../model/service.js';
import { composePort } from './compose.js';
import { withHeader, type RenderedFile } from '../model/generated.js';
import { systemdCommand, systemdEnv } from '../model/syntax.js';

// How values are quoted in a unit: model/syntax.ts (shared with the line-length checks of model/values.ts).
export { systemdCommand, systemdEnv, systemdWord } from '../model/syntax.js';

/** Free text after a key (Description=): specifiers doubled. The spec refuses newlines and a trailing backslash. */
function text(s: string): string {
  return s.replace(/%/g, '%%');
}

function section(name: string, entries: Array<[string, string | number] | null>): string {
  return `[${name}]\n${entries
    .filter((e): e is [string, string | number] => e !== null)
    .map(([k, v]) => (k === '#' ? `# ${v}` : `${k}=${v}`))
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

type Entry = [string, string];

/**
 * The sandbox of `host.hardening: auto` and `strict` (systemd.exec(5), v252).
 * All of it is what systemd drops by itself, with the debug message "Failed to
 * set up namespace, assuming containerized execution and ignoring", when the
 * host refuses to unshare a mount namespace (src/core/execute.c
 * apply_mount_namespace(), v252) — except DynamicUser= and the other settings
 * insist_on_sandboxing() lists, which then fail the start with 226/NAMESPACE:
 * measured under systemd 252 in a container without CAP_SYS_ADMIN (test/e2e/systemd.test.ts).
 * SystemCallFilter= keeps @resources: Go raises its soft RLIMIT_NOFILE at start (os package, Go 1.19+).
 */
function sandbox(spec: ServiceSpec, underVarLib: boolean): Entry[] {
  const h = spec.host;
  return [
    ['ProtectSystem', 'strict'],
    ...(underVarLib ? [] : [['ReadWritePaths', h.workingDirectory] as Entry]),
    ['ProtectHome', 'yes'],
    ['PrivateTmp', 'yes'],
    ['PrivateDevices', 'yes'],
    ['PrivateMounts', 'yes'],
    ['ProtectKernelTunables', 'yes'],
    ['ProtectKernelModules', 'yes'],
    ['ProtectKernelLogs', 'yes'],
    ['ProtectControlGroups', 'yes'],
    ['ProtectClock', 'yes'],
    ['ProtectHostname', 'yes'],
    ['ProtectProc', 'invisible'],
    ['RestrictNamespaces', 'yes'],
    ['RestrictSUIDSGID', 'yes'],
    ['RestrictRealtime', 'yes'],
    ['LockPersonality', 'yes'],
    // Go never maps memory writable and executable at once.
    ['MemoryDenyWriteExecute', 'yes'],
    ['RemoveIPC', 'yes'],
    ['SystemCallArchitectures', 'native'],
    ['SystemCallFilter', '@system-service'],
    ['SystemCallFilter', '~@privileged'],
    ['SystemCallErrorNumber', 'EPERM'],
    ['RestrictAddressFamilies', 'AF_INET AF_INET6 AF_UNIX'],
  ];
}

/**
 * hardening auto: one line in the journal on a host that refuses mount
 * namespaces, where systemd would otherwise skip the sandbox silently (its
 * message is at debug level). "+": outside the sandbox, as root, so it tests
 * what systemd itself tries: unshare(CLONE_NEWNS). "-": never fails the start.
 */
function degradedNotice(spec: ServiceSpec): Entry {
  const msg = `${spec.name}: this host refuses mount namespaces (a container or VM without them): systemd runs the service without ProtectSystem=, PrivateTmp= and the rest of its namespace sandbox (host.hardening: auto in goneat-deploy.yaml)`;
  return ['ExecStartPre', `-+${systemdCommand(['/bin/sh', '-c', `if command -v unshare >/dev/null && ! unshare --mount true 2>/dev/null; then echo "${msg}" >&2; fi`])}`];
}

/**
 * The service binary on the host, in the foreground, supervised by systemd.
 * `host.hardening` picks the sandbox (auto | strict | off); the account is
 * `host.account` (created by the sysusers.d file below) unless strict and no
 * host.user, where systemd allocates one (DynamicUser=yes).
 */
export function renderSystemdUnit(spec: ServiceSpec, dir = 'systemd'): RenderedFile {
  const h = spec.host;
  const T = spec.shutdown.timeoutSeconds;
  const needsBind = spec.ports.some((p) => p.port < 1024);
  const dataDir = h.workingDirectory.startsWith('/var/lib/') ? h.workingDirectory.slice('/var/lib/'.length) : undefined;
  const dynamic = h.hardening === 'strict';
  const success = spec.shutdown.successExitCodes.filter((c) => c !== 0);
  const service = section('Service', [
    // Start fails if execve fails (systemd 240+). Never Type=forking: the service does not fork.
    ['Type', 'exec'],
    ...(h.hardening === 'auto' ? [degradedNotice(spec)] : []),
    // trpc-go: the config's path on the host (host.configPath), never the image's /app/trpc_go.yaml.
    ['ExecStart', systemdCommand([h.binaryPath, ...h.args])],
    // tRPC-Go reads ./trpc_go.yaml relative to the working directory.
    ['WorkingDirectory', h.workingDirectory],
    ...spec.env.map(([k, v]): Entry => ['Environment', systemdEnv(k, v)]),
    // strict: systemd refuses to run a DynamicUser= service outside its sandbox. On a host that refuses
    // mount namespaces the start fails with status=226/NAMESPACE: pick host.hardening auto there. (No
    // hint command can run then: an ExecStopPost=, even with "+", fails the same way; measured, systemd 252.)
    ...(dynamic
      ? [['#', 'host.hardening strict: where the host refuses mount namespaces this fails with status=226/NAMESPACE; use hardening auto there'] as Entry, ['DynamicUser', 'yes'] as Entry]
      : [['User', h.account] as Entry, ['Group', h.account] as Entry]),
    ...(dataDir ? [['StateDirectory', dataDir] as Entry] : []),
    ['UMask', h.umask],
    // Stop: the signal to the main process, then SIGKILL to the whole group after TimeoutStopSec.
    ['KillSignal', spec.shutdown.signal],
    ['KillMode', 'mixed'],
    ['SendSIGHUP', 'no'],
    ['TimeoutStopSec', `${T}s`],
    ...(success.length ? [['SuccessExitStatus', success.join(' ')] as Entry] : []),
    // tRPC-Go can exit 0 after a failure: restart on any exit.
    ['Restart', 'always'],
    ['RestartSec', '1s'],
    ['StandardOutput', 'journal'],
    ['StandardError', 'journal'],
    // Hardening (systemd.exec(5)); what needs no namespace is set in every mode.
    ['NoNewPrivileges', 'yes'],
    ['CapabilityBoundingSet', needsBind ? 'CAP_NET_BIND_SERVICE' : ''],
    ...(needsBind ? [['AmbientCapabilities', 'CAP_NET_BIND_SERVICE'] as Entry] : []),
    ...(h.hardening === 'off' ? [] : sandbox(spec, dataDir !== undefined)),
    ...(spec.resources.cpuMillis ? [['CPUQuota', `${Math.ceil(spec.resources.cpuMillis / 10)}%`] as Entry] : []),
    ...(spec.resources.memoryBytes ? [['MemoryMax', String(spec.resources.memoryBytes)] as Entry] : []),
  ]);
  const body = `${unitSection(spec, 'binary, foreground, supervised by systemd')}\n${service}\n${INSTALL}`;
  return { path: `${dir}/${spec.name}.service`, content: withHeader('hash', body) };
}

/**
 * The account the binary unit runs as, for systemd-sysusers (sysusers.d(5)):
 * a system user and group named host.account, home the working directory,
 * no login shell. None when systemd allocates the account (DynamicUser=).
 */
export function renderSysusers(spec: ServiceSpec, dir = 'systemd'): RenderedFile | undefined {
  const h = spec.host;
  if (h.hardening === 'strict') return undefined;
  const body = [
    `# Creates the account ${h.account} unless it exists: install -m 0644 ${spec.name}.sysusers.conf /etc/sysusers.d/${spec.name}.conf && systemd-sysusers`,
    // u NAME ID GECOS HOME SHELL; "-" picks a free system UID and a same-named group; the shell defaults to nologin.
    `u ${h.account} - "${spec.name} service (goneat-deploy)" ${h.workingDirectory}`,
    '',
  ].join('\n');
  return { path: `${dir}/${spec.name}.sysusers.conf`, content: withHeader('hash', body) };
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
    // Logs reach the journal once, through the attached CLI (StandardOutput=journal); the
    // journald driver would write every line a second time, and needs journald beside dockerd.
    '--log-driver=local',
    ...spec.env.map(([k, v]) => `--env=${k}=${v}`),
    ...spec.ports.filter((p) => p.publish).map((p) => `--publish=${composePort(p)}`),
    ...(spec.resources.cpuMillis ? [`--cpus=${spec.resources.cpuMillis / 1000}`] : []),
    ...(spec.resources.memoryBytes ? [`--memory=${spec.resources.memoryBytes}`] : []),
    opts.image ?? spec.image.ref,
  ];
  const containerSuccess = spec.shutdown.successExitCodes.filter((c) => c !== 0);
  const service = section('Service', [
    ['Type', 'exec'],
    ['ExecStartPre', `-${systemdCommand(['/usr/bin/docker', 'rm', '--force', name])}`],
    // Attached `docker run` proxies signals and exits with the container's status.
    ['ExecStart', systemdCommand(run)],
    // `-t N`: the one spelling every docker CLI takes without a warning. docker/cli cli/command/container/stop.go:
    // v20.10.24 has only `--time`/`-t`; v23+ (v28.2.2) renamed it `--timeout`/`-t` and kept `--time` with
    // MarkDeprecated ("Flag --time has been deprecated, use --timeout instead"), while 20.10 knows no `--timeout`.
    ['ExecStop', systemdCommand(['/usr/bin/docker', 'stop', '-t', String(T), name])],
    ['KillMode', 'mixed'],
    ['SendSIGHUP', 'no'],
    // docker stop waits up to the budget, then SIGKILLs; systemd allows a little longer for the CLI to return.
    ['TimeoutStopSec', `${T + 5}s`],
    // `docker run` exits with the container's status: a graceful exit the config counts as success (e.g. 130
    // after SIGINT) must be one for systemd too, or every stop leaves the unit failed (systemd.service(5)
    // SuccessExitStatus=). The binary unit lists the same codes.
    ...(containerSuccess.length ? [['SuccessExitStatus', containerSuccess.join(' ')] as Entry] : []),
    ['Restart', 'always'],
    ['RestartSec', '1s'],
  ]);
  const body = `${unitSection(spec, 'container image, supervised by systemd', [['Requires', 'docker.service'], ['After', 'docker.service']])}\n${service}\n${INSTALL}`;
  return { path: `${dir}/${spec.name}-container.service`, content: withHeader('hash', body) };
}
