/**
 * Kubernetes: Deployment, Service, PodDisruptionBudget (replicas >= 2) and a
 * kustomization.yaml. Pod Security "restricted" by construction; the
 * termination sequence (preStop sleep → image STOPSIGNAL → SIGKILL at
 * terminationGracePeriodSeconds) uses the shutdown budget. Pure; typed with
 * kubernetes-models so a misspelt field does not compile.
 */
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { ServiceSpec } from '../model/service.js';
import { withHeader, type RenderedFile } from '../model/generated.js';
import { k8sOrdered, toYaml, toYamlStream } from './yaml.js';
import { kubeletEscape } from './kubelet.js';

export interface K8sOptions {
  image?: string;
}

export type K8sObject = IDeployment | IService | IPodDisruptionBudget;

function metadata(spec: ServiceSpec): { name: string; namespace?: string; labels: Record<string, string> } {
  return { name: spec.name, ...(spec.kubernetes.namespace ? { namespace: spec.kubernetes.namespace } : {}), labels: labels(spec) };
}

export function labels(spec: ServiceSpec): Record<string, string> {
  return { 'app.kubernetes.io/name': spec.name, 'app.kubernetes.io/managed-by': 'goneat-deploy' };
}

function selector(spec: ServiceSpec): Record<string, string> {
  return { 'app.kubernetes.io/name': spec.name };
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

function probes(spec: ServiceSpec): Pick<IContainer, 'startupProbe' | 'readinessProbe' | 'livenessProbe'> {
  const h = spec.health;
  if (!h) return {};
  const httpGet = { path: h.path, port: h.portName ?? h.port };
  const base: IProbe = { httpGet, timeoutSeconds: seconds(h.timeoutMs), periodSeconds: seconds(h.intervalMs) };
  return {
    // Up to startPeriod to come up, checked every second, before liveness takes over.
    startupProbe: { httpGet, timeoutSeconds: seconds(h.timeoutMs), periodSeconds: 1, failureThreshold: seconds(h.startPeriodMs) },
    // Out of the endpoints as soon as the service says 503 (it does once shutdown begins).
    readinessProbe: { ...base, failureThreshold: 1, successThreshold: 1 },
    livenessProbe: { ...base, failureThreshold: h.failureThreshold },
  };
}

function env(spec: ServiceSpec): IEnvVar[] {
  // The kubelet expands $(VAR) in env values: written so the container gets the value itself (render/kubelet.ts).
  const out: IEnvVar[] = spec.env.map(([name, value]) => ({ name, value: kubeletEscape(value) }));
  if (spec.kubernetes.goRuntimeEnv) {
    // Go < 1.25 does not read the CPU limit; limits.cpu with divisor 1 rounds up to whole CPUs.
    out.push({ name: 'GOMAXPROCS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1' } } });
    out.push({ name: 'GOMEMLIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1' } } });
  }
  return out;
}

export function k8sObjects(spec: ServiceSpec, opts: K8sOptions = {}): K8sObject[] {
  const image = opts.image ?? spec.image.ref;
  const { uid, gid } = spec.user;
  const preStop = spec.kubernetes.preStop;
  const res = spec.resources;
  const envVars = env(spec);
  const container: IContainer = {
    name: spec.name,
    image,
    imagePullPolicy: spec.kubernetes.imagePullPolicy,
    // No command/args: the image's ENTRYPOINT runs tini as PID 1 with the service as its child. (Were there any,
    // they would go through kubeletEscape too: the kubelet expands $(VAR) in command and args as in env values.)
    ...(spec.ports.length
      ? { ports: spec.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol === 'udp' ? ('UDP' as const) : ('TCP' as const) })) }
      : {}),
    ...(envVars.length ? { env: envVars } : {}),
    ...(Object.keys(res.limits).length || Object.keys(res.requests).length
      ? {
          resources: {
            ...(Object.keys(res.limits).length ? { limits: { ...res.limits } } : {}),
            ...(Object.keys(res.requests).length ? { requests: { ...res.requests } } : {}),
          },
        }
      : {}),
    ...probes(spec),
    ...(preStop
      ? { lifecycle: { preStop: preStop.kind === 'sleep' ? { sleep: { seconds: preStop.seconds } } : { exec: { command: preStop.command } } } }
      : {}),
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: uid,
      runAsGroup: gid,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    stdin: false,
    tty: false,
    terminationMessagePolicy: 'FallbackToLogsOnError',
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };

  const deployment: IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(spec),
    spec: {
      replicas: spec.replicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector(spec) },
      // Rolling updates replace hot restart (SIGUSR2): one extra pod at a time, never fewer than wanted.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: labels(spec) },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          // >= preStop + drain + slack: the kubelet SIGKILLs when it ends.
          terminationGracePeriodSeconds: spec.shutdown.timeoutSeconds,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: uid,
            runAsGroup: gid,
            fsGroup: gid,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [container],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
    },
  };

  const objects: K8sObject[] = [k8sOrdered(deployment)];
  // Admin ports (/debug/pprof, /cmds/config: src/model/admin-port.ts) stay out of the Service; probes reach them on the pod IP by container port name.
  const servicePorts = spec.ports.filter((p) => !p.admin);
  if (servicePorts.length) {
    const service: IService = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(spec),
      spec: {
        type: spec.kubernetes.serviceType,
        selector: selector(spec),
        ports: servicePorts.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: p.protocol === 'udp' ? ('UDP' as const) : ('TCP' as const) })),
      },
    };
    objects.push(k8sOrdered(service));
  }
  if (spec.replicas >= 2) {
    const pdb: IPodDisruptionBudget = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: metadata(spec),
      spec: { maxUnavailable: 1, selector: { matchLabels: selector(spec) } },
    };
    objects.push(k8sOrdered(pdb));
  }
  return objects;
}

const FILE_NAMES: Record<string, string> = { Deployment: 'deployment.yaml', Service: 'service.yaml', PodDisruptionBudget: 'pdb.yaml' };

export function renderK8s(spec: ServiceSpec, opts: K8sOptions = {}, dir = 'k8s'): RenderedFile[] {
  const objects = k8sObjects(spec, opts);
  const files = objects.map((o) => ({ path: `${dir}/${FILE_NAMES[o.kind]!}`, content: withHeader('hash', toYaml(o)) }));
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: objects.map((o) => FILE_NAMES[o.kind]!),
  };
  files.push({ path: `${dir}/kustomization.yaml`, content: withHeader('hash', toYaml(kustomization)) });
  return files;
}

/** One multi-document YAML for `kubectl apply -f -` (the kustomization is not an API object). */
export function renderK8sStream(spec: ServiceSpec, opts: K8sOptions = {}): string {
  return withHeader('hash', toYamlStream(k8sObjects(spec, opts)));
}
