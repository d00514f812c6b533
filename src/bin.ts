/**
 * The process edge: wire the real process (argv, streams, SIGINT/SIGTERM) to
 * `run`, which parses argv, runs the command and turns errors into one clear
 * message and an exit code. Nothing else in the code base calls process.exit
 * or sets process.exitCode; tests call `run` in-process with their own
 * streams, env and cwd.
 */
import { CommanderError } from 'commander';
import { EXIT_USAGE, GoneatError, InternalError, InterruptedError } from './errors.js';
import type { CliContext } from './cli/context.js';
import { terminalSafe } from './util/terminal.js';
import { cleanUpPendingWork } from './util/interrupt.js';

/**
 * How long a command has to stop after SIGINT/SIGTERM before the process ends
 * anyway (src/bin.ts main). Commands stop at the abort within milliseconds
 * (builds: go build killed, temp dir removed; verify: its container removed,
 * a few seconds at most); this only ends what cannot be stopped.
 */
export const STOP_GRACE_MS = 5_000;

const PREFIX = 'goneat-deploy: ';

type StopSignal = 'SIGINT' | 'SIGTERM';

/**
 * Runs one command line (`argv` without node and the script: ["build", "-C", "dir"])
 * with the given context; resolves with the exit code (0 ok, 1 runtime
 * failure, 2 usage or config error, 130/143 interrupted). `interrupted` tells
 * which signal aborted ctx.signal, when one did. Never throws.
 */
export async function run(argv: string[], ctx: CliContext, interrupted: () => StopSignal | undefined = () => undefined): Promise<number> {
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  try {
    const { createProgram } = await import('./cli/program.js');
    await createProgram(ctx).parseAsync(argv, { from: 'user' });
    const sig = interrupted();
    if (!sig) return 0;
    // The signal came when the command had nothing left to stop: its work is whole. Say so, still exit 128+n.
    ctx.stderr.write(`${PREFIX}interrupted by ${sig} after the command had finished: its work is complete\n`);
    return sig === 'SIGINT' ? 130 : 143;
  } catch (err) {
    return report(err, ctx, verbose, interrupted());
  }
}

/** The installed CLI: process.argv, the process's streams, env and cwd, and Ctrl-C. */
export async function main(argv: string[]): Promise<number> {
  // The one owner of failed writes to the process's own streams (every command prints through them):
  // `goneat-deploy generate k8s -o - | head -1`: a reader that leaves is not an error — end quietly, as
  // Unix tools do on EPIPE. Any other failure (`> /dev/full`: ENOSPC, EIO, EBADF) is one line on stderr
  // and exit 1, never an uncaught exception with a stack trace. A stderr that fails too stays silent.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      if (stream === process.stdout) {
        try {
          process.stderr.write(`${PREFIX}cannot write to stdout: ${writeFailure(err)}\n`);
        } catch {
          // nowhere left to say it
        }
      }
      process.exit(1);
    });
  }
  const controller = new AbortController();
  let interrupted: StopSignal | undefined;
  /** Ends the process now: undo what is half-done (util/interrupt.ts), say what is left, exit 128+n. */
  const leaveNow = (sig: StopSignal, why: string) => {
    const left = cleanUpPendingWork();
    process.stderr.write(`${PREFIX}${why}${left.length ? `; ${[...new Set(left)].join('; ')}` : ''}\n`);
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  const onSignal = (sig: StopSignal) => {
    if (interrupted) return leaveNow(sig, `interrupted again by ${sig}: stopped at once`); // second Ctrl-C
    interrupted = sig;
    controller.abort(new InterruptedError(sig));
    // Every command stops at the abort and cleans up within moments. One that does not come back (an I/O
    // call the kernel does not finish: a hung network file system) must not keep the process alive.
    setTimeout(() => leaveNow(sig, `interrupted by ${sig}: still busy ${STOP_GRACE_MS / 1000} s later, stopped`), STOP_GRACE_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const ctx: CliContext = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, signal: controller.signal, env: process.env, cwd: process.cwd() };
  try {
    return await run(argv.slice(2), ctx, () => interrupted);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** "no space left on device (ENOSPC)": the errno's description from Node's message, and its code. */
function writeFailure(err: NodeJS.ErrnoException): string {
  const what = /^[A-Z]+: ([^,]+)/.exec(err.message)?.[1] ?? err.message;
  return err.code ? `${what} (${err.code})` : what;
}

function report(err: unknown, ctx: CliContext, verbose: boolean, interrupted?: StopSignal): number {
  if (err instanceof CommanderError) {
    // Commander already printed its message (or the help/version text).
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    return err.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (interrupted) {
    // The command's own account of what it left ("no file was written: every file is as it was"), else a generic one.
    const e = err instanceof InterruptedError && err.left ? err : new InterruptedError(interrupted, 'cleaned up');
    ctx.stderr.write(`${PREFIX}${terminalSafe(e.message)}\n`);
    return interrupted === 'SIGINT' ? 130 : 143;
  }
  // Anything that is not one of ours is a bug: an InternalError, with the original's stack.
  const e = err instanceof GoneatError ? err : new InternalError(err instanceof Error ? err.message : String(err), { cause: err });
  const stack = e === err ? e.stack : err instanceof Error ? err.stack : undefined;
  const hint = e instanceof InternalError && !verbose ? ' (run with --verbose for a stack trace)' : '';
  // Messages quote config values and file names: written escaped (util/terminal.ts), one line each.
  ctx.stderr.write(`${PREFIX}${terminalSafe(e.message)}${hint}\n`);
  for (const d of e.details) ctx.stderr.write(`  ${terminalSafe(d)}\n`);
  if (verbose && stack) ctx.stderr.write(`${stack}\n`);
  return e.exitCode;
}
