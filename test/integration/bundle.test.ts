/**
 * The bundle loads lazily: with only bin/, dist/ and schema/ (no
 * node_modules at all), --help, generate and lint work — everything they need
 * is bundled — and only the commands that talk to the engine need dockerode.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'gd-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
for (const d of ['bin', 'dist', 'schema']) cpSync(path.join(ROOT, d), path.join(dir, d), { recursive: true });
copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
const run = (...args: string[]) => spawnSync(process.execPath, [path.join(dir, 'bin/goneat-deploy.js'), ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, CI: '1', NODE_PATH: '' } });

describe('the bundled CLI without node_modules', () => {
  it('--help, generate and lint need nothing outside the bundle (dockerode is never loaded)', () => {
    expect(run('--help').status).toBe(0);
    mkdirSync(path.join(dir, 'svc'));
    writeFileSync(path.join(dir, 'svc', 'goneat-deploy.yaml'), 'name: svc\nimage: {repository: example/svc}\nports: [{name: http, port: 8080}]\nhealth: {port: http, path: /healthz}\n');
    const g = run('generate', 'all', '-C', 'svc');
    expect(g.stderr).toBe('');
    expect(g.status).toBe(0);
    const l = run('lint', 'svc/deploy');
    expect(l.stdout).toMatch(/no findings/);
    // Go source lint: the WebAssembly runtime and grammar are found beside the bundle (dist/).
    writeFileSync(path.join(dir, 'svc', 'main.go'), 'package main\n\nimport (\n\t"os"\n\t"os/signal"\n\t"syscall"\n)\n\nfunc main() {\n\tc := make(chan os.Signal, 1)\n\tsignal.Notify(c, syscall.SIGHUP)\n}\n');
    const g2 = run('lint', 'svc/main.go');
    expect(g2.stdout).toMatch(/^svc\/main\.go:11:19: error GD017 /m);
    expect(g2.status).toBe(1);
    // Many Go files go to the worker thread (dist/go-worker.js): the same findings come back.
    mkdirSync(path.join(dir, 'many'));
    for (let i = 0; i < 20; i++) {
      mkdirSync(path.join(dir, 'many', `p${i}`));
      writeFileSync(path.join(dir, 'many', `p${i}`, 'main.go'), `package main\n\nimport (\n\t"os"\n\t"os/signal"\n\t"syscall"\n)\n\nfunc main() {\n\tc := make(chan os.Signal, 1)\n\tsignal.Notify(c, syscall.SIGTERM, syscall.SIGHUP)\n}\n`);
    }
    const many = run('lint', '--format', 'json', 'many');
    const found = (JSON.parse(many.stdout) as { findings: Array<{ ruleId: string; file: string; line: number; column: number }> }).findings;
    expect(found.map((f) => `${f.ruleId} ${f.line}:${f.column}`)).toEqual(Array(20).fill('GD017 11:36'));
    expect(run('schema').status).toBe(0);
  });

  it('build needs dockerode, and only build', () => {
    const b = run('build', '-C', 'svc', '--binary', '/usr/bin/tini-static');
    expect(b.status).not.toBe(0);
    expect(b.stderr).toMatch(/dockerode/);
  });
});
