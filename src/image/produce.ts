/**
 * Build stage 3, assemble: the image plan per platform (context entries,
 * Dockerfile, labels) and, unless the engine's builder is asked for
 * (--dockerfile), the image itself assembled here — one layer, fixed owners,
 * modes and times — so the same inputs give the same image ID.
 */
import { readFile } from 'node:fs/promises';
import type { ServiceSpec } from '../model/service.js';
import type { CheckedBinary } from './artifacts.js';
import { assemble, layerFiles, type AssembledImage } from './assemble.js';
import type { Arch } from './elf.js';
import { planImage, type ImagePlan } from './plan.js';

export interface PlatformImage {
  arch: Arch;
  binary: CheckedBinary;
  tini: CheckedBinary & { source: string };
  plan: ImagePlan;
  /** Absent when the engine's builder builds it (--dockerfile). */
  assembled?: AssembledImage;
}

export async function produceImages(req: {
  spec: ServiceSpec;
  configDir: string;
  image: string;
  targets: Arch[];
  binaries: Map<Arch, CheckedBinary>;
  tini: Map<Arch, CheckedBinary & { source: string }>;
  /** The layer's mtimes and the config's `created`. */
  created: Date;
  assemble: boolean;
}): Promise<PlatformImage[]> {
  const out: PlatformImage[] = [];
  for (const arch of req.targets) {
    const binary = req.binaries.get(arch)!;
    const tini = req.tini.get(arch)!;
    const plan = planImage(req.spec, { tag: req.image, binary, tini, configDir: req.configDir });
    let assembled: AssembledImage | undefined;
    if (req.assemble) {
      const files = await layerFiles(plan.entries, (p) => readFile(p));
      assembled = await assemble({ spec: req.spec, files, labels: { ...plan.labels, ...plan.buildLabels }, arch, created: req.created });
    }
    out.push({ arch, binary, tini, plan, ...(assembled ? { assembled } : {}) });
  }
  return out;
}
