/** Connecting to the engine from a command, with --verbose telling which one is in use and the API version spoken. */
import type { Engine } from '../runtime/engine.js';
import type { CliContext } from './context.js';

/** Whether the engine commands would talk to is on this machine (a unix socket): its architecture is then the host's. */
export async function engineIsLocal(ctx: CliContext): Promise<boolean> {
  const { discoverEndpoint } = await import('../runtime/docker/endpoint.js');
  return discoverEndpoint(ctx.env).host.startsWith('unix://');
}

export async function connectEngine(ctx: CliContext, verbose: boolean): Promise<Engine> {
  const { connectDocker, MAX_API_VERSION } = await import('../runtime/docker/client.js');
  const { describeEndpoint, discoverEndpoint } = await import('../runtime/docker/endpoint.js');
  const endpoint = discoverEndpoint(ctx.env);
  if (verbose) ctx.stderr.write(`› Docker Engine: ${describeEndpoint(endpoint)}\n`);
  const engine = await connectDocker(endpoint);
  if (verbose) ctx.stderr.write(`› Docker Engine ${engine.engineVersion}, API ${engine.apiVersion} (the engine's API version, at most ${MAX_API_VERSION})\n`);
  return engine;
}
