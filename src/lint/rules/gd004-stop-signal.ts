import type { Rule } from '../rule.js';
import { REFUSED_STOP_SIGNALS } from '../../model/signals.js';
import { composes, dockerfiles, normalizeSignal, podSpecs, systemds, upstarts } from '../rule.js';

export const stopSignal: Rule = {
  id: 'GD004',
  name: 'refused-stop-signal',
  level: 'error',
  doc: {
    what: 'A stop signal of SIGHUP, SIGUSR2, SIGKILL or SIGSTOP (the signals goneat-deploy.yaml refuses too): Dockerfile STOPSIGNAL, compose stop_signal, systemd KillSignal, upstart kill signal, Kubernetes lifecycle.stopSignal.',
    why: 'SIGHUP is "terminal hung up" and the root of the nohup bug; SIGUSR2 is tRPC-Go\'s hot restart, which under a supervisor ends the service; SIGKILL cannot be handled, so nothing drains; SIGSTOP only pauses the process.',
    fix: 'Use SIGTERM (tRPC-Go drains on SIGTERM and SIGINT), and rolling updates instead of hot restart.',
    source: 'trpc-group/trpc-go server/serve_unix.go; signal-spec.md',
  },
  check(ctx, report) {
    const bad = (s: unknown) => {
      const n = normalizeSignal(String(s));
      return REFUSED_STOP_SIGNALS[n] ? `${n}: ${REFUSED_STOP_SIGNALS[n]}` : undefined;
    };
    for (const df of dockerfiles(ctx)) {
      for (const ins of df.final) if (ins.name === 'STOPSIGNAL' && bad(ins.args)) report(df.path, ins, `STOPSIGNAL ${bad(ins.args)}`);
    }
    for (const c of composes(ctx)) {
      for (const [name, svc] of Object.entries(c.services)) {
        if (svc?.stop_signal !== undefined && bad(svc.stop_signal)) report(c.path, c.yaml.pos(0, ['services', name, 'stop_signal']), `stop_signal ${bad(svc.stop_signal)}`);
      }
    }
    for (const u of systemds(ctx)) {
      for (const e of u.entries) if (e.key === 'KillSignal' && bad(e.value)) report(u.path, e, `KillSignal=${bad(e.value)}`);
    }
    for (const u of upstarts(ctx)) {
      for (const s of u.stanzas) if (s.keyword === 'kill' && /^signal\s+/.test(s.args) && bad(s.args.replace(/^signal\s+/, ''))) report(u.path, s, `kill signal ${bad(s.args.replace(/^signal\s+/, ''))} (in upstart: kill signal TERM)`);
    }
    for (const p of podSpecs(ctx)) {
      const containers = (p.spec.containers ?? []) as Array<{ lifecycle?: { stopSignal?: string } }>;
      containers.forEach((c, i) => {
        const s = c.lifecycle?.stopSignal;
        if (s && bad(s)) report(p.doc.path, p.doc.yaml.pos(p.index, [...p.path, 'containers', i, 'lifecycle', 'stopSignal']), `lifecycle.stopSignal ${bad(s)}`);
      });
    }
  },
};
