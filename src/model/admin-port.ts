/**
 * Admin/debug ports: tRPC-Go's admin server (trpc.go setupAdmin; admin/admin.go
 * configRouter) serves /debug/pprof/* (CPU profiles, goroutine dumps) and
 * /cmds/config (the whole trpc_go.yaml) next to /is_healthy/, without
 * authentication. Such a port is published on the host's loopback only, never
 * by swarm (which publishes on every interface of every node), never in a
 * Kubernetes Service; kubelet probes still reach it on the pod IP. Pure.
 */

/**
 * Words that mark a port name as an admin/debug endpoint: "admin" (examples/echo, the trpc-go
 * preset, tRPC-Go's `server.admin`), "debug" (Go's net/http/pprof registers its handlers under
 * /debug/pprof/, expvar under /debug/vars) and "pprof". A port name is an IANA service name:
 * words joined by "-" (RFC 6335 §5.1), so the rule is by word, not by substring:
 * "admin", "trpc-admin", "debug-http", "pprof" are admin ports; "administrator" or "debugger" are not.
 */
export const ADMIN_PORT_WORDS: readonly string[] = ['admin', 'debug', 'pprof'];

/**
 * Whether a port serves admin/debug endpoints: its name has one of ADMIN_PORT_WORDS as a
 * "-"-separated word, or it is tRPC-Go's server.admin.port (`trpcAdminPort`, trpc.go setupAdmin),
 * whatever it is called. `name`: the port's IANA name; `port`: its container port number.
 */
export function isAdminPort(name: string, port: number, trpcAdminPort?: number): boolean {
  return name.split('-').some((w) => ADMIN_PORT_WORDS.includes(w)) || (trpcAdminPort !== undefined && port === trpcAdminPort);
}

/** Loopback host addresses a published port may bind (compose `ports: "127.0.0.1:HOST:CONTAINER"`). */
export function isLoopbackHostIp(ip: string): boolean {
  return /^127\./.test(ip) || ip === '::1' || ip === 'localhost';
}

/** Why publishing an admin port on `hostIp` is refused, or undefined when it is fine. */
export function adminPublishProblem(name: string, hostIp: string): string | undefined {
  if (isLoopbackHostIp(hostIp)) return undefined;
  return `"${name}" is an admin port (its name has the word ${ADMIN_PORT_WORDS.join(', ').replace(/, (?=[^,]*$)/, ' or ')}, or it is tRPC-Go's server.admin.port: /debug/pprof, /cmds/config): publishing it on ${hostIp} exposes them to the network; publish it on 127.0.0.1 (e.g. "127.0.0.1:9028") or not at all — probes reach it without publishing`;
}
