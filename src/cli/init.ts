import { Command } from 'commander';
import { InterruptedError, interruption, UsageError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { interactive, print, printJson, warn, type CliContext } from './context.js';

interface InitOptions {
  dir: string;
  name?: string;
  main?: string;
  framework?: string;
  repository?: string;
  tag?: string;
  port?: string[];
  health?: string;
  drain?: string;
  preStop?: string;
  replicas?: string;
  yes?: boolean;
  force?: boolean;
  json?: boolean;
  fixTrpcClose?: boolean;
}

/** preStop when none is given; tRPC-Go's close_wait_time does its job in-process (src/model/trpc.ts). */
const DEFAULT_PRE_STOP = '3s';

/** NAME=PORT items (comma separated, or one per --port); `what` names where they came from in errors. */
function parsePorts(list: string[], what = '--port '): Array<{ name: string; port: number }> {
  return list.flatMap((item) => item.split(',')).filter(Boolean).map((p) => {
    const m = /^([a-z0-9-]{1,15})=(\d{1,5})$/.exec(p.trim());
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new UsageError(`${what}${p.trim()}: expected NAME=PORT like http=8080 (name: a-z, 0-9, "-", at most 15 characters; port 1..65535)`);
    return { name: m[1]!, port: Number(m[2]) };
  });
}

/** A prompt's validate: true, or the message to show under the answer (the prompt asks again). */
function promptCheck(check: () => unknown): true | string {
  try {
    check();
    return true;
  } catch (err) {
    return (err as Error).message;
  }
}

function parseHealth(text: string): { port: string | number; path: string } {
  const m = /^([a-z0-9-]+|\d{1,5})(\/.*)$/.exec(text.trim());
  if (!m) throw new UsageError(`--health ${text}: expected PORT/PATH or NAME/PATH like admin/is_healthy/`);
  return { port: /^\d+$/.test(m[1]!) ? Number(m[1]) : m[1]!, path: m[2]! };
}

export function commandInit(ctx: CliContext): Command {
  return new Command('init')
    .description('write a goneat-deploy.yaml for the Go service in this directory: finds the module and its main packages, asks a few questions on a terminal')
    .option('-C, --dir <dir>', 'the Go project directory', '.')
    .option('--name <name>', 'service name (default: from the module path)')
    .option('--main <package>', 'Go main package (default: the first one found)')
    .option('--framework <name>', 'plain or trpc-go (default: trpc-go when the module uses tRPC-Go or has trpc_go.yaml)')
    .option('--repository <repo>', 'image repository (default: the name)')
    .option('--tag <tag>', 'image tag', 'dev')
    .option('--port <name=port...>', 'ports the service listens on, e.g. --port http=8080 --port admin=9090')
    .option('--health <port/path>', 'health endpoint, e.g. admin/is_healthy/')
    .option('--drain <duration>', 'longest time the service needs to finish in-flight work (plain: default 10s)')
    .option('--pre-stop <duration>', `Kubernetes preStop delay (default ${DEFAULT_PRE_STOP}; none for tRPC-Go with close_wait_time, which keeps accepting after SIGTERM)`)
    .option('--fix-trpc-close', 'tRPC-Go: write close_wait_time/max_close_wait_time into trpc_go.yaml when it would not drain in-flight requests (asked on a terminal; comments and layout kept)')
    .option('--replicas <n>', 'replicas for swarm and Kubernetes', '2')
    .option('-y, --yes', 'take the defaults without asking')
    .option('--force', 'overwrite an existing goneat-deploy.yaml')
    .option('--json', 'print what was written as JSON')
    .addHelpText(
      'after',
      `
Examples:
  goneat-deploy init
  goneat-deploy init -C services/order --yes
  goneat-deploy init --name echo --port http=8080 --port admin=9090 --health admin/is_healthy/ --drain 5s --yes
  goneat-deploy init -C services/hello --yes --fix-trpc-close`,
    )
    .action(async (opts: InitOptions) => {
      const path = await import('node:path');
      const { stat } = await import('node:fs/promises');
      const { detect, serviceName } = await import('../init/detect.js');
      const { renderConfig } = await import('../init/template.js');
      const { auxReader, specFromText, CONFIG_FILE, displayPath } = await import('../config/load.js');
      const { writeSet } = await import('../write/writer.js');
      const { formatIssue } = await import('../errors.js');

      const dir = path.resolve(ctx.cwd, opts.dir);
      if (!(await stat(dir).then((s) => s.isDirectory(), () => false))) throw new UsageError(`${displayPath(dir, ctx.cwd)}: not a directory`);
      const target = path.join(dir, CONFIG_FILE);
      if (!opts.force && (await stat(target).then(() => true, () => false))) {
        throw new UsageError(`${displayPath(target, ctx.cwd)} already exists; not overwriting it (use --force to replace it)`);
      }
      if (opts.framework !== undefined && opts.framework !== 'plain' && opts.framework !== 'trpc-go') throw new UsageError(`--framework ${opts.framework}: expected plain or trpc-go`);
      const found = await detect(dir);
      const { chooseMain } = await import('../init/detect.js');
      const picked = await chooseMain(dir, displayPath(dir, ctx.cwd), found, opts.main);
      const framework = (opts.framework as 'plain' | 'trpc-go' | undefined) ?? found.framework;
      const name = opts.name ?? serviceName(found.module ?? path.basename(dir));
      let answers = {
        name,
        framework,
        repository: opts.repository ?? name,
        tag: opts.tag ?? 'dev',
        main: picked.main,
        ports: opts.port ? parsePorts(opts.port) : framework === 'trpc-go' ? [] : [{ name: 'http', port: 8080 }],
        ...(opts.health ? { health: parseHealth(opts.health) } : {}),
        ...(opts.drain ? { drain: opts.drain } : framework === 'plain' ? { drain: '10s' } : {}),
        replicas: Number(opts.replicas ?? 2),
      } as import('../init/template.js').InitAnswers;
      if (!Number.isInteger(answers.replicas) || answers.replicas < 1) throw new UsageError(`--replicas ${opts.replicas}: expected a whole number >= 1`);
      // tRPC-Go: the ports (published on 127.0.0.1, as for a plain module) and the admin health from trpc_go.yaml.
      if (framework === 'trpc-go' && !opts.port && found.trpcText !== undefined) {
        const fromTrpc = (await import('../init/detect.js')).portsFromTrpc(found.trpcText, 'trpc_go.yaml');
        if (fromTrpc) {
          answers.ports = fromTrpc.ports;
          answers.portsFrom = 'trpc_go.yaml';
          if (!opts.health && fromTrpc.health) answers.health = fromTrpc.health;
        }
      }

      const asking = interactive(ctx) && Boolean(ctx.stdin?.isTTY) && !opts.yes;
      if (picked.note && !asking) ctx.stderr.write(`goneat-deploy: note: ${picked.note}\n`);
      if (asking) {
        const prompts = await import('@inquirer/prompts');
        // Every prompt ends when SIGINT/SIGTERM aborts ctx.signal (the terminal is restored by the prompt).
        const input = (config: Parameters<typeof prompts.input>[0]) => stoppable(ctx, () => prompts.input(config, { signal: ctx.signal }));
        const select = <V,>(config: Parameters<typeof prompts.select<V>>[0]) => stoppable(ctx, () => prompts.select<V>(config, { signal: ctx.signal }));
        const { DNS_LABEL_PATTERN } = await import('../model/patterns.js');
        ctx.stderr.write(`Found ${found.module ? `module ${found.module}` : 'no go.mod'}; main package(s): ${found.mains.join(', ') || 'none'}; framework: ${found.framework}.\n`);
        answers = {
          ...answers,
          name: await input({ message: 'Service name (a DNS label)', default: answers.name, validate: (v) => new RegExp(DNS_LABEL_PATTERN).test(v) || 'lower case letters, digits and "-"' }),
          main: found.mains.length > 1 ? await select({ message: 'Main package', choices: found.mains.map((m) => ({ value: m })) }) : answers.main,
          framework: await select({
            message: 'Framework',
            default: answers.framework,
            choices: [
              { value: 'plain' as const, description: 'any Go service: you give ports, health and drain' },
              { value: 'trpc-go' as const, description: 'reads trpc_go.yaml (must exist here): ports, admin health, close wait' },
            ],
          }),
        };
        answers.repository = await input({ message: 'Image repository', default: opts.repository ?? answers.name });
        if (answers.framework === 'plain') {
          // Answers are checked in the prompt, which asks again, as the name prompt does: an error after
          // the last question would name a flag nobody typed and throw every answer away.
          const ports = await input({
            message: 'Ports (name=port, comma separated)',
            default: answers.ports.map((p) => `${p.name}=${p.port}`).join(','),
            validate: (v) => promptCheck(() => parsePorts([v], '')),
          });
          answers.ports = parsePorts([ports], '');
          const { parseDuration } = await import('../model/duration.js');
          answers.drain = await input({
            message: 'Drain: the longest your service needs to finish in-flight work',
            default: answers.drain ?? '10s',
            validate: (v) => parseDuration(v.trim()) !== undefined || 'expected a duration like "5s", "500ms" or "1m30s"',
          }).then((v) => v.trim());
        }
      }

      // tRPC-Go: offer the close settings that make it drain; never rewrite trpc_go.yaml unasked.
      const trpc = answers.framework === 'trpc-go' && found.trpcText !== undefined
        ? await trpcCloseFix(ctx, { dir, text: found.trpcText, asking, flag: Boolean(opts.fixTrpcClose) })
        : undefined;
      const sleepsMs = trpc?.sleepMs ?? 0;
      if (opts.preStop) answers.preStop = opts.preStop;
      else if (answers.framework === 'trpc-go' && sleepsMs > 0) answers.preStopNote = `not needed: close_wait_time keeps accepting for ${sleepsMs} ms after SIGTERM`;
      else answers.preStop = DEFAULT_PRE_STOP;

      const text = renderConfig(answers, schemaRef(dir, path));
      // What init writes must load: check it the way every command will (with trpc_go.yaml as it will be).
      const readAux = auxReader(dir);
      const shownTarget = displayPath(target, ctx.cwd);
      let checked: ReturnType<typeof specFromText>;
      try {
        checked = specFromText(shownTarget, text, (rel) => (trpc?.updated !== undefined && path.resolve(dir, rel) === trpc.path ? trpc.updated : readAux(rel)));
      } catch (err) {
        const { ConfigError } = await import('../errors.js');
        if (!(err instanceof ConfigError)) throw err;
        // Name the flag (or answer) that gave the value, not a line of a file that was never written.
        const { initFlagError } = await import('../init/flags.js');
        throw initFlagError(err, shownTarget, {
          name: opts.name ?? (asking ? answers.name : undefined),
          repository: opts.repository,
          tag: opts.tag,
          main: opts.main,
          port: opts.port?.join(','),
          health: opts.health,
          drain: opts.drain ?? (asking && answers.framework === 'plain' ? answers.drain : undefined),
          preStop: opts.preStop,
          replicas: opts.replicas,
        });
      }
      for (const w of checked.warnings) warn(ctx, formatIssue(w));
      if (trpc?.hint && checked.warnings.some((w) => w.code === 'no-drain')) ctx.stderr.write(`${trpc.hint}\n`);
      // The config and the trpc_go.yaml fix are one unit: both written, or neither.
      await writeSet(
        [...(trpc?.updated !== undefined ? [{ target: trpc.path, content: trpc.updated, shown: displayPath(trpc.path, ctx.cwd) }] : []), { target, content: text, shown: displayPath(target, ctx.cwd) }],
        { signal: ctx.signal },
      );
      if (trpc?.updated !== undefined && !opts.json) print(ctx, `updated ${displayPath(trpc.path, ctx.cwd)}: ${describeFix(trpc.fix!)}`);
      if (opts.json) printJson(ctx, { path: target, config: text, ...(trpc?.updated !== undefined ? { trpcConfig: { path: trpc.path, set: trpc.fix } } : {}) });
      else {
        print(ctx, `wrote ${displayPath(target, ctx.cwd)}`);
        if (interactive(ctx)) ctx.stderr.write(`next: goneat-deploy build${opts.dir !== '.' ? ` -C ${opts.dir}` : ''} && goneat-deploy generate all${opts.dir !== '.' ? ` -C ${opts.dir}` : ''}\n`);
      }
    });
}

type CloseFix = import('../model/trpc.js').CloseFix;

/**
 * A prompt that ends with the command: aborted by SIGINT/SIGTERM (ctx.signal,
 * @inquirer's AbortPromptError), or Ctrl-C typed at it (the terminal is in raw
 * mode then, so no SIGINT is sent: @inquirer's ExitPromptError) — an
 * interruption (exit 130/143) that says nothing was written.
 */
async function stoppable<T>(ctx: CliContext, ask: () => Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch (err) {
    const left = 'init stopped at its questions; no file was written';
    if (ctx.signal.aborted) throw interruption(ctx.signal).leaving(left);
    if ((err as Error)?.name === 'ExitPromptError') throw new InterruptedError('SIGINT', left);
    throw err;
  }
}

function describeFix(fix: CloseFix): string {
  return Object.entries(fix).map(([k, v]) => `server.${k}: ${v}`).join(', ');
}

/**
 * Reads trpc_go.yaml; when tRPC-Go would not drain in-flight requests, asks
 * (terminal) or follows --fix-trpc-close, and returns the edited text (only
 * the values change: src/init/trpc-fix.ts). `sleepMs` is the close_wait_time
 * sleep the file will have.
 */
async function trpcCloseFix(
  ctx: CliContext,
  input: { dir: string; text: string; asking: boolean; flag: boolean },
): Promise<{ path: string; sleepMs: number; updated?: string; fix?: CloseFix; hint?: string }> {
  const path = await import('node:path');
  const { analyzeTrpcConfig, closeFix } = await import('../model/trpc.js');
  const { applyCloseFix } = await import('../init/trpc-fix.js');
  const { displayPath } = await import('../config/load.js');
  const file = path.join(input.dir, 'trpc_go.yaml');
  const { facts } = analyzeTrpcConfig(input.text, { file: displayPath(file, ctx.cwd) });
  if (!facts) return { path: file, sleepMs: 0 }; // the config check reports its errors
  const fix = closeFix(facts.close, facts.services.map((s) => s.timeoutMs));
  if (!fix) return { path: file, sleepMs: facts.close.sleepMs };
  let apply = input.flag;
  if (!apply && input.asking) {
    const { confirm } = await import('@inquirer/prompts');
    apply = await stoppable(ctx, () =>
      confirm(
        {
          message: `${displayPath(file, ctx.cwd)}: tRPC-Go would exit ${facts.close.sleepMs ? `${facts.close.sleepMs} ms` : 'at once'} after SIGTERM, cutting off in-flight requests. Set ${describeFix(fix)}? (only these values change)`,
          default: true,
        },
        { signal: ctx.signal },
      ),
    );
  }
  if (!apply) return { path: file, sleepMs: facts.close.sleepMs, hint: 'goneat-deploy: hint: `goneat-deploy init --force --fix-trpc-close` writes these values into trpc_go.yaml (only the values change)' };
  let updated: string;
  try {
    updated = applyCloseFix(input.text, fix);
  } catch (err) {
    throw new UsageError(`${displayPath(file, ctx.cwd)}: ${(err as Error).message}; set ${describeFix(fix)} by hand`);
  }
  return { path: file, sleepMs: Math.min(fix.close_wait_time ?? facts.close.closeWaitMs, 10_000), updated, fix };
}

/** The installed package's JSON Schema, relative to the project when it can be. */
function schemaRef(dir: string, path: typeof import('node:path')): string {
  const schema = path.join(packageRoot(), 'schema', 'goneat-deploy.schema.json');
  const rel = path.relative(dir, schema);
  return rel.startsWith('..') && rel.split(path.sep).filter((p) => p === '..').length > 3 ? schema : rel.split(path.sep).join('/');
}
