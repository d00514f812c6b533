import { Command } from 'commander';
import { DEFAULT_OUTPUT, type GenerateOptions } from '../generate/generate.js';
import { TARGETS } from '../generate/targets.js';
import type { LoadedConfig } from '../config/load.js';
import type { ServiceSpec } from '../model/service.js';
import { print, printJson, projectOptions, warn, type CliContext, type GlobalOptions } from './context.js';

/**
 * Which Compose will read a compose file here (v2 preferred, v1 as fallback; src/runtime/compose.ts),
 * said under --verbose; and a warning when the file uses what that Compose cannot read. Looked up only
 * for the compose target, and only under --verbose or when the file needs Compose v2 (start_interval):
 * generating stays free of subprocesses otherwise. The engine is not asked: the file is for the host
 * that runs it, which may have another one.
 */
async function reportCompose(ctx: CliContext, specs: ServiceSpec[], verbose: boolean): Promise<void> {
  const needsV2 = specs.filter((s) => s.health?.command && s.health.startIntervalMs !== undefined).map((s) => s.name);
  if (!verbose && !needsV2.length) return;
  const { describeCompose, detectCompose } = await import('../runtime/compose.js');
  const tool = await detectCompose(ctx.env);
  if (verbose) ctx.stderr.write(`› Compose: ${describeCompose(tool)}\n`);
  if (needsV2.length && tool?.generation !== 2) {
    ctx.stderr.write(
      `goneat-deploy: warning: health.startInterval (${needsV2.join(', ')}) writes healthcheck.start_interval, which needs Compose v2 (docker compose) and Docker Engine 25+; ${tool ? `${tool.argv.join(' ')} ${tool.version} refuses the file` : 'no Compose was found here'}\n`,
    );
  }
}

/**
 * What to do with `-o -` in each target's help: a file a runtime reads as it is (a redirect to the name it
 * expects), or a stream (kubectl apply -f -). Targets of several files print each after a "# ==> path <==" line.
 */
const STDOUT_EXAMPLE: Record<string, string> = {
  dockerfile: ' > Dockerfile',
  compose: ' > compose.yaml',
  swarm: ' > stack.yaml',
  k8s: ' | kubectl apply -f -',
  systemd: '            # the units and the sysusers.d file, each after a "# ==> path <==" line',
  daemonize: ' > echo.sh   # the control script',
  launchd: ' > io.goneat-deploy.echo.plist',
  upstart: ' > echo.conf',
  all: '                # every file, each after a "# ==> path <==" line',
};

/** Targets that run the service in a container, and the Kubernetes ones (where preStop applies). */
const CONTAINER_TARGETS = new Set(['dockerfile', 'compose', 'swarm', 'k8s', 'all']);
const KUBERNETES_TARGETS = new Set(['k8s', 'all']);

/** The warnings that matter for this target — model/target-warnings.ts's, then the trpc-go preset's — one line each on stderr, before anything is written. */
async function printWarnings(ctx: CliContext, loaded: LoadedConfig, targetName: string): Promise<void> {
  const { formatIssue } = await import('../errors.js');
  // What one target cannot carry out as written (model/target-warnings.ts): for that target, and for all.
  for (const w of loaded.targetWarnings ?? []) {
    if (targetName === 'all' || w.targets.includes(targetName)) ctx.stderr.write(`goneat-deploy: warning: ${formatIssue(w)} (generate ${w.targets.join(', ')})\n`);
  }
  if (!loaded.warnings.length) return;
  const { trpcFindingApplies } = await import('../model/trpc.js');
  const targets = { container: CONTAINER_TARGETS.has(targetName), kubernetes: KUBERNETES_TARGETS.has(targetName) };
  for (const w of loaded.warnings) if (trpcFindingApplies(w, targets)) warn(ctx, formatIssue(w));
}

async function runGenerate(ctx: CliContext, targetName: string, opts: GenerateOptions, verbose = false): Promise<void> {
  const { generate } = await import('../generate/generate.js');
  const outcome = await generate(
    ctx.cwd,
    targetName,
    opts,
    {
      // Before anything is written or printed, once every config has loaded.
      loaded: async (configs) => {
        for (const l of configs) await printWarnings(ctx, l, targetName);
        if (targetName === 'compose' || targetName === 'all') await reportCompose(ctx, configs.map((l) => l.spec), verbose);
      },
    },
    ctx.signal,
  );
  if (outcome.kind === 'stdout') return void ctx.stdout.write(outcome.text);
  if (outcome.kind === 'files') return printJson(ctx, outcome.files);
  const { report } = outcome;
  if (opts.json) {
    printJson(ctx, report);
  } else if (opts.check) {
    for (const d of report.drift) ctx.stdout.write(d.diff);
  } else {
    for (const w of report.written) print(ctx, `wrote ${w}`);
    for (const u of report.unchanged) print(ctx, `unchanged ${u}`);
  }
  if (opts.check && report.drift.length) {
    const { RuntimeError } = await import('../errors.js');
    throw new RuntimeError(
      `${report.drift.length} generated file(s) differ from goneat-deploy.yaml: ${report.drift.map((d) => d.path).join(', ')}; run the same command without --check to update them`,
    );
  }
}

export function commandGenerate(ctx: CliContext): Command {
  const generate = new Command('generate')
    .description('write deployment files derived from goneat-deploy.yaml')
    .addHelpText(
      'after',
      `
Examples:
  goneat-deploy generate all -C examples/echo
  goneat-deploy generate compose -o - | docker compose -f - up -d
  goneat-deploy generate k8s -o - | kubectl apply -f -
  goneat-deploy generate all --check
  goneat-deploy generate all -r -C services/`,
    );
  const addTarget = (name: string, description: string, single: boolean, defaultOutput?: string) => {
    projectOptions(generate.command(name))
      .description(description)
      .option('-o, --output <path>', single ? `output file, or - for stdout (default: <dir>/${DEFAULT_OUTPUT[name] ?? defaultOutput ?? `deploy/${name}/…`})` : `output directory, or - for stdout (default: <dir>/${DEFAULT_OUTPUT[name] ?? `deploy/${name}`})`)
      .option('--image <ref>', 'image reference to run (default: repository:tag@digest from goneat-deploy.lock.json after build --push, else image.repository:image.tag)')
      .option('--check', 'do not write; exit 1 and print a diff when files on disk differ')
      .option('--force', 'overwrite files that were not generated by goneat-deploy or were edited by hand')
      .option('--json', 'print what was written (or the rendered files with -o -) as JSON')
      .option('-r, --recursive', 'every goneat-deploy.yaml under --dir (a monorepo): each service\'s files next to its config')
      .option('--validate', 'also validate Kubernetes objects against the Kubernetes OpenAPI schema before writing (the test suite does this for every renderer change)')
      .addHelpText(
        'after',
        `
Examples:
  goneat-deploy generate ${name} -C examples/echo
  goneat-deploy generate ${name} -o -${STDOUT_EXAMPLE[name] ?? ''}
  goneat-deploy generate ${name} --check`,
      )
      .action((opts: GenerateOptions, cmd: Command) => runGenerate(ctx, name, opts, Boolean((cmd.optsWithGlobals() as GlobalOptions).verbose)));
  };
  for (const t of TARGETS) addTarget(t.name, t.description, t.single, t.defaultOutput);
  addTarget('all', 'every target at once (default output: <dir>/deploy/)', false);
  // No target, or one that is not a subcommand, reaches this action: a usage error (exit 2) that lists
  // the targets, as the README's `generate TARGET` says — not the help text and exit 0. Options meant for
  // a target (`generate -C dir`) are let through so that the message is about the target.
  generate
    .argument('[target]')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (target: string | undefined) => {
      const { UsageError } = await import('../errors.js');
      const names = [...TARGETS.map((t) => t.name), 'all'].join(', ');
      throw new UsageError(target === undefined || target.startsWith('-') ? `generate needs a TARGET: one of ${names}` : `error: unknown command '${target}'; expected a TARGET: one of ${names}`);
    });
  return generate;
}
