// Part of `npm run bench` (issue 16): goneat-deploy side by side with ko on the same Go main
// package (examples/echo), both loading into the local engine — cold and warm build time, image
// size with the same contents, what each image does on `docker stop` — and what the image contents
// cost: the CA bundle, zoneinfo, the libraries of a dynamically linked binary, and the build time
// of the third-party images (Debian's docker-registry and etcd).
//
// ko needs a base image and nothing can be pulled here: a base with the same contents as
// goneat-deploy's layer (tini, passwd/group, the CA bundle) is built locally and served from a
// docker-registry on 127.0.0.1 (no auth; go-containerregistry speaks plain HTTP to 127.0.0.1), and
// ko is pointed at it with .ko.yaml's defaultBaseImage; .ko.yaml gives ko goneat-deploy's link flags
// (-s -w -buildid=), so both binaries are the same bytes. ko: `go install github.com/google/ko@v0.18.1`
// (from the Go module proxy), found as $KO, else `ko` on PATH, else installed into .tmp/ko.
// Traffic: 127.0.0.1 only.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const KO_VERSION = 'v0.18.1';

export async function imagesBench({ ROOT, BIN, N, work, images, log, median, spread, fmtMs, mb, docker, LABEL }) {
  const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, ...opts });
  const time = (fn) => {
    const t0 = performance.now();
    fn();
    return performance.now() - t0;
  };
  const size = async (ref) => (await docker.getImage(ref).inspect()).Size;
  sh('go', ['build', '-trimpath', '-ldflags=-s -w -buildid=', '-o', path.join(work, 'echo-for-size'), '.'], { cwd: path.join(ROOT, 'examples/echo'), env: { ...process.env, CGO_ENABLED: '0' } });

  // ------------------------------------------------------------ ko
  let ko = process.env.KO;
  if (!ko) ko = spawnSync('sh', ['-c', 'command -v ko']).stdout?.toString().trim() || '';
  if (!ko) {
    const bin = path.join(ROOT, '.tmp', 'ko');
    if (!existsSync(path.join(bin, 'ko'))) {
      log(`› installing ko ${KO_VERSION} from the Go module proxy`);
      sh('go', ['install', `github.com/google/ko@${KO_VERSION}`], { env: { ...process.env, GOBIN: bin } });
    }
    ko = path.join(bin, 'ko');
  }
  const koVersion = sh(ko, ['version']).trim();

  // A registry on 127.0.0.1 for ko's base.
  const regDir = mkdtempSync(path.join(work, 'kobase-reg-'));
  const port = 45000 + Math.floor(Math.random() * 5000);
  writeFileSync(path.join(regDir, 'config.yml'), `version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: ${regDir}/data}}\nhttp: {addr: 127.0.0.1:${port}}\n`);
  const registry = spawn('docker-registry', ['serve', path.join(regDir, 'config.yml')], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise((r) => http.get({ host: '127.0.0.1', port, path: '/v2/' }, (res) => { res.resume(); r(res.statusCode === 200); }).on('error', () => r(false)));
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // The same contents as goneat-deploy's layer: tini, passwd/group, the CA bundle (the binary comes from ko).
    const baseDir = path.join(work, 'kobase');
    mkdirSync(path.join(baseDir, 'root/etc/ssl/certs'), { recursive: true });
    mkdirSync(path.join(baseDir, 'root/sbin'), { recursive: true });
    mkdirSync(path.join(baseDir, 'root/tmp'), { recursive: true });
    copyFileSync('/usr/bin/tini-static', path.join(baseDir, 'root/sbin/tini'));
    copyFileSync('/etc/ssl/certs/ca-certificates.crt', path.join(baseDir, 'root/etc/ssl/certs/ca-certificates.crt'));
    writeFileSync(path.join(baseDir, 'root/etc/passwd'), 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin\n');
    writeFileSync(path.join(baseDir, 'root/etc/group'), 'root:x:0:\nnonroot:x:65532:\n');
    writeFileSync(path.join(baseDir, 'Dockerfile'), 'FROM scratch\nCOPY root/ /\nUSER 65532:65532\n');
    const koBase = `127.0.0.1:${port}/gdbench/kobase:1`;
    sh('docker', ['build', '-q', '-t', koBase, baseDir], { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
    sh('docker', ['push', koBase]);
    images.push(koBase);

    const src = path.join(work, 'ko-src');
    cpSync(path.join(ROOT, 'examples/echo'), src, { recursive: true });
    writeFileSync(path.join(src, 'goneat-deploy.yaml'), readFileSync(path.join(src, 'goneat-deploy.yaml'), 'utf8').replace('tag: dev', 'tag: bench-ko'));
    writeFileSync(path.join(src, '.ko.yaml'), `defaultBaseImage: ${koBase}\nbuilds:\n- id: echo\n  main: .\n  ldflags: ["-s", "-w", "-buildid="]\n`);
    const goneatImage = 'goneat/echo:bench-ko';
    const koImage = 'ko.local:bench';
    images.push(goneatImage, koImage);
    let sbomBytes = 0;
    const goneatBuild = (gocache) => {
      const r = JSON.parse(sh('node', [BIN, 'build', '-C', src, '--json'], { env: { ...process.env, GOCACHE: gocache, CI: '1' } }));
      sbomBytes = r.sbom.bytes;
      images.push(r.id);
    };
    const koBuild = (gocache) =>
      images.push(
        sh(ko, ['build', '--local', '--bare', '--platform', 'linux/amd64', '--tags', 'bench', '--sbom', 'none', '.'], {
          cwd: src,
          env: { ...process.env, GOCACHE: gocache, KO_DOCKER_REPO: 'ko.local', GOFLAGS: '-buildvcs=false' },
        }).trim(),
      );
    const touch = (i) => {
      const f = path.join(src, 'main.go');
      writeFileSync(f, readFileSync(f, 'utf8').replace(/fmt\.Fprintln\(w, "ok[^"]*"\)/, `fmt.Fprintln(w, "ok ${i}")`));
    };
    const builds = { cold: { goneat: [], ko: [] }, warm: { goneat: [], ko: [] } };
    const COLD = Math.max(2, Math.round(N / 3));
    for (let i = 0; i < COLD; i++) {
      log(`› ko: cold build, round ${i + 1}/${COLD}`);
      const g1 = mkdtempSync(path.join(work, 'gocache-'));
      const g2 = mkdtempSync(path.join(work, 'gocache-'));
      spawnSync('docker', ['rmi', '-f', goneatImage, koImage]);
      builds.cold.goneat.push(time(() => goneatBuild(g1)));
      builds.cold.ko.push(time(() => koBuild(g2)));
      rmSync(g1, { recursive: true, force: true });
      rmSync(g2, { recursive: true, force: true });
    }
    const warm = path.join(work, 'gocache-ko-warm');
    goneatBuild(warm);
    koBuild(warm);
    for (let i = 0; i < N; i++) {
      log(`› ko: warm build (one line changed), round ${i + 1}/${N}`);
      touch(`${i}a`);
      builds.warm.goneat.push(time(() => goneatBuild(warm)));
      touch(`${i}b`);
      builds.warm.ko.push(time(() => koBuild(warm)));
    }
    // The same source for both before sizes are compared.
    touch('final');
    goneatBuild(warm);
    koBuild(warm);
    const sizes = { goneat: await size(goneatImage), ko: await size(koImage) };

    // docker stop: goneat-deploy's tini vs ko's Go as PID 1.
    const stops = { goneat: { ms: [], exits: [] }, ko: { ms: [], exits: [] } };
    for (let i = 0; i < Math.max(3, Math.round(N / 2)); i++) {
      log(`› ko: docker stop, round ${i + 1}`);
      for (const [key, image, cmd] of [['goneat', goneatImage, undefined], ['ko', koImage, ['-drain', '5s']]]) {
        const c = await docker.createContainer({ Image: image, ...(cmd ? { Cmd: cmd } : {}), Labels: { [LABEL]: '1' }, HostConfig: { NetworkMode: 'none' } });
        try {
          await c.start();
          await new Promise((r) => setTimeout(r, 300));
          const waiting = c.wait();
          const t0 = performance.now();
          await c.stop({ t: 10 });
          const { StatusCode } = await waiting;
          stops[key].ms.push(performance.now() - t0);
          stops[key].exits.push(StatusCode);
        } finally {
          await c.remove({ force: true }).catch(() => undefined);
        }
      }
    }
    const pid1 = {
      goneat: (await docker.getImage(goneatImage).inspect()).Config.Entrypoint.join(' '),
      ko: (await docker.getImage(koImage).inspect()).Config.Entrypoint.join(' '),
    };

    // ------------------------------------------------------------ contents overhead
    log('› image contents: certificates, zoneinfo, libraries');
    const echoBin = path.join(work, 'echo-for-size');
    const variant = (name, image, binary) => {
      const dir = path.join(work, `contents-${name}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'goneat-deploy.yaml'), `name: echo\nbuild: { binary: ${JSON.stringify(binary)} }\nimage: { repository: goneat-bench/contents, tag: ${name}${image} }\n`);
      const r = JSON.parse(sh('node', [BIN, 'build', '-C', dir, '--json'], { env: { ...process.env, CI: '1' } }));
      images.push(r.image, r.id);
      return r;
    };
    const bare = variant('bare', ', certificates: false', echoBin);
    const certs = variant('certs', '', echoBin);
    const tz = variant('tz', ', timezones: true', echoBin);
    const regBin = '/usr/bin/docker-registry';
    const regBare = variant('reg', ', certificates: false, libraries: host', regBin);
    const contents = {
      bare: bare.size - bare.binarySize,
      certs: certs.size - bare.size,
      tz: tz.size - certs.size,
      libs: regBare.size - regBare.binarySize - (bare.size - bare.binarySize),
      regBinary: regBare.binarySize,
    };

    // ------------------------------------------------------------ third-party build times
    const third = {};
    for (const [name, bin, extra] of [
      ['docker-registry', '/usr/bin/docker-registry', ''],
      ['etcd', '/usr/bin/etcd', ''],
    ]) {
      if (!existsSync(bin)) continue;
      const dir = path.join(work, `third-${name}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'goneat-deploy.yaml'), `name: ${name}\nbuild: { binary: ${bin} }\nimage: { repository: goneat-bench/${name}, tag: bench, libraries: host${extra} }\n`);
      const ms = [];
      let last;
      for (let i = 0; i < Math.max(3, Math.round(N / 2)); i++) {
        log(`› ${name}: build, round ${i + 1}`);
        ms.push(time(() => (last = JSON.parse(sh('node', [BIN, 'build', '-C', dir, '--json'], { env: { ...process.env, CI: '1' } })))));
        images.push(last.id);
      }
      images.push(last.image);
      third[name] = { ms, size: last.size, binary: last.binarySize };
    }

    const codes = (xs) => [...new Set(xs)].sort().join(', ');
    const ratio = (a, b) => (median(a) / median(b)).toFixed(2);
    const md = `## 6. Side by side with ko (${koVersion})

The same Go main package (examples/echo), the same link flags (\`-s -w -buildid=\`, ko through
\`.ko.yaml\`), both loading into the local engine (\`goneat-deploy build\`; \`ko build --local\`). ko's base
was built here with goneat-deploy's contents (tini, passwd/group, the CA bundle) and served from a
docker-registry on 127.0.0.1, since nothing can be pulled; ko's SBOM is off (\`--sbom none\`: with
\`--local\` it is not stored anywhere), goneat-deploy's is in the image.

| | goneat-deploy | ko | ratio |
| --- | ---: | ---: | ---: |
| cold build (empty Go build cache; N = ${builds.cold.goneat.length}) | ${fmtMs(median(builds.cold.goneat))} | ${fmtMs(median(builds.cold.ko))} | ${ratio(builds.cold.goneat, builds.cold.ko)} |
| warm build (one source line changed; N = ${N}) | ${fmtMs(median(builds.warm.goneat))} (${spread(builds.warm.goneat)}) | ${fmtMs(median(builds.warm.ko))} (${spread(builds.warm.ko)}) | ${ratio(builds.warm.goneat, builds.warm.ko)} |
| image size | ${mb(sizes.goneat)} (${sizes.goneat} B) | ${mb(sizes.ko)} (${sizes.ko} B) | ${(sizes.goneat / sizes.ko).toFixed(4)} |
| image size without goneat-deploy's in-image SBOM (the same contents) | ${mb(sizes.goneat - sbomBytes)} (${sizes.goneat - sbomBytes} B) | ${mb(sizes.ko)} | ${((sizes.goneat - sbomBytes) / sizes.ko).toFixed(4)} |
| PID 1 | \`${pid1.goneat.split(' ').slice(0, 3).join(' ')} …\` | \`${pid1.ko}\` | |
| \`docker stop\` (median, exit codes) | ${fmtMs(median(stops.goneat.ms))}, exit ${codes(stops.goneat.exits)} | ${fmtMs(median(stops.ko.ms))}, exit ${codes(stops.ko.exits)} | |

- Target: faster than ko on a warm build — ${median(builds.warm.goneat) < median(builds.warm.ko) ? 'met' : '**missed**'}; no bigger with the same contents — ${sizes.goneat - sbomBytes <= sizes.ko ? 'met' : '**missed**'}
  (goneat-deploy's image also carries its SBOM, ${sbomBytes} B; ko keeps its SBOM outside the image, and with \`--local\` nowhere).
- goneat-deploy's warm build starts \`go build\` before it checks the other inputs and asks the engine (a failed check kills it),
  and asks dpkg while it compiles: that is where it gains on ko, whose own start is faster than Node's.
- On \`docker stop\` both exit cleanly here because echo handles SIGTERM; ko's image runs the Go binary as PID 1,
  so a binary without a handler exits 2 at once and nothing reaps orphaned children (section 1, rows (c)).

## 7. What the image contents cost

| contents | bytes in the image |
| --- | ---: |
| tini, passwd/group, SBOM (\`image.certificates: false\`) | ${mb(contents.bare)} |
| + the CA bundle (\`image.certificates\`, the default) | ${mb(contents.certs)} |
| + zoneinfo (\`image.timezones: true\`) | ${mb(contents.tz)} |
| the loader, libc and NSS modules of Debian's docker-registry (\`image.libraries: host\`) | ${mb(contents.libs)} |

Build time of third-party images (prebuilt Debian binaries, \`image.libraries: host\`, loaded into the engine):

| binary | build (median) | spread | binary | image |
| --- | ---: | ---: | ---: | ---: |
${Object.entries(third).map(([n, t]) => `| ${n} | ${fmtMs(median(t.ms))} | ${spread(t.ms)} | ${mb(t.binary)} | ${mb(t.size)} |`).join('\n')}
`;
    return md;
  } finally {
    registry.kill('SIGTERM');
  }
}
