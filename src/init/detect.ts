/**
 * What `init` can find out by itself: the Go module, its main packages, the
 * framework (tRPC-Go by its module path, or a trpc_go.yaml — tRPC-Go's own
 * config file name, config.go defaultConfigPath), and the text of
 * trpc_go.yaml for the preset's analysis.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { analyzeTrpcConfig } from '../model/trpc.js';

export interface Detected {
  module?: string;
  mains: string[];
  framework: 'plain' | 'trpc-go';
  /** trpc_go.yaml's text, when the directory has one. */
  trpcText?: string;
}

const TRPC_MODULES = ['trpc.group/trpc-go/trpc-go', 'git.code.oa.com/trpc-go/trpc-go', 'git.woa.com/trpc-go/trpc-go'];
const SKIP = new Set(['vendor', 'testdata', 'node_modules', '.git', 'dist']);

async function findMains(root: string, dir = root, depth = 0, out: string[] = []): Promise<string[]> {
  if (depth > 4) return out;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.filter((x) => x.isFile() && x.name.endsWith('.go') && !x.name.endsWith('_test.go'))) {
    const text = await readFile(path.join(dir, e.name), 'utf8').catch(() => '');
    if (/^package main\b/m.test(text) && /^func main\(\)/m.test(text)) {
      const rel = path.relative(root, dir);
      out.push(rel ? `./${rel.split(path.sep).join('/')}` : '.');
      break;
    }
  }
  for (const e of entries.filter((x) => x.isDirectory() && !SKIP.has(x.name) && !x.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name))) {
    await findMains(root, path.join(dir, e.name), depth + 1, out);
  }
  return out;
}

export async function detect(dir: string): Promise<Detected> {
  const gomod = await readFile(path.join(dir, 'go.mod'), 'utf8').catch(() => undefined);
  const module = gomod ? /^module\s+(\S+)/m.exec(gomod)?.[1] : undefined;
  const framework = gomod && TRPC_MODULES.some((m) => gomod.includes(m)) ? 'trpc-go' : 'plain';
  const trpcText = await readFile(path.join(dir, 'trpc_go.yaml'), 'utf8').catch(() => undefined);
  return {
    ...(module ? { module } : {}),
    mains: await findMains(dir),
    framework: framework === 'trpc-go' || trpcText !== undefined ? 'trpc-go' : 'plain',
    ...(trpcText !== undefined ? { trpcText } : {}),
  };
}

/** A DNS label from a module path or directory name: "github.com/acme/Order_Svc" → "order-svc". */
export function serviceName(from: string): string {
  const last = from.split('/').filter(Boolean).pop() ?? 'service';
  const label = last
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label || 'service';
}

/**
 * The ports and health `init` writes for a tRPC-Go service, from its trpc_go.yaml: each service's port
 * (named rpc, rpc2… as the trpc-go preset names them; protocol udp when its network is), the admin port
 * as `admin`, and health on the admin port at /is_healthy/ (tRPC-Go's admin server, admin/admin.go).
 * Undefined when the file cannot be read as tRPC-Go would (the config check then reports why).
 */
export function portsFromTrpc(text: string, file: string): { ports: Array<{ name: string; port: number; protocol?: 'udp' }>; health?: { port: string; path: string } } | undefined {
  const { facts } = analyzeTrpcConfig(text, { file });
  if (!facts) return undefined;
  const ports: Array<{ name: string; port: number; protocol?: 'udp' }> = facts.services.map((s, i) => ({ name: i === 0 ? 'rpc' : `rpc${i + 1}`, port: s.port, ...(s.protocol === 'udp' ? { protocol: 'udp' as const } : {}) }));
  if (facts.adminPort && !facts.services.some((s) => s.port === facts.adminPort)) ports.push({ name: 'admin', port: facts.adminPort });
  return { ports, ...(facts.adminPort ? { health: { port: ports.find((p) => p.port === facts.adminPort)!.name, path: '/is_healthy/' } } : {}) };
}
