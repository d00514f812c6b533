/**
 * The npm package, as a user gets it: `npm pack`, install the tarball in an
 * empty directory, run `npx goneat-deploy --help`, `init` and `generate`.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { removeDir } from '../helpers/docker.js';
import { exec, run } from '../helpers/exec.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

describe('npm pack → install → npx goneat-deploy', () => {
  it('installs in an empty directory and runs --help, init and generate', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'gdt-pack-'));
    cleanups.push(() => removeDir(out));
    const packed = JSON.parse(await run('npm', ['pack', '--json', '--pack-destination', out], { cwd: ROOT, timeoutMs: 120_000 })) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed[0]!.files.map((f) => f.path);
    expect(files).toContain('bin/goneat-deploy.js');
    expect(files).toContain('dist/bin.js');
    expect(files).toContain('schema/goneat-deploy.schema.json');
    expect(files.some((f) => f.startsWith('test/') || f.startsWith('src/') || f.startsWith('examples/'))).toBe(false);

    const app = path.join(out, 'app');
    execFileSync('mkdir', ['-p', app]);
    await run('npm', ['init', '-y'], { cwd: app });
    await run('npm', ['install', '--no-audit', '--no-fund', path.join(out, packed[0]!.filename)], { cwd: app, timeoutMs: 240_000 });

    const help = await exec('npx', ['--no-install', 'goneat-deploy', '--help'], { cwd: app });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: goneat-deploy/);

    for (const f of ['main.go', 'go.mod']) await copyFile(path.join(ROOT, 'examples/echo', f), path.join(app, f));
    const init = await exec('npx', ['--no-install', 'goneat-deploy', 'init', '--yes', '--port', 'http=8080', '--drain', '5s'], { cwd: app });
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    // The schema line points into the installed package.
    expect(await run('head', ['-1', path.join(app, 'goneat-deploy.yaml')])).toMatch(/\$schema=node_modules\/goneat-deploy\/schema\/goneat-deploy\.schema\.json/);
    const gen = await exec('npx', ['--no-install', 'goneat-deploy', 'generate', 'all'], { cwd: app });
    expect(gen.code).toBe(0);
    expect((await readdir(path.join(app, 'deploy'))).sort()).toEqual(['Dockerfile', 'compose.yaml', 'daemonize', 'k8s', 'launchd', 'swarm', 'systemd', 'upstart']);
    const lint = await exec('npx', ['--no-install', 'goneat-deploy', 'lint', 'deploy'], { cwd: app });
    expect(lint.stdout).toMatch(/no findings/);
    // Go source lint from the installed package: the WebAssembly files ship in dist/ (no native build, no tree-sitter-go).
    expect(files).toContain('dist/tree-sitter-go.wasm');
    expect(files).toContain('dist/web-tree-sitter.wasm');
    expect((await exec('npx', ['--no-install', 'goneat-deploy', 'lint', './...'], { cwd: app })).stdout).toMatch(/no findings/);
    await mkdir(path.join(app, 'hup'));
    await writeFile(path.join(app, 'hup', 'main.go'), 'package main\n\nimport (\n\t"os"\n\t"os/signal"\n\t"syscall"\n)\n\nfunc main() {\n\tc := make(chan os.Signal, 1)\n\tsignal.Notify(c, syscall.SIGHUP)\n}\n');
    const goLint = await exec('npx', ['--no-install', 'goneat-deploy', 'lint', 'hup'], { cwd: app });
    expect(goLint.stdout).toMatch(/^hup\/main\.go:11:19: error GD017 signal\.Notify subscribes to SIGHUP/m);
    expect(goLint.code).toBe(1);
  });
});
