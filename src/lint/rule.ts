/**
 * Lint rules: stable IDs, a short doc each (what, why, how to fix, source),
 * and a pure check over every parsed file at once (some rules look across
 * files: a compose service and the Dockerfile it builds).
 */
import { parseDuration } from '../config/duration.js';
import type { ComposeDoc, DockerfileDoc, K8sDoc, LintFile, Pos, SystemdDoc, UpstartDoc } from './files.js';

export type Level = 'error' | 'warning';

export interface Finding extends Pos {
  ruleId: string;
  level: Level;
  file: string;
  message: string;
}

export interface RuleDoc {
  what: string;
  why: string;
  fix: string;
  source: string;
}

export interface LintContext {
  files: LintFile[];
  /** The service's drain (its own shutdown time), from goneat-deploy.yaml or --drain, when known. */
  drainMs?: number;
  /** The Kubernetes preStop delay from goneat-deploy.yaml, when known. */
  preStopMs?: number;
  /** tRPC-Go configs (trpc_go.yaml, or the file goneat-deploy.yaml names): text, read by GD014. */
  trpcConfigs?: Array<{ path: string; text: string }>;
  /** goneat-deploy.yaml has its own health section (GD014: a missing admin port is then no loss). */
  healthConfigured?: boolean;
}

export interface Rule {
  id: string;
  name: string;
  level: Level;
  doc: RuleDoc;
  check(ctx: LintContext, report: (file: string, pos: Pos, message: string, level?: Level) => void): void;
}

export const dockerfiles = (ctx: LintContext) => ctx.files.filter((f): f is DockerfileDoc => f.kind === 'dockerfile');
export const composes = (ctx: LintContext) => ctx.files.filter((f): f is ComposeDoc => f.kind === 'compose');
export const k8sDocs = (ctx: LintContext) => ctx.files.filter((f): f is K8sDoc => f.kind === 'k8s');
export const systemds = (ctx: LintContext) => ctx.files.filter((f): f is SystemdDoc => f.kind === 'systemd');
export const upstarts = (ctx: LintContext) => ctx.files.filter((f): f is UpstartDoc => f.kind === 'upstart');

/** Signal names and numbers → "SIGTERM" form. */
export function normalizeSignal(s: string | number): string {
  const NUM: Record<string, string> = { '1': 'SIGHUP', '2': 'SIGINT', '3': 'SIGQUIT', '9': 'SIGKILL', '10': 'SIGUSR1', '12': 'SIGUSR2', '15': 'SIGTERM', '19': 'SIGSTOP' };
  const t = String(s).trim().toUpperCase();
  if (NUM[t]) return NUM[t]!;
  return t.startsWith('SIG') ? t : `SIG${t}`;
}

/** Compose/Go durations ("1m30s", "10s", "1.5s"); a bare number is undefined (not a duration). */
export function composeDurationMs(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  return parseDuration(v.trim());
}

/** systemd time spans (systemd.time(7)): "90", "90s", "1min 30s", "5min", "infinity". */
export function systemdSpanMs(v: string): number | undefined {
  const t = v.trim();
  if (t === 'infinity') return Number.POSITIVE_INFINITY;
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const UNITS: Record<string, number> = {
    us: 0.001, usec: 0.001, ms: 1, msec: 1, s: 1000, sec: 1000, second: 1000, seconds: 1000,
    m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000, h: 3_600_000, hr: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)\s*([a-z]+)\s*/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(t)) !== null) {
    const u = UNITS[m[2]!];
    if (u === undefined) return undefined;
    total += Number(m[1]) * u;
    consumed = re.lastIndex;
  }
  return consumed === t.length ? total : undefined;
}

export function fmtMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

export interface PodSpecRef {
  doc: K8sDoc;
  index: number;
  /** Path from the document root to the pod spec. */
  path: Array<string | number>;
  spec: Record<string, unknown>;
  kind: string;
  name: string;
}

/** Pod specs in workload objects (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob). */
export function podSpecs(ctx: LintContext): PodSpecRef[] {
  const out: PodSpecRef[] = [];
  for (const doc of k8sDocs(ctx)) {
    for (const { index, value } of doc.objects) {
      const kind = String(value.kind);
      const name = String((value.metadata as { name?: string } | undefined)?.name ?? '');
      const get = (p: string[]) => p.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), value);
      const paths: Record<string, string[]> = {
        Pod: ['spec'],
        Deployment: ['spec', 'template', 'spec'],
        StatefulSet: ['spec', 'template', 'spec'],
        DaemonSet: ['spec', 'template', 'spec'],
        ReplicaSet: ['spec', 'template', 'spec'],
        Job: ['spec', 'template', 'spec'],
        CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
      };
      const p = paths[kind];
      if (!p) continue;
      const spec = get(p);
      if (spec && typeof spec === 'object') out.push({ doc, index, path: p, spec: spec as Record<string, unknown>, kind, name });
    }
  }
  return out;
}
