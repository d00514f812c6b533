/**
 * Every generate target in one table: its files (paths relative to the
 * output directory of `generate all`) rendered from the spec. Pure.
 */
import type { ServiceSpec } from '../spec/spec.js';
import { renderCompose } from './compose.js';
import { imageLabels, renderDockerfile } from './dockerfile.js';
import type { RenderedFile } from './header.js';

export interface RenderOptions {
  /** Image reference the runtime targets run. */
  image?: string;
}

export interface Target {
  name: string;
  description: string;
  /** Single-file targets take `-o FILE`; multi-file ones `-o DIR`. */
  single: boolean;
  render(spec: ServiceSpec, opts: RenderOptions): RenderedFile[];
}

export const TARGETS: Target[] = [
  {
    name: 'dockerfile',
    description: 'the Dockerfile goneat-deploy builds with (FROM scratch, tini, exec-form ENTRYPOINT)',
    single: true,
    render: (spec) => [renderDockerfile(spec, imageLabels(spec))],
  },
  {
    name: 'compose',
    description: 'compose.yaml for `docker compose up -d` / `docker-compose up -d`',
    single: true,
    render: (spec, opts) => [renderCompose(spec, opts.image !== undefined ? { image: opts.image } : {})],
  },
];

export function target(name: string): Target | undefined {
  return TARGETS.find((t) => t.name === name);
}

export function renderAll(spec: ServiceSpec, opts: RenderOptions): RenderedFile[] {
  return TARGETS.flatMap((t) => t.render(spec, opts));
}
