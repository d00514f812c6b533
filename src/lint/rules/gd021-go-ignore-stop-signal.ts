import type { LintContext, Rule } from '../rule.js';

/**
 * The stop signal configured for the Go source at `file`: the nearest
 * goneat-deploy.yaml whose directory holds the file, else one that applies to
 * every file (-C DIR). undefined when none says.
 */
function configuredStopSignal(ctx: LintContext, file: string): { signal: string; origin: string } | undefined {
  const dir = file.split('/').slice(0, -1).join('/') || '.';
  const under = (d: string) => d === '.' || dir === d || dir.startsWith(`${d}/`);
  const known = ctx.services.filter((s) => s.stopSignal !== undefined && (s.dir === undefined || under(s.dir)));
  known.sort((a, b) => (b.dir?.length ?? -1) - (a.dir?.length ?? -1));
  return known[0] ? { signal: known[0].stopSignal!, origin: known[0].origin } : undefined;
}

export const goIgnoreStopSignal: Rule = {
  id: 'GD021',
  name: 'go-ignores-stop-signal',
  level: 'error',
  doc: {
    what: 'Go source that ignores the stop signal: `signal.Ignore(syscall.SIGTERM)` (through aliases, `unix.SIGTERM`, `syscall.Signal(15)`, constants), the configured `shutdown.signal` (e.g. SIGINT, `os.Interrupt`) of the goneat-deploy.yaml above the file, or `signal.Ignore()` with no signals, which ignores all of them. Without a goneat-deploy.yaml, SIGTERM is the stop signal (every runtime\'s default). Ignoring SIGTERM when another stop signal is configured is a warning: launchd and a plain `kill PID` still send SIGTERM.',
    why: 'An ignored signal does nothing when it arrives: the stop never begins a graceful shutdown, the service keeps serving until the stop timeout ends, and then the runtime SIGKILLs it — every stop takes the whole budget and cuts in-flight work (daemonize: "did not exit within 1s of SIGTERM: sent SIGKILL"). A `signal.Notify` of the same signal after the Ignore re-enables it, so with both in one file the finding is a warning: the order decides.',
    fix: 'Remove the `signal.Ignore` call and handle the stop signal: `ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)`, then drain and exit 0.',
    source: 'golang os/signal signal.go (Ignore: "If they are received by the program, nothing will happen. Ignore undoes the effect of any prior calls to Notify ... If no signals are provided, all incoming signals will be ignored."); signal-spec.md',
  },
  check(ctx, report) {
    for (const g of ctx.go) {
      for (const f of g.findings) {
        if (f.rule !== 'ignore-stop' || !f.signal) continue;
        const conf = configuredStopSignal(ctx, g.file);
        const stop = conf?.signal ?? 'SIGTERM';
        const whose = conf ? `its stop signal (shutdown.signal in ${conf.origin})` : 'the stop signal of docker stop, Kubernetes, systemd, upstart and launchd unless configured otherwise';
        let level: 'error' | 'warning';
        let what: string;
        if (f.signal === 'all') {
          level = 'error';
          what = `${stop}, ${whose}, included`;
        } else if (f.signal === stop) {
          level = 'error';
          what = `${stop} is ${whose}`;
        } else if (f.signal === 'SIGTERM') {
          level = 'warning';
          what = `the configured stop signal is ${stop} (${conf!.origin}), but launchd and a plain kill PID still send SIGTERM`;
        } else continue;
        const order = f.notified ? ' — unless a signal.Notify for it in this file runs after the Ignore (a later Notify re-enables it)' : '';
        report(
          g.file,
          f,
          `${f.message}: ${what}; the service cannot begin a graceful stop and is SIGKILLed when the stop timeout ends, cutting in-flight work${order}; fix: remove the Ignore and handle it, e.g. signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)`,
          f.notified ? 'warning' : level,
        );
      }
    }
  },
};
