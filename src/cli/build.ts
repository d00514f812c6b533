import { Command } from 'commander';
import type { CliContext, GlobalOptions } from './context.js';
import { print, printJson } from './context.js';

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

export function commandBuild(ctx: CliContext): Command {
  return new Command('build')
    .description('build the service image: static Go binary, tini as PID 1, exec-form entrypoint, STOPSIGNAL, non-root numeric user, no shell')
    .option('-C, --dir <dir>', 'project directory (where goneat-deploy.yaml is)', '.')
    .option('-c, --config <file>', 'config file, relative to --dir', 'goneat-deploy.yaml')
    .option('-t, --tag <tag>', 'image tag, or a whole reference like registry:5000/team/echo:1.2.3')
    .option('--binary <path>', 'use this prebuilt static Linux binary instead of running go build')
    .option('--context-dir <dir>', 'also write the build context here (for a plain `docker build DIR`)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  goneat-deploy build -C examples/echo
  goneat-deploy build --tag 1.4.0 --json
  CGO_ENABLED=0 go build -o bin/echo . && goneat-deploy build --binary bin/echo`,
    )
    .action(async (opts: { dir: string; config: string; tag?: string; binary?: string; contextDir?: string; json?: boolean }, cmd: Command) => {
      const verbose = Boolean((cmd.optsWithGlobals() as GlobalOptions).verbose);
      const { loadConfig } = await import('../config/load.js');
      const { buildImage } = await import('../image/build.js');
      const { makeProgress } = await import('./progress.js');
      const { connectEngine } = await import('./engine.js');
      const loaded = await loadConfig({ dir: opts.dir, config: opts.config });
      const result = await buildImage(
        {
          loaded,
          ...(opts.tag !== undefined ? { tag: opts.tag } : {}),
          ...(opts.binary !== undefined ? { binary: opts.binary } : {}),
          ...(opts.contextDir !== undefined ? { contextDir: opts.contextDir } : {}),
          signal: ctx.signal,
          progress: makeProgress(ctx, verbose),
        },
        () => connectEngine(ctx, verbose),
      );
      if (opts.json) {
        printJson(ctx, result);
      } else {
        print(ctx, result.image);
        if (verbose) {
          ctx.stderr.write(
            `› ${result.id} ${mb(result.size)} (binary ${mb(result.binarySize)}, overhead ${mb(result.overhead)}), context ${mb(result.contextBytes)}, ${result.durationMs} ms\n`,
          );
        }
      }
    });
}
