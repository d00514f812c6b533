/**
 * The whole kinds, not single files: every directive that can carry a signal
 * or a timeout, every unit of the value grammars, and PID 1 from the chain.
 */
import { describe, expect, it } from 'vitest';
import { classify, type LintFile } from '../../src/lint/files.js';
import { lint } from '../../src/lint/lint.js';
import { buildModel, firstStopSignal, stopSignalOf, type ServiceFacts, type Workload } from '../../src/lint/model.js';
import {
  commandsOf,
  composeDuration,
  dockerSignal,
  k8sInteger,
  killCommand,
  sleepSeconds,
  splitSystemdCommand,
  systemdSignal,
  systemdTimeoutSpan,
  systemdTimespan,
  upstartInterval,
  upstartSignal,
} from '../../src/lint/values.js';

const INF = Number.POSITIVE_INFINITY;

function model(files: Record<string, string>, services: ServiceFacts[] = []): Workload[] {
  const parsed = Object.entries(files).map(([p, t]) => classify(p, t)).filter((f): f is LintFile => f !== undefined);
  return buildModel(parsed, { services }).workloads;
}
const one = (files: Record<string, string>, services: ServiceFacts[] = []) => model(files, services).find((w) => w.runtime !== 'image')!;
const unit = (body: string) => one({ 'x.service': `[Service]\nExecStart=/usr/bin/x\n${body}\n` });
const sigs = (w: Workload, event: string) => w.deliveries.filter((d) => d.event === event).map((d) => d.signal);

describe('systemd time spans (systemd.time(7), parse_sec / parse_sec_fix_0)', () => {
  it.each([
    ['90', 90_000], ['90s', 90_000], ['1min 30s', 90_000], ['1min30s', 90_000], ['1m30s', 90_000], ['2 minutes', 120_000], ['5min', 300_000],
    ['500ms', 500], ['500msec', 500], ['1.5s', 1500], ['.5s', 500], ['1h', 3_600_000], ['1hr', 3_600_000], ['2hours', 7_200_000], ['1d', 86_400_000],
    ['1w', 604_800_000], ['1M', 2_629_800_000], ['1y', 31_557_600_000], ['100us', 0.1], ['100usec', 0.1], ['10 20', 30_000], ['3 sec', 3000], ['1 second', 1000],
    ['infinity', INF], ['0', 0],
  ])('%s → %s ms', (v, ms) => expect(systemdTimespan(v as string)).toBe(ms));
  it.each(['', 'soon', '-5s', '5secs', '10 sec.', '20s # drain', 'inf', '5x', '1min and 30s'])('%j is refused (systemd ignores the line)', (v) => expect(systemdTimespan(v)).toBeUndefined());
  it('parse_sec_fix_0: 0 and infinity are "no timeout"; other values as parse_sec', () => {
    expect(systemdTimeoutSpan('0')).toBe(INF);
    expect(systemdTimeoutSpan('0s')).toBe(INF);
    expect(systemdTimeoutSpan('infinity')).toBe(INF);
    expect(systemdTimeoutSpan('45s')).toBe(45_000);
    expect(systemdTimeoutSpan('garbage')).toBeUndefined();
  });
});

describe('signals, as each consumer parses them', () => {
  it('systemd: number, NAME or SIGNAME, case-sensitive, RTMIN+n', () => {
    expect(systemdSignal('SIGTERM')).toBe('SIGTERM');
    expect(systemdSignal('TERM')).toBe('SIGTERM');
    expect(systemdSignal('15')).toBe('SIGTERM');
    expect(systemdSignal('SIGRTMIN+3')).toBe('SIGRTMIN+3');
    expect(systemdSignal('sigterm')).toBeUndefined();
    expect(systemdSignal('SIGFOO')).toBeUndefined();
    expect(systemdSignal('99')).toBeUndefined();
  });
  it('docker (STOPSIGNAL, stop_signal): case-insensitive, number, SIG optional', () => {
    expect(dockerSignal('sigusr2')).toBe('SIGUSR2');
    expect(dockerSignal('USR2')).toBe('SIGUSR2');
    expect(dockerSignal('12')).toBe('SIGUSR2');
    expect(dockerSignal(15)).toBe('SIGTERM');
    expect(dockerSignal('NOPE')).toBeUndefined();
  });
  it('upstart: full name, partial name or number', () => {
    expect(upstartSignal('TERM')).toBe('SIGTERM');
    expect(upstartSignal('SIGHUP')).toBe('SIGHUP');
    expect(upstartSignal('1')).toBe('SIGHUP');
    expect(upstartSignal('RELOAD')).toBeUndefined();
  });
  it.each([
    [['kill', '$MAINPID'], 'SIGTERM'], [['/bin/kill', '-HUP', '$MAINPID'], 'SIGHUP'], [['/bin/kill', '-1', '$MAINPID'], 'SIGHUP'],
    [['kill', '-s', 'HUP', '$MAINPID'], 'SIGHUP'], [['kill', '-sHUP', '$MAINPID'], 'SIGHUP'], [['kill', '--signal', 'SIGUSR2', '$MAINPID'], 'SIGUSR2'],
    [['kill', '--signal=USR2', '$MAINPID'], 'SIGUSR2'], [['kill', '-SIGUSR2', '$MAINPID'], 'SIGUSR2'], [['kill', '-n', '12', '$MAINPID'], 'SIGUSR2'],
    [['kill', '-usr2', '$MAINPID'], 'SIGUSR2'], [['pkill', '-HUP', 'x'], 'SIGHUP'], [['killall', '-s', 'INT', 'x'], 'SIGINT'],
    [['systemctl', 'kill', '--signal=SIGHUP', 'x'], 'SIGHUP'], [['start-stop-daemon', '--stop', '--signal', 'USR1', '--pidfile', 'p'], 'SIGUSR1'],
    [['docker', 'kill', 'x'], 'SIGKILL'], [['docker', 'kill', '-s', 'HUP', 'x'], 'SIGHUP'], [['env', 'A=1', 'kill', '-HUP', '1'], 'SIGHUP'],
  ])('%j sends %s', (argv, signal) => expect(killCommand(argv as string[])?.signal).toBe(signal));
  it('kill -l lists and sends nothing; other commands are not kills', () => {
    expect(killCommand(['kill', '-l'])).toBeUndefined();
    expect(killCommand(['/usr/bin/docker', 'stop', 'x'])).toBeUndefined();
    expect(killCommand(['sleep', '5'])).toBeUndefined();
  });
  it('finds kill commands inside sh -c scripts and systemd command lines with prefixes and quotes', () => {
    expect(commandsOf(['/bin/sh', '-c', 'echo bye; kill -HUP $(cat /run/x.pid) && true']).map(killCommand).filter(Boolean).map((k) => k!.signal)).toEqual(['SIGHUP']);
    expect(splitSystemdCommand('-/bin/sh -c "kill -s USR2 $MAINPID"')).toEqual({ prefixes: '-', argv: ['/bin/sh', '-c', 'kill -s USR2 $MAINPID'] });
  });
});

describe('other value grammars', () => {
  it('compose durations need a unit', () => {
    expect(composeDuration('1m30s')).toBe(90_000);
    expect(composeDuration('1m')).toBe(60_000);
    expect(composeDuration('500ms')).toBe(500);
    expect(composeDuration(20)).toBeUndefined();
    expect(composeDuration('20')).toBeUndefined();
  });
  it('Kubernetes integers: numbers without a fraction only', () => {
    expect(k8sInteger(30)).toBe(30);
    expect(k8sInteger('30')).toBeUndefined();
    expect(k8sInteger(2.5)).toBeUndefined();
  });
  it('upstart kill timeout: whole seconds', () => {
    expect(upstartInterval('20')).toBe(20_000);
    expect(upstartInterval('20s')).toBeUndefined();
  });
  it('sleep(1) arguments: suffixes and sums', () => {
    expect(sleepSeconds(['15'])).toBe(15);
    expect(sleepSeconds(['15s'])).toBe(15);
    expect(sleepSeconds(['1m', '30s'])).toBe(90);
    expect(sleepSeconds(['0.5'])).toBe(0.5);
    expect(sleepSeconds(['inf'])).toBeUndefined();
  });
});

describe('systemd directives in the model', () => {
  it('defaults: KillSignal=SIGTERM, FinalKillSignal=SIGKILL, TimeoutStopSec=90s', () => {
    const w = unit('');
    expect(sigs(w, 'stop')).toEqual(['SIGTERM']);
    expect(sigs(w, 'final')).toEqual(['SIGKILL']);
    expect(w.stopTimeout!.ms).toBe(90_000);
    expect(w.stopTimeout!.source.implicit).toBe(true);
  });
  it('ExecStop= kill runs before KillSignal=: its signal is first', () => {
    const w = unit('ExecStop=/bin/kill -s SIGINT $MAINPID\nKillSignal=SIGUSR2');
    expect(firstStopSignal(w)!.signal).toBe('SIGINT');
    expect(stopSignalOf(w)!.signal).toBe('SIGUSR2');
  });
  it('an empty ExecStop= resets the list', () => {
    expect(firstStopSignal(unit('ExecStop=/bin/kill -INT $MAINPID\nExecStop='))!.signal).toBe('SIGTERM');
  });
  it('ExecReload= (any kill form, sh -c included), Type=notify-reload and ReloadSignal=', () => {
    expect(sigs(unit('ExecReload=/bin/sh -c "/bin/kill -USR2 $MAINPID"'), 'reload')).toEqual(['SIGUSR2']);
    expect(sigs(unit('Type=notify-reload'), 'reload')).toEqual(['SIGHUP']);
    expect(sigs(unit('Type=notify-reload\nReloadSignal=SIGUSR1'), 'reload')).toEqual(['SIGUSR1']);
  });
  it('SendSIGHUP=yes, RestartKillSignal=, FinalKillSignal=, SendSIGKILL=no', () => {
    expect(sigs(unit('SendSIGHUP=yes'), 'hangup')).toEqual(['SIGHUP']);
    expect(sigs(unit('RestartKillSignal=SIGUSR2'), 'restart')).toEqual(['SIGUSR2']);
    expect(sigs(unit('FinalKillSignal=SIGQUIT'), 'final')).toEqual(['SIGQUIT']);
    const w = unit('SendSIGKILL=no\nTimeoutStopSec=5s');
    expect(sigs(w, 'final')).toEqual([]);
    expect(w.stopTimeout!.ms).toBe(INF);
  });
  it('TimeoutSec= and TimeoutStopSec=: the last one wins; 0 and infinity mean no timeout; an unparsable one is ignored (the default or earlier value applies)', () => {
    expect(unit('TimeoutSec=30s').stopTimeout!.ms).toBe(30_000);
    expect(unit('TimeoutStopSec=20s\nTimeoutSec=40').stopTimeout!.ms).toBe(40_000);
    expect(unit('TimeoutStopSec=0').stopTimeout!.ms).toBe(INF);
    expect(unit('TimeoutStopSec=infinity').stopTimeout!.ms).toBe(INF);
    const bad = unit('TimeoutStopSec=20s # drain');
    expect(bad.stopTimeout!.ms).toBe(90_000);
    expect(bad.valueIssues[0]!.message).toMatch(/systemd cannot parse this time span and ignores the line.*the default of 90s applies/);
    const bad2 = unit('TimeoutStopSec=30s\nTimeoutStopSec=soon');
    expect(bad2.stopTimeout!.ms).toBe(30_000);
    expect(bad2.valueIssues[0]!.message).toMatch(/the earlier TimeoutStopSec=30s applies/);
  });
  it('KillSignal= systemd cannot parse: ignored, SIGTERM applies', () => {
    const w = unit('KillSignal=sigusr2');
    expect(stopSignalOf(w)!.signal).toBe('SIGTERM');
    expect(w.valueIssues[0]!.message).toMatch(/Failed to parse signal name, ignoring/);
  });
  it('continuation lines and comments inside them', () => {
    const w = unit('ExecReload=/bin/kill \\\n# a comment\n  -HUP $MAINPID');
    expect(sigs(w, 'reload')).toEqual(['SIGHUP']);
  });
  it('a unit that runs docker: the container gets docker stop\'s signal and time, not KillSignal=', () => {
    const w = one({ 'x-container.service': '[Service]\nExecStart=/usr/bin/docker run --rm --name x --stop-signal=SIGINT img\nExecStop=/usr/bin/docker stop --time=25 x\nTimeoutStopSec=30s\n' });
    expect(w.dockerRun).toBe(true);
    expect(sigs(w, 'stop')).toEqual(['SIGINT']);
    expect(w.stopTimeout!.ms).toBe(25_000);
  });
});

describe('upstart stanzas in the model', () => {
  const job = (body: string) => one({ 'x.conf': `respawn\n${body}\nexec /usr/bin/x\n` });
  it('defaults: kill signal SIGTERM, kill timeout 5, reload signal SIGHUP (implicit)', () => {
    const w = job('');
    expect(sigs(w, 'stop')).toEqual(['SIGTERM']);
    expect(w.stopTimeout!.ms).toBe(5000);
    const reload = w.deliveries.find((d) => d.event === 'reload')!;
    expect(reload.signal).toBe('SIGHUP');
    expect(reload.source.implicit).toBe(true);
  });
  it('kill signal, kill timeout, reload signal (partial names and numbers); the last stanza wins', () => {
    const w = job('kill signal INT\nkill timeout 30\nreload signal 12\nreload signal USR1');
    expect(sigs(w, 'stop')).toEqual(['SIGINT']);
    expect(w.stopTimeout!.ms).toBe(30_000);
    expect(sigs(w, 'reload')).toEqual(['SIGUSR1']);
  });
  it('a pre-stop that kills sends the first signal; bad values make upstart refuse the job', () => {
    const w = job('pre-stop exec kill -QUIT 1');
    expect(firstStopSignal(w)!.signal).toBe('SIGQUIT');
    const s = one({ 'x.conf': 'pre-stop script\n  kill -USR1 $(cat /run/x.pid)\nend script\nexec /usr/bin/x\nkill timeout 5s\n' });
    expect(firstStopSignal(s)!.signal).toBe('SIGUSR1');
    expect(s.valueIssues[0]!.message).toMatch(/upstart refuses to load the job/);
  });
});

describe('PID 1 from the whole chain', () => {
  const tini = 'FROM scratch\nUSER 1:1\nENTRYPOINT ["/sbin/tini", "--"]\nCMD ["/app/x"]\n';
  it('compose command: replaces CMD only, tini stays PID 1', () => {
    const w = model({ 'Dockerfile': tini, 'compose.yaml': 'services:\n  x:\n    build: .\n    command: ["/app/x", "-v"]\n' }).find((x) => x.runtime === 'compose')!;
    expect(w.pid1!.argv).toEqual(['/sbin/tini', '--', '/app/x', '-v']);
  });
  it('compose entrypoint: replaces ENTRYPOINT and drops the image CMD; a string is split into words', () => {
    const w = model({ 'Dockerfile': tini, 'compose.yaml': 'services:\n  x:\n    build: .\n    entrypoint: /app/x -v\n' }).find((x) => x.runtime === 'compose')!;
    expect(w.pid1!.argv).toEqual(['/app/x', '-v']);
    expect(w.pid1!.replacedInit!.argv0).toBe('/sbin/tini');
  });
  it('compose init: true adds docker-init', () => {
    const w = model({ 'Dockerfile': 'FROM scratch\nENTRYPOINT ["/app/x"]\n', 'compose.yaml': 'services:\n  x:\n    build: .\n    init: true\n' }).find((x) => x.runtime === 'compose')!;
    expect(w.pid1!.runtimeInit!.name).toMatch(/docker-init/);
  });
  it('k8s args: keeps the image ENTRYPOINT; command: replaces it; the image is linked through a compose service that builds and names it', () => {
    const files = { 'Dockerfile': tini, 'compose.yaml': 'services:\n  x:\n    build: .\n    image: reg.test/x:1\n' };
    const pod = (c: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: x\n      image: reg.test/x:2\n${c}`;
    const args = model({ ...files, 'pod.yaml': pod('      args: ["-v"]\n') }).find((x) => x.runtime === 'k8s')!;
    expect(args.pid1!.argv).toEqual(['/sbin/tini', '--', '-v']);
    const cmd = model({ ...files, 'pod.yaml': pod('      command: ["/app/x"]\n') }).find((x) => x.runtime === 'k8s')!;
    expect(cmd.pid1!.argv).toEqual(['/app/x']);
    expect(cmd.pid1!.replacedInit!.source.line).toBe(3);
  });
  it('k8s shareProcessNamespace: the pause process is PID 1', () => {
    const w = one({ 'pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  shareProcessNamespace: true\n  containers:\n    - name: x\n      image: y\n      command: ["/app/x"]\n' });
    expect(w.pid1!.runtimeInit).toBeDefined();
  });
  it('Dockerfile: stages inherit; ENTRYPOINT resets an inherited CMD; shell form runs /bin/sh -c (or SHELL)', () => {
    const ws = model({ 'Dockerfile': 'FROM scratch AS base\nENTRYPOINT ["/sbin/tini", "--"]\nCMD ["/app/x"]\nFROM base\nUSER 1:1\n' });
    expect(ws[0]!.pid1!.argv).toEqual(['/sbin/tini', '--', '/app/x']);
    const reset = model({ 'Dockerfile': 'FROM scratch AS base\nCMD ["/app/x"]\nFROM base\nENTRYPOINT ["/app/y"]\n' });
    expect(reset[0]!.pid1!.argv).toEqual(['/app/y']);
    const shell = model({ 'Dockerfile': 'FROM debian\nSHELL ["/bin/bash", "-c"]\nENTRYPOINT /app/x\n' });
    expect(shell[0]!.pid1!.argv).toEqual(['/bin/bash', '-c', '/app/x']);
  });
});

describe('Kubernetes stop path', () => {
  const dep = (extra: string, c = '') => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n${extra}      containers:\n        - name: x\n          image: y\n${c}`;
  it.each([
    ['sleep action', '          lifecycle: {preStop: {sleep: {seconds: 7}}}\n', 7],
    ['exec sleep', '          lifecycle: {preStop: {exec: {command: ["sleep", "7"]}}}\n', 7],
    ['exec /bin/sleep 7s', '          lifecycle: {preStop: {exec: {command: ["/bin/sleep", "7s"]}}}\n', 7],
    ['sh -c "sleep 7"', '          lifecycle: {preStop: {exec: {command: ["sh", "-c", "sleep 7"]}}}\n', 7],
    ['goneat-deploy preStopExec', '          lifecycle: {preStop: {exec: {command: ["/app/x", "-sleep", "7s"]}}}\n', 7],
    ['httpGet', '          lifecycle: {preStop: {httpGet: {path: /drain, port: 8080}}}\n', undefined],
  ])('preStop %s lasts %s s', (_n, c, s) => {
    const w = one({ 'd.yaml': dep('', c as string) });
    expect(w.preStop!.seconds).toBe(s);
  });
  it('time to SIGKILL after the signal: grace - preStop, at least 2s; stop signal from lifecycle.stopSignal', () => {
    const w = one({ 'd.yaml': dep('      terminationGracePeriodSeconds: 10\n', '          lifecycle: {stopSignal: SIGINT, preStop: {sleep: {seconds: 9}}}\n') });
    expect(w.stopTimeout!.ms).toBe(2000);
    expect(stopSignalOf(w)!.signal).toBe('SIGINT');
  });
  it('a grace period that is not an integer is refused by the API server', () => {
    const w = one({ 'd.yaml': dep('      terminationGracePeriodSeconds: "45"\n') });
    expect(w.valueIssues[0]!.message).toMatch(/not a non-negative integer: the API server rejects the object/);
  });
});

describe('scope: facts apply to the service they name', () => {
  const compose = 'services:\n  api:\n    image: example/api\n  db:\n    image: postgres\n';
  it('by name, by image repository, by the goneat-deploy label', async () => {
    const byName = await lint([{ path: 'compose.yaml', text: compose }], { services: [{ name: 'api', drainMs: 30_000, origin: 't', goneat: true }] });
    expect(byName.findings.map((f) => f.message)).toEqual([expect.stringMatching(/compose service "api": the default stop_grace_period of 10s is shorter than its drain of 30s/)]);
    const byRepo = await lint([{ path: 'compose.yaml', text: compose }], { services: [{ name: 'other', imageRepository: 'example/api', drainMs: 30_000, origin: 't', goneat: true }] });
    expect(byRepo.findings).toHaveLength(1);
    const label = model({ 'compose.yaml': 'services:\n  a:\n    image: x\n    labels: {io.goneat-deploy.service: a}\n  b:\n    image: y\n' });
    expect(label.map((w) => Boolean(w.service?.goneat))).toEqual([true, false]);
  });
  it('a goneat-deploy.yaml applies under its directory only', async () => {
    const r = await lint(
      [
        { path: 'a/compose.yaml', text: 'services:\n  svc:\n    image: x\n' },
        { path: 'b/compose.yaml', text: 'services:\n  svc:\n    image: x\n' },
      ],
      { services: [{ name: 'svc', drainMs: 30_000, dir: 'a', origin: 'a/goneat-deploy.yaml', goneat: true }] },
    );
    expect(r.findings.map((f) => f.file)).toEqual(['a/compose.yaml']);
  });
  it('tRPC-Go by a trpc_go.yaml beside the files: its SIGUSR2 is an error; elsewhere a warning that says "if this is tRPC-Go"', async () => {
    const svc = '[Service]\nExecStart=/usr/bin/x\nKillSignal=SIGUSR2\n';
    const plain = await lint([{ path: 'x.service', text: svc }]);
    expect(plain.findings.map((f) => [f.ruleId, f.level])).toEqual([['GD004', 'warning']]);
    expect(plain.findings[0]!.message).toMatch(/if this is tRPC-Go/);
    const trpc = await lint([{ path: 'x.service', text: svc }, { path: 'trpc_go.yaml', text: 'server: {}\n' }]);
    expect(trpc.findings.map((f) => [f.ruleId, f.level])).toEqual([['GD004', 'error']]);
  });
  it('inline suppression: goneat-deploy:ignore GDnnn on the line or the line above', async () => {
    const r = await lint([{ path: 'x.service', text: '[Service]\nExecStart=/usr/bin/x\n# goneat-deploy:ignore GD004 the broker drains on SIGUSR2\nKillSignal=SIGUSR2\n' }]);
    expect(r.findings).toEqual([]);
  });
});

describe('remediation texts', () => {
  it('GD009 tells to drop the service\'s own daemonize flag, naming it', async () => {
    const r = await lint([
      { path: 'x.service', text: '[Service]\nType=forking\nExecStart=/usr/bin/x --daemon -c /etc/x.conf\n' },
      { path: 'y.conf', text: 'expect fork\nexec /usr/bin/y -d\n' },
    ]);
    const msgs = r.findings.filter((f) => f.ruleId === 'GD009').map((f) => f.message);
    expect(msgs[0]).toMatch(/use Type=exec and drop --daemon from ExecStart=/);
    expect(msgs[1]).toMatch(/remove the expect stanza and drop -d from exec/);
  });
});

describe('GD009: a start command that sends the service to the background (the nohup seed scenario)', () => {
  it('flags sh -c "nohup server &", setsid and disown in ExecStart=, upstart exec and script blocks; not && or a foreground exec', async () => {
    const r = await lint([
      { path: 'a.service', text: '[Service]\nType=simple\nExecStart=/bin/sh -c "nohup /usr/local/bin/server > /var/log/s.log 2>&1 &"\n' },
      { path: 'b.service', text: '[Service]\nType=exec\nExecStart=/bin/bash -c \'setsid /usr/local/bin/server\'\n' },
      { path: 'c.service', text: '[Service]\nType=exec\nExecStart=/bin/sh -c "/usr/local/bin/migrate && exec /usr/local/bin/server"\n' },
      { path: 'd.service', text: '[Service]\nType=exec\nExecStart=/usr/local/bin/server -addr :8080\n' },
      { path: 'e.conf', text: 'respawn\nexec nohup /usr/local/bin/server &\n' },
      { path: 'f.conf', text: 'respawn\nscript\n  /usr/local/bin/server &\n  disown # detach\nend script\n' },
      { path: 'g.conf', text: 'respawn\nexec /usr/local/bin/server\n' },
    ]);
    const by = (file: string) => r.findings.filter((f) => f.ruleId === 'GD009' && f.file === file);
    expect(by('a.service')).toHaveLength(1);
    expect(by('a.service')[0]!.line).toBe(3);
    expect(by('a.service')[0]!.message).toMatch(/ExecStart= puts the service in the background \(`&` at the end of the command/);
    expect(by('b.service')[0]!.message).toMatch(/`setsid` detaches the service/);
    expect(by('c.service')).toEqual([]);
    expect(by('d.service')).toEqual([]);
    expect(by('e.conf')[0]!.message).toMatch(/the job's exec puts the service in the background/);
    expect(by('f.conf')[0]!.message).toMatch(/the job's script puts the service in the background/);
    expect(by('g.conf')).toEqual([]);
  });
});

describe('GD016: a compose file or manifest that is not valid YAML', () => {
  it('is an error at the syntax error (docker compose and kubectl refuse the whole file); valid YAML has none', async () => {
    const r = await lint([
      { path: 'compose.yaml', text: 'services:\n  api:\n    image: foo\n    init: true\n    entrypoint: ["/app/x", "-serve"\n' },
      { path: 'k8s/deploy.yaml', text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n spec: {}\n' },
      { path: 'ok/compose.yaml', text: 'services:\n  api:\n    image: foo\n    init: true\n' },
    ]);
    const syntax = r.findings.filter((f) => f.ruleId === 'GD016' && /not valid YAML/.test(f.message));
    expect(syntax.map((f) => f.file)).toEqual(['compose.yaml', 'k8s/deploy.yaml']);
    expect(syntax[0]!.message).toMatch(/^not valid YAML: .*; docker compose refuses the whole file/);
    expect(syntax[1]!.message).toMatch(/; kubectl refuses the whole file/);
    expect(syntax[0]!.line).toBeGreaterThanOrEqual(5);
  });
});

describe('linear time', () => {
  it('a Dockerfile of many continued lines and a compose file of 10,000 services', async () => {
    const df = `FROM scratch\nRUN true \\\n${'  && echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa \\\n'.repeat(2000)}  && true\nUSER 1:1\nENTRYPOINT ["/sbin/tini", "--", "/app/x"]\n`;
    const compose = `services:\n${Array.from({ length: 10_000 }, (_, i) => `  s${i}:\n    image: x\n    stop_grace_period: 5s\n`).join('')}`;
    const r = await lint([{ path: 'Dockerfile', text: df }, { path: 'compose.yaml', text: compose }], { services: [{ name: 's9999', drainMs: 6000, origin: 't', goneat: true }] });
    // Correct, not timed (npm run bench measures): one finding, for the one service whose drain is known.
    expect(r.findings.map((f) => `${f.file}:${f.line}`)).toEqual(['compose.yaml:30001']);
  });
});
