/**
 * `lint --drain NAME=D` names a service: a NAME that no workload among the
 * files has would silently apply to nothing (a misspelt name turns the stop
 * timeout check off), so it is a usage error naming the services found.
 */
import { UsageError } from '../errors.js';
import type { ServiceFacts, StopModel } from './model.js';

/**
 * Throws UsageError (exit 2) when a `--drain NAME=D` fact (origin "--drain …",
 * a real name, not the bare drain's "*") matched no workload of `model`: none
 * has that name (compose service, container, unit, job, an image's
 * io.goneat-deploy.service label) nor was given its facts through a
 * Kubernetes object name. The message lists the services the
 * files describe (names as workloads carry them; "-container" units folded).
 */
export function checkDrainTargets(model: StopModel, services: ServiceFacts[]): void {
  // An image is named by its io.goneat-deploy.service label (or the goneat-deploy.yaml beside it), not by its path.
  const workloads = model.workloads.filter((w) => w.runtime !== 'image' || w.service?.name !== undefined);
  const unknown = services.filter((s) => s.origin.startsWith('--drain ') && s.name !== '*' && !workloads.some((w) => w.name === s.name || w.service?.name === s.name));
  if (!unknown.length) return;
  const found = [...new Set(workloads.map((w) => (w.service?.name ?? w.name).replace(/-container$/, '')))].sort();
  const names = unknown.map((s) => `"${s.name}"`).join(', ');
  throw new UsageError(
    `${unknown.map((s) => s.origin).join(', ')}: no workload in the files is named ${names}; ${found.length ? `services found: ${found.join(', ')}` : 'the files describe no service'}`,
  );
}
