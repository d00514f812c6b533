/**
 * Where the files in an image come from, for its SBOM: the Debian package of
 * each host file (`dpkg -S`, then `dpkg-query` for its version), and the Go
 * module list of the service binary (`go version -m`, the build info the Go
 * linker embeds; cmd/go "go version -m"). Both run the host's own tools; a
 * machine without them gives no package (the SBOM then says NOASSERTION).
 */
import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';

export interface DebianPackage {
  /** Package name as dpkg shows it, without the architecture qualifier ("libc6"). */
  name: string;
  version: string;
  arch: string;
}

function run(cmd: string, args: string[], env?: Record<string, string | undefined>): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { maxBuffer: 16 * 1024 * 1024, ...(env ? { env: env as NodeJS.ProcessEnv } : {}) }, (err, stdout) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      resolve({ code, stdout: String(stdout ?? '') });
    });
  });
}

/** The names dpkg may know a path by on a merged-/usr system: as given, resolved, and with or without /usr. */
async function aliases(p: string): Promise<string[]> {
  const out = new Set([p]);
  const real = await realpath(p).catch(() => p);
  out.add(real);
  for (const q of [p, real]) {
    if (q.startsWith('/usr/')) out.add(q.slice(4));
    else out.add(`/usr${q}`);
  }
  return [...out];
}

/** Host path → the Debian package that installed it (paths no package owns are absent). */
export async function debianPackages(paths: string[]): Promise<Map<string, DebianPackage>> {
  const result = new Map<string, DebianPackage>();
  if (!paths.length) return result;
  const names = new Map<string, string>();
  for (const p of paths) for (const a of await aliases(p)) if (!names.has(a)) names.set(a, p);
  const owner = new Map<string, string>();
  const s = await run('dpkg', ['-S', ...names.keys()]);
  for (const line of s.stdout.split('\n')) {
    const m = /^([^\s:,]+)(?::[a-z0-9-]+)?(?:, [^:]+)?: (\/.*)$/.exec(line);
    if (!m || line.startsWith('diversion ')) continue;
    const original = names.get(m[2]!);
    if (original && !owner.has(original)) owner.set(original, m[1]!);
  }
  const pkgs = [...new Set(owner.values())];
  if (!pkgs.length) return result;
  const q = await run('dpkg-query', ['-W', '-f', '${Package}\\t${Version}\\t${Architecture}\\n', ...pkgs]);
  const info = new Map<string, DebianPackage>();
  for (const line of q.stdout.split('\n')) {
    const [name, version, arch] = line.split('\t');
    if (name && version && arch && !info.has(name)) info.set(name, { name, version, arch });
  }
  for (const [p, pkg] of owner) {
    const i = info.get(pkg);
    if (i) result.set(p, i);
  }
  return result;
}

/** One installed package by name ("ca-certificates"), or undefined. */
export async function debianPackage(name: string): Promise<DebianPackage | undefined> {
  const q = await run('dpkg-query', ['-W', '-f', '${Package}\\t${Version}\\t${Architecture}\\n', name]);
  const [n, version, arch] = q.stdout.split('\n')[0]?.split('\t') ?? [];
  return n && version && arch && q.code === 0 ? { name: n, version, arch } : undefined;
}

export interface GoBuildInfo {
  goVersion: string;
  /** The main package path ("github.com/docker/distribution/cmd/registry"). */
  path?: string;
  main?: { path: string; version: string; sum?: string };
  deps: Array<{ path: string; version: string; sum?: string }>;
  settings: Record<string, string>;
}

/** Parses `go version -m` output (one binary). */
export function parseGoVersionM(text: string): GoBuildInfo | undefined {
  const lines = text.split('\n');
  const head = /: (go[0-9][^\s]*)/.exec(lines[0] ?? '');
  if (!head) return undefined;
  const info: GoBuildInfo = { goVersion: head[1]!, deps: [], settings: {} };
  let last: { path: string; version: string; sum?: string } | undefined;
  for (const l of lines.slice(1)) {
    const f = l.replace(/^\t/, '').split('\t');
    if (f[0] === 'path') info.path = f[1];
    else if (f[0] === 'mod') info.main = last = { path: f[1]!, version: f[2] ?? '(devel)', ...(f[3] ? { sum: f[3] } : {}) };
    else if (f[0] === 'dep') info.deps.push((last = { path: f[1]!, version: f[2]!, ...(f[3] ? { sum: f[3] } : {}) }));
    else if (f[0] === '=>' && last) Object.assign(last, { path: f[1]!, version: f[2]!, ...(f[3] ? { sum: f[3] } : {}) });
    else if (f[0] === 'build' && f[1]) {
      const i = f[1].indexOf('=');
      if (i > 0) info.settings[f[1].slice(0, i)] = f[1].slice(i + 1);
    }
  }
  return info;
}

/** The Go build info of a binary, from the host's `go version -m`; undefined without go or build info. */
export async function goBuildInfo(binary: string, env?: Record<string, string | undefined>): Promise<GoBuildInfo | undefined> {
  const r = await run('go', ['version', '-m', binary], env);
  return r.code === 0 ? parseGoVersionM(r.stdout) : undefined;
}
