// npm run bench:lint — how long `goneat-deploy lint` takes, measured end to end (process start included),
// alternating the inputs within each round, several rounds, medians and spread. Writes
// docs/lint-benchmarks.md, and its issue-19 rows (1 MB Dockerfiles, 10,000 compose services, stopping a busy
// lint) as section 9 of docs/benchmarks.md (`npm run bench` runs this after bench/run.mjs). Not part of the test
// suite. No network, no Docker.
//
//   monorepo   200 services made by `generate all --recursive`: 200 goneat-deploy.yaml, 2,000 generated files,
//              and each service's Go main package (examples/echo/main.go) — `lint .` over all of it
//   dockerfile one Dockerfile of 1 MB, a RUN continued over 19,000 lines of 55 bytes
//   continued  one Dockerfile of 1 MB, a RUN continued over 262,000 lines "b \" (issue 19's 100-lint-dockerfile-continuations)
//   compose    one compose file of 10,000 services
//   SIGTERM    the 1 MB Dockerfile and the compose file again, SIGTERM 300 ms after the start: time to exit, exit code
//   node -e 0  Node's own start, the floor
//
// BENCH_BASELINE=<commit> also times that commit's CLI on the same inputs (built from `git archive`), side by side.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = path.resolve(new URL('..', import.meta.url).pathname);
const N = Number(process.env.BENCH_N ?? 7);
const work = mkdtempSync(path.join(os.tmpdir(), 'gd-bench-lint-'));
const log = (s) => process.stderr.write(`${s}\n`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.max(0, Math.round(p * (xs.length - 1))))];
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

function setup() {
  const mono = path.join(work, 'mono');
  for (let i = 0; i < 200; i++) {
    const d = path.join(mono, 'services', `svc${i}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(path.join(d, 'goneat-deploy.yaml'), `name: svc${i}\nimage: {repository: example/svc${i}}\nbuild: {main: .}\nports: [{name: http, port: 8080}]\nshutdown: {drain: ${5 + (i % 20)}s}\n`);
    copyFileSync(path.join(ROOT, 'examples/echo/main.go'), path.join(d, 'main.go'));
  }
  execFileSync(process.execPath, [path.join(ROOT, 'bin/goneat-deploy.js'), 'generate', 'all', '--recursive', '-C', mono], { stdio: 'ignore' });
  const df = path.join(work, 'big');
  mkdirSync(df);
  const line = '  && echo the-quick-brown-fox-jumps-over-the-lazy-dog \\\n';
  const lines = Math.ceil((1024 * 1024) / line.length);
  writeFileSync(path.join(df, 'Dockerfile'), `FROM debian:12\nRUN true \\\n${line.repeat(lines)}  && true\nUSER 65532:65532\nSTOPSIGNAL SIGTERM\nENTRYPOINT ["/sbin/tini", "--", "/app/x"]\n`);
  const cp = path.join(work, 'compose');
  mkdirSync(cp);
  const cont = path.join(work, 'continued');
  mkdirSync(cont);
  writeFileSync(path.join(cont, 'Dockerfile'), `FROM scratch\nRUN a \\\n${'b \\\n'.repeat(262_000)}c\n`);
  writeFileSync(path.join(cp, 'compose.yaml'), `services:\n${Array.from({ length: 10_000 }, (_, i) => `  s${i}:\n    image: example/s${i}\n    stop_grace_period: 10s\n    labels: {io.goneat-deploy.service: s${i}}\n`).join('')}`);
  return { mono, df, cont, cp };
}

function baselineBin(commit) {
  const dir = path.join(work, 'baseline');
  mkdirSync(dir);
  execFileSync('sh', ['-c', `git -C "${ROOT}" archive ${commit} | tar -x -C "${dir}"`]);
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, stdio: 'ignore' });
  return path.join(dir, 'bin/goneat-deploy.js');
}

/** Wall time, and the child's CPU time (user + sys, from the shell's `times`): the machine may be shared. */
function time(cmd, args, opts) {
  const t0 = performance.now();
  const quoted = [cmd, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const r = spawnSync('sh', ['-c', `${quoted} >"$0" 2>/dev/null; times >&2`, path.join(work, 'out.txt')], { encoding: 'utf8', ...opts, timeout: 600_000 });
  const ms = performance.now() - t0;
  if (r.status === null) throw new Error(`${args.join(' ')}: ${r.signal ?? r.error}`);
  const child = r.stderr.trim().split('\n').pop() ?? '';
  const secs = [...child.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  const out = spawnSync('tail', ['-1', path.join(work, 'out.txt')], { encoding: 'utf8' }).stdout;
  return { ms, cpu: (secs[0] ?? 0) * 1000 + (secs[1] ?? 0) * 1000, out };
}

log('› setting up: 200-service monorepo (generate all --recursive), 1 MB Dockerfiles, 10,000-service compose');
const inputs = setup();
const bins = [['this branch', path.join(ROOT, 'bin/goneat-deploy.js')]];
if (process.env.BENCH_BASELINE) bins.push([`baseline ${process.env.BENCH_BASELINE.slice(0, 7)}`, baselineBin(process.env.BENCH_BASELINE)]);
const runs = [
  ['node -e 0', () => time(process.execPath, ['-e', '0'])],
  ...bins.flatMap(([label, bin]) => [
    [`${label}: monorepo, lint . (200 services)`, () => time(process.execPath, [bin, 'lint', '.'], { cwd: inputs.mono })],
    [`${label}: Dockerfile 1 MB`, () => time(process.execPath, [bin, 'lint', 'Dockerfile'], { cwd: inputs.df })],
    [`${label}: Dockerfile 1 MB, 262,000 continuation lines`, () => time(process.execPath, [bin, 'lint', 'Dockerfile'], { cwd: inputs.cont })],
    [`${label}: compose, 10,000 services`, () => time(process.execPath, [bin, 'lint', 'compose.yaml'], { cwd: inputs.cp })],
  ]),
];
const results = new Map(runs.map(([name]) => [name, []]));
const cpus = new Map(runs.map(([name]) => [name, []]));
const summary = new Map();
const loads = [];
for (let round = 0; round < N; round++) {
  loads.push(os.loadavg()[0]);
  for (const [name, fn] of runs) {
    const { ms, cpu, out } = fn();
    results.get(name).push(ms);
    cpus.get(name).push(cpu);
    summary.set(name, (out ?? '').trim().split('\n').pop());
  }
  log(`  round ${round + 1}/${N}`);
}
/** SIGTERM `delay` ms after starting lint: how long until the process is gone, and its exit code. */
function stopAfter(bin, cwd, file, delay) {
  const r = spawnSync('sh', ['-c', `"$0" "$1" lint "$2" >/dev/null 2>&1 & p=$!; sleep ${delay / 1000}; s=$(date +%s%N); kill -TERM $p; wait $p; rc=$?; echo "$rc $(( ($(date +%s%N) - s) / 1000000 ))"`, process.execPath, bin, file], { cwd, encoding: 'utf8' });
  const [rc, ms] = r.stdout.trim().split(' ').map(Number);
  return { rc, ms };
}
const stops = [];
for (const [label, bin] of bins) {
  for (const [what, cwd] of [['Dockerfile 1 MB', inputs.df], ['compose, 10,000 services', inputs.cp]]) {
    const xs = Array.from({ length: N }, () => stopAfter(bin, cwd, what.startsWith('Dockerfile') ? 'Dockerfile' : 'compose.yaml', 300));
    stops.push(`| ${label}: ${what} | ${fmt(median(xs.map((x) => x.ms)))} | ${fmt(Math.max(...xs.map((x) => x.ms)))} | ${[...new Set(xs.map((x) => x.rc))].join(', ')} |`);
  }
}
const floor = median(results.get('node -e 0'));
const rows = [...results].map(([name, xs]) => `| ${name} | ${fmt(median(xs))} | ${fmt(q(xs, 0.1))} – ${fmt(q(xs, 0.9))} | ${fmt(median(cpus.get(name)))} | ${(median(xs) / floor).toFixed(1)}× | ${summary.get(name) ?? ''} |`);
const md = `# lint benchmarks

\`npm run bench:lint\` (bench/lint.mjs): ${N} rounds, inputs alternated within each round, end to end
(\`node bin/goneat-deploy.js lint ...\`, process start included). ${os.cpus().length} cores, Node ${process.version}.
Generated ${new Date().toISOString().slice(0, 10)}; not a timed test. Load average during the rounds:
${loads.map((l) => l.toFixed(1)).join(', ')} (the machine is shared: CPU time is the steadier figure; lint runs the Go
analysis in a worker thread, so its CPU time can exceed its wall time on an idle machine).

| run | median wall | p10 – p90 | median CPU (user+sys) | wall × node -e 0 | lint's last line |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Targets: the 200-service monorepo under 2 s; a 1 MB Dockerfile and 10,000 compose services each under 2 s (issue 19).

## Stopping a busy lint

SIGTERM 300 ms after the start, while lint parses (${N} times each): from the signal to the process's exit.
Large inputs are linted in a worker thread (src/lint/lint.ts lintStoppable), which the main thread ends at once;
143 is 128 + SIGTERM.

| run | median time to exit | slowest | exit codes |
| --- | --- | --- | --- |
${stops.join('\n')}
`;
writeFileSync(path.join(ROOT, 'docs/lint-benchmarks.md'), md);

// Section 9 of docs/benchmarks.md: the large inputs of issue 19 (each under 2 s), in that file's form.
const large = [...results].filter(([name]) => /Dockerfile 1 MB|10,000 services|node -e 0/.test(name));
const section = `## 9. lint of large inputs

\`goneat-deploy lint\` of one 1 MB Dockerfile (a RUN continued over 19,000 lines of 55 bytes, and over 262,000
lines \`b \\\`) and of one compose file of 10,000 services, end to end (process start included). Measured by
\`node bench/lint.mjs\` on ${new Date().toISOString().slice(0, 10)}: ${N} rounds, inputs alternated within each round, ${os.cpus().length} cores,
load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} (shared machine: CPU time is the steadier figure). Target (issue 19): each under 2 s.

| run | median wall | p10 – p90 | median CPU (user+sys) | wall × node -e 0 |
| --- | --- | --- | --- | ---: |
${large.map(([name, xs]) => `| ${name} | ${fmt(median(xs))} | ${fmt(q(xs, 0.1))} – ${fmt(q(xs, 0.9))} | ${fmt(median(cpus.get(name)))} | ${(median(xs) / floor).toFixed(1)}× |`).join('\n')}

SIGTERM 300 ms after the start, while lint parses (${N} times each): from the signal to the process's exit
(large inputs are linted in a worker thread, which the main thread ends at once; 143 = 128 + SIGTERM).

| run | median time to exit | slowest | exit codes |
| --- | --- | --- | --- |
${stops.join('\n')}

The whole lint benchmark (a 200-service monorepo too): [lint-benchmarks.md](lint-benchmarks.md).

`;
const benchmarks = path.join(ROOT, 'docs/benchmarks.md');
const doc = readFileSync(benchmarks, 'utf8');
const existing = /## 9\. lint of large inputs[\s\S]*?(?=## Reproduce)/;
writeFileSync(benchmarks, existing.test(doc) ? doc.replace(existing, section) : doc.replace('## Reproduce', `${section}## Reproduce`));
process.stdout.write(md);
rmSync(work, { recursive: true, force: true });
