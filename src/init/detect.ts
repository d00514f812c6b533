/**
 * What `init` can find out by itself: the Go module, its main packages, the
 * framework (tRPC-Go by its module path, or a trpc_go.yaml — tRPC-Go's own
 * config file name, config.go defaultConfigPath), and the text of
 * trpc_go.yaml for the preset's analysis.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { READ_LIMITS, readTextFile } from '../util/read.js';

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
    const text = await readTextFile(path.join(dir, e.name), { maxBytes: READ_LIMITS.init }).catch(() => '');
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
  // The one reader (util/read.ts): a FIFO or a device named go.mod cannot block init or fill its memory.
  const gomod = await readTextFile(path.join(dir, 'go.mod'), { maxBytes: READ_LIMITS.init }).catch(() => undefined);
  const module = gomod ? /^module\s+(\S+)/m.exec(gomod)?.[1] : undefined;
  const framework = gomod && TRPC_MODULES.some((m) => gomod.includes(m)) ? 'trpc-go' : 'plain';
  const trpcText = await readTextFile(path.join(dir, 'trpc_go.yaml'), { maxBytes: READ_LIMITS.init }).catch(() => undefined);
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
