/**
 * What differs between the engines in the matrix (GONEAT_TEST_ENGINE=20.10|26.1),
 * checked on the engine under test rather than assumed:
 * - API version: goneat-deploy speaks min(engine's API, 1.45) and says so under --verbose;
 *   the docker CLI negotiates the same way.
 * - Builders: the docker CLI deprecated the legacy builder in 23.0 in favour of BuildKit.
 *   `build` needs neither (it loads an assembled image); `--dockerfile` uses the engine's
 *   API builder; the `--context-dir` output must give the same image config under BuildKit
 *   (buildx, Debian 13's plugin from scripts/ensure-env.sh, used through a docker config
 *   dir of its own so that nothing else on the machine switches builder).
 * - Image store: graph driver (overlay2) or containerd's (GONEAT_ENGINE_IMAGE_STORE=containerd in
 *   scripts/engine.sh): `build` reports the ID the engine gives the loaded image, in either.
 * (healthcheck start_interval, the fourth difference, is in compose.test.ts.)
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { compareApiVersions, MAX_API_VERSION } from '../../src/runtime/docker/client.js';
import { runCli } from '../helpers/cli.js';
import { inspect, removeDir, TEST_REPO, uid } from '../helpers/docker.js';
import { exec, run } from '../helpers/exec.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const engine = inject('engine');
const BUILDX = process.env.GONEAT_BUILDX ?? '/var/cache/goneat-deploy/buildx/usr/libexec/docker/cli-plugins/docker-buildx';

type ImageConfig = { Id: string; Config: Record<string, unknown> };
const RUNTIME_KEYS = ['Entrypoint', 'Cmd', 'User', 'StopSignal', 'Labels', 'Env', 'ExposedPorts', 'WorkingDir'];

describe(`Engine ${engine.version} (API ${engine.apiVersion})`, () => {
  it(`goneat-deploy speaks min(the engine's API version, ${MAX_API_VERSION}) and says which under --verbose`, async () => {
    const expected = compareApiVersions(engine.apiVersion, MAX_API_VERSION) < 0 ? engine.apiVersion : MAX_API_VERSION;
    const tag = `${TEST_REPO}/echo:api-${uid()}`;
    cleanups.push(async () => void (await exec('docker', ['rmi', '-f', tag])));
    const r = await runCli(['--verbose', 'build', '-C', 'examples/echo', '--tag', tag]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`› Docker Engine ${engine.version}, API ${expected} (the engine's API version, at most ${MAX_API_VERSION})`);
    // The docker CLI negotiates too: it never speaks a newer API than the engine.
    const cli = (await run('docker', ['version', '--format', '{{.Client.APIVersion}}'])).trim();
    expect(compareApiVersions(cli, engine.apiVersion)).toBeLessThanOrEqual(0);
  });

  describe('builders', () => {
    const assembled = `${TEST_REPO}/echo:assembled-${uid()}`;
    let ctxDir: string;

    it('build assembles and loads the image without any builder; --context-dir writes the context for one', async () => {
      ctxDir = await mkdtemp(path.join(os.tmpdir(), 'gdt-ctx-'));
      cleanups.push(() => removeDir(ctxDir));
      cleanups.push(async () => void (await exec('docker', ['rmi', '-f', assembled])));
      const r = await runCli(['build', '-C', 'examples/echo', '--tag', assembled, '--json', '--context-dir', path.join(ctxDir, 'ctx')]);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { id: string; builder: string };
      expect(out.builder).toBe('assembled');
      // build reports the ID the engine gives the image: the config's digest in the graph driver store,
      // the manifest's in containerd's (where `docker images` shows the same one).
      expect((await inspect<ImageConfig>(assembled)).Id).toBe(out.id);
      const listed = (await run('docker', ['images', '--no-trunc', '--format', '{{.ID}}', assembled])).trim();
      expect(listed).toBe(out.id);
      expect(existsSync(path.join(ctxDir, 'ctx', 'Dockerfile'))).toBe(true);
    });

    it('--dockerfile builds with the engine API\'s builder: same runtime config', async () => {
      const tag = `${TEST_REPO}/echo:apibuilder-${uid()}`;
      cleanups.push(async () => void (await exec('docker', ['rmi', '-f', tag])));
      const r = await runCli(['build', '-C', 'examples/echo', '--tag', tag, '--dockerfile', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { builder: string }).builder).toBe('dockerfile');
      const a = (await inspect<ImageConfig>(assembled)).Config;
      const d = (await inspect<ImageConfig>(tag)).Config;
      for (const k of RUNTIME_KEYS) expect(d[k], k).toEqual(a[k]);
    });

    it('the --context-dir output builds with BuildKit (docker buildx) into the same runtime config', async () => {
      expect(existsSync(BUILDX), `${BUILDX}: run scripts/ensure-env.sh (it unpacks Debian 13's docker-buildx)`).toBe(true);
      const config = path.join(ctxDir, 'docker-config');
      await mkdir(path.join(config, 'cli-plugins'), { recursive: true });
      await symlink(BUILDX, path.join(config, 'cli-plugins', 'docker-buildx'));
      const tag = `${TEST_REPO}/echo:buildkit-${uid()}`;
      cleanups.push(async () => void (await exec('docker', ['rmi', '-f', tag])));
      const r = await exec('docker', ['--config', config, 'buildx', 'build', '--load', '--progress', 'plain', '-t', tag, path.join(ctxDir, 'ctx')], { timeoutMs: 120_000 });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/legacy builder/i);
      const a = (await inspect<ImageConfig>(assembled)).Config;
      const b = (await inspect<ImageConfig>(tag)).Config;
      for (const k of RUNTIME_KEYS.filter((k) => k !== 'Labels')) expect(b[k], k).toEqual(a[k]);
      // The binary's and tini's digests are labels `build` adds at build time (they change with every
      // binary, so the committed Dockerfile cannot carry them); a plain build has every other label.
      const { 'io.goneat-deploy.binary.sha256': bin, 'io.goneat-deploy.tini.sha256': tini, ...fromDockerfile } = a.Labels as Record<string, string>;
      expect(bin).toMatch(/^[0-9a-f]{64}$/);
      expect(tini).toMatch(/^[0-9a-f]{64}$/);
      expect(b.Labels).toEqual(fromDockerfile);
    });
  });
});
