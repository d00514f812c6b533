import { terminalSafe } from '../util/terminal.js';

/**
 * What a command needs from the outside world, passed in rather than reached
 * for: output streams, TTY facts, an abort signal for Ctrl-C.
 */
export interface CliContext {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Only whether it is a terminal (init asks questions only then); prompts read the process's own stdin. */
  stdin?: { isTTY?: boolean };
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface GlobalOptions {
  verbose?: boolean;
}

/** The -C/-c pair every command that reads goneat-deploy.yaml takes. */
export function projectOptions<T extends import('commander').Command>(cmd: T, dirHelp = 'project directory (where goneat-deploy.yaml is)'): T {
  return cmd.option('-C, --dir <dir>', dirHelp, '.').option('-c, --config <file>', 'config file, relative to --dir', 'goneat-deploy.yaml') as T;
}

/** Progress only on an interactive terminal, never in CI, when piped or on TERM=dumb (colour: see useColor). */
export function interactive(ctx: CliContext): boolean {
  return Boolean(ctx.stderr.isTTY) && !ctx.env.CI && ctx.env.TERM !== 'dumb';
}

/** Colour: interactive, and NO_COLOR not set (no-color.org). */
export function useColor(ctx: CliContext): boolean {
  return interactive(ctx) && ctx.env.NO_COLOR === undefined;
}

/** One line of output for people (it may hold file names or config values): written escaped (util/terminal.ts). */
export function print(ctx: CliContext, text: string): void {
  ctx.stdout.write(`${terminalSafe(text.endsWith('\n') ? text.slice(0, -1) : text)}\n`);
}

/** A warning on stderr: "goneat-deploy: warning: …", escaped like every message. */
export function warn(ctx: CliContext, text: string): void {
  ctx.stderr.write(`goneat-deploy: warning: ${terminalSafe(text)}\n`);
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
