/**
 * Validates generated Kubernetes objects against the Kubernetes OpenAPI
 * schema (kubernetes-models' compiled validators) before anything is
 * written. A failure here is a goneat-deploy bug, reported as such.
 */
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Service } from 'kubernetes-models/v1/Service';
import { InternalError } from '../errors.js';
import type { K8sObject } from './k8s.js';

export function k8sValidationErrors(obj: K8sObject): string | undefined {
  try {
    if (obj.kind === 'Deployment') new Deployment(obj).validate();
    else if (obj.kind === 'Service') new Service(obj).validate();
    else if (obj.kind === 'PodDisruptionBudget') new PodDisruptionBudget(obj).validate();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export function validateK8s(objects: K8sObject[]): void {
  for (const o of objects) {
    const e = k8sValidationErrors(o);
    if (e) throw new InternalError(`the generated ${o.kind} does not validate against the Kubernetes schema: ${e}`);
  }
}
