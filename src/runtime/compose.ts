/**
 * Which Compose runs a compose file here: Compose v2 (`docker compose`, the
 * docker CLI plugin, Go) when present, else Compose v1 (`docker-compose`,
 * Python, retired by Docker in 2023). The only module that runs a compose
 * binary. `docker-compose` may also be a v2 binary (Debian 13 ships it as a
 * link to the plugin): the generation comes from the version it reports, not
 * from the command's name.
 */
import { execFile } from 'node:child_process';

export interface ComposeTool {
  /** The command line that runs it: ["docker", "compose"] or ["docker-compose"]. */
  argv: string[];
  /** "2.26.1-4", "1.29.2": what `version --short` printed, without a leading "v". */
  version: string;
  /** 2 for the Go implementation (the docker CLI plugin, versions 2.x and later), 1 for docker-compose 1.x. */
  generation: 1 | 2;
}

/** Runs a command; resolves with its stdout, or undefined when it cannot run or exits non-zero. */
export type RunCommand = (cmd: string, args: string[], env: Record<string, string | undefined>) => Promise<string | undefined>;

const runCommand: RunCommand = (cmd, args, env) =>
  new Promise((resolve) => {
    execFile(cmd, args, { env: env as NodeJS.ProcessEnv, timeout: 10_000 }, (err, stdout) => resolve(err ? undefined : stdout));
  });

/** "v2.26.1" / "2.26.1-4" / "1.29.2" → its major version and the text without "v"; undefined for anything else. */
export function parseComposeVersion(text: string): { version: string; major: number } | undefined {
  const m = /^v?((\d+)\.\d+[^\s]*)/.exec(text.trim());
  return m ? { version: m[1]!, major: Number(m[2]) } : undefined;
}

/**
 * The Compose to use: `docker compose` (v2) first, then `docker-compose`; undefined when neither
 * runs. Each candidate is asked `version --short` (both generations have it: docker/compose v1
 * `compose/cli/main.py` TopLevelCommand.version, v2 `cmd/compose/version.go`).
 */
export async function detectCompose(env: Record<string, string | undefined> = process.env, run: RunCommand = runCommand): Promise<ComposeTool | undefined> {
  const candidates: string[][] = [['docker', 'compose'], ['docker-compose']];
  for (const argv of candidates) {
    const out = await run(argv[0]!, [...argv.slice(1), 'version', '--short'], env);
    const v = out === undefined ? undefined : parseComposeVersion(out);
    if (v) return { argv, version: v.version, generation: v.major >= 2 ? 2 : 1 };
  }
  return undefined;
}

/** "docker compose 2.26.1-4 (Compose v2)", for --verbose. */
export function describeCompose(tool: ComposeTool | undefined): string {
  if (!tool) return 'none found (neither `docker compose` nor `docker-compose` runs here)';
  const fallback = tool.argv[0] === 'docker-compose' ? '; `docker compose` (v2) is not installed' : '';
  return `${tool.argv.join(' ')} ${tool.version} (Compose v${tool.generation}${fallback})`;
}
