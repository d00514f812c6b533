/**
 * Lint rules: stable IDs, a short doc each (what, why, how to fix, source),
 * and a pure check over the whole input at once.
 *
 * The rule interface (unchanged since GD001): `check(ctx, report)`. `ctx` now
 * carries, besides the parsed `files`, the stop-path `model` (one Workload per
 * compose service, k8s container, systemd unit, upstart job and Dockerfile
 * image, with PID 1, every signal delivery and the time to SIGKILL, each with
 * its source directive) and the Go source findings. Rules judge the model;
 * a rule written against the first interface (files + drainMs) still plugs in:
 * `drainMs`/`preStopMs` are set when exactly one service's facts are known.
 */
import { parseDuration } from '../model/duration.js';
import { fmtMs, systemdTimespan } from './values.js';
import type { ComposeDoc, DockerfileDoc, K8sDoc, LintFile, Pos, SystemdDoc, UpstartDoc } from './files.js';
import type { GoFinding } from './go.js';
import type { ServiceFacts, StopModel, Workload } from './model.js';

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
  /** The stop-path model of every workload in the files. */
  model: StopModel;
  /** Go source findings per file. */
  go: Array<{ file: string; findings: GoFinding[] }>;
  /** First-interface compatibility: the drain of the one service whose facts are known (none when several are). */
  drainMs?: number;
  /** First-interface compatibility: that service's Kubernetes preStop delay. */
  preStopMs?: number;
  /** The facts lint was given about named services (goneat-deploy.yaml files, --drain NAME=D), each with the directory it applies under. */
  services: ServiceFacts[];
  /** The texts lint was given (GD022 reads the goneat-deploy:ignore comments in them). */
  inputs?: ReadonlyArray<{ path: string; text: string }>;
  /** Every rule's ID, in order (GD022 names the known ones). */
  ruleIds?: string[];
}

/**
 * Whether a workload is known to exit on SIGHUP (and to hot-restart on SIGUSR2
 * when tRPC-Go): a goneat-deploy service is a Go service keeping Go's default
 * signal actions (os/signal: SIGHUP, SIGINT, SIGTERM make the program exit);
 * tRPC-Go handles SIGINT/SIGTERM, not SIGHUP, and SIGUSR2 is its hot restart
 * (trpc-go server/serve_unix.go).
 */
export function knownGoService(w: Workload): 'trpc' | 'goneat' | undefined {
  if (w.service?.trpc) return 'trpc';
  if (w.service?.goneat) return 'goneat';
  return undefined;
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

/** systemd time spans (systemd.time(7)); kept for rules written against the first interface: see values.systemdTimespan. */
export function systemdSpanMs(v: string): number | undefined {
  return systemdTimespan(v);
}

/** Durations in findings are written as the config and compose write them (values.fmtMs → model/duration.ts formatDuration). */
export { fmtMs };

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
