/**
 * What `init` can find out by itself: the Go module, its main packages, the
 * framework (tRPC-Go by its module path, or a trpc_go.yaml — tRPC-Go's own
 * config file name, config.go defaultConfigPath), and the text of
 * trpc_go.yaml for the preset's analysis.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { READ_LIMITS, readTextFile } from '../util/read.js';
import { UsageError } from '../errors.js';
import { analyzeTrpcConfig } from '../model/trpc.js';

export interface Detected {
  module?: string;
  /** The directory whose go.mod holds the module (this one or an ancestor, as the go command finds it). */
  moduleRoot?: string;
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

/** go.mod in `dir` or the nearest ancestor (the go command's module root lookup, cmd/go/internal/modload findModuleRoot). */
async function findGoMod(dir: string): Promise<{ root: string; text: string } | undefined> {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    // The one reader (util/read.ts): a FIFO or a device named go.mod cannot block init or fill its memory.
    const text = await readTextFile(path.join(d, 'go.mod'), { maxBytes: READ_LIMITS.init }).catch(() => undefined);
    if (text !== undefined) return { root: d, text };
    if (path.dirname(d) === d) return undefined;
  }
}

export async function detect(dir: string): Promise<Detected> {
  const mod = await findGoMod(dir);
  const gomod = mod?.text;
  const module = gomod ? /^module\s+(\S+)/m.exec(gomod)?.[1] : undefined;
  const framework = gomod && TRPC_MODULES.some((m) => gomod.includes(m)) ? 'trpc-go' : 'plain';
  const trpcText = await readTextFile(path.join(dir, 'trpc_go.yaml'), { maxBytes: READ_LIMITS.init }).catch(() => undefined);
  return {
    ...(module ? { module } : {}),
    ...(mod ? { moduleRoot: mod.root } : {}),
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

/** Whether `dir` itself holds a Go main package: a non-test .go file with `package main` and `func main()`. */
async function isMainDir(dir: string): Promise<boolean> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.go') && !n.endsWith('_test.go'));
  const texts = await Promise.all(names.map((n) => readTextFile(path.join(dir, n), { maxBytes: READ_LIMITS.init }).catch(() => '')));
  return texts.some((t) => /^package main\b/m.test(t) && /^func main\(\)/m.test(t));
}

/**
 * The main package init writes as build.main, from --main or what detect found, checked the way
 * `go build` would need it: a Go module (go.mod here or above) and a directory holding package main.
 * Throws UsageError (exit 2) naming the flag or the directory otherwise. `note` says which was picked
 * when several main packages exist and none was chosen.
 */
export async function chooseMain(dir: string, shown: string, found: Detected, flag: string | undefined): Promise<{ main: string; note?: string }> {
  if (!found.moduleRoot) {
    throw new UsageError(`${shown}: no go.mod here or in a parent directory: init needs a Go module (\`go mod init MODULE\` first; or write goneat-deploy.yaml with build.binary for a binary built elsewhere)`);
  }
  const list = found.mains.length ? `main packages here: ${found.mains.join(', ')}` : 'no main package here';
  if (flag !== undefined) {
    let rel = flag;
    if (found.module && (flag === found.module || flag.startsWith(`${found.module}/`))) rel = `./${path.relative(dir, path.join(found.moduleRoot, flag.slice(found.module.length)))}`.replace(/^\.\/$/, '.');
    else if (!/^\.{1,2}(\/|$)/.test(flag)) throw new UsageError(`--main ${flag}: expected a directory relative to ${shown} like ./cmd/server (or the package's import path under ${found.module ?? 'the module'}); ${list}`);
    const abs = path.resolve(dir, rel);
    const { stat } = await import('node:fs/promises');
    if (!(await stat(abs).then((st) => st.isDirectory(), () => false))) throw new UsageError(`--main ${flag}: no such directory in ${shown}; ${list}`);
    if (!(await isMainDir(abs))) throw new UsageError(`--main ${flag}: not a main package (no non-test .go file there has \`package main\` and \`func main()\`); ${list}`);
    const norm = path.relative(dir, abs).split(path.sep).join('/');
    return { main: norm ? (norm.startsWith('..') ? norm : `./${norm}`) : '.' };
  }
  if (!found.mains.length) {
    throw new UsageError(`${shown}: no main package (no non-test .go file with \`package main\` and \`func main()\` here or in subdirectories): point --main at one, or run init in the service's directory`);
  }
  return { main: found.mains[0]!, ...(found.mains.length > 1 ? { note: `${list}; using ${found.mains[0]} (choose another with --main)` } : {}) };
}
