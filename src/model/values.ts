/**
 * The one validator of user values that reach a generated file or the image:
 * which characters a value may hold, how long it may be, and what a host path
 * looks like. buildSpec (model/service.ts) runs it over every such field, so a
 * value a consumer would refuse or misread is a located config error (exit 2)
 * instead of a unit systemd will not load or an image that will not build.
 *
 * Characters (refused in every value):
 *  - control characters U+0000–U+001F (a tab is allowed where noted) and DEL:
 *    a newline would start a new line in a unit file, an upstart job or a
 *    Dockerfile, NUL ends a C string;
 *  - unpaired surrogates (U+D800–U+DFFF alone): not characters, so not
 *    encodable in UTF-8 (WTF-16 only) — Node would write U+FFFD instead;
 *  - Unicode non-characters (U+FDD0–U+FDEF and U+xFFFE/U+xFFFF in every plane,
 *    Unicode 15 §23.7): launchd's plist parser refuses them as XML ("internal
 *    error" before), and systemd's UTF-8 check (utf8_is_valid, unichar_is_valid)
 *    rejects the unit line.
 * C1 controls, U+2028 and U+2029 are characters every target can carry; the
 * YAML emitter escapes them (util/yaml.ts) and messages show them escaped
 * (util/terminal.ts).
 *
 * Lengths (each limit is the tightest consumer's, named in the message):
 *  - a Dockerfile line: at most 65,535 bytes — docker build's Dockerfile
 *    parser (moby/buildkit frontend/dockerfile/parser, a bufio.Scanner) fails
 *    with "dockerfile line greater than max allowed size of 65535" (measured,
 *    Docker Engine 20.10): the ENTRYPOINT line holds every argument, each ENV
 *    and LABEL value has its line;
 *  - a systemd unit line: at most 1,048,575 bytes — systemd reads unit files
 *    with read_line(f, LONG_LINE_MAX) (src/shared/conf-parser.c, LONG_LINE_MAX
 *    = 1 MiB in src/basic/def.h) and refuses the unit with "Line too long"
 *    (ENOBUFS); the container unit's ExecStart holds every --env=;
 *  - one argument or environment string: at most 131,071 bytes — Linux execve(2)
 *    refuses longer ones with E2BIG (MAX_ARG_STRLEN = 32 pages, including the NUL);
 *  - a host path: at most 4,095 bytes, each name at most 255 (PATH_MAX and
 *    NAME_MAX, linux/limits.h); systemd refuses longer paths as invalid.
 * Pure.
 */
import { execForm, quoteExpanding, systemdWord } from './syntax.js';

export const LIMITS = {
  /** Longest Dockerfile line docker build reads (moby/buildkit's parser: "max allowed size of 65535"). */
  dockerfileLine: 65_535,
  /** Longest unit-file line systemd reads: LONG_LINE_MAX (1 MiB) less the newline. */
  systemdLine: (1 << 20) - 1,
  /** Longest argv or envp string execve(2) passes: MAX_ARG_STRLEN (131,072) less the NUL. */
  argString: 131_071,
  /** Longest path: PATH_MAX (4,096) less the NUL. */
  path: 4095,
  /** Longest file name in a path: NAME_MAX. */
  name: 255,
} as const;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const n = (x: number) => x.toLocaleString('en-US');
const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

const CONTROL_NAMES: Record<number, string> = { 0: 'NUL', 9: 'a tab', 10: 'a newline', 13: 'a carriage return', 27: 'ESC', 127: 'DEL' };

/**
 * What is wrong with the characters of `value`, or undefined. `allowTab`: a tab
 * is fine (arguments and environment values: every target quotes it).
 */
export function textProblem(value: string, opts: { allowTab?: boolean } = {}): string | undefined {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) {
      if (c === 9 && opts.allowTab) continue;
      return `control characters (${hex(c)}${CONTROL_NAMES[c] ? `, ${CONTROL_NAMES[c]}` : ''}) are not allowed: unit files, upstart jobs and Dockerfiles are read line by line`;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = value.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const cp = value.codePointAt(i)!;
        if ((cp & 0xfffe) === 0xfffe) return nonCharacter(cp);
        i++;
        continue;
      }
      return `has an unpaired surrogate (${hex(c)}): that is not a Unicode character, and no file can hold it as UTF-8`;
    }
    if ((c >= 0xfdd0 && c <= 0xfdef) || c === 0xfffe || c === 0xffff) return nonCharacter(c);
  }
  return undefined;
}

function nonCharacter(cp: number): string {
  return `has ${hex(cp)}, a Unicode non-character: launchd's property list (XML) and systemd's unit parser refuse it`;
}

/** An argument or environment string the kernel passes to the service: textProblem, then MAX_ARG_STRLEN. */
export function argumentProblem(value: string, what = 'an argument'): string | undefined {
  const t = textProblem(value, { allowTab: true });
  if (t) return t;
  const b = bytes(value);
  if (b > LIMITS.argString) return `is ${n(b)} bytes: Linux passes at most ${n(LIMITS.argString)} bytes in ${what} (MAX_ARG_STRLEN, execve(2))`;
  return undefined;
}

/** A host path (systemd, daemonize, upstart, launchd): absolute, normalized, within PATH_MAX and NAME_MAX. */
export function hostPathProblem(p: string): string | undefined {
  if (!p.startsWith('/')) return `"${p}" is not absolute: start it with "/"`;
  if (p !== '/') {
    const parts = p.slice(1).split('/');
    if (parts.some((x) => x === '' || x === '.' || x === '..')) {
      return `"${p}" is not a normalized absolute path: no ".", "..", "//" or trailing "/" (systemd refuses such paths, and ".." could lead anywhere)`;
    }
    const long = parts.find((x) => bytes(x) > LIMITS.name);
    if (long !== undefined) return `has a name of ${n(bytes(long))} bytes: a file name is at most ${LIMITS.name} bytes (NAME_MAX)`;
  }
  if (bytes(p) > LIMITS.path) return `is ${n(bytes(p))} bytes: a path is at most ${n(LIMITS.path)} bytes (PATH_MAX)`;
  return undefined;
}

/**
 * The service's account on a host (User=, sysusers.d, daemonize -u, upstart
 * setuid): systemd's strict user-name rules (src/basic/user-util.c
 * valid_user_group_name without VALID_USER_RELAX: a letter or "_" first, then
 * letters, digits, "_" and "-", at most 31 characters). systemd-sysusers
 * refuses anything else ("is not a valid user or group name") and User=
 * accepts it only with a warning.
 */
export function accountNameProblem(name: string): string | undefined {
  if (/^[a-z_][a-z0-9_-]{0,30}$/.test(name)) return undefined;
  return `"${name}" cannot be the service's account on a host: systemd-sysusers takes only names of at most 31 characters that start with a letter or "_"`;
}

/** The working directory is also the account's home in sysusers.d, a passwd field: no ":" (systemd valid_home). */
export function homeDirectoryProblem(p: string): string | undefined {
  return p.includes(':') ? `"${p}" has a ":": it is the account's home directory in /etc/passwd, where ":" separates fields (systemd-sysusers refuses it)` : undefined;
}

/** The problem of one Dockerfile line, or undefined. */
export function dockerfileLineProblem(line: string, what: string): string | undefined {
  const b = bytes(line);
  if (b <= LIMITS.dockerfileLine) return undefined;
  return `${what} ${n(b)} bytes long: docker build reads Dockerfile lines of at most ${n(LIMITS.dockerfileLine)} bytes`;
}

/** The problem of one systemd unit line, or undefined. */
export function systemdLineProblem(line: string, what: string): string | undefined {
  const b = bytes(line);
  if (b <= LIMITS.systemdLine) return undefined;
  return `${what} ${n(b)} bytes long: systemd reads unit lines of at most ${n(LIMITS.systemdLine)} bytes (LONG_LINE_MAX)`;
}

/** The image's ENTRYPOINT line (image/dockerfile.ts) for this exec-form command. */
export function entrypointLine(entrypoint: string[]): string {
  return `ENTRYPOINT ${execForm(entrypoint)}`;
}

/** One ENV (or LABEL) line of the Dockerfile: "    KEY=\"value\" \\" (the first one starts with "ENV " instead, as long). */
export function dockerfileAssignmentLine(key: string, value: string, indent = 4): string {
  return `${' '.repeat(indent)}${key}=${quoteExpanding(value)} \\`;
}

/** The words `docker run` gets for the environment in the container unit's ExecStart (render/systemd.ts). */
export function containerUnitEnvWords(env: Array<[string, string]>): string {
  return env.map(([k, v]) => systemdWord(`--env=${k}=${v}`)).join(' ');
}
