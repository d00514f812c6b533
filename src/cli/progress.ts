/**
 * Progress on stderr. On an interactive terminal: a spinner per step (ora)
 * whose text follows the engine's output, ticked off when the next step
 * starts. With --verbose elsewhere: plain step lines. Otherwise (CI, pipes):
 * nothing. NO_COLOR is honoured.
 */
import type { Progress } from '../image/build.js';
import { interactive, useColor, type CliContext } from './context.js';

export interface CliProgress extends Progress {
  /** Ends the current step as done (true) or failed (false). */
  end(ok: boolean): void;
}

export async function makeProgress(ctx: CliContext, verbose: boolean): Promise<CliProgress> {
  if (interactive(ctx)) {
    const { default: ora } = await import('ora');
    const color = useColor(ctx);
    let spinner: ReturnType<typeof ora> | undefined;
    let title = '';
    return {
      step(message) {
        spinner?.succeed(title);
        title = message;
        spinner = ora({ text: message, stream: ctx.stderr as NodeJS.WritableStream, color: color ? 'cyan' : false as never, isEnabled: true, discardStdin: false }).start();
      },
      engine(line) {
        if (spinner && line.trim()) spinner.text = `${title}  ${line.trim().slice(0, 80)}`;
        if (verbose && line.trim()) {
          spinner?.clear();
          ctx.stderr.write(`  ${line}\n`);
        }
      },
      end(ok) {
        if (!spinner) return;
        if (ok) spinner.succeed(title);
        else spinner.fail(title);
        spinner = undefined;
      },
    };
  }
  return {
    step(message) {
      if (verbose) ctx.stderr.write(`› ${message}\n`);
    },
    engine(line) {
      if (verbose && line.trim()) ctx.stderr.write(`  ${line}\n`);
    },
    end() {},
  };
}
