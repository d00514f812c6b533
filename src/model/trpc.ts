/**
 * The `framework: trpc-go` preset reads the service's trpc_go.yaml. Pure: text
 * in, facts and positioned findings out. One analysis serves `init`,
 * `generate` and `lint` (analyzeTrpcConfig), so they never disagree.
 *
 * Every rule below is tRPC-Go's own, read in trpc.group/trpc-go/trpc-go
 * v1.1.0 (the version examples/trpc pins; the same code is in the repository's
 * main branch):
 *
 *  - config.go `Config`: close_wait_time, max_close_wait_time, timeout are int
 *    milliseconds; ports are uint16; the file is decoded by gopkg.in/yaml.v3,
 *    which refuses a quoted number ("cannot unmarshal !!str into int") and a
 *    port outside 0..65535. Environment variables are expanded first
 *    (`expandenv.ExpandEnv` in parseConfigFromFile).
 *  - config.go `RepairConfig` / `repairServiceIPWithNic`: a service without
 *    `ip` takes its `nic`'s address, else `global.local_ip`, else the first
 *    service's ip, else 0.0.0.0; the admin server the same way (admin.ip,
 *    admin.nic, then that local ip); a service's `timeout` of 0 takes
 *    `server.timeout`; `address` replaces ip:port.
 *  - trpc.go `setupAdmin`: the admin server serves only when
 *    `server.admin.port > 0`. admin/admin.go `configRouter`: it serves
 *    /is_healthy/, /debug/pprof/* and /cmds/config (the whole config file),
 *    and `(*Server).Close` closes it at once on SIGTERM (connection refused,
 *    not 503).
 *  - The close sequence, after SIGTERM/SIGINT (server/serve_unix.go
 *    `(*Server).Serve`):
 *      server/server.go `tryClose`: shutdown hooks run first (plugins' Close:
 *        not bounded, left to the budget's slack), then every service (admin
 *        included) closes in parallel under
 *        context.WithTimeout(max(max_close_wait_time, 10s)), then Serve returns
 *        and the process exits;
 *      server/service.go `(*service).Close`: deregister; `waitBeforeClose`
 *        sleeps min(close_wait_time, 10s) — the listener still accepts — then
 *        waits for in-flight requests until max_close_wait_time; cancel; then
 *        `waitInactive(max(300ms, timeout))`;
 *      server/service.go `(*service).Handle`: in-flight requests are counted
 *        only when max_close_wait_time > close_wait_time or > 10s. Otherwise
 *        both waits return at once and the process exits after the sleep,
 *        cutting off whatever is still running (measured: test/e2e/trpc.test.ts).
 */
import { isIP } from 'node:net';
import { isMap, isScalar, isSeq, type Node, type Scalar } from 'yaml';
import { formatDuration } from './duration.js';
import type { FieldPath, LocatedIssue } from './issues.js';
import { formatPath, YamlSource } from './source.js';

/** server/service.go: `const MaxCloseWaitTime = 10 * time.Second` — caps the sleep and floors the whole close. */
export const TRPC_CLOSE_BOUND_MS = 10_000;
/** server/service.go `(*service).Close`: after cancel it waits `max(300ms, service timeout)`. */
export const TRPC_MIN_AFTER_CANCEL_MS = 300;
/** Where the preset ships trpc_go.yaml in the image; `-conf` points there. */
export const TRPC_CONFIG_IN_IMAGE = '/app/trpc_go.yaml';
/** The admin port tRPC-Go's docs and examples use; suggested when there is none. */
export const TRPC_DEFAULT_ADMIN_PORT = 9028;

export interface TrpcService {
  name: string;
  port: number;
  protocol: 'tcp' | 'udp';
  /** The address it binds, as tRPC-Go resolves it: an IP, or `nic <name>` when only known at run time. */
  bind: string;
  /** Where bind came from when it was not this service's own `ip`/`address` (for messages). */
  bindFrom?: string;
  /** The request timeout, ms (service timeout, else server.timeout; 0: none). */
  timeoutMs: number;
}

/** tRPC-Go's close sequence with this file's values; every figure in ms. */
export interface TrpcClose {
  /** server.close_wait_time as written (0 when unset). */
  closeWaitMs: number;
  /** server.max_close_wait_time as written (0 when unset). */
  maxCloseWaitMs: number;
  /** min(close_wait_time, 10s): the sleep after deregistering, listener still accepting. */
  sleepMs: number;
  /** Whether in-flight requests are counted, and so waited for. */
  counted: boolean;
  /** max(max_close_wait_time, 10s): the bound on the whole close. */
  boundMs: number;
  /**
   * Longest the close can take after the signal: the preset's drain. A request
   * in flight at the signal completes only if it ends within this (counted:
   * the close waits for it; uncounted: the close is a fixed sleep).
   */
  closeMs: number;
}

export interface TrpcFacts {
  adminPort?: number;
  adminBind?: string;
  adminBindFrom?: string;
  services: TrpcService[];
  close: TrpcClose;
  /** The drain the preset uses: close.closeMs. */
  drainMs: number;
}

/** Which generated targets a finding matters for. */
export type TrpcScope = 'always' | 'container' | 'kubernetes';

export interface TrpcFinding extends LocatedIssue {
  code: 'no-drain' | 'no-admin' | 'loopback-bind' | 'prestop-and-close-wait' | 'unresolved-env' | 'port-mismatch' | 'health-mismatch';
  scope: TrpcScope;
}

export interface TrpcAnalysis {
  /** Absent when the file cannot be used (see errors). */
  facts?: TrpcFacts;
  /** Problems tRPC-Go itself would refuse or that make the preset guess; located in the file. */
  errors: LocatedIssue[];
  /** Settings that work but will surprise: located in the file, one line each. */
  warnings: TrpcFinding[];
}

export interface TrpcAnalysisOptions {
  /** The file name shown in messages (e.g. examples/trpc/trpc_go.yaml). */
  file: string;
  /** goneat-deploy.yaml's shutdown.preStop, ms, when known. */
  preStopMs?: number;
  /** goneat-deploy.yaml has its own health section: a missing admin port is then no loss. */
  healthConfigured?: boolean;
  /**
   * What goneat-deploy.yaml itself writes (not what the preset derives): its `ports` and `health`, checked
   * against what trpc_go.yaml makes tRPC-Go listen on. `file` names goneat-deploy.yaml in messages.
   */
  declared?: TrpcDeclared;
}

/** goneat-deploy.yaml's own ports and health (health.port: a number, or the name of one of `ports`). */
export interface TrpcDeclared {
  file: string;
  ports?: Array<{ name: string; port: number; protocol?: 'tcp' | 'udp' }>;
  health?: { port?: number | string; path?: string };
}

const LOOPBACK = (ip: string) => ip === 'localhost' || ip === '::1' || /^127\./.test(ip);

/** The close sequence for these values (rules: this file's header). */
export function trpcClose(closeWaitMs: number, maxCloseWaitMs: number, timeoutsMs: number[]): TrpcClose {
  const sleepMs = Math.min(closeWaitMs, TRPC_CLOSE_BOUND_MS);
  const counted = maxCloseWaitMs > closeWaitMs || maxCloseWaitMs > TRPC_CLOSE_BOUND_MS;
  const boundMs = Math.max(maxCloseWaitMs, TRPC_CLOSE_BOUND_MS);
  const afterCancel = Math.max(TRPC_MIN_AFTER_CANCEL_MS, ...timeoutsMs);
  // Uncounted: both waits see zero active requests and return at once.
  const perService = counted ? Math.max(sleepMs, maxCloseWaitMs) + afterCancel : sleepMs;
  const closeMs = timeoutsMs.length ? Math.min(boundMs, perService) : 0;
  return { closeWaitMs, maxCloseWaitMs, sleepMs, counted, boundMs, closeMs };
}

/** The max_close_wait_time to suggest: room after the sleep for the longest request timeout, at least 10 s, whole seconds. */
export function suggestedMaxCloseWait(close: TrpcClose, timeoutsMs: number[]): number {
  const want = Math.max(TRPC_CLOSE_BOUND_MS, close.sleepMs + Math.max(0, ...timeoutsMs), close.closeWaitMs + 1000);
  return Math.ceil(want / 1000) * 1000;
}

/** close_wait_time to suggest when the file has none: long enough for load balancers to drop the instance while it still accepts. */
export const SUGGESTED_CLOSE_WAIT_MS = 2000;

/** The close settings that make tRPC-Go drain (what the no-drain warning suggests and `init` can write). */
export interface CloseFix {
  close_wait_time?: number;
  max_close_wait_time: number;
}

/** The values to set, or undefined when tRPC-Go already waits for in-flight requests. */
export function closeFix(close: TrpcClose, timeoutsMs: number[]): CloseFix | undefined {
  if (close.counted || !timeoutsMs.length) return undefined;
  const closeWait = close.closeWaitMs || SUGGESTED_CLOSE_WAIT_MS;
  const max = suggestedMaxCloseWait(trpcClose(closeWait, 0, timeoutsMs), timeoutsMs);
  return { ...(close.closeWaitMs ? {} : { close_wait_time: closeWait }), max_close_wait_time: max };
}

/**
 * Reads trpc_go.yaml the way tRPC-Go does and says what goneat-deploy needs
 * to know: ports, health, the close sequence, and what will go wrong.
 * `opts.file` names the file in every issue (file:line:column).
 */
export function analyzeTrpcConfig(text: string, opts: TrpcAnalysisOptions): TrpcAnalysis {
  const file = opts.file;
  const { source, issues: syntax } = YamlSource.parse(file, text);
  if (syntax.length) return { errors: syntax, warnings: [] };
  const errors: LocatedIssue[] = [];
  const warnings: TrpcFinding[] = [];
  /** A warning at `path` (or, for a key that is absent, at its parent's key `at`), about `field`. */
  const warn = (code: TrpcFinding['code'], scope: TrpcScope, path: FieldPath, message: string, absent?: { at: FieldPath; key: string }) => {
    const issue = absent ? source.issue(absent.at, message, { key: absent.key }) : source.issue(path, message);
    warnings.push({ ...issue, field: formatPath(path), code, scope });
  };
  const at = (path: FieldPath): Node | undefined => nodeAt(source, path);

  const server = at(['server']);
  if (!isMap(server)) {
    return { errors: [source.issue([], 'has no `server` section (tRPC-Go reads its services, admin and close settings from there)')], warnings };
  }

  /** An unquoted integer, as yaml.v3 decodes into Go's int/uint16; undefined when absent. */
  const int = (path: FieldPath, what: string, min: number, max: number): number | undefined => {
    const node = at(path);
    if (node === undefined || (isScalar(node) && node.value === null)) return undefined;
    if (!isScalar(node)) {
      errors.push(source.issue(path, `expected ${what}, got a ${isMap(node) ? 'map' : 'list'}`));
      return undefined;
    }
    const v = (node as Scalar).value;
    if (typeof v === 'string') {
      if (/\$\{?\w+/.test(v)) {
        warn('unresolved-env', 'always', path, `"${v}" is expanded from the environment when tRPC-Go starts; goneat-deploy cannot know it, so it is ignored here (write the number, or set it in goneat-deploy.yaml)`);
        return undefined;
      }
      const quoted = /^\s*-?\d+\s*$/.test(v);
      errors.push(source.issue(path, quoted ? `expected ${what}, got the string "${v}": tRPC-Go (gopkg.in/yaml.v3) refuses a quoted number; write it without quotes` : `expected ${what}, got "${v}"`));
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      errors.push(source.issue(path, `expected ${what}, got ${JSON.stringify(v)}`));
      return undefined;
    }
    if (v < min || v > max) {
      errors.push(source.issue(path, `expected ${what}, got ${v}`));
      return undefined;
    }
    return v;
  };
  const str = (path: FieldPath): string | undefined => {
    const node = at(path);
    if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
    return String(node.value);
  };
  const ms = (path: FieldPath) => int(path, 'whole milliseconds >= 0', 0, 2 ** 31 - 1);

  // Close settings and timeouts.
  const closeWaitMs = ms(['server', 'close_wait_time']) ?? 0;
  const maxCloseWaitMs = ms(['server', 'max_close_wait_time']) ?? 0;
  const serverTimeoutMs = ms(['server', 'timeout']) ?? 0;

  // Bind addresses, resolved as config.go RepairConfig does.
  const checkIp = (path: FieldPath): string | undefined => {
    const ip = str(path);
    if (ip === undefined || ip === '') return undefined;
    if (!isIP(ip) && ip !== 'localhost') {
      errors.push(source.issue(path, `expected an IP address like 0.0.0.0, got "${ip}"`));
      return undefined;
    }
    return ip;
  };
  const globalLocalIp = checkIp(['global', 'local_ip']);

  const servicesNode = at(['server', 'service']);
  const services: TrpcService[] = [];
  const servicePaths: FieldPath[] = [];
  let firstServiceIp: { ip: string; name: string } | undefined;
  if (servicesNode !== undefined && !isSeq(servicesNode) && !(isScalar(servicesNode) && servicesNode.value === null)) {
    errors.push(source.issue(['server', 'service'], 'expected a list of services'));
  } else if (isSeq(servicesNode)) {
    servicesNode.items.forEach((_, i) => {
      const p: FieldPath = ['server', 'service', i];
      const name = str([...p, 'name']) ?? '';
      if (!name) errors.push(source.issue(p, 'a service needs a name (tRPC-Go registers handlers on it: s.Service("trpc.app.server.service"))'));
      let port: number | undefined;
      let ip: string | undefined;
      const address = str([...p, 'address']);
      if (address) {
        const m = /^(.*):(\d+)$/.exec(address);
        const host = m?.[1]?.replace(/^\[(.*)\]$/, '$1') ?? '';
        if (!m || Number(m[2]) > 65535 || Number(m[2]) < 1 || (host !== '' && !isIP(host) && host !== 'localhost')) {
          errors.push(source.issue([...p, 'address'], `expected IP:PORT like 0.0.0.0:8080 (it replaces ip and port), got "${address}"`));
        } else {
          port = Number(m[2]);
          ip = host || '0.0.0.0';
        }
      } else {
        port = int([...p, 'port'], 'a port 1..65535', 1, 65535);
        if (port === undefined && at([...p, 'port']) === undefined) errors.push(source.issue(p, 'has no port (or address): tRPC-Go would listen on a random port'));
        ip = checkIp([...p, 'ip']);
      }
      const nic = str([...p, 'nic']);
      const network = (str([...p, 'network']) ?? str(['server', 'network']) ?? 'tcp').toLowerCase();
      const protocol: 'tcp' | 'udp' = network.startsWith('udp') ? 'udp' : 'tcp';
      const timeoutMs = ms([...p, 'timeout']) || serverTimeoutMs;
      const own = ip ?? (nic ? `nic ${nic}` : undefined);
      if (own && !firstServiceIp) firstServiceIp = { ip: own, name };
      if (port !== undefined) {
        services.push({ name, port, protocol, bind: own ?? '', timeoutMs });
        servicePaths.push(p);
      }
    });
  }
  const localIp = globalLocalIp ?? firstServiceIp?.ip ?? '0.0.0.0';
  const localFrom = globalLocalIp ? 'global.local_ip' : firstServiceIp ? `service ${firstServiceIp.name}'s ip` : undefined;
  for (const s of services) {
    if (s.bind !== '') continue;
    s.bind = localIp;
    if (localFrom) s.bindFrom = localFrom;
  }

  // Admin.
  const adminPort = int(['server', 'admin', 'port'], 'a port 0..65535 (0: no admin server)', 0, 65535);
  const adminIp = checkIp(['server', 'admin', 'ip']);
  const adminNic = str(['server', 'admin', 'nic']);
  const adminBind = adminIp ?? (adminNic ? `nic ${adminNic}` : localIp);
  const adminBindFrom = adminIp || adminNic ? undefined : localFrom;

  // Two listeners on one port.
  const seen = new Map<string, string>();
  services.forEach((s, i) => {
    const key = `${s.port}/${s.protocol}`;
    if (seen.has(key)) errors.push(source.issue(servicePaths[i]!, `port ${s.port}/${s.protocol} is also used by ${seen.get(key)}`));
    seen.set(key, s.name ? `service ${s.name}` : formatPath(servicePaths[i]!));
  });
  if (adminPort && seen.has(`${adminPort}/tcp`)) errors.push(source.issue(['server', 'admin', 'port'], `port ${adminPort} is also used by ${seen.get(`${adminPort}/tcp`)}`));

  const close = trpcClose(closeWaitMs, maxCloseWaitMs, services.map((s) => s.timeoutMs));
  const facts: TrpcFacts = {
    ...(adminPort ? { adminPort, adminBind, ...(adminBindFrom ? { adminBindFrom } : {}) } : {}),
    services,
    close,
    drainMs: close.closeMs,
  };

  // Warnings.
  const fix = closeFix(close, services.map((s) => s.timeoutMs));
  if (fix) {
    const has = (k: string) => at(['server', k]) !== undefined;
    const where: FieldPath = has('max_close_wait_time') || !has('close_wait_time') ? ['server', 'max_close_wait_time'] : ['server', 'close_wait_time'];
    const now = `max_close_wait_time ${has('max_close_wait_time') ? maxCloseWaitMs : 'unset (0)'} is not above close_wait_time ${has('close_wait_time') ? closeWaitMs : 'unset (0)'}`;
    const cut = close.sleepMs ? `stops ${formatDuration(close.sleepMs)} after SIGTERM` : 'exits at once on SIGTERM';
    warn(
      'no-drain',
      'always',
      where,
      `${now}: tRPC-Go does not count in-flight requests then (server/service.go Handle), so it ${cut} and cuts off requests still running; set server.max_close_wait_time: ${fix.max_close_wait_time}${fix.close_wait_time ? ` and close_wait_time: ${fix.close_wait_time} (keeps accepting while load balancers drop the instance)` : ''}`,
      at(where) === undefined ? { at: [], key: 'server' } : undefined,
    );
  }
  if (!adminPort && !opts.healthConfigured) {
    warn(
      'no-admin',
      'container',
      ['server', 'admin', 'port'],
      `no admin port: tRPC-Go starts no admin server (trpc.go setupAdmin), so there is no /is_healthy/ — no probes, no healthcheck, and verify cannot check health; add server.admin: {ip: 0.0.0.0, port: ${TRPC_DEFAULT_ADMIN_PORT}}`,
      at(['server', 'admin', 'port']) !== undefined ? undefined : at(['server', 'admin']) !== undefined ? { at: ['server'], key: 'admin' } : { at: [], key: 'server' },
    );
  }
  services.forEach((s, i) => {
    if (!LOOPBACK(s.bind)) return;
    const p = servicePaths[i]!;
    const own = at([...p, 'address']) !== undefined ? [...p, 'address'] : at([...p, 'ip']) !== undefined ? [...p, 'ip'] : p;
    warn(
      'loopback-bind',
      'container',
      own,
      `service ${s.name} binds ${s.bind}${s.bindFrom ? ` (from ${s.bindFrom}: config.go RepairConfig)` : ''}: inside a container only the container itself can reach that — published ports and Kubernetes Services forward to the container's own address; bind 0.0.0.0`,
    );
  });
  if (adminPort && LOOPBACK(adminBind)) {
    const own = at(['server', 'admin', 'ip']) !== undefined ? ['server', 'admin', 'ip'] : ['server', 'admin', 'port'];
    warn(
      'loopback-bind',
      'container',
      own,
      `the admin server binds ${adminBind}${adminBindFrom ? ` (from ${adminBindFrom}: config.go RepairConfig)` : ''}: kubelet httpGet probes come from the node to the pod IP and fail; bind 0.0.0.0 (goneat-deploy never publishes the admin port beyond 127.0.0.1 nor in a Kubernetes Service)`,
    );
  }
  if ((opts.preStopMs ?? 0) > 0 && close.sleepMs > 0) {
    warn(
      'prestop-and-close-wait',
      'kubernetes',
      ['server', 'close_wait_time'],
      `close_wait_time ${closeWaitMs} already keeps the service accepting for ${formatDuration(close.sleepMs)} after SIGTERM while endpoints drop the pod, and shutdown.preStop ${formatDuration(opts.preStopMs!)} waits before SIGTERM for the same reason: the grace period counts both (${formatDuration(opts.preStopMs! + close.sleepMs)}); drop one of them`,
    );
  }
  // goneat-deploy.yaml against trpc_go.yaml: tRPC-Go listens where trpc_go.yaml says (a service's
  // port/address, the admin server's port when server.admin.port > 0: trpc.go setupAdmin), whatever
  // goneat-deploy.yaml declares; a declared port nothing listens on gets published, put in the
  // Kubernetes Service and probed with no answer. Located at the trpc_go.yaml line that decides it.
  if (opts.declared) {
    const d = opts.declared;
    const listens = (port: number, protocol: 'tcp' | 'udp' = 'tcp') => services.some((x) => x.port === port && x.protocol === protocol) || (protocol === 'tcp' && adminPort === port);
    const serving = [...services.map((x) => `service ${x.name || '(unnamed)'} ${x.port}${x.protocol === 'udp' ? '/udp' : ''}`), adminPort ? `admin ${adminPort}` : 'no admin server (server.admin.port unset)'].join(', ');
    const adminAt = at(['server', 'admin', 'port']) !== undefined ? undefined : at(['server', 'admin']) !== undefined ? { at: ['server'] as FieldPath, key: 'admin' } : { at: [] as FieldPath, key: 'server' };
    const servicePlace = (): { path: FieldPath; absent?: { at: FieldPath; key: string } } => {
      if (servicePaths.length === 1) {
        const p = servicePaths[0]!;
        return { path: at([...p, 'address']) !== undefined ? [...p, 'address'] : [...p, 'port'] };
      }
      return at(['server', 'service']) !== undefined ? { path: ['server', 'service'] } : { path: ['server', 'service'], absent: { at: ['server'], key: 'service' } };
    };
    const hp = d.health?.port;
    const healthPort = typeof hp === 'number' ? hp : hp !== undefined ? d.ports?.find((p) => p.name === hp)?.port : undefined;
    (d.ports ?? []).forEach((p, i) => {
      // The health port's own finding below says it once, with the fix.
      if (listens(p.port, p.protocol) || (p.port === healthPort && (p.protocol ?? 'tcp') === 'tcp')) return;
      const admin = p.name === 'admin';
      const place = admin ? { path: ['server', 'admin', 'port'] as FieldPath, absent: adminAt } : servicePlace();
      warn(
        'port-mismatch',
        'always',
        place.path,
        `${d.file} ports[${i}] (${p.name} ${p.port}${p.protocol === 'udp' ? '/udp' : ''}): tRPC-Go does not listen there with this file (${serving}), so what is published or put in the Kubernetes Service for it gets no answer; make the two files agree`,
        place.absent,
      );
    });
    if (healthPort !== undefined && !listens(healthPort)) {
      warn(
        'health-mismatch',
        'always',
        ['server', 'admin', 'port'],
        `${d.file} health.port ${healthPort}${typeof hp === 'string' ? ` (${hp})` : ''}: ${adminPort ? `tRPC-Go's admin server (${d.health?.path ?? '/is_healthy/'}) listens on ${adminPort}` : 'no admin server: tRPC-Go starts none without server.admin.port (trpc.go setupAdmin)'} and no service listens on ${healthPort}, so probes and verify never get an answer (pods never become Ready); ${adminPort ? `use health.port ${adminPort}` : `add server.admin: {ip: 0.0.0.0, port: ${healthPort}}`}`,
        adminAt,
      );
    }
  }
  // In file order, as a reader goes through the file.
  warnings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { ...(errors.length ? {} : { facts }), errors, warnings };
}

function nodeAt(source: YamlSource, path: FieldPath): Node | undefined {
  let node: unknown = source.doc.contents;
  for (const key of path) {
    if (isMap(node)) node = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key))?.value ?? undefined;
    else if (isSeq(node) && typeof key === 'number') node = node.items[key];
    else return undefined;
    if (node === undefined || node === null) return undefined;
  }
  return node as Node;
}

/** Whether a finding applies to what is being generated. */
export function trpcFindingApplies(f: TrpcFinding, targets: { container: boolean; kubernetes: boolean }): boolean {
  return f.scope === 'always' || (f.scope === 'container' && targets.container) || (f.scope === 'kubernetes' && targets.kubernetes);
}

