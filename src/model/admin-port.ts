/**
 * Admin/debug ports: tRPC-Go's admin server (trpc.go setupAdmin; admin/admin.go
 * configRouter) serves /debug/pprof/* (CPU profiles, goroutine dumps) and
 * /cmds/config (the whole trpc_go.yaml) next to /is_healthy/, without
 * authentication. Such a port is published on the host's loopback only, never
 * by swarm (which publishes on every interface of every node), never in a
 * Kubernetes Service; kubelet probes still reach it on the pod IP. Pure.
 */

/** A port named "admin" (the convention of examples/echo and of the trpc-go preset), or tRPC-Go's server.admin.port. */
export function isAdminPort(name: string, port: number, trpcAdminPort?: number): boolean {
  return name === 'admin' || (trpcAdminPort !== undefined && port === trpcAdminPort);
}

/** Loopback host addresses a published port may bind (compose `ports: "127.0.0.1:HOST:CONTAINER"`). */
export function isLoopbackHostIp(ip: string): boolean {
  return /^127\./.test(ip) || ip === '::1' || ip === 'localhost';
}

/** Why publishing an admin port on `hostIp` is refused, or undefined when it is fine. */
export function adminPublishProblem(name: string, hostIp: string): string | undefined {
  if (isLoopbackHostIp(hostIp)) return undefined;
  return `"${name}" is an admin port (/debug/pprof, /cmds/config on tRPC-Go): publishing it on ${hostIp} exposes them to the network; publish it on 127.0.0.1 (e.g. "127.0.0.1:9028") or not at all — probes reach it without publishing`;
}
