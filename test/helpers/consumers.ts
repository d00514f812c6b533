/**
 * The real consumers of goneat-deploy's files, run in batches for the
 * property tests (test/integration/hostile-consumers.test.ts): PyYAML and
 * plistlib (test/consumers/read.py), gopkg.in/yaml.v3 and sigs.k8s.io/yaml
 * (test/consumers/goyaml), BuildKit's Dockerfile parser and word expansion
 * (test/consumers/dockerfile; both built here with the pinned go.sum from the
 * Go module proxy), docker-compose v1 and `docker compose` v2 `config`, systemd-analyze
 * verify and systemd-sysusers on a scratch root, and /bin/sh (dash).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './cli.js';
import { exec } from './exec.js';

const CONSUMERS = path.join(ROOT, 'test/consumers');

/** docker-compose v1 runs on Debian's /usr/bin/python3 and its PyYAML: the reader to test with. */
export function python(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

export interface PyRead {
  file: string;
  docs?: unknown[];
  error?: string;
}

/** PyYAML's SafeLoader (YAML) and plistlib (.plist) over many files, one process per 400. */
export async function pyRead(files: string[]): Promise<Map<string, PyRead>> {
  const out = new Map<string, PyRead>();
  for (const batch of chunks(files, 400)) {
    const r = await exec(python(), [path.join(CONSUMERS, 'read.py'), ...batch], { timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(`read.py exited ${r.code}: ${r.stderr}`);
    for (const e of JSON.parse(r.stdout) as PyRead[]) out.set(e.file, e);
  }
  return out;
}

/** A Go program of test/consumers (goyaml, dockerfile), built once per source version into the temp directory. */
export async function goProgram(name: 'goyaml' | 'dockerfile'): Promise<string> {
  const dir = path.join(CONSUMERS, name);
  const hash = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', 'main.go']) hash.update(readFileSync(path.join(dir, f)));
  const out = path.join(os.tmpdir(), `goneat-${name}-${hash.digest('hex').slice(0, 12)}`, name);
  if (existsSync(out)) return out;
  mkdirSync(path.dirname(out), { recursive: true });
  // GOTOOLCHAIN=local: never download another Go; -mod=readonly: exactly the versions go.sum pins (Debian 12's
  // go 1.19 builds both). The modules come from the Go module proxy on the first build.
  const r = await exec('go', ['build', '-mod=readonly', '-o', out, '.'], { cwd: dir, env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '' }, timeoutMs: 600_000 });
  if (r.code !== 0) throw new Error(`go build of test/consumers/${name} failed: ${r.stderr}`);
  return out;
}

export interface GoRead {
  file: string;
  v3: unknown[];
  v3Error?: string;
  k8s?: unknown;
  k8sError?: string;
}

/** yaml.v3 and sigs.k8s.io/yaml over many files. */
export async function goRead(files: string[]): Promise<Map<string, GoRead>> {
  const bin = await goProgram('goyaml');
  const out = new Map<string, GoRead>();
  for (const batch of chunks(files, 400)) {
    const r = await exec(bin, batch, { timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(`goyaml exited ${r.code}: ${r.stderr}`);
    for (const e of JSON.parse(r.stdout) as GoRead[]) out.set(e.file, e);
  }
  return out;
}

export interface DockerfileRead {
  file: string;
  /** Each instruction: its name as written, JSON (exec) form or not, its words as the builder holds them. */
  instructions: Array<{ cmd: string; json: boolean; words: string[]; error?: string }>;
  error?: string;
}

/** BuildKit's parser and word expansion over many Dockerfiles (test/consumers/dockerfile). */
export async function dockerfileRead(files: string[]): Promise<Map<string, DockerfileRead>> {
  const bin = await goProgram('dockerfile');
  const out = new Map<string, DockerfileRead>();
  for (const batch of chunks(files, 400)) {
    const r = await exec(bin, batch, { timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(`dockerfile exited ${r.code}: ${r.stderr}`);
    for (const e of JSON.parse(r.stdout) as DockerfileRead[]) out.set(e.file, e);
  }
  return out;
}

/**
 * `config` of one compose tool over compose files merged with -f (their
 * services have distinct names): v1 prints YAML, read here with PyYAML; v2
 * prints JSON. Resolves the merged document, or the tool's error.
 */
export async function composeConfig(tool: 'v1' | 'v2', files: string[], workdir: string): Promise<{ doc?: unknown; error?: string }> {
  const f = files.flatMap((x) => ['-f', x]);
  if (tool === 'v2') {
    const r = await exec('docker', ['compose', '-p', 'gdthostile', ...f, 'config', '--format', 'json'], { cwd: workdir, timeoutMs: 300_000 });
    if (r.code !== 0) return { error: r.stderr.trim() || `exit ${r.code}` };
    return { doc: JSON.parse(r.stdout) as unknown };
  }
  // v1: its own loader (compose.config.config.load: schema validation, interpolation, merging: what `config`
  // and `up` run). Not its `config` output: that is PyYAML's dump, which writes U+0085 and U+2028 raw and so
  // does not read back as what v1 holds.
  const r = await exec(python(), [path.join(CONSUMERS, 'compose_v1.py'), workdir, ...files], { cwd: workdir, timeoutMs: 300_000 });
  if (r.code !== 0) return { error: r.stderr.trim() || `exit ${r.code}` };
  return { doc: JSON.parse(r.stdout) as unknown };
}

/** systemd-analyze verify (systemd 252) of the units installed in `root`/etc/systemd/system, binaries resolved in `root`. */
export async function systemdVerify(root: string, units: string[]): Promise<{ code: number | null; stderr: string }> {
  const r = await exec('systemd-analyze', ['verify', `--root=${root}`, '--man=no', '--generators=no', ...units], { cwd: root, timeoutMs: 300_000 });
  return { code: r.code, stderr: r.stderr };
}

/** systemd-sysusers --dry-run of sysusers.d files against `root`. */
export async function sysusersDryRun(root: string, files: string[]): Promise<{ code: number | null; stderr: string }> {
  const r = await exec('systemd-sysusers', [`--root=${root}`, '--dry-run', ...files], { timeoutMs: 120_000 });
  // What it would do ("Creating user …", "Would write …") is not a complaint; anything else is.
  const complaints = r.stderr.split('\n').filter((l) => l.trim() && !/^(Creating (user|group) |Would write )/.test(l));
  return { code: r.code, stderr: complaints.join('\n') };
}

/**
 * Spreads binaries over as few roots as possible so that none is a directory of
 * another in the same root ("/a" and "/a/b" cannot both be files): root index per binary.
 */
export function rootsFor(binaries: string[]): number[] {
  const roots: Array<Set<string>> = [];
  const conflict = (set: Set<string>, b: string) => [...set].some((x) => x.startsWith(`${b}/`) || b.startsWith(`${x}/`));
  return binaries.map((b) => {
    let i = roots.findIndex((set) => !conflict(set, b));
    if (i < 0) i = roots.push(new Set()) - 1;
    roots[i]!.add(b);
    return i;
  });
}

/** A root systemd-analyze can verify in: systemd's own units, and `binaries` as executables. */
export async function systemdRoot(dir: string, binaries: string[]): Promise<void> {
  mkdirSync(path.join(dir, 'etc/systemd/system'), { recursive: true });
  mkdirSync(path.join(dir, 'usr/lib/systemd'), { recursive: true });
  await exec('cp', ['-a', '/usr/lib/systemd/system', path.join(dir, 'usr/lib/systemd/')]);
  for (const b of [...binaries, '/usr/bin/docker', '/bin/sh']) {
    const p = path.join(dir, b);
    mkdirSync(path.dirname(p), { recursive: true });
    if (!existsSync(p)) await exec('cp', ['/bin/true', p]);
  }
}

/** A word for /bin/sh in single quotes (nothing inside is special). */
const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface ShRead {
  /** `sh -n` of the control script: its complaints ('' when it parses). */
  syntax: string;
  /** The control script's settings as /bin/sh reads them (sourced with `status`, which only reads). */
  settings?: Record<string, string>;
  /** The upstart exec line's words as /bin/sh reads them (upstart runs `/bin/sh -e -c "exec LINE"`). */
  words?: string[];
  error?: string;
}

/** The control script's variables the tests compare (src/render/daemonize.ts). */
export const DAEMONIZE_SETTINGS = ['NAME', 'BINARY', 'WORKING_DIRECTORY', 'RUN_AS', 'RUN_DIRECTORY', 'PID_FILE', 'LOCK_FILE', 'LOG_DIRECTORY', 'STDOUT_LOG', 'STDERR_LOG', 'STOP_SIGNAL', 'UMASK'] as const;

/**
 * The real /bin/sh (dash) over many control scripts and upstart exec lines in
 * one process: per item, `sh -n`, the script's settings, and the exec line's
 * words, each in its own subshell (a syntax error ends only that subshell).
 */
export async function shRead(items: Array<{ script: string; execLine: string }>, work: string): Promise<ShRead[]> {
  mkdirSync(work, { recursive: true });
  const vars = DAEMONIZE_SETTINGS.map((n) => `"$${n}"`).join(' ');
  const lines = ['#!/bin/sh'];
  items.forEach((it, i) => {
    const line = path.join(work, `exec-${i}`);
    writeFileSync(line, `${it.execLine}\n`);
    const o = shq(path.join(work, `out-${i}`));
    lines.push(
      `/bin/sh -n ${shq(it.script)} 2>${o}.syntax`,
      `( set -- status; . ${shq(it.script)} >/dev/null; printf '%s\\0' ${vars} ) >${o}.settings 2>${o}.settings-err`,
      // eval is the parse `sh -c "exec LINE"` does; `set --` instead of exec keeps the words.
      // (The line has no newline: control characters are refused. `read`, not $(cat): no process.)
      `( IFS= read -r line <${shq(line)}; eval "set -- $line"; for a in "$@"; do printf '%s\\0' "$a"; done ) >${o}.words 2>${o}.words-err`,
    );
  });
  const driver = path.join(work, 'driver.sh');
  writeFileSync(driver, `${lines.join('\n')}\n`);
  const r = await exec('/bin/sh', [driver], { timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`the sh driver exited ${r.code}: ${r.stderr}`);
  const words = (f: string) => {
    const w = readFileSync(f, 'utf8').split('\0');
    w.pop();
    return w;
  };
  return items.map((_, i) => {
    const o = path.join(work, `out-${i}`);
    const err = [readFileSync(`${o}.settings-err`, 'utf8'), readFileSync(`${o}.words-err`, 'utf8')].join('').trim();
    const v = words(`${o}.settings`);
    return {
      syntax: readFileSync(`${o}.syntax`, 'utf8'),
      settings: Object.fromEntries(DAEMONIZE_SETTINGS.map((n, k) => [n, v[k]!])),
      words: words(`${o}.words`),
      ...(err ? { error: err } : {}),
    };
  });
}

/**
 * The argv `daemonize` gets from each generated control script's `start`, run
 * by the real /bin/sh: in one mount namespace where a stand-in daemonize (it
 * writes its argv and fails) is first in the scripts' PATH, /run, /var/log and
 * /var/lib are empty tmpfs, and `dirs` exist beforehand (the script creates
 * and chowns only missing ones). Needs root (unshare -m).
 */
export async function daemonizeArgvs(scripts: string[], work: string, dirs: string[]): Promise<Array<{ argv?: string[]; error?: string }>> {
  const fake = path.join(work, 'fake-sbin');
  mkdirSync(fake, { recursive: true });
  const dump = path.join(work, 'argv');
  // The script runs daemonize under `env -i`: the stand-in cannot take the dump path from the environment.
  writeFileSync(path.join(fake, 'daemonize'), `#!/bin/sh\nfor a; do printf '%s\\0' "$a"; done > ${shq(dump)}\nexit 1\n`, { mode: 0o755 });
  const lines = [
    'set -e',
    `mount --bind ${shq(fake)} /usr/local/sbin`,
    'mount -t tmpfs tmpfs /run',
    'mount -t tmpfs tmpfs /var/log',
    'mount -t tmpfs tmpfs /var/lib',
    ...[...new Set(dirs)].map((d) => `mkdir -p ${shq(d)}`),
    'set +e',
    ...scripts.map((s, i) => `sh ${shq(s)} start >${shq(`${dump}-${i}.log`)} 2>&1; [ -f ${shq(dump)} ] && mv ${shq(dump)} ${shq(`${dump}-${i}`)}`),
    'exit 0',
  ];
  const driver = path.join(work, 'start-all.sh');
  writeFileSync(driver, `${lines.join('\n')}\n`);
  const r = await exec('unshare', ['-m', '--propagation', 'private', 'sh', driver], { timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`unshare driver exited ${r.code}: ${r.stderr}`);
  return scripts.map((_, i) => {
    const f = `${dump}-${i}`;
    if (!existsSync(f)) return { error: `no daemonize call: ${readFileSync(`${dump}-${i}.log`, 'utf8')}` };
    const argv = readFileSync(f, 'utf8').split('\0');
    argv.pop();
    return { argv };
  });
}

/**
 * The ExecStart= argv systemd holds for each unit, from the unit dump
 * `systemd-analyze verify` prints at debug level (systemd 252
 * src/analyze/analyze-verify-util.c verify_unit: unit_dump when DEBUG_LOGGING),
 * "Command Line:" written by quote_command_line (src/basic/escape.c
 * shell_maybe_quote: a word is bare unless it holds a space, a control or one
 * of `"\`$'*?[]#;&|()<>!{}~`, else in "…" with `"\`$` backslashed and controls
 * C-escaped (cescape)) — then the expansion systemd applies when it runs the
 * command (src/basic/env-util.c replace_env_argv): "$$" is "$", "${NAME}" and a
 * whole word "$NAME" are the variable's value (no variable is set here, so a
 * value that reads one comes out changed).
 */
export async function systemdExecStarts(root: string, units: string[]): Promise<Map<string, string[]>> {
  const r = await exec('systemd-analyze', ['verify', `--root=${root}`, '--man=no', '--generators=no', ...units], {
    cwd: root,
    env: { SYSTEMD_LOG_LEVEL: 'debug' },
    timeoutMs: 300_000,
  });
  const out = new Map<string, string[]>();
  let unit: string | undefined;
  let inStart = false;
  for (const line of r.stdout.split('\n')) {
    const u = /^\t-> Unit (.+):$/.exec(line);
    if (u) {
      unit = u[1];
      inStart = false;
      continue;
    }
    if (/^\t\t-> Exec/.test(line)) inStart = line === '\t\t-> ExecStart:';
    const c = /^\t\t\tCommand Line: ([^]*)$/.exec(line);
    if (c && inStart && unit && units.includes(unit) && !out.has(unit)) out.set(unit, systemdExpand(dumpedCommandLine(c[1]!)));
  }
  return out;
}

/** The words of a dumped "Command Line:" (see systemdExecStarts). */
export function dumpedCommandLine(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'", $: '$', '`': '`', s: ' ' };
  while (i < line.length) {
    if (line[i] === ' ') {
      i++;
      continue;
    }
    let w = '';
    if (line[i] === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] !== '\\') {
          w += line[i++];
          continue;
        }
        const e = line[i + 1]!;
        if (e in simple) {
          w += simple[e];
          i += 2;
        } else if (e === 'x') {
          w += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 4;
        } else if (/[0-7]/.test(e)) {
          w += String.fromCharCode(parseInt(line.slice(i + 1, i + 4), 8));
          i += 4;
        } else if (e === 'u' || e === 'U') {
          const len = e === 'u' ? 4 : 8;
          w += String.fromCodePoint(parseInt(line.slice(i + 2, i + 2 + len), 16));
          i += 2 + len;
        } else throw new Error(`unknown escape \\${e} in ${line}`);
      }
      i++;
    } else {
      const end = line.indexOf(' ', i);
      w = line.slice(i, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end;
    }
    words.push(w);
  }
  return words;
}

/**
 * systemd's expansion of ExecStart= words when it runs them, with no variable
 * set (see systemdExecStarts): a word "$…" (not "${" or "$$") is replaced by
 * the variable's words — none here; in other words "$$" is "$" and "${NAME}"
 * the value.
 */
export function systemdExpand(words: string[]): string[] {
  return words.filter((w) => !(w.startsWith('$') && w[1] !== '{' && w[1] !== '$')).map((w) => w.replace(/\$\$|\$\{[A-Za-z_][A-Za-z0-9_]*\}/g, (m) => (m === '$$' ? '$' : '')));
}
