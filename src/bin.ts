/**
 * The process edge: parse argv, run the command, turn errors into one clear
 * message and an exit code. Nothing else in the code base calls process.exit
 * or sets process.exitCode.
 */
import { CommanderError } from 'commander';
import { EXIT_USAGE, GoneatError, InterruptedError } from './errors.js';
import type { CliContext } from './cli/context.js';

const PREFIX = 'goneat-deploy: ';

export async function main(argv: string[]): Promise<number> {
  // `goneat-deploy generate k8s -o - | head`: a reader that leaves is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
  const controller = new AbortController();
  let interrupted: 'SIGINT' | 'SIGTERM' | undefined;
  const onSignal = (sig: 'SIGINT' | 'SIGTERM') => {
    if (interrupted) process.exit(sig === 'SIGINT' ? 130 : 143); // second Ctrl-C: leave now
    interrupted = sig;
    controller.abort(new InterruptedError(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const ctx: CliContext = { stdout: process.stdout, stderr: process.stderr, signal: controller.signal, env: process.env, cwd: process.cwd() };
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  try {
    const { createProgram } = await import('./cli/program.js');
    await createProgram(ctx).parseAsync(argv);
    return interrupted ? (interrupted === 'SIGINT' ? 130 : 143) : 0;
  } catch (err) {
    return report(err, ctx, verbose, interrupted);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function report(err: unknown, ctx: CliContext, verbose: boolean, interrupted?: 'SIGINT' | 'SIGTERM'): number {
  if (err instanceof CommanderError) {
    // Commander already printed its message (or the help/version text).
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    return err.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (interrupted) {
    const e = new InterruptedError(interrupted);
    ctx.stderr.write(`${PREFIX}${e.message}; cleaned up\n`);
    return e.exitCode;
  }
  if (err instanceof GoneatError) {
    ctx.stderr.write(`${PREFIX}${err.message}\n`);
    for (const d of err.details) ctx.stderr.write(`  ${d}\n`);
    if (verbose && err.stack) ctx.stderr.write(`${err.stack}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  ctx.stderr.write(`${PREFIX}internal error: ${message}${verbose ? '' : ' (run with --verbose for a stack trace)'}\n`);
  if (verbose && err instanceof Error && err.stack) ctx.stderr.write(`${err.stack}\n`);
  return 1;
}
