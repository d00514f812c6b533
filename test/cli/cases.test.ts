/**
 * The field cases (test/fixtures/cases, copied from shared/cases), linted as a
 * user would: each gives the right result — the misses have findings at the
 * right line, the false alarms are gone.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { runInProcess as runCli } from '../helpers/inprocess.js';

const CASES = path.join(ROOT, 'test/fixtures/cases');

interface J {
  findings: Array<{ ruleId: string; level: string; file: string; line: number; message: string }>;
}

async function lintCase(dir: string, ...args: string[]) {
  const r = await runCli(['lint', '--format', 'json', ...args], { cwd: path.join(CASES, dir) });
  const out = JSON.parse(r.stdout || '{"findings":[]}') as J;
  return { code: r.code, stderr: r.stderr, findings: out.findings, short: out.findings.map((f) => `${f.file}:${f.line} ${f.level} ${f.ruleId}`) };
}

describe('field cases', () => {
  it('reload-usr2: ExecReload sending SIGUSR2 (kill -SIGUSR2, kill -USR2) is found at its line', async () => {
    const r = await lintCase('reload-usr2', '.');
    expect(r.short).toEqual(['graceweb.service:8 warning GD015', 'metricsapi.service:9 warning GD015']);
    expect(r.findings[0]!.message).toMatch(/PIDFile=/);
    expect(r.findings[0]!.message).toMatch(/if this is a fork\/exec hot restart/);
  });

  it('reload-usr2 beside a trpc_go.yaml: tRPC-Go\'s SIGUSR2 hot restart is an error', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gd-case-'));
    try {
      cpSync(path.join(CASES, 'reload-usr2'), dir, { recursive: true });
      writeFileSync(path.join(dir, 'trpc_go.yaml'), 'server:\n  service: []\n');
      const r = await runCli(['lint', '--format', 'json', '.'], { cwd: dir });
      const out = JSON.parse(r.stdout) as J;
      expect(out.findings.map((f) => `${f.file}:${f.line} ${f.level} ${f.ruleId}`)).toEqual(['graceweb.service:8 error GD015', 'metricsapi.service:9 error GD015']);
      expect(out.findings[0]!.message).toMatch(/tRPC-Go's hot restart .*trpc_go\.yaml beside it/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('timeoutstopsec-zero: TimeoutStopSec=0 and =infinity mean no timeout, never shorter than the drain', async () => {
    const r = await lintCase('timeoutstopsec-zero', '.', '--drain', 'ciagent=60s', '--drain', 'ciagent-infinity=60s');
    expect(r.short).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('prestop-exec: an exec sleep preStop counts like the sleep action', async () => {
    const r = await lintCase('prestop-exec', '.', '--drain', 'app=20s');
    expect(r.short).toEqual(['app-sleep-action.yaml:14 error GD005', 'app.yaml:14 error GD005']);
    expect(r.findings[1]!.message).toMatch(/preStop 15s \(exec \["sleep","15"\]\) \+ its drain of 20s/);
    expect(r.findings.map((f) => f.message).join('\n')).not.toMatch(/preStop 0s/);
    // With room for both, nothing.
    expect((await lintCase('prestop-exec', '.', '--drain', 'app=10s')).short).toEqual([]);
  });

  it('command-replaces-tini: a k8s command: and a compose entrypoint: that replace the image\'s tini are found where they are written', async () => {
    const r = await lintCase('command-replaces-tini', '.');
    expect(r.short).toEqual(['compose.yaml:4 error GD002', 'deployment.yaml:17 error GD002']);
    expect(r.findings[0]!.message).toMatch(/entrypoint: replaces the image's ENTRYPOINT \["\/sbin\/tini","--"\] \(Dockerfile:11\)/);
    expect(r.findings[1]!.message).toMatch(/command: replaces the image's ENTRYPOINT .*put the arguments in args:/);
    expect(r.code).toBe(1);
  });

  it('upstart-reload: a job without `reload signal` is flagged (an error for the goneat-deploy service its config names)', async () => {
    const r = await lintCase('upstart-reload', '.');
    expect(r.short).toEqual(['side-default-path/deploy/upstart:21 error GD011', 'websrv.conf:16 warning GD011', 'websrv.conf:16 warning GD012']);
    expect(r.findings[1]!.message).toMatch(/initctl reload websrv` sends SIGHUP/);
  });

  it('multi-service-compose: one service\'s drain applies to that service only', async () => {
    // goneat-deploy.yaml names ledgernode (drain 58s): the fixed file gives it 1m; prometheus and grafana are not judged by it.
    expect((await lintCase('multi-service-compose/with-config', '.')).short).toEqual([]);
    // --drain NAME=D names the service; the unfixed file keeps the default 10s for ledgernode only.
    const r = await lintCase('multi-service-compose', '--drain', 'ledgernode=60s', 'docker-compose.yml', 'docker-compose.fixed.yml');
    expect(r.short).toEqual(['docker-compose.yml:4 error GD005']);
    // A bare --drain cannot say whose it is when the files describe several services.
    const amb = await runCli(['lint', '--drain', '60s', 'docker-compose.yml'], { cwd: path.join(CASES, 'multi-service-compose') });
    expect(amb.code).toBe(2);
    expect(amb.stderr).toMatch(/3 services \(grafana, ledgernode, prometheus\): name the one the drain belongs to, e\.g\. --drain grafana=<duration>/);
  });

  it('non-trpc-signals: the SIGINT ExecStop that pre-empts the SIGUSR2 drain is the error; tRPC-Go meanings are warnings', async () => {
    const r = await lintCase('non-trpc-signals', '.');
    expect(r.short).toEqual(['msgbus.service:8 warning GD011', 'msgbus.service:9 error GD014', 'msgbus.service:14 warning GD004']);
    expect(r.findings[2]!.message).toMatch(/^KillSignal SIGUSR2: if this is tRPC-Go/);
    expect(r.findings[1]!.message).toMatch(/sends SIGINT before `KillSignal=SIGUSR2`/);
  });

  it('trpc-stop-example: the Go source (main package) and the config lint clean', async () => {
    const r = await lintCase('trpc-stop-example', './...');
    expect(r.short).toEqual([]);
    expect(r.code).toBe(0);
  });
});
