/**
 * Build stage 2, compile: the service binary per platform — the prebuilt one
 * (its architecture was checked when the inputs were resolved), or `go build`
 * (static, -trimpath, reproducible) into the build's temp dir, then checked
 * to be a static ELF for that platform.
 */
import path from 'node:path';
import { InternalError } from '../errors.js';
import type { ServiceSpec } from '../model/service.js';
import { checkStaticBinary, type CheckedBinary } from './artifacts.js';
import type { Arch } from './elf.js';
import { goBuild, type GoBuildInput } from './gobuild.js';
import type { Progress } from './progress.js';

export interface CompileRequest {
  spec: ServiceSpec;
  configDir: string;
  targets: Arch[];
  prebuilt?: CheckedBinary;
  /** Where `go build` writes: <tmp>/<arch>/<name>. */
  tmp: string;
  env: Record<string, string | undefined>;
  cwd: string;
  signal?: AbortSignal;
  progress: Progress;
  /** The compiler; tests give a fake one. */
  goBuild?: (input: GoBuildInput) => Promise<void>;
}

export async function compileBinaries(req: CompileRequest): Promise<Map<Arch, CheckedBinary>> {
  const out = new Map<Arch, CheckedBinary>();
  const { spec } = req;
  for (const arch of req.targets) {
    if (req.prebuilt) {
      out.set(arch, req.prebuilt);
      continue;
    }
    if (spec.build.kind !== 'go') throw new InternalError('a binary build source without a prebuilt binary');
    const file = path.join(req.tmp, arch, spec.name);
    req.progress.step(`go build ${spec.build.main} (CGO_ENABLED=0 GOOS=linux GOARCH=${arch})`);
    await (req.goBuild ?? goBuild)({
      dir: req.configDir,
      main: spec.build.main,
      ldflags: spec.build.ldflags,
      tags: spec.build.tags,
      arch,
      out: file,
      env: req.env,
      cwd: req.cwd,
      ...(req.signal ? { signal: req.signal } : {}),
    });
    out.set(arch, await checkStaticBinary(file, arch, 'binary', `built from ${spec.build.main}`));
  }
  return out;
}
