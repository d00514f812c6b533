/**
 * The `framework: trpc-go` preset reads the service's trpc_go.yaml (pure:
 * text in, facts out) for what goneat-deploy would otherwise ask for:
 *  - server.admin.port → health at /is_healthy/ (tRPC-Go's admin endpoint);
 *  - server.service[].port → ports;
 *  - server.max_close_wait_time (ms) → drain. tRPC-Go bounds its whole close
 *    by max(max_close_wait_time, 10s) (server/server.go, MaxCloseWaitTime),
 *    close_wait_time included, so that is the drain.
 */
import YAML from 'yaml';

export const TRPC_MIN_CLOSE_WAIT_MS = 10_000;
export const TRPC_CONFIG_IN_IMAGE = '/app/trpc_go.yaml';

export interface TrpcFacts {
  adminPort?: number;
  services: Array<{ name: string; port: number }>;
  drainMs: number;
  closeWaitMs?: number;
}

export function parseTrpcConfig(text: string): TrpcFacts | { error: string } {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    return { error: `not valid YAML: ${(err as Error).message.split('\n')[0]}` };
  }
  const server = (doc as { server?: Record<string, unknown> } | null)?.server;
  if (!server || typeof server !== 'object') return { error: 'has no `server` section' };
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);
  const admin = server.admin as { port?: unknown } | undefined;
  const services = Array.isArray(server.service) ? (server.service as Array<{ name?: unknown; port?: unknown }>) : [];
  const maxClose = num(server.max_close_wait_time);
  const closeWait = num(server.close_wait_time);
  return {
    ...(num(admin?.port) ? { adminPort: num(admin?.port)! } : {}),
    services: services.filter((s) => num(s.port)).map((s) => ({ name: String(s.name ?? ''), port: num(s.port)! })),
    drainMs: Math.max(maxClose ?? 0, TRPC_MIN_CLOSE_WAIT_MS),
    ...(closeWait !== undefined ? { closeWaitMs: closeWait } : {}),
  };
}
