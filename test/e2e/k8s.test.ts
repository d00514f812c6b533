/**
 * A real Kubernetes cluster runs what `generate k8s` writes for examples/echo,
 * in an image `goneat-deploy build` made: scripts/k8s.sh brings up etcd,
 * kube-apiserver (Pod Security admission on), kube-controller-manager,
 * kube-scheduler, a kubelet on containerd and kube-proxy, built from the
 * upstream Go modules, with Debian's containerd, runc and CNI plugins.
 *
 * - The API server accepts the generated objects, with no warning, in a
 *   namespace that enforces Pod Security "restricted", and rejects variants
 *   that are not (admission) or that it does not allow (validation).
 * - The pods get Ready through the startup and readiness probes on the admin
 *   port; `kubectl delete pod` runs the preStop sleep, then SIGTERM, and the
 *   container exits 0 after draining a request in flight.
 * - `verify --as k8s` (a replay on the Docker Engine) sees the same events in
 *   the same order and the same exit code as the real kubelet.
 * - `kubectl rollout restart`, repeated, under load through the Service: no
 *   request fails and every replaced pod exits 0.
 *
 * The load goes to the Service's cluster IP from the host. kube-proxy's
 * iptables rules catch it in nat OUTPUT (KUBE-SERVICES) and DNAT it to a ready
 * pod, the same rules a client in a pod goes through, and the generated
 * Service (ClusterIP) is tested as generated. A NodePort on 127.0.0.1 would
 * need route_localnet=1 on the whole host (kube-proxy's localhostNodePorts)
 * and a Service type the generator does not emit by default.
 *
 * Skipped, with the reason, where the cluster cannot run (scripts/k8s.sh
 * check) or with GONEAT_K8S=0. The cluster is removed afterwards when this
 * file started it (GONEAT_K8S_KEEP=1 keeps it).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { ROOT, runCli } from '../helpers/cli.js';
import { removeDir, TEST_REPO, uid, waitFor } from '../helpers/docker.js';
import { exec } from '../helpers/exec.js';
import { clusterUp, followLogs, loadImage, PodWatch, whyNoK8s, type Cluster, type Kube, type PodObject } from '../helpers/k8s.js';
import { Load, request } from '../helpers/load.js';
import { record, SOAK } from '../helpers/results.js';

const skip = whyNoK8s();
if (skip) console.warn(`test/e2e/k8s.test.ts skipped: the local Kubernetes cluster cannot run here: ${skip}`);
const VERSION = /^\s*k8s\.io\/kubernetes v(\S+)$/m.exec(readFileSync(path.join(ROOT, 'scripts/k8s/go.mod'), 'utf8'))![1]!;

const EXAMPLE = 'examples/echo';
// examples/echo/goneat-deploy.yaml: preStop 3s, drain 5s, slack 2s: terminationGracePeriodSeconds 10.
const PRESTOP_MS = 3000;
const SLACK_MS = 2000;
const GRACE_S = 10;
/** verify sends its in-flight request this long before the preStop ends (src/verify/run.ts LEAD_MS). */
const LEAD_MS = 300;
/**
 * The request kept in flight across the signal, here and in verify (--inflight): long enough to
 * still run when SIGTERM comes as late as the budget allows (preStop + slack), short enough for
 * the 5 s drain.
 */
const INFLIGHT = '/slow?ms=3000';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch((err: unknown) => console.warn(`cleanup: ${String(err)}`));
});

// Parsed manifests, changed in place by the tests.
type Obj = Record<string, any>;

function namespaceYaml(name: string): string {
  const labels: Record<string, string> = {};
  for (const mode of ['enforce', 'warn', 'audit']) {
    labels[`pod-security.kubernetes.io/${mode}`] = 'restricted';
    labels[`pod-security.kubernetes.io/${mode}-version`] = 'latest';
  }
  return stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
}

/** A kind of event on a pod's way out, as both the replay and the real cluster show it. */
interface Step {
  t: number;
  kind: string;
}

/** verify's timeline, in the same terms as what the test sees on the cluster. */
function replaySteps(timeline: Array<{ t: number; event: string }>): Step[] {
  const kinds: Array<[RegExp, (m: RegExpExecArray) => string]> = [
    [/^pod Terminating/, () => 'terminating'],
    [/^in-flight GET \S+ sent/, () => 'in-flight sent'],
    [/^SIGTERM to PID 1/, () => 'SIGTERM'],
    [/→ 503 \(not ready\)/, () => 'not ready'],
    [/^in-flight GET \S+ → (\d+)/, (m) => `in-flight ${m[1]}`],
    [/^in-flight GET \S+ failed/, () => 'in-flight failed'],
    [/^grace period over: SIGKILL/, () => 'SIGKILL'],
    [/^exited (\d+)/, (m) => `exited ${m[1]}`],
  ];
  const out: Step[] = [];
  for (const e of timeline) {
    for (const [re, kind] of kinds) {
      const m = re.exec(e.event);
      if (m) out.push({ t: e.t, kind: kind(m) });
    }
  }
  return out.sort((a, b) => a.t - b.t);
}

const order = (steps: Step[]) => [...steps].sort((a, b) => a.t - b.t).map((s) => s.kind);

describe.skipIf(skip !== undefined)(`Kubernetes ${VERSION}, from upstream components (scripts/k8s.sh)`, () => {
  let cluster: Cluster;
  let kube: Kube;
  let watch: PodWatch;
  let ns: string;
  let image: string;
  let objects: string;
  let deployment: Obj;
  /** What the cluster did when a pod was deleted, for the comparison with verify --as k8s. */
  let deleted: { steps: Step[]; exitCode: number } | undefined;

  beforeAll(async () => {
    cluster = await clusterUp(3_300_000);
    cleanups.push(() => cluster.down());
    kube = cluster.kube;
    image = `${TEST_REPO}/echo:k8s-${uid()}`;
    const b = await runCli(['build', '-C', EXAMPLE, '--tag', image]);
    expect(b.code, b.stderr).toBe(0);
    cleanups.push(async () => void (await exec('docker', ['rmi', '-f', image])));
    await loadImage(image);
    const g = await runCli(['generate', 'k8s', '-C', EXAMPLE, '-o', '-', '--image', image]);
    expect(g.stderr).toBe('');
    expect(g.code).toBe(0);
    objects = g.stdout;
    deployment = parseAllDocuments(objects)
      .map((d) => d.toJS() as Obj)
      .find((o) => o.kind === 'Deployment')!;
    ns = `gdt-k8s-${uid()}`;
    await kube.run(['apply', '-f', '-'], namespaceYaml(ns));
    cleanups.push(async () => void (await kube.kubectl(['delete', 'namespace', ns, '--wait=false'])));
    // Pods are refused until the service account controller made the namespace's default account.
    await waitFor('the default service account', async () => ((await kube.kubectl(['get', 'serviceaccount', 'default', '-n', ns])).code === 0 ? true : undefined), 60_000);
    watch = new PodWatch(kube, ns, 'echo');
    watch.start();
    cleanups.push(async () => watch.stop());
  });

  /** The Deployment's pod template as a bare Pod: Pod Security admission enforces on pods only. */
  function podOf(change: (container: Obj, spec: Obj) => void = () => undefined): string {
    const template = structuredClone(deployment.spec.template) as Obj;
    change(template.spec.containers[0], template.spec);
    return stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'echo-check', labels: template.metadata.labels }, spec: template.spec });
  }

  function deploymentWith(change: (container: Obj, spec: Obj) => void): string {
    const d = structuredClone(deployment);
    change(d.spec.template.spec.containers[0], d.spec.template.spec);
    return stringify(d);
  }

  const dryRun = (yaml: string) => kube.kubectl(['apply', '--dry-run=server', '-n', ns, '-f', '-'], yaml);

  /**
   * Deletes one running pod through the API and watches it go the way verify
   * --as k8s does: health polled from the deletion on, a request sent 300 ms
   * before the preStop ends, the signal from the service's own log (the
   * runtime's timestamp), the exit code from the kubelet's pod status.
   */
  async function observeDeletion(namespace: string, podWatch: PodWatch): Promise<{ steps: Step[]; signalMs: number; exited: { exitCode: number; reason?: string }; messages: string[] }> {
    const victim = (await kube.json<{ items: PodObject[] }>(['get', 'pods', '-n', namespace, '-l', 'app.kubernetes.io/name=echo'])).items.find((p) => !p.metadata.deletionTimestamp)!;
    const name = victim.metadata.name;
    const ip = victim.status.podIP!;
    const logs = followLogs(kube, namespace, name, 'echo');
    await waitFor('the log follower', async () => (logs.lines.some((l) => /serving http/.test(l.text)) ? true : undefined), 30_000, 50);
    // A pod in service, not one that just turned Ready: the kubelet starts the termination of a
    // pod it synced within the last second only after its next runtime relist (PLEG, every 1 s;
    // pod_workers waits for a cache newer than its last sync), which delayed the signal by up
    // to 1.7 s here. The rollouts below delete pods at any age.
    const readyAt = await waitFor('the pod to be Ready', async () => podWatch.byName(name)?.readyAt, 30_000, 50);
    await new Promise((res) => setTimeout(res, Math.max(0, readyAt + 2500 - Date.now())));

    const steps: Step[] = [];
    const t0 = Date.now();
    const del = await kube.call('DELETE', `/api/v1/namespaces/${namespace}/pods/${name}`);
    expect(del.status, del.body).toBe(200);
    steps.push({ t: 0, kind: 'terminating' });
    let ended = false;
    const health = (async () => {
      while (!ended) {
        const r = await request(9090, '/is_healthy/', 500, ip).catch(() => undefined);
        if (r?.status !== 200) {
          steps.push({ t: Date.now() - t0, kind: 'not ready' });
          return;
        }
        await new Promise((res) => setTimeout(res, 25));
      }
    })();
    await new Promise((res) => setTimeout(res, PRESTOP_MS - LEAD_MS - (Date.now() - t0)));
    steps.push({ t: Date.now() - t0, kind: 'in-flight sent' });
    const inflight = request(8080, INFLIGHT, 15_000, ip).then(
      (r) => void steps.push({ t: Date.now() - t0, kind: `in-flight ${r.status}` }),
      () => void steps.push({ t: Date.now() - t0, kind: 'in-flight failed' }),
    );
    const gone = await waitFor('the pod to be gone', async () => (podWatch.byName(name)?.goneAt ? podWatch.byName(name) : undefined), 60_000, 50);
    ended = true;
    await Promise.all([health, inflight, logs.done]);
    const lines = logs.lines.filter((l) => l.at >= t0 - 1000);
    const signal = lines.find((x) => /received terminated: shutting down/.test(x.text));
    if (!signal) throw new Error(`no SIGTERM in the log of ${name}:\n${lines.map((x) => x.text).join('\n')}`);
    steps.push({ t: signal.at - t0, kind: 'SIGTERM' });
    // When the kubelet reported the exit (verify: when docker wait returned).
    steps.push({ t: gone.terminatedAt! - t0, kind: `exited ${gone.terminated!.exitCode}` });
    return { steps, signalMs: signal.at - t0, exited: gone.terminated!, messages: lines.map((l) => l.text.replace(/^echo\[\d+\] \S+ /, '')) };
  }

  it('accepts the generated objects with no warning in a namespace enforcing Pod Security "restricted"', async () => {
    const r = await dryRun(objects);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').sort()).toEqual([
      'deployment.apps/echo created (server dry run)',
      'poddisruptionbudget.policy/echo created (server dry run)',
      'service/echo created (server dry run)',
    ]);
    const pod = await dryRun(podOf());
    expect(pod.stderr).toBe('');
    expect(pod.stdout.trim()).toBe('pod/echo-check created (server dry run)');
    expect(pod.code).toBe(0);
  });

  it('rejects a pod that is not "restricted", warns on such a Deployment, and validates on the server', async () => {
    const escalating = (c: Obj) => {
      c.securityContext.allowPrivilegeEscalation = true;
      delete c.securityContext.capabilities;
    };
    const pod = await dryRun(podOf(escalating));
    expect(pod.code).toBe(1);
    expect(pod.stderr).toMatch(/pods "echo-check" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false .*unrestricted capabilities/);
    // On workload objects admission can only warn; their pods would be refused.
    const d = await dryRun(deploymentWith(escalating));
    expect(d.stderr).toMatch(/^Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false/);
    expect(d.code).toBe(0);
    // Server-side validation (not a schema): a preStop sleep longer than the grace period.
    const v = await dryRun(deploymentWith((c) => (c.lifecycle.preStop.sleep.seconds = GRACE_S + 1)));
    expect(v.code).toBe(1);
    expect(v.stderr).toContain(`spec.template.spec.containers[0].lifecycle.preStop.sleep: Invalid value: ${GRACE_S + 1}: must be non-negative and less than terminationGracePeriodSeconds (${GRACE_S})`);
  });

  it('kubernetes.version "1.29": the exec preStop (the service binary sleeping) is accepted and runs before SIGTERM', async () => {
    // examples/echo as it would be configured for a cluster without the sleep action.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gdt-k8s-'));
    cleanups.push(() => removeDir(dir));
    const config = readFileSync(path.join(ROOT, EXAMPLE, 'goneat-deploy.yaml'), 'utf8');
    await writeFile(path.join(dir, 'goneat-deploy.yaml'), `${config}kubernetes:\n  version: "1.29"\n  preStopExec: ["/app/echo", "-sleep", "3s"]\n`);
    const g = await runCli(['generate', 'k8s', '-C', dir, '-o', '-', '--image', image]);
    expect(g.stderr).toBe('');
    expect(g.code).toBe(0);
    const d = parseAllDocuments(g.stdout).map((x) => x.toJS() as Obj).find((o) => o.kind === 'Deployment')!;
    expect(d.spec.template.spec.containers[0].lifecycle).toEqual({ preStop: { exec: { command: ['/app/echo', '-sleep', '3s'] } } });

    const ns2 = `gdt-k8s-${uid()}`;
    await kube.run(['apply', '-f', '-'], namespaceYaml(ns2));
    const w = new PodWatch(kube, ns2, 'echo');
    try {
      await waitFor('the default service account', async () => ((await kube.kubectl(['get', 'serviceaccount', 'default', '-n', ns2])).code === 0 ? true : undefined), 60_000);
      const dry = await kube.kubectl(['apply', '--dry-run=server', '-n', ns2, '-f', '-'], g.stdout);
      expect(dry.stderr).toBe('');
      expect(dry.code).toBe(0);
      w.start();
      await kube.run(['apply', '-n', ns2, '-f', '-'], g.stdout);
      await kube.run(['rollout', 'status', '-n', ns2, 'deployment/echo', '--timeout=180s'], undefined, 200_000);
      const o = await observeDeletion(ns2, w);
      console.log(`kubectl delete pod, exec preStop: ${JSON.stringify(order(o.steps))}; SIGTERM at +${o.signalMs} ms`);
      expect(o.exited).toEqual({ exitCode: 0, reason: 'Completed' });
      expect(o.signalMs).toBeGreaterThanOrEqual(PRESTOP_MS);
      // The exec costs a process start in the container on top of the kubelet's reaction: both within the slack.
      expect(o.signalMs).toBeLessThan(PRESTOP_MS + SLACK_MS);
      expect(order(o.steps)).toEqual(['terminating', 'in-flight sent', 'SIGTERM', 'not ready', 'in-flight 200', 'exited 0']);
      const events = await kube.run(['get', 'events', '-n', ns2, '--field-selector', 'reason=FailedPreStopHook', '-o', 'name']);
      expect(events.trim()).toBe('');
    } finally {
      w.stop();
      // The node has room for one surge pod beside the example's two (500m CPU each on 2 CPUs): make room.
      await kube.kubectl(['delete', 'namespace', ns2, '--timeout=120s'], undefined, 150_000);
    }
  });

  it('runs the example: both pods Ready through the startup and readiness probes on the admin port', async () => {
    await kube.run(['apply', '-n', ns, '-f', '-'], objects);
    await kube.run(['rollout', 'status', '-n', ns, 'deployment/echo', '--timeout=180s'], undefined, 200_000);
    const pods = (await kube.json<{ items: PodObject[] }>(['get', 'pods', '-n', ns, '-l', 'app.kubernetes.io/name=echo'])).items.filter((p) => !p.metadata.deletionTimestamp);
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      const c = (p.spec.containers as Obj[])[0]!;
      expect(c.ports.find((x: Obj) => x.name === 'admin').containerPort).toBe(9090);
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) expect(c[probe].httpGet).toEqual({ path: '/is_healthy/', port: 'admin', scheme: 'HTTP' });
      expect(p.status.conditions!.find((x) => x.type === 'Ready')!.status).toBe('True');
      expect(p.status.containerStatuses![0]).toMatchObject({ name: 'echo', ready: true, started: true, restartCount: 0 });
      // The admin port answers on the pod's own address (the pod network is this host's bridge).
      expect((await request(9090, '/is_healthy/', 2000, p.status.podIP)).status).toBe(200);
    }
    // The kubelet's own count of the probes it ran: startup and readiness succeeded on these pods.
    const metrics = await kube.run(['get', '--raw', '/api/v1/nodes/goneat-k8s/proxy/metrics/probes']);
    for (const p of pods) {
      for (const type of ['Startup', 'Readiness']) {
        const m = new RegExp(`prober_probe_total\\{[^}]*pod="${p.metadata.name}"[^}]*probe_type="${type}"[^}]*result="successful"[^}]*\\} (\\d+)`).exec(metrics);
        expect(Number(m?.[1] ?? 0), `${type} probes of ${p.metadata.name}`).toBeGreaterThan(0);
      }
    }
  });

  it('kubectl delete pod: the preStop sleep, then SIGTERM, then exit 0 after draining the request in flight', async () => {
    const d = await observeDeletion(ns, watch);
    console.log(`kubectl delete pod: ${JSON.stringify(order(d.steps))}; SIGTERM at +${d.signalMs} ms, exit code ${d.exited.exitCode}`);
    expect(d.exited).toEqual({ exitCode: 0, reason: 'Completed' });
    // The preStop sleep ran first: no signal before it ended. The kubelet's own delay must fit in
    // the budget's slack, or the drain would be cut short by the SIGKILL when the grace period ends.
    expect(d.signalMs).toBeGreaterThanOrEqual(PRESTOP_MS);
    expect(d.signalMs).toBeLessThan(PRESTOP_MS + SLACK_MS);
    expect(d.messages).toEqual(expect.arrayContaining(['received terminated: shutting down', 'health now 503', 'closing listeners; draining 1 in-flight request(s) for up to 5s', 'drained; exiting 0']));
    expect(d.messages.filter((m) => /timed out|failed/.test(m))).toEqual([]);
    expect(order(d.steps)).toEqual(['terminating', 'in-flight sent', 'SIGTERM', 'not ready', 'in-flight 200', 'exited 0']);
    deleted = { steps: d.steps, exitCode: d.exited.exitCode };
  });

  it('verify --as k8s agrees with the kubelet: the same events in the same order, the same exit code', async () => {
    expect(deleted, 'needs the kubectl delete pod test').toBeDefined();
    const r = await runCli(['verify', image, '-C', EXAMPLE, '--as', 'k8s', '--inflight', `8080${INFLIGHT}`, '--json'], { timeoutMs: 120_000 });
    const report = JSON.parse(r.stdout) as { passed: boolean; exitCode: number; timeline: Array<{ t: number; event: string }> };
    const replay = replaySteps(report.timeline);
    console.log(`verify --as k8s: ${JSON.stringify(order(replay))}; kubelet: ${JSON.stringify(order(deleted!.steps))}`);
    expect(order(replay)).toEqual(order(deleted!.steps));
    expect(report.exitCode).toBe(deleted!.exitCode);
    // Both send the signal when the 3 s preStop sleep ends (the kubelet within the budget's slack).
    const sig = (s: Step[]) => s.find((x) => x.kind === 'SIGTERM')!.t;
    for (const s of [replay, deleted!.steps]) {
      expect(sig(s)).toBeGreaterThanOrEqual(PRESTOP_MS);
      expect(sig(s)).toBeLessThan(PRESTOP_MS + SLACK_MS);
    }
    expect(report.passed).toBe(true);
    expect(r.code).toBe(0);
  });

  const ROLLOUTS = SOAK ? 20 : 5;

  it(`kubectl rollout restart ×${ROLLOUTS} under load through the Service: no request fails, every replaced pod exits 0`, async () => {
    const svc = await kube.json<{ spec: { clusterIP: string; ports: Array<{ name: string; port: number }> } }>(['get', 'service', 'echo', '-n', ns]);
    const ip = svc.spec.clusterIP;
    const port = svc.spec.ports.find((p) => p.name === 'http')!.port;
    expect((await request(port, '/', 5000, ip)).status).toBe(200);

    // Every pod's log, from the moment it runs, for the requests it drained at its stop signal.
    const followed = new Map<string, ReturnType<typeof followLogs>>();
    const follow = (uid: string, name: string) => {
      if (!followed.has(uid)) followed.set(uid, followLogs(kube, ns, name, 'echo'));
    };
    for (const r of watch.pods.values()) if (r.runningAt && !r.terminatingAt) follow(r.uid, r.name);
    watch.onChange((r) => {
      if (r.runningAt && !r.terminatingAt) follow(r.uid, r.name);
    });

    // Steady light load, plus a 4 s request every 500 ms: old pods always have work in flight
    // when their SIGTERM arrives, 3 s (the preStop sleep) after they left the Service.
    const load = new Load(port, { host: ip, concurrency: 4, pauseMs: 20, openLoop: { everyMs: 500, path: '/slow?ms=4000' } });
    await new Promise((r) => setTimeout(r, 1000));
    const start = Date.now();
    for (let i = 0; i < ROLLOUTS; i++) {
      await kube.run(['rollout', 'restart', '-n', ns, 'deployment/echo']);
      await kube.run(['rollout', 'status', '-n', ns, 'deployment/echo', '--timeout=180s'], undefined, 200_000);
    }
    const replacedPods = () => [...watch.pods.values()].filter((r) => r.terminatingAt !== undefined && r.terminatingAt >= start);
    await waitFor('every replaced pod to be gone', async () => (replacedPods().every((r) => r.goneAt) ? true : undefined), 60_000, 200);
    await new Promise((r) => setTimeout(r, 1000));
    const result = await load.stop();
    const replaced = replacedPods();
    await Promise.all(replaced.map((r) => followed.get(r.uid)?.done));
    const drained = replaced.map((r) => {
      const line = followed.get(r.uid)?.lines.find((l) => /draining \d+ in-flight/.test(l.text));
      return Number(/draining (\d+) in-flight/.exec(line?.text ?? '')?.[1] ?? 0);
    });
    for (const f of followed.values()) f.proc.kill();
    const exitCodes = replaced.map((r) => r.terminated?.exitCode);
    const summary = {
      kubernetes: VERSION,
      rollouts: ROLLOUTS,
      replicas: 2,
      sent: result.sent,
      completed: result.ok,
      failed: result.failed,
      refused: result.refused,
      badStatus: result.badStatus,
      podsReplaced: replaced.length,
      exitCodes: [...new Set(exitCodes)],
      drainedAtStop: drained.reduce((a, b) => a + b, 0),
      seconds: Math.round((Date.now() - start) / 1000),
    };
    console.log(`k8s rollout restart under load: ${JSON.stringify({ ...summary, errors: result.errors.slice(0, 5) })}`);
    await record('k8s-rollouts', summary);
    expect(result.sent).toBeGreaterThan(100);
    expect(result.failed, result.errors.join('\n')).toBe(0);
    expect(result.refused).toBe(0);
    expect(result.badStatus).toBe(0);
    expect(result.ok).toBe(result.sent);
    expect(replaced).toHaveLength(2 * ROLLOUTS);
    expect(exitCodes.filter((c) => c !== 0)).toEqual([]);
    expect(summary.drainedAtStop).toBeGreaterThan(0);
  }, SOAK ? 3_600_000 : 600_000);
});
