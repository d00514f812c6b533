/** Connecting to the engine from a command, with --verbose telling which one is in use. */
import type { Engine } from '../runtime/docker/client.js';
import type { CliContext } from './context.js';

export async function connectEngine(ctx: CliContext, verbose: boolean): Promise<Engine> {
  const { Engine } = await import('../runtime/docker/client.js');
  const { discoverEndpoint } = await import('../runtime/docker/endpoint.js');
  const endpoint = discoverEndpoint(ctx.env);
  if (verbose) {
    const via = endpoint.source === 'context' ? ` (docker context "${endpoint.context}")` : endpoint.source === 'DOCKER_HOST' ? ' (DOCKER_HOST)' : '';
    ctx.stderr.write(`› Docker Engine: ${endpoint.host}${via}\n`);
  }
  return Engine.connect(endpoint);
}
