/**
 * How a value is written in the two line-oriented formats whose line length
 * has a hard limit: Dockerfiles and systemd units. The renderers write with
 * these (image/dockerfile.ts, render/systemd.ts) and the value checks
 * (model/values.ts) measure the very same lines, so a value is refused exactly
 * when the line it makes would be. Pure.
 */

/** Dockerfile JSON (exec form) array: JSON strings; control characters never get this far (model/values.ts). */
export function execForm(argv: string[]): string {
  return `[${argv.map((a) => JSON.stringify(a)).join(',')}]`;
}

/**
 * A LABEL/ENV value in double quotes. The Dockerfile word lexer (moby
 * shell/lex.go) treats only \", \$ and \\ as escapes inside double quotes and
 * expands $VAR, so exactly those are escaped; a tab stays a literal tab.
 */
export function quoteExpanding(value: string): string {
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

/**
 * One word of a command line (ExecStart=, ExecStop=): "%" is a specifier and
 * "$" a variable reference, so both are doubled; backslash and double quote
 * are C-escaped inside double quotes, which also keep spaces and ";" literal.
 */
export function systemdWord(word: string): string {
  const escaped = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_./:=,@+-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function systemdCommand(argv: string[]): string {
  return argv.map(systemdWord).join(' ');
}

/** An Environment= assignment: quoted, C-escaped, "%" doubled ("$" is literal there). */
export function systemdEnv(name: string, value: string): string {
  return `"${`${name}=${value}`.replace(/%/g, '%%').replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
