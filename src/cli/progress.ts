/**
 * Progress on stderr: steps and engine output on an interactive terminal,
 * steps only with --verbose elsewhere, nothing otherwise (CI stays quiet).
 */
import type { Progress } from '../image/build.js';
import { interactive, useColor, type CliContext } from './context.js';

export function makeProgress(ctx: CliContext, verbose: boolean): Progress {
  const tty = interactive(ctx);
  const color = useColor(ctx);
  const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[22m` : s);
  const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[22m` : s);
  return {
    step(message) {
      if (tty || verbose) ctx.stderr.write(`${bold('›')} ${message}\n`);
    },
    engine(line) {
      if ((tty || verbose) && line.trim()) ctx.stderr.write(`  ${dim(line)}\n`);
    },
  };
}
