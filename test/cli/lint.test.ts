import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import AjvDraft04Module from 'ajv-draft-04';
import { RULES } from '../../src/lint/rules/index.js';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { runInProcess as runCli } from '../helpers/inprocess.js';

function sarifValidator() {
  const schemaPath = path.join(ROOT, 'node_modules/@microsoft/sarif-matcher-utils/lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
  // The schema's language pattern is not valid with the u flag: compile patterns without it.
  const AjvDraft04 = (AjvDraft04Module as unknown as { default?: typeof AjvDraft04Module }).default ?? AjvDraft04Module;
  const ajv = new (AjvDraft04 as unknown as typeof Ajv)({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
  return ajv.compile(schema);
}

describe('goneat-deploy lint', () => {
  it('finds nothing in the project\'s own generated files', async () => {
    const r = await runCli(['lint', '-C', 'examples/echo', 'examples', 'Dockerfile', 'compose.yaml', 'deploy']);
    expect(r.stderr).toBe('');
    // examples/echo/main.go (its deliberate -legacy-sighup subscription carries a goneat-deploy:ignore GD017 with the
    // reason), examples/trpc's main.go and trpc_go.yaml (GD020: it drains, has an admin port, binds 0.0.0.0) and
    // 9 deployment files; service.yaml, pdb.yaml and kustomization.yaml hold no workload: read, not parsed.
    expect(r.stdout).toMatch(/^12 file\(s\) checked, no findings$/m);
    expect(r.code).toBe(0);
  });

  it('exits 1 on an error-level finding and prints file:line:column, level, ID, message, rule', async () => {
    const r = await runCli(['lint', '--drain', '15s', 'test/fixtures/lint/GD001/bad']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^test\/fixtures\/lint\/GD001\/bad\/Dockerfile:4:1: error GD001 ENTRYPOINT in shell form .* \(shell-form-entrypoint\)$/m);
    expect(r.stderr).toMatch(/lint: 1 error-level finding\(s\)/);
  });

  it('lint ./... reports every invalid goneat-deploy.yaml, located, lints the other files, and exits 2', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gd-lint-tree-'));
    try {
      const put = (rel: string, text: string) => {
        mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        writeFileSync(path.join(dir, rel), text);
      };
      put('ok/goneat-deploy.yaml', 'name: ok\nimage: {repository: a}\n');
      put('ok/Dockerfile', 'FROM scratch\nENTRYPOINT /app/ok\n');
      put('bad-drain/goneat-deploy.yaml', 'name: b\nimage: {repository: a}\nshutdown: {drain: soon}\n');
      put('bad-yaml/goneat-deploy.yaml', 'name: [\n');
      // Not searched, like Go's ./... (testdata) and package managers' trees.
      put('testdata/goneat-deploy.yaml', 'name: [\n');
      put('node_modules/x/goneat-deploy.yaml', 'name: [\n');
      put('.hidden/goneat-deploy.yaml', 'name: [\n');
      const r = await runCli(['lint', './...'], { cwd: dir });
      expect(r.code).toBe(2);
      // The valid service's files were linted: the finding is on stdout.
      expect(r.stdout).toMatch(/^ok\/Dockerfile:2:1: error GD001 /m);
      const errors = r.stdout.split('\n').filter((l) => / error GD\d+ /.test(l)).length;
      expect(errors).toBeGreaterThan(0);
      expect(r.stderr).toMatch(new RegExp(`^goneat-deploy: lint: 2 invalid goneat-deploy\\.yaml \\(the other files were linted, with ${errors} error-level finding\\(s\\)\\):$`, 'm'));
      expect(r.stderr).toMatch(/^ {2}bad-drain\/goneat-deploy\.yaml:3:19: shutdown\.drain: .*"soon"/m);
      expect(r.stderr).toMatch(/^ {2}bad-yaml\/goneat-deploy\.yaml:\d+:\d+: /m);
      expect(r.stderr).not.toMatch(/testdata|node_modules|\.hidden/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      // Without the invalid ones: exit 1 for the finding.
      rmSync(path.join(dir, 'bad-drain'), { recursive: true });
      rmSync(path.join(dir, 'bad-yaml'), { recursive: true });
      expect((await runCli(['lint', './...'], { cwd: dir })).code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 0 with only warnings', async () => {
    const r = await runCli(['lint', 'test/fixtures/lint/GD012/bad']);
    expect(r.stdout).toMatch(/warning GD012/);
    expect(r.code).toBe(0);
  });

  it('takes the drain from goneat-deploy.yaml in -C DIR', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gd-lint-'));
    try {
      // The config names the service "echo": its drain applies to echo in any file given.
      writeFileSync(path.join(dir, 'goneat-deploy.yaml'), 'name: echo\nimage: {repository: a}\nshutdown: {drain: 12s}\n');
      const fixture = path.join(ROOT, 'test/fixtures/lint/GD005/bad/compose.yaml');
      const r = await runCli(['lint', '-C', dir, fixture]);
      expect(r.stdout).toMatch(/stop_grace_period 10s is shorter than its drain of 12s/);
      expect(r.code).toBe(1);
      // A config that names another service says nothing about echo.
      writeFileSync(path.join(dir, 'goneat-deploy.yaml'), 'name: other\nimage: {repository: a}\nshutdown: {drain: 12s}\n');
      expect((await runCli(['lint', '-C', dir, fixture])).code).toBe(0);
      // examples/echo drains 5s: the same file is fine there.
      expect((await runCli(['lint', '-C', 'examples/echo', fixture])).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--format json is machine-readable', async () => {
    const r = await runCli(['lint', '--format', 'json', '--drain', '15s', 'test/fixtures/lint/GD004/bad']);
    const out = JSON.parse(r.stdout) as { findings: Array<{ ruleId: string; line: number }> };
    expect(out.findings.map((f) => f.ruleId)).toEqual(['GD004', 'GD004', 'GD004']);
    expect(r.code).toBe(1);
  });

  it('--json is --format json, as on build, generate and verify; --json with another --format is a usage error', async () => {
    const args = ['--drain', '15s', 'test/fixtures/lint/GD004/bad'];
    const r = await runCli(['lint', '--json', ...args]);
    expect(r.stdout).toBe((await runCli(['lint', '--format', 'json', ...args])).stdout);
    expect((JSON.parse(r.stdout) as { findings: unknown[] }).findings).toHaveLength(3);
    expect(r.code).toBe(1);
    const both = await runCli(['lint', '--json', '--format', 'sarif', ...args]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--json and --format sarif ask for two formats/);
  });

  it('--drain NAME=D with a NAME no workload in the files has is a usage error naming the services found', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gd-lint-'));
    try {
      writeFileSync(path.join(dir, 'docker-compose.yml'), 'services:\n  ledgernode:\n    image: ledger:1\n    init: true\n    stop_grace_period: 30s\n    user: "1000:1000"\n  other:\n    image: other:1\n    init: true\n    user: "1000:1000"\n');
      const typo = await runCli(['lint', '--drain', 'ledgernod=60s', 'docker-compose.yml'], { cwd: dir });
      expect(typo.code).toBe(2);
      expect(typo.stdout).toBe('');
      expect(typo.stderr).toMatch(/--drain ledgernod=60s: no workload in the files is named "ledgernod"; services found: ledgernode, other/);
      // The right name is judged (GD005: 30s < 60s).
      const right = await runCli(['lint', '--drain', 'ledgernode=60s', 'docker-compose.yml'], { cwd: dir });
      expect(right.stdout).toMatch(/GD005 compose service "ledgernode"/);
      expect(right.code).toBe(1);
      // A Kubernetes object's name (not only its container's) is a name the drain can belong to.
      writeFileSync(path.join(dir, 'deploy.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers: [{name: app, image: api:1}]\n');
      expect((await runCli(['lint', '--drain', 'api=60s', 'deploy.yaml'], { cwd: dir })).stderr).not.toMatch(/no workload/);
      // So is an image's io.goneat-deploy.service label.
      writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nLABEL io.goneat-deploy.service=img\nENTRYPOINT ["/sbin/tini", "--", "/app/img"]\nUSER 1:1\n');
      expect((await runCli(['lint', '--drain', 'img=60s', 'Dockerfile'], { cwd: dir })).stderr).not.toMatch(/no workload/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('skips Helm chart templates (templates/ under a Chart.yaml, subcharts too) and says so; other YAML is linted', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gd-lint-'));
    try {
      const template = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "x.fullname" . }}\nspec:\n  template:\n    spec:\n      terminationGracePeriodSeconds: {{ .Values.grace }}\n      containers:\n        - name: app\n          image: "{{ .Values.image }}"\n';
      const write = (p: string, text: string) => {
        mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
        writeFileSync(path.join(dir, p), text);
      };
      write('chart/Chart.yaml', 'apiVersion: v2\nname: x\nversion: 0.1.0\n');
      write('chart/templates/deployment.yaml', template);
      write('chart/templates/sub/pod.yaml', template);
      write('chart/charts/sub/Chart.yaml', 'apiVersion: v2\nname: sub\nversion: 0.1.0\n');
      write('chart/charts/sub/templates/deployment.yaml', template);
      // Not a chart: a templates/ directory without Chart.yaml above it is linted as usual.
      write('other/templates/pod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: [{name: a, image: a, tty: true}]\n');
      const r = await runCli(['lint', './...'], { cwd: dir });
      expect(r.stderr).not.toMatch(/Warning|stringified/);
      expect(r.stdout).not.toMatch(/chart\//);
      expect(r.stdout).toMatch(/^other\/templates\/pod\.yaml:\d+:\d+: error GD007/m);
      expect(r.stdout).toMatch(/^1 file\(s\) checked: .*\n3 Helm chart template\(s\) skipped: Go templates, not YAML/m);
      const json = JSON.parse((await runCli(['lint', '--json', 'chart'], { cwd: dir })).stdout) as { findings: unknown[]; skipped: string[] };
      expect(json.findings).toEqual([]);
      expect(json.skipped.filter((f) => f.includes('/templates/')).sort()).toEqual(['chart/charts/sub/templates/deployment.yaml', 'chart/templates/deployment.yaml', 'chart/templates/sub/pod.yaml']);
      // Named explicitly, a template is still a template.
      expect((await runCli(['lint', 'chart/templates/deployment.yaml'], { cwd: dir })).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('GD021: Go source that ignores the stop signal goneat-deploy.yaml beside it configures', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gd-lint-'));
    try {
      writeFileSync(path.join(dir, 'main.go'), 'package main\n\nimport (\n\t"os"\n\t"os/signal"\n)\n\nfunc main() {\n\tsignal.Ignore(os.Interrupt)\n\tselect {}\n}\n');
      writeFileSync(path.join(dir, 'goneat-deploy.yaml'), 'name: stubborn\nimage: {repository: a}\nshutdown: {signal: SIGINT}\n');
      const r = await runCli(['lint', './...'], { cwd: dir });
      expect(r.stdout).toMatch(/^main\.go:9:16: error GD021 signal\.Ignore\(os\.Interrupt\) ignores SIGINT: SIGINT is its stop signal \(shutdown\.signal in goneat-deploy\.yaml\)/m);
      expect(r.code).toBe(1);
      // With SIGTERM as the stop signal, ignoring SIGINT stops nothing.
      writeFileSync(path.join(dir, 'goneat-deploy.yaml'), 'name: stubborn\nimage: {repository: a}\nshutdown: {signal: SIGTERM}\n');
      expect((await runCli(['lint', './...'], { cwd: dir })).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--format sarif validates as SARIF 2.1.0', async () => {
    const validate = sarifValidator();
    const r = await runCli(['lint', '--format', 'sarif', '--drain', '15s', 'test/fixtures/lint']);
    const sarif = JSON.parse(r.stdout) as { version: string; runs: Array<{ results: Array<{ ruleId: string }>; tool: { driver: { rules: unknown[] } } }> };
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(sarif.version).toBe('2.1.0');
    expect(new Set(sarif.runs[0]!.results.map((x) => x.ruleId)).size).toBe(RULES.length);
    expect(sarif.runs[0]!.tool.driver.rules).toHaveLength(RULES.length);
    // and the validator is real
    const broken = structuredClone(sarif) as unknown as { runs: Array<{ results: Array<{ level: string }> }> };
    broken.runs[0]!.results[0]!.level = 'fatal';
    expect(validate(broken)).toBe(false);
  });

  it('refuses an unknown format or a missing path with exit 2', async () => {
    expect((await runCli(['lint', '--format', 'xml'])).code).toBe(2);
    const r = await runCli(['lint', 'no/such/file']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no such file or directory/);
  });
});

describe('lint walks a tree with symbolic links', () => {
  it('does not follow links to directories (a link to . or .. ended only by SIGKILL), skips dangling links, reads links to files', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gd-lint-links-'));
    try {
      mkdirSync(path.join(dir, 'sub'));
      writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  a:\n    image: x\n    stop_grace_period: 1m\n');
      symlinkSync('.', path.join(dir, 'self'));
      symlinkSync('..', path.join(dir, 'sub', 'up'));
      symlinkSync('/nonexistent/compose.yaml', path.join(dir, 'dangling.yaml'));
      symlinkSync('compose.yaml', path.join(dir, 'docker-compose.yml'));
      const r = await runCli(['lint', '--json', '.'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      const files = (JSON.parse(r.stdout) as { files: Array<{ path: string }> }).files.map((f) => f.path).sort();
      expect(files).toEqual(['compose.yaml', 'docker-compose.yml']);
      // Named explicitly, a dangling link is an error that says so.
      const d = await runCli(['lint', 'dangling.yaml'], { cwd: dir });
      expect(d.code).toBe(2);
      expect(d.stderr).toMatch(/dangling\.yaml: no such file or directory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lint with an invalid goneat-deploy.yaml of its own directory', () => {
  it('reports it, located, still lints the other files, and exits 2 (a typo in the config hid every finding)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gd-lint-owncfg-'));
    try {
      writeFileSync(path.join(dir, 'goneat-deploy.yaml'), 'name: x\nimage: {repository: x, tag: dev}\nshutdown: {drian: 5s}\n');
      writeFileSync(path.join(dir, 'docker-compose.yml'), 'services:\n  a:\n    image: x\n    entrypoint: /app/x -serve\n');
      for (const args of [['lint', '.'], ['lint', 'docker-compose.yml']]) {
        const r = await runCli(args, { cwd: dir });
        expect(r.code, r.stderr).toBe(2);
        expect(r.stdout).toMatch(/docker-compose\.yml:4:\d+: error GD002/);
        expect(r.stderr).toMatch(/goneat-deploy\.yaml:3:12: shutdown\.drian: unknown field \(did you mean "drain"\?\)/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lint of a file named on its own', () => {
  it('judges it with the goneat-deploy.yaml beside it from any directory, and says when it cannot read a named file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gd-lint-named-'));
    try {
      mkdirSync(path.join(dir, 'hello'));
      writeFileSync(path.join(dir, 'hello', 'goneat-deploy.yaml'), 'name: hello\nimage: {repository: x/hello}\nbuild: {binary: /usr/bin/true}\nports: [{name: http, port: 8080}]\nhealth: {port: http, path: /h}\nshutdown: {drain: 6s}\n');
      writeFileSync(path.join(dir, 'hello', 'compose.yaml'), 'services:\n  hello:\n    image: x/hello\n    init: true\n    stop_grace_period: 3s\n    labels: {io.goneat-deploy.service: hello}\n');
      writeFileSync(path.join(dir, 'hello', 'weird.conf'), '[Service]\nKillMode=process\n');
      for (const [cwd, file] of [[path.join(dir, 'hello'), 'compose.yaml'], [dir, 'hello/compose.yaml'], ['/', path.join(dir, 'hello', 'compose.yaml')]] as const) {
        const r = await runCli(['lint', file], { cwd });
        expect(r.code, `${cwd}: ${r.stdout}${r.stderr}`).toBe(1);
        expect(r.stdout).toMatch(/error GD005 compose service "hello": stop_grace_period 3s is shorter than its drain of 6s/);
      }
      const w = await runCli(['lint', 'hello/weird.conf'], { cwd: dir });
      expect(w.code).toBe(0);
      expect(w.stderr).toMatch(/warning: hello\/weird\.conf: not linted: not recognized/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
