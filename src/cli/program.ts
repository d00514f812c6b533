/**
 * The command tree. Each command lives in its own file as
 * `commandX(ctx): Command`; heavy modules are imported inside actions so
 * `--help` stays fast and never loads dockerode.
 */
import { Command } from 'commander';
import { commandBuild } from './build.js';
import type { CliContext } from './context.js';
import { commandGenerate } from './generate.js';
import { commandSchema } from './schema.js';
import { commandLint } from './lint.js';
import { commandVerify } from './verify.js';
import { commandInit } from './init.js';
import { commandCompletion } from './completion.js';
import { VERSION } from '../version.js';

/** Usage errors are one line, like every other error: "goneat-deploy: error: ... (see --help)". */
function output(ctx: CliContext) {
  return {
    writeOut: (s: string) => ctx.stdout.write(s),
    writeErr: (s: string) => ctx.stderr.write(s),
    outputError: (s: string, write: (s: string) => void) => write(`goneat-deploy: ${s.trim().replace(/\n+/g, '; ')} (see --help)\n`),
  };
}

export function createProgram(ctx: CliContext): Command {
  const program = new Command('goneat-deploy')
    .description(
      'Run a Go service as a proper daemon without it ever daemonizing itself: foreground process, tini as PID 1,\n' +
        'and detachment, restart and stop from the runtime (compose, swarm, Kubernetes, systemd, launchd, upstart).',
    )
    .version(VERSION, '-V, --version')
    .option('-v, --verbose', 'print more: the engine in use, build steps, stack traces on errors')
    .configureOutput(output(ctx))
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 runtime failure (engine, build, failed check, drift), 2 usage or config error.

Examples:
  goneat-deploy build -C examples/echo
  goneat-deploy generate compose -C examples/echo -o - | docker compose -f - up -d`,
    );
  program.addCommand(commandInit(ctx));
  program.addCommand(commandBuild(ctx));
  program.addCommand(commandGenerate(ctx));
  program.addCommand(commandVerify(ctx));
  program.addCommand(commandLint(ctx));
  program.addCommand(commandSchema(ctx));
  program.addCommand(commandCompletion(ctx, () => program));
  // Every subcommand reports usage errors through the same path.
  const walk = (c: Command) => {
    c.exitOverride();
    c.configureOutput(output(ctx));
    c.commands.forEach(walk);
  };
  walk(program);
  return program;
}
