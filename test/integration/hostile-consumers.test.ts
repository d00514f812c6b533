/**
 * Issue 19's property, read by the real consumers: hostile payloads in every
 * user-controlled field (test/helpers/hostile.ts, fixed seed) are rendered by
 * `generate all`'s code path, written to disk, and every output is read back by
 * what reads it in production —
 *
 *   compose.yaml, swarm/stack.yaml, k8s/*.yaml:
 *     PyYAML's SafeLoader (docker-compose v1's reader, YAML 1.1: compose.yaml),
 *     gopkg.in/yaml.v3 (compose v2's), sigs.k8s.io/yaml (kubectl's, YAML 1.1),
 *     docker-compose v1's loader and `docker compose config` (v2) over the
 *     compose files, with their interpolation;
 *   k8s env values: the kubelet's $(VAR) expansion (port, test/helpers/kubelet.ts);
 *   systemd units: `systemd-analyze verify` (systemd 252) on a scratch root,
 *     and ExecStart='s argv as systemd holds it (its unit dump) after the
 *     expansion it applies when it runs the command;
 *     sysusers.d: `systemd-sysusers --dry-run`;
 *   launchd: Python's plistlib;
 *   daemonize: `sh -n` (dash), the script's settings as /bin/sh reads them,
 *     and the argv `start` hands daemonize (a stand-in daemonize in a mount
 *     namespace);
 *   upstart: libnih's tokenizer (port, test/helpers/libnih.ts) and /bin/sh's
 *     reading of the exec line (upstart runs it with /bin/sh -e -c "exec …");
 *   Dockerfile: BuildKit's parser and word expansion (docker build's reading of
 *     ENV, LABEL, USER; the JSON-form ENTRYPOINT).
 *
 * Each accepted payload must come out exactly as written; each refused one
 * must have been refused with exit 2 and its location (checked here too).
 * Every payload of every field is rendered first, then each consumer reads all
 * outputs in one run (a process start per file would take minutes); the tests
 * per field then compare. A field's outputs go to the consumers of the files
 * its value reaches (those that differ between its payloads).
 * Counts go to .tmp/reliability/hostile-integration.json for docs/reliability.md.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expected, FIELDS, KINDS, kindsOf, payloads, run, SEED, seedNote, type Field, type Kind, type Outcome } from '../helpers/hostile.js';
import {
  composeConfig,
  daemonizeArgvs,
  dockerfileRead,
  goRead,
  pyRead,
  rootsFor,
  shRead,
  systemdExecStarts,
  systemdRoot,
  systemdVerify,
  sysusersDryRun,
  type DockerfileRead,
  type GoRead,
  type PyRead,
  type ShRead,
} from '../helpers/consumers.js';
import { record } from '../helpers/results.js';
import { imageLabels } from '../../src/image/dockerfile.js';
import { composeView, deploymentView, plistView, upstartView } from '../helpers/views.js';

/** Generated payloads per field on top of the corpus (fast-check, seed SEED); GONEAT_SOAK=1 runs many more. */
const GENERATED = process.env.GONEAT_SOAK === '1' ? 200 : 5;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'gd-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }), 60_000);

type Rendered = Extract<Outcome, { kind: 'rendered' }> & { dir: string; payload: string; n: number; field: string };
interface FieldRun {
  field: Field;
  index: number;
  total: number;
  rendered: Rendered[];
  refused: Array<{ payload: string; exitCode: number; message: string }>;
}

/** Fields whose values reach the control script's `start` call (the others would need paths created on this host). */
const DAEMONIZE_RUN = new Set(['args[1]', 'env value', 'env name', 'name', 'host.user', 'host.umask']);

/** Services are named svc<n>, n unique over all fields: every output can go to one consumer run. */
const PER_FIELD = 10_000;

function prepare(field: Field, index: number): FieldRun {
  const list = payloads(field, GENERATED);
  const r: FieldRun = { field, index, total: list.length, rendered: [], refused: [] };
  list.forEach((payload, k) => {
    const n = index * PER_FIELD + k;
    const o = run(field, payload, n);
    if (o.kind === 'refused') {
      r.refused.push({ payload, exitCode: o.exitCode, message: o.message });
      return;
    }
    const d = path.join(tmp, String(index), String(k));
    for (const f of o.files) {
      mkdirSync(path.dirname(path.join(d, f.path)), { recursive: true });
      writeFileSync(path.join(d, f.path), f.content);
    }
    r.rendered.push({ ...o, dir: d, payload, n, field: field.name });
  });
  return r;
}

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** Runs `f` over `items`, at most `width` at once. */
async function pool<T>(items: T[], width: number, f: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await f(items[next++]!);
  }));
}

/** The files a target writes, by what reads them. */
type Group = 'compose' | 'swarm' | 'k8s' | 'launchd' | 'systemd' | 'daemonize' | 'upstart' | 'Dockerfile';
const groupOf = (p: string): Group | undefined =>
  p === 'Dockerfile' ? 'Dockerfile' : p === 'compose.yaml' ? 'compose' : p.startsWith('swarm/') ? 'swarm' : p.startsWith('k8s/') ? 'k8s' : p.startsWith('launchd/') ? 'launchd' : p.startsWith('systemd/') ? 'systemd' : p.startsWith('daemonize/') ? 'daemonize' : p.startsWith('upstart/') ? 'upstart' : undefined;

/**
 * The groups of files a field's value reaches: those whose content differs
 * between its payloads (the service's own name and the checksum set aside).
 * A consumer reads the payloads of a field only where the value is: the counts
 * say what was really read, and nothing is read twice for nothing.
 */
function reach(run: FieldRun): Set<Group> {
  const seen = new Map<Group, Set<string>>();
  for (const r of run.rendered) {
    const byGroup = new Map<Group, string>();
    for (const f of [...r.files].sort((a, b) => a.path.localeCompare(b.path))) {
      const g = groupOf(f.path);
      if (g) byGroup.set(g, `${byGroup.get(g) ?? ''}${f.path}\n${f.content}`.replaceAll(`svc${r.n}`, 'svc#').replace(/sha256:[0-9a-f]{16,64}/g, ''));
    }
    for (const [g, c] of byGroup) seen.set(g, (seen.get(g) ?? new Set()).add(c));
  }
  return new Set([...seen].filter(([, c]) => c.size > 1).map(([g]) => g));
}
const reached = new Map<string, Set<Group>>();
const reaches = (r: { field: string }, g: Group) => reached.get(r.field)!.has(g);

const file = (r: Rendered, pred: (p: string) => boolean) => path.join(r.dir, r.files.find((f) => pred(f.path))!.path);
const yamlFiles = (r: Rendered) => r.files.filter((f) => f.path.endsWith('.yaml') && reaches(r, groupOf(f.path)!)).map((f) => path.join(r.dir, f.path));

let runs: FieldRun[] = [];
let py = new Map<string, PyRead>();
let go = new Map<string, GoRead>();
let dockerfiles = new Map<string, DockerfileRead>();
const compose = new Map<string, { doc?: unknown; error?: string }>();
const execStarts = new Map<string, string[]>();
const verify: Array<{ stderr: string; code: number | null }> = [];
const sysusers = new Map<number, { stderr: string; code: number | null }>();
const sh = new Map<Rendered, ShRead>();
const started = new Map<Rendered, { argv?: string[]; error?: string }>();
const timings: Record<string, number> = {};
async function timed<T>(what: string, f: () => Promise<T>): Promise<T> {
  const t = performance.now();
  try {
    return await f();
  } finally {
    timings[what] = Math.round(performance.now() - t);
  }
}

beforeAll(async () => {
  runs = await timed('render', async () => FIELDS.map(prepare));
  for (const run of runs) reached.set(run.field.name, reach(run));
  const all = runs.flatMap((f) => f.rendered);
  const allYaml = all.flatMap(yamlFiles);
  const plists = all.filter((r) => reaches(r, 'launchd')).map((r) => file(r, (p) => p.endsWith('.plist')));
  // The consumers run side by side (each is one or a few processes over every output).
  await Promise.all([
    // PyYAML reads what docker-compose v1 reads (compose.yaml); the Go readers every YAML file (compose-go,
    // compose v2's loader: yaml.v3; kubectl: sigs.k8s.io/yaml, a fork of go-yaml v2).
    timed('PyYAML, plistlib, go-yaml', async () => {
      [py, go] = await Promise.all([pyRead([...all.filter((r) => reaches(r, 'compose')).map((r) => path.join(r.dir, 'compose.yaml')), ...plists]), goRead(allYaml)]);
    }),
    // docker build's reading of the Dockerfile: BuildKit's parser and word expansion.
    timed('Dockerfile (BuildKit parser)', async () => {
      dockerfiles = await dockerfileRead(all.filter((r) => reaches(r, 'Dockerfile')).map((r) => path.join(r.dir, 'Dockerfile')));
    }),
    timed('compose v1, v2', async () => {
      // Both merge -f files pairwise, in a time that grows faster than their number (v2: 25 files 0.4 s,
      // 50 files 1.0 s, 200 files 7.3 s; v1: 50 files 0.7 s, 245 files 6.2 s): 25 and 50 at a time.
      const composed = all.filter((r) => reaches(r, 'compose'));
      const jobs = (['v1 compose.yaml', 'v2 compose.yaml'] as const).flatMap((key) => chunks(composed, key.startsWith('v1') ? 50 : 25).map((part) => ({ key, part })));
      await pool(jobs, 2, async ({ key, part }) => {
        const [tool, target] = key.split(' ') as ['v1' | 'v2', string];
        const merged = await composeConfig(tool, part.map((r) => path.join(r.dir, target)), tmp);
        for (const r of part) compose.set(`${key} ${r.n}`, merged);
      });
    }),
    timed('systemd', async () => {
      // Roots in which no binary path is a directory of another ("/a" and "/a/b").
      const units0 = all.filter((r) => reaches(r, 'systemd'));
      const which = rootsFor(units0.map((r) => r.spec.host.binaryPath));
      for (let k = 0; k <= Math.max(...which); k++) {
        const mine = units0.filter((_, i) => which[i] === k);
        const root = path.join(tmp, `root${k}`);
        await systemdRoot(root, mine.map((r) => r.spec.host.binaryPath));
        const units = mine.flatMap((r) =>
          r.files
            .filter((f) => f.path.startsWith('systemd/') && f.path.endsWith('.service'))
            .map((f) => {
              copyFileSync(path.join(r.dir, f.path), path.join(root, 'etc/systemd/system', path.basename(f.path)));
              return path.basename(f.path);
            }),
        );
        // systemd-analyze's time grows faster than its number of units: 200 at a time.
        for (const part of chunks(units, 200)) {
          const [v, dumped] = await Promise.all([systemdVerify(root, part), systemdExecStarts(root, part)]);
          verify.push(v);
          for (const [u, argv] of dumped) execStarts.set(u, argv);
        }
      }
      for (const f of runs) {
        const files = f.rendered.filter((r) => reaches(r, 'systemd')).flatMap((r) => r.files.filter((x) => x.path.endsWith('.sysusers.conf')).map((x) => path.join(r.dir, x.path)));
        if (files.length) sysusers.set(f.index, await sysusersDryRun(path.join(tmp, `sysusers-${f.index}`), files));
      }
    }),
    timed('sh', async () => {
      const runnable = runs.filter((f) => DAEMONIZE_RUN.has(f.field.name) && reached.get(f.field.name)!.has('daemonize')).flatMap((f) => f.rendered);
      const read0 = all.filter((r) => reaches(r, 'daemonize') || reaches(r, 'upstart'));
      const dirs = runnable.flatMap((r) => [r.spec.host.runDirectory, r.spec.host.daemonizeLogDirectory, r.spec.host.workingDirectory]);
      const [read, argvs] = await Promise.all([
        shRead(read0.map((r) => ({ script: file(r, (p) => p.startsWith('daemonize/')), execLine: upstartView(r.files.find((f) => f.path.startsWith('upstart/'))!.content).exec })), path.join(tmp, 'sh')),
        daemonizeArgvs(runnable.map((r) => file(r, (p) => p.startsWith('daemonize/'))), path.join(tmp, 'daemonize'), dirs),
      ]);
      read0.forEach((r, i) => sh.set(r, read[i]!));
      runnable.forEach((r, i) => started.set(r, argvs[i]!));
    }),
  ]);
}, 600_000);

const counts: Record<string, Record<string, number>> = {};
const count = (consumer: string, field: Field, n = 1) => {
  counts[consumer] ??= {};
  counts[consumer]![field.name] = (counts[consumer]![field.name] ?? 0) + n;
};

describe('hostile values read back by the real consumers', () => {
  FIELDS.forEach((field, index) => {
    it(field.name, () => {
      const { rendered, refused, total } = runs[index]!;
      count('payloads', field, total);
      count('refused with exit 2', field, refused.length);
      for (const x of refused) {
        expect(x.exitCode, seedNote(field, x.payload)).toBe(2);
        // --image is checked before the config is read: its message names the flag; the others name the field.
        expect(x.message, seedNote(field, x.payload)).toMatch(field.at);
      }
      const note = (r: Rendered) => seedNote(field, r.payload);

      const into = reached.get(field.name)!;
      const where = (g: Group) => (into.has(g) ? rendered : []);

      // PyYAML (compose.yaml) and plistlib; yaml.v3 and sigs.k8s.io/yaml: the documents must be what the yaml
      // library reads (which the in-process property test checks value by value), and the views exact.
      for (const r of rendered) {
        const exp = expected(r);
        for (const f of r.files.filter((x) => x.path.endsWith('.yaml') && into.has(groupOf(x.path)!))) {
          const at = path.join(r.dir, f.path);
          const reference = YAML.parseAllDocuments(f.content).map((d) => d.toJS() as unknown);
          if (f.path === 'compose.yaml') {
            const p = py.get(at)!;
            expect(p.error, `PyYAML ${f.path}: ${note(r)}`).toBeUndefined();
            expect(p.docs, `PyYAML ${f.path}: ${note(r)}`).toEqual(reference);
          }
          const g = go.get(at)!;
          expect(g.v3Error, `yaml.v3 ${f.path}: ${note(r)}`).toBeUndefined();
          expect(g.v3, `yaml.v3 ${f.path}: ${note(r)}`).toEqual(reference);
          if (f.path.startsWith('k8s/')) {
            expect(g.k8sError, `sigs.k8s.io/yaml ${f.path}: ${note(r)}`).toBeUndefined();
            expect(g.k8s, `sigs.k8s.io/yaml ${f.path}: ${note(r)}`).toEqual(reference[0]);
          }
        }
        if (into.has('k8s')) {
          const d = deploymentView(go.get(path.join(r.dir, 'k8s/deployment.yaml'))!.k8s);
          expect([d.name, d.namespace, d.image, d.env, d.portNames, d.preStopExec, d.healthPath, d.memory], `kubectl + kubelet: ${note(r)}`).toEqual([exp.name, exp.namespace, exp.image, exp.env, exp.portNames, exp.preStopExec, exp.healthPath, exp.memory]);
        }
        if (into.has('launchd')) {
          const pl = plistView(py.get(file(r, (p) => p.endsWith('.plist')))!.docs![0]);
          expect(pl, `plistlib: ${note(r)}`).toEqual({ label: r.spec.host.launchdLabel, argv: [r.spec.host.binaryPath, ...r.spec.host.launchdArgs], env: exp.env, user: r.spec.host.user, workingDirectory: r.spec.host.launchdWorkingDirectory });
        }
      }
      count('PyYAML (SafeLoader): compose.yaml', field, where('compose').length);
      count('gopkg.in/yaml.v3: compose, stack, k8s', field, rendered.filter(() => into.has('compose') || into.has('swarm') || into.has('k8s')).length);
      count('sigs.k8s.io/yaml + kubelet expansion: k8s', field, where('k8s').length);
      count('plistlib: launchd', field, where('launchd').length);

      // docker-compose v1's loader and `docker compose config` (v2), the compose files merged in batches.
      for (const [key, label] of [['v1 compose.yaml', 'docker-compose (v1) loader'], ['v2 compose.yaml', 'docker compose config (v2)']] as const) {
        for (const r of where('compose')) {
          const merged = compose.get(`${key} ${r.n}`)!;
          expect(merged.error, `${label}: ${note(r)}`).toBeUndefined();
          const exp = expected(r);
          const v = composeView(merged.doc, r.spec.name, { interpolated: key.startsWith('v1') });
          expect(v.image, `${label}: ${note(r)}`).toBe(exp.image);
          // Compose turns numbers into strings for the environment; every value goneat-deploy writes is a string.
          expect(v.env, `${label}: ${note(r)}`).toEqual(exp.env);
          if (exp.healthCommand) expect(v.healthTest, `${label}: ${note(r)}`).toEqual(['CMD', ...exp.healthCommand]);
          expect(v.user, `${label}: ${note(r)}`).toBe(exp.user);
        }
        count(label, field, where('compose').length);
      }

      // systemd-analyze verify (nothing may be reported), ExecStart= argv, systemd-sysusers.
      if (where('systemd').length) {
        for (const v of verify) {
          expect(v.stderr, 'systemd-analyze verify').toBe('');
          expect(v.code).toBe(0);
        }
        for (const r of rendered) {
          const exp = expected(r);
          const name = r.spec.name;
          expect(execStarts.get(`${name}.service`), `systemd ExecStart=: ${note(r)}`).toEqual(exp.hostArgv);
          const docker = execStarts.get(`${name}-container.service`);
          expect(docker, `systemd ExecStart= (docker run): ${note(r)}`).toBeDefined();
          const env = Object.fromEntries(docker!.filter((w) => w.startsWith('--env=')).map((w) => [w.slice(6, w.indexOf('=', 6)), w.slice(w.indexOf('=', 6) + 1)]));
          expect([env, docker!.at(-1)], `systemd ExecStart= (docker run): ${note(r)}`).toEqual([exp.env, exp.image]);
        }
        const s = sysusers.get(index)!;
        expect(s.stderr, `systemd-sysusers --dry-run (${field.name})`).toBe('');
        expect(s.code).toBe(0);
      }
      count('systemd-analyze verify', field, where('systemd').length);
      count('systemd ExecStart= argv (unit dump + exec-time expansion)', field, where('systemd').length * 2);
      count('systemd-sysusers --dry-run', field, where('systemd').length);

      // daemonize: sh -n, the settings as sh reads them, and what `start` hands daemonize.
      for (const r of where('daemonize')) {
        const read = sh.get(r)!;
        const h = r.spec.host;
        expect(read.syntax, `sh -n: ${note(r)}`).toBe('');
        expect(read.error, `sh: ${note(r)}`).toBeUndefined();
        expect(read.settings, `sh reads the settings: ${note(r)}`).toEqual({
          NAME: r.spec.name,
          BINARY: h.binaryPath,
          WORKING_DIRECTORY: h.workingDirectory,
          RUN_AS: h.account,
          RUN_DIRECTORY: h.runDirectory,
          PID_FILE: `${h.runDirectory}/${r.spec.name}.pid`,
          LOCK_FILE: `${h.runDirectory}/${r.spec.name}.lock`,
          LOG_DIRECTORY: h.daemonizeLogDirectory,
          STDOUT_LOG: `${h.daemonizeLogDirectory}/${r.spec.name}.log`,
          STDERR_LOG: `${h.daemonizeLogDirectory}/${r.spec.name}.err.log`,
          STOP_SIGNAL: r.spec.shutdown.signal.replace(/^SIG/, ''),
          UMASK: h.umask,
        });
        if (DAEMONIZE_RUN.has(field.name)) {
          const s = started.get(r)!;
          expect(s.argv, `daemonize argv: ${note(r)} ${s.error ?? ''}`).toEqual([
            '-a', '-c', h.workingDirectory, '-o', `${h.daemonizeLogDirectory}/${r.spec.name}.log`, '-e', `${h.daemonizeLogDirectory}/${r.spec.name}.err.log`,
            '-p', `${h.runDirectory}/${r.spec.name}.pid`, '-l', `${h.runDirectory}/${r.spec.name}.lock`, '-u', h.account,
            ...r.spec.env.flatMap(([k, v]) => ['-E', `${k}=${v}`]),
            h.binaryPath, ...h.args,
          ]);
          count('sh: daemonize start (argv)', field);
        }
      }
      count('sh -n', field, where('daemonize').length);
      count('sh: control script settings', field, where('daemonize').length);

      // docker build: ENV, LABEL, USER as the builder expands them, the JSON-form ENTRYPOINT as it is.
      for (const r of where('Dockerfile')) {
        const d = dockerfiles.get(path.join(r.dir, 'Dockerfile'))!;
        expect(d.error, `BuildKit parser: ${note(r)}`).toBeUndefined();
        const all = (cmd: string) => d.instructions.filter((i) => i.cmd.toLowerCase() === cmd);
        for (const i of d.instructions) expect(i.error, `BuildKit word expansion (${i.cmd}): ${note(r)}`).toBeUndefined();
        const pairs = (cmd: string) => Object.fromEntries(all(cmd).flatMap((i) => Array.from({ length: i.words.length / 2 }, (_, k) => [i.words[2 * k]!, i.words[2 * k + 1]!])));
        expect(pairs('env'), `docker build ENV: ${note(r)}`).toEqual(expected(r).env);
        expect(pairs('label'), `docker build LABEL: ${note(r)}`).toEqual(imageLabels(r.spec));
        expect(all('user').map((i) => i.words), `docker build USER: ${note(r)}`).toEqual([[expected(r).user]]);
        expect(all('entrypoint').map((i) => [i.json, i.words]), `docker build ENTRYPOINT: ${note(r)}`).toEqual([[true, r.spec.entrypoint]]);
      }
      count('BuildKit Dockerfile parser + word expansion', field, where('Dockerfile').length);

      // upstart: libnih reads the stanzas, /bin/sh the exec line.
      for (const r of where('upstart')) {
        const u = upstartView(r.files.find((f) => f.path.startsWith('upstart/'))!.content);
        expect(u.env, `libnih env: ${note(r)}`).toEqual(expected(r).env);
        expect(sh.get(r)!.words, `sh reads the exec line: ${note(r)}`).toEqual([r.spec.host.binaryPath, ...r.spec.host.args]);
      }
      count('libnih tokenizer (port) + sh: upstart exec', field, where('upstart').length);
      // Every rendered field reaches some file a consumer here reads (else it would test nothing).
      if (rendered.length) expect(into.size, `${field.name} reaches no file`).toBeGreaterThan(0);
    });
  });

  it('records what ran (docs/reliability.md)', async () => {
    const consumers = Object.keys(counts).filter((c) => c !== 'payloads' && c !== 'refused with exit 2');
    const sum = (c: string) => Object.values(counts[c] ?? {}).reduce((a, b) => a + b, 0);
    const reads = consumers.reduce((a, c) => a + sum(c), 0);
    console.log(`hostile (real consumers, seed ${SEED}): ${sum('payloads')} payloads over ${FIELDS.length} fields, ${sum('refused with exit 2')} refused; ${consumers.length} consumers, ${reads} reads; ms: ${JSON.stringify(timings)}`);
    // Per kind of shared/adversarial/README.md: its payloads, how many were refused (exit 2), how many fields
    // they went into, and the reads: each rendered payload times the consumers that read its field
    // (the daemonize start only for the fields of DAEMONIZE_RUN: counted for those).
    const readers = (f: Field) => consumers.filter((c) => (counts[c]?.[f.name] ?? 0) > 0).length;
    const kinds = Object.fromEntries(
      (Object.keys(KINDS) as Kind[]).map((k) => {
        const k0 = { payloads: 0, refused: 0, fields: new Set<string>(), reads: 0 };
        // The reads of one rendered payload: every consumer that read its field (each reads all its payloads).
        for (const run of runs) {
          for (const x of run.refused) if (kindsOf(run.field, x.payload).includes(k)) (k0.payloads++, k0.refused++, k0.fields.add(run.field.name));
          for (const r of run.rendered) if (kindsOf(run.field, r.payload).includes(k)) (k0.payloads++, k0.fields.add(run.field.name), (k0.reads += readers(run.field)));
        }
        return [k, { kind: KINDS[k], payloads: k0.payloads, refused: k0.refused, fields: k0.fields.size, reads: k0.reads }];
      }),
    );
    // Every field was read by some consumer (a field whose every payload is refused would test nothing).
    const unread = FIELDS.filter((f) => !consumers.some((c) => (counts[c]?.[f.name] ?? 0) > 0)).map((f) => f.name);
    expect(unread).toEqual([]);
    await record('hostile-integration', { seed: SEED, generatedPerField: GENERATED, fields: FIELDS.length, payloads: sum('payloads'), refused: sum('refused with exit 2'), reads, consumers: Object.fromEntries(consumers.map((c) => [c, sum(c)])), kinds, perField: counts, timingsMs: timings });
    for (const k of Object.keys(KINDS)) expect(kinds[k]!.payloads, k).toBeGreaterThan(0);
  });
});
