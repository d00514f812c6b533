import type { Rule } from '../rule.js';
import { firstStopSignal, stopSignalOf } from '../model.js';

export const stopSignalPreempted: Rule = {
  id: 'GD014',
  name: 'stop-signal-preempted',
  level: 'error',
  doc: {
    what: 'A command run before the stop signal sends the service a different signal first: systemd `ExecStop=/bin/kill -s SIGINT $MAINPID` with `KillSignal=SIGUSR2`, an upstart `pre-stop` that kills, a Kubernetes exec preStop that kills. The signal that reaches the service first is what it acts on.',
    why: 'systemd runs ExecStop= first and sends KillSignal= only to what is left when it returns (kill returns at once, so both arrive, the ExecStop one first); upstart runs pre-stop before `kill signal`; the kubelet runs preStop before the stop signal. If the first signal means "exit now" (SIGINT, SIGTERM) the drain the stop signal was meant to start never happens.',
    fix: 'Drop the signalling ExecStop=/pre-stop/preStop (the supervisor sends the stop signal itself), or make it send the same signal as the stop signal.',
    source: 'systemd.service(5) ExecStop= ("...the service will be terminated by the signal configured in KillSignal=..." after the commands); systemd.kill(5); upstart init(5) pre-stop; Kubernetes container-lifecycle-hooks',
  },
  check(ctx, report) {
    for (const w of ctx.model.workloads) {
      if (w.dockerRun) continue;
      const first = firstStopSignal(w);
      const stop = stopSignalOf(w);
      if (!first || !stop || first === stop || first.signal === stop.signal) continue;
      if (first.signal === 'SIGHUP') continue; // GD011 reports a SIGHUP
      report(first.source.file, first.source, `${w.label}: \`${first.source.directive}\` sends ${first.signal} before ${stop.source.implicit ? `the default stop signal ${stop.signal}` : `\`${stop.source.directive}\``}: ${first.signal} reaches the service first, and what ${stop.signal} was meant to start (a drain) is pre-empted; drop this command (the supervisor sends ${stop.signal} itself) or make it send ${stop.signal}`);
    }
  },
};
