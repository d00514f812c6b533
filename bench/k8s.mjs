// node bench/k8s.mjs: how long scripts/k8s.sh takes, cold and warm, written into section 8 of
// docs/benchmarks.md (bench/run.mjs keeps that section when it rewrites the rest).
//
//   cold build: empty Go module cache and build cache (a fresh machine): `scripts/k8s.sh build`
//   warm build: the same again (the cached binaries)
//   first up:   `up` right after the cold build (fresh cluster state)
//   warm up:    `down` then `up` again, N times
//   link:       with every package compiled, linking the one multi-call binary against linking
//               the seven components as separate binaries (what the multi-call binary saves)
//
// The cold build takes tens of minutes on 2 cores. BENCH_K8S_COLD=0 skips it (and the link
// comparison) and keeps the cold figures already in docs/benchmarks.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const K8S = path.join(ROOT, 'scripts/k8s.sh');
const N = Number(process.env.BENCH_N ?? 3);
const COLD = process.env.BENCH_K8S_COLD !== '0';
const log = (m) => process.stderr.write(`› bench k8s: ${m}\n`);

function timed(cmd, args, env = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stderr.slice(-3000)}`);
  return { ms, stdout: r.stdout };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const fmt = (ms) => (ms >= 60_000 ? `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const mb = (b) => `${Math.round(b / 2 ** 20)} MiB`;
const version = /^\s*k8s\.io\/kubernetes v(\S+)$/m.exec(readFileSync(path.join(ROOT, 'scripts/k8s/go.mod'), 'utf8'))[1];

const r = { warmUp: [], down: [] };
let cache;
if (COLD) {
  // A fresh machine: no Go module cache, no build cache, no binaries.
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'goneat-k8s-bench-'));
  cache = path.join(tmp, 'cache');
  const env = { GONEAT_K8S_CACHE: cache, GOMODCACHE: path.join(tmp, 'gomod') };
  log('cold build (tens of minutes)');
  // CPU time too (user + system of the build and everything it ran): wall time depends on what
  // else the machine does, CPU time much less.
  const cpuFile = path.join(tmp, 'cpu');
  const cold = existsSync('/usr/bin/time') ? timed('/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, 'bash', K8S, 'build'], env) : timed('bash', [K8S, 'build'], env);
  r.coldBuild = cold.ms;
  r.coldBuildLoad = os.loadavg()[2]; // 15-minute load average: what else the shared machine did meanwhile
  if (existsSync(cpuFile)) r.coldBuildCpu = readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).reduce((a, b) => a + Number(b), 0) * 1000;
  const bin = cold.stdout.trim().split('\n').pop();
  r.binary = statSync(path.join(bin, 'kube')).size;
  r.warmBuild = timed('bash', [K8S, 'build'], env).ms;
  timed('bash', [K8S, 'down']);
  log('first up');
  r.firstUp = timed('bash', [K8S, 'up'], env).ms;
  r.down.push(timed('bash', [K8S, 'down'], env).ms);

  // Link only: every package is in the build cache now.
  log('link: one binary against seven');
  const src = path.join(ROOT, 'scripts/k8s');
  const goenv = { ...env, GOCACHE: path.join(cache, 'go-build'), CGO_ENABLED: '0', GOFLAGS: '-mod=readonly -buildvcs=false' };
  const out = path.join(tmp, 'link');
  // A changed main package forces the link (and only the link) of the multi-call binary.
  const multi = [];
  const separate = [];
  let separateBytes = 0;
  const cmds = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy', 'kubectl'].map((c) => `k8s.io/kubernetes/cmd/${c}`);
  for (let i = 0; i < 2; i++) {
    multi.push(timed('go', ['build', '-C', src, '-trimpath', '-ldflags', `-s -w -X main.round=${i}`, '-o', path.join(out, `kube-${i}`), '.'], goenv).ms);
    const t0 = performance.now();
    for (const c of [...cmds, 'go.etcd.io/etcd/server/v3']) {
      timed('go', ['build', '-C', src, '-trimpath', '-ldflags', `-s -w -X main.round=${i}`, '-o', path.join(out, `sep-${i}`, path.basename(c)), c], goenv);
    }
    separate.push(performance.now() - t0);
  }
  for (const f of readdirSync(path.join(out, 'sep-1'))) separateBytes += statSync(path.join(out, 'sep-1', f)).size;
  r.link = { multi: median(multi), separate: median(separate), multiBytes: statSync(path.join(out, 'kube-1')).size, separateBytes };
  // The module cache is read-only files (go's own protection).
  spawnSync('chmod', ['-R', 'u+w', tmp]);
  rmSync(tmp, { recursive: true, force: true });
}
timed('bash', [K8S, 'build']);
timed('bash', [K8S, 'down']);

for (let i = 0; i < N; i++) {
  log(`warm up ${i + 1}/${N}`);
  r.warmUp.push(timed('bash', [K8S, 'up']).ms);
  r.down.push(timed('bash', [K8S, 'down']).ms);
}

const doc = path.join(ROOT, 'docs/benchmarks.md');
const old = readFileSync(doc, 'utf8');
const keep = (re) => re.exec(old)?.[1] ?? 'not measured';
const cores = `${os.cpus().length} cores`;
const coldRows = COLD
  ? `| cold build: empty Go module and build caches (\`scripts/k8s.sh build\`) | ${fmt(r.coldBuild)}${r.coldBuildCpu ? ` (CPU ${fmt(r.coldBuildCpu)})` : ''} |
| warm build (cached binaries) | ${fmt(r.warmBuild)} |
| first \`up\` after the build (fresh cluster state) | ${fmt(r.firstUp)} |`
  : [/^(\| cold build: [^\n]*)$/m, /^(\| warm build [^\n]*)$/m, /^(\| first `up` [^\n]*)$/m].map((re) => keep(re)).join('\n');
const linkText = COLD
  ? `With every package compiled, linking the one multi-call binary took ${fmt(r.link.multi)}; linking the seven
components separately took ${fmt(r.link.separate)} (${(r.link.separate / r.link.multi).toFixed(1)}×), and they take ${mb(r.link.separateBytes)} on disk
against ${mb(r.link.multiBytes)}. Compiling is the same work either way.`
  : keep(/(With every package compiled, linking[\s\S]*?Compiling is the same work either way\.)/);
const section = `## 8. A local Kubernetes cluster (\`scripts/k8s.sh\`)

Kubernetes ${version} and etcd built from the Go module proxy into one multi-call binary, containerd and the CNI
plugins from Debian (test/e2e/k8s.test.ts runs on it). Measured by \`node bench/k8s.mjs\` on
${new Date().toISOString().slice(0, 10)}, ${cores}${COLD ? '' : ' (cold rows kept from an earlier run)'}.

| | time |
| --- | ---: |
${coldRows}
| \`up\` again after \`down\` (median of ${N}) | ${fmt(median(r.warmUp))} |
| \`down\` (median) | ${fmt(median(r.down))} |

${COLD ? `The machine is shared: the load average was ${r.coldBuildLoad.toFixed(0)} during the cold build, so its wall time is what 2 busy
cores give; CPU time is the figure to plan with. \`npm test\` starts this build first, in the background at the
lowest priority (scripts/test.sh), so it overlaps the other tests; the Kubernetes tests run last and wait for it.` : keep(/(The machine is shared: [\s\S]*?run last and wait for it\.)/)}

${linkText}

`;
const next = /## 8\. A local Kubernetes cluster[\s\S]*?(?=## Reproduce)/.test(old)
  ? old.replace(/## 8\. A local Kubernetes cluster[\s\S]*?(?=## Reproduce)/, section)
  : old.replace('## Reproduce', `${section}## Reproduce`);
writeFileSync(`${doc}.tmp`, next);
execFileSync('mv', [`${doc}.tmp`, doc]);
log(`wrote section 8 of docs/benchmarks.md: ${JSON.stringify(r)}`);
