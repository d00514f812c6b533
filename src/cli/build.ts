import { Command } from 'commander';
import type { CliContext, GlobalOptions } from './context.js';
import { print, printJson, projectOptions } from './context.js';

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

export function commandBuild(ctx: CliContext): Command {
  return projectOptions(new Command('build'))
    .description('build the service image: static Go binary, tini as PID 1, exec-form entrypoint, STOPSIGNAL, non-root numeric user, no shell')
    .option('-t, --tag <tag>', 'image tag, or a whole reference like registry:5000/team/echo:1.2.3')
    .option('--binary <path>', 'use this prebuilt static Linux binary instead of running go build')
    .option('--context-dir <dir>', 'also write the build context here (for a plain `docker build DIR`)')
    .option('--dockerfile', 'build with the engine\'s builder from the Dockerfile instead of assembling the image (not reproducible)')
    .option('--platform <list>', 'comma-separated: linux/amd64, linux/arm64 (several need --push)')
    .option('--push', 'push to the registry in the image reference, with the docker CLI\'s credentials; writes the digest to goneat-deploy.lock.json')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  goneat-deploy build -C examples/echo
  goneat-deploy build --tag 1.4.0 --json
  goneat-deploy build --tag registry.example.com/team/echo:1.4.0 --push
  goneat-deploy build --platform linux/amd64,linux/arm64 --push
  CGO_ENABLED=0 go build -o bin/echo . && goneat-deploy build --binary bin/echo`,
    )
    .action(async (opts: { dir: string; config: string; tag?: string; binary?: string; contextDir?: string; json?: boolean; dockerfile?: boolean; platform?: string; push?: boolean }, cmd: Command) => {
      const verbose = Boolean((cmd.optsWithGlobals() as GlobalOptions).verbose);
      const { loadConfig } = await import('../config/load.js');
      const { buildImage } = await import('../image/build.js');
      const { makeProgress } = await import('./progress.js');
      const { connectEngine, engineIsLocal } = await import('./engine.js');
      const { LOCK_FILE: LOCK_FILE_NAME } = await import('../image/lock.js');
      const loaded = await loadConfig({ dir: opts.dir, config: opts.config }, ctx.cwd);
      const progress = await makeProgress(ctx, verbose);
      const result = await buildImage(
        {
          loaded,
          ...(opts.tag !== undefined ? { tag: opts.tag } : {}),
          ...(opts.binary !== undefined ? { binary: opts.binary } : {}),
          ...(opts.contextDir !== undefined ? { contextDir: opts.contextDir } : {}),
          ...(opts.dockerfile ? { dockerfile: true } : {}),
          ...(opts.push ? { push: true } : {}),
          ...(opts.platform !== undefined ? { platforms: opts.platform.split(',') } : {}),
          env: ctx.env,
          cwd: ctx.cwd,
          signal: ctx.signal,
          progress,
        },
        { connect: () => connectEngine(ctx, verbose), engineIsLocal: await engineIsLocal(ctx) },
      ).catch((err: unknown) => {
        progress.end(false);
        throw err;
      });
      progress.end(true);
      if (result.lock?.action === 'dropped') {
        ctx.stderr.write(`goneat-deploy: note: removed ${LOCK_FILE_NAME}: it pinned ${result.lock.pinned}, an earlier push, and this build (not pushed) made a different image; generate now uses ${result.image}; run build --push to pin again\n`);
      } else if (result.lock?.action === 'unverified') {
        ctx.stderr.write(`goneat-deploy: warning: ${LOCK_FILE_NAME} pins ${result.lock.pinned} (a multi-platform push); this build was not pushed, so generate still deploys that digest, whatever changed: run build --push to pin what you built\n`);
      }
      if (result.digest) {
        const { writeLock } = await import('../image/lock.js');
        await writeLock(loaded.configDir, { image: result.image, digest: result.digest, platforms: result.platforms.map((p) => p.platform) });
      }
      if (opts.json) {
        printJson(ctx, result);
      } else {
        print(ctx, result.pinned ?? result.image);
        if (verbose) {
          ctx.stderr.write(
            `› ${result.id} ${mb(result.size)} (binary ${mb(result.binarySize)}, overhead ${mb(result.overhead)}), context ${mb(result.contextBytes)}, ${result.durationMs} ms\n`,
          );
        }
      }
    });
}
