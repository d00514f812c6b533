import { Command } from 'commander';
import type { CliContext } from './context.js';

export function commandSchema(ctx: CliContext): Command {
  return new Command('schema')
    .description('print the JSON Schema of goneat-deploy.yaml (for editors: yaml-language-server, VS Code)')
    .addHelpText('after', '\nExamples:\n  goneat-deploy schema > goneat-deploy.schema.json')
    .action(async () => {
      const { publishedSchema } = await import('../model/schema.js');
      ctx.stdout.write(`${JSON.stringify(publishedSchema(), null, 2)}\n`);
    });
}
