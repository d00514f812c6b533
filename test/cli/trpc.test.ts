/**
 * generate prints the trpc-go preset's warnings on stderr, one line each at
 * trpc_go.yaml:line, only for the targets they matter to, before writing.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { runInProcess as runCli } from '../helpers/inprocess.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'gd-trpc-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function project(name: string, trpcGo: string, config = ''): string {
  const dir = path.join(tmp, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'trpc_go.yaml'), trpcGo);
  writeFileSync(path.join(dir, 'goneat-deploy.yaml'), `name: hello\nframework: trpc-go\nimage: {repository: demo/hello}\n${config}`);
  return dir;
}

const example = readFileSync(path.join(ROOT, 'examples/trpc/trpc_go.yaml'), 'utf8');

describe('generate with framework: trpc-go', () => {
  it('the example warns about nothing, for any target', async () => {
    const dir = project('clean', example);
    for (const target of ['compose', 'k8s', 'systemd']) {
      const r = await runCli(['generate', target, '-C', dir, '-o', '-']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
    }
  });

  it('binds and health matter only in containers, preStop + close_wait_time only in Kubernetes, no drain everywhere', async () => {
    const text = example.replace(/ip: 0\.0\.0\.0 .*$/m, 'ip: 127.0.0.1').replace('max_close_wait_time: 8000', 'max_close_wait_time: 1000');
    const dir = project('warned', text, 'shutdown: {preStop: 3s}\n');
    const lines = async (target: string) => (await runCli(['generate', target, '-C', dir, '-o', '-'])).stderr.trim().split('\n').filter(Boolean).map((l) => /trpc_go\.yaml:(\d+):\d+: (\S+):/.exec(l)?.slice(1, 3).join(' ') ?? l);
    expect(await lines('systemd')).toEqual(['14 server.max_close_wait_time']);
    expect(await lines('compose')).toEqual(['14 server.max_close_wait_time', '16 server.admin.ip']);
    expect(await lines('k8s')).toEqual(['13 server.close_wait_time', '14 server.max_close_wait_time', '16 server.admin.ip']);
  });

  it('a value tRPC-Go would refuse is a config error at trpc_go.yaml:line, exit 2, nothing written', async () => {
    const dir = project('broken', example.replace('port: 9028', 'port: "9028"'));
    const r = await runCli(['generate', 'all', '-C', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^goneat-deploy: \S*trpc_go\.yaml:17:11: server\.admin\.port: expected a port 0\.\.65535 \(0: no admin server\), got the string "9028": tRPC-Go \(gopkg\.in\/yaml\.v3\) refuses a quoted number/);
    expect(existsSync(path.join(dir, 'deploy'))).toBe(false);
  });

  it('init on the framework\'s own stop example warns about the 127.0.0.1 binds and the missing health endpoint', async () => {
    const dir = path.join(tmp, 'stop-example');
    mkdirSync(dir);
    for (const f of ['go.mod', 'main.go', 'trpc_go.yaml']) writeFileSync(path.join(dir, f), readFileSync(path.join(ROOT, 'test/fixtures/cases/trpc-stop-example', f)));
    const r = await runCli(['init', '-C', dir, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.trim().split('\n').map((l) => /^goneat-deploy: warning: \S*trpc_go\.yaml:(\d+):\d+: (\S+):/.exec(l)?.slice(1, 3).join(' '))).toEqual([
      '5 server.admin.port',
      '11 server.service[0].ip',
      '17 server.service[1].ip',
    ]);
    // max_close_wait_time 120000 drains: no fix offered, nothing written to trpc_go.yaml
    expect(readFileSync(path.join(dir, 'trpc_go.yaml'), 'utf8')).toBe(readFileSync(path.join(ROOT, 'test/fixtures/cases/trpc-stop-example/trpc_go.yaml'), 'utf8'));
  });
});

describe('goneat-deploy.yaml\'s own ports and health, checked against trpc_go.yaml', () => {
  const declared = 'ports:\n  - {name: http, port: 8080, publish: 127.0.0.1:8088}\n  - {name: admin, port: 9028}\nhealth: {port: admin, path: /is_healthy/}\n';
  const findings = (stdout: string) => (JSON.parse(stdout) as { findings: Array<{ ruleId: string; file: string; line: number; message: string }> }).findings.map((f) => `${f.file.split('/').pop()}:${f.line} ${f.ruleId} ${f.message}`);

  it('agreeing files: no warning from generate or lint', async () => {
    const dir = project('agree', example, declared);
    const g = await runCli(['generate', 'compose', '-C', dir, '-o', '-']);
    expect(g.code, g.stderr).toBe(0);
    expect(g.stderr).toBe('');
    expect(findings((await runCli(['lint', '--format', 'json', '-C', dir, path.join(dir, 'goneat-deploy.yaml')])).stdout)).toEqual([]);
  });

  it('a service port changed in trpc_go.yaml only: a warning at generate (every target) and a GD020 finding, at the port line', async () => {
    const dir = project('port-moved', example.replace('port: 8080', 'port: 8081'), declared);
    for (const target of ['compose', 'systemd']) {
      const g = await runCli(['generate', target, '-C', dir, '-o', '-']);
      expect(g.code).toBe(0);
      expect(g.stderr).toMatch(/^goneat-deploy: warning: \S*trpc_go\.yaml:21:13: server\.service\[0\]\.port: goneat-deploy\.yaml ports\[0\] \(http 8080\): tRPC-Go does not listen there with this file \(service trpc\.goneat\.hello\.http 8081, admin 9028\), so what is published or put in the Kubernetes Service for it gets no answer; make the two files agree\n$/);
    }
    const l = await runCli(['lint', '--format', 'json', '-C', dir, path.join(dir, 'goneat-deploy.yaml')]);
    expect(findings(l.stdout)).toEqual([expect.stringMatching(/^trpc_go\.yaml:21 GD020 server\.service\[0\]\.port: goneat-deploy\.yaml ports\[0\] \(http 8080\)/)]);
  });

  it('health on an admin port trpc_go.yaml does not open: a warning naming the missing server.admin, not silence', async () => {
    const noAdmin = example.replace(/ {2}admin:\n(.*\n){2}/, '');
    expect(noAdmin).not.toMatch(/admin:/);
    const dir = project('no-admin', noAdmin, declared);
    const g = await runCli(['generate', 'k8s', '-C', dir, '-o', '-']);
    expect(g.code).toBe(0);
    const lines = g.stderr.trim().split('\n');
    // One warning for the one problem (the admin port entry is the health port).
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/trpc_go\.yaml:\d+:\d+: server\.admin\.port: goneat-deploy\.yaml health\.port 9028 \(admin\): no admin server: tRPC-Go starts none without server\.admin\.port \(trpc\.go setupAdmin\) and no service listens on 9028, so probes and verify never get an answer \(pods never become Ready\); add server\.admin: \{ip: 0\.0\.0\.0, port: 9028\}$/);
    const l = await runCli(['lint', '--format', 'json', '-C', dir, path.join(dir, 'goneat-deploy.yaml')]);
    expect(findings(l.stdout)).toEqual([expect.stringMatching(/^trpc_go\.yaml:\d+ GD020 server\.admin\.port: goneat-deploy\.yaml health\.port 9028 \(admin\): no admin server/)]);
  });
});

describe('lint reads trpc_go.yaml with the same analysis (GD020)', () => {
  const findings = (stdout: string) => (JSON.parse(stdout) as { findings: Array<{ ruleId: string; file: string; line: number; level: string }> }).findings.map((f) => `${f.file.split('/').pop()}:${f.line} ${f.level} ${f.ruleId}`);

  it('the file a trpc-go goneat-deploy.yaml names, whatever its name and wherever it is, with that service\'s preStop', async () => {
    const text = example.replace(/ip: 0\.0\.0\.0 .*$/m, 'ip: 127.0.0.1').replace('max_close_wait_time: 8000', 'max_close_wait_time: 1000');
    const dir = project('lint-named', 'server: {}\n', 'trpcConfig: conf/server.yaml\nshutdown: {preStop: 3s}\n');
    rmSync(path.join(dir, 'trpc_go.yaml'));
    mkdirSync(path.join(dir, 'conf'));
    writeFileSync(path.join(dir, 'conf', 'server.yaml'), text);
    mkdirSync(path.join(dir, 'deploy'));
    // Without a container or Kubernetes file among the paths: only the drain matters (as for `generate systemd`).
    const hostOnly = await runCli(['lint', '--format', 'json', '-C', dir, path.join(dir, 'deploy')]);
    expect(findings(hostOnly.stdout)).toEqual(['server.yaml:14 warning GD020']);
    // With the generated Kubernetes files: the admin bind and preStop + close_wait_time too, as `generate k8s` says.
    expect((await runCli(['generate', 'k8s', '-C', dir])).code).toBe(0);
    const k8s = await runCli(['lint', '--format', 'json', '-C', dir, path.join(dir, 'deploy')]);
    expect(findings(k8s.stdout)).toEqual(['server.yaml:13 warning GD020', 'server.yaml:14 warning GD020', 'server.yaml:16 warning GD020']);
  });

  it('the framework\'s own stop example: three warnings beside the generated container files, none on the example', async () => {
    const dir = path.join(tmp, 'stop-example-lint');
    mkdirSync(dir);
    for (const f of ['go.mod', 'main.go', 'trpc_go.yaml', 'goneat-deploy.yaml']) writeFileSync(path.join(dir, f), readFileSync(path.join(ROOT, 'test/fixtures/cases/trpc-stop-example', f)));
    expect((await runCli(['generate', 'all', '-C', dir])).code).toBe(0);
    const r = await runCli(['lint', '--format', 'json', '-C', dir]);
    expect(r.code).toBe(0);
    expect(findings(r.stdout)).toEqual(['trpc_go.yaml:5 warning GD020', 'trpc_go.yaml:11 warning GD020', 'trpc_go.yaml:17 warning GD020']);
    const clean = await runCli(['lint', '--format', 'json', 'examples/trpc']);
    expect(findings(clean.stdout)).toEqual([]);
  });
});
