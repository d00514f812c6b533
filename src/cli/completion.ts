/**
 * Shell completion scripts, generated from the command tree itself so they
 * cannot drift from the commands and options that exist.
 */
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { CliContext } from './context.js';

interface Node {
  path: string[];
  commands: string[];
  options: string[];
}

function walk(cmd: Command, path: string[] = [], out: Node[] = []): Node[] {
  const options = cmd.options.flatMap((o) => [o.short, o.long].filter((x): x is string => Boolean(x)));
  out.push({ path, commands: cmd.commands.map((c) => c.name()).filter((n) => n !== 'help'), options: [...options, '--help'] });
  for (const c of cmd.commands) walk(c, [...path, c.name()], out);
  return out;
}

export function bashScript(root: Command): string {
  const nodes = walk(root);
  const cases = nodes
    .map((n) => `    "${n.path.join(' ')}") words="${[...n.commands, ...n.options].join(' ')}" ;;`)
    .join('\n');
  return `# bash completion for goneat-deploy: source <(goneat-deploy completion bash)
_goneat_deploy() {
  local cur path="" i w words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    case "\${path:+$path }$w" in
${nodes.filter((n) => n.path.length).map((n) => `      "${n.path.join(' ')}") path="${n.path.join(' ')}" ;;`).join('\n')}
    esac
  done
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  [[ "$cur" != -* && -z "$words" ]] && COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o default -F _goneat_deploy goneat-deploy
`;
}

export function zshScript(root: Command): string {
  return `#compdef goneat-deploy
# zsh completion for goneat-deploy: source <(goneat-deploy completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashScript(root)}`;
}

export function commandCompletion(ctx: CliContext, root: () => Command): Command {
  return new Command('completion')
    .description('print a shell completion script (bash or zsh)')
    .argument('<shell>', 'bash or zsh')
    .addHelpText('after', '\nExamples:\n  source <(goneat-deploy completion bash)\n  goneat-deploy completion zsh > "${fpath[1]}/_goneat-deploy"')
    .action((shell: string) => {
      if (shell === 'bash') ctx.stdout.write(bashScript(root()));
      else if (shell === 'zsh') ctx.stdout.write(zshScript(root()));
      else throw new UsageError(`completion ${shell}: expected bash or zsh`);
    });
}
