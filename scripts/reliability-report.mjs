// Writes docs/reliability.md (to stdout) from the figures in .tmp/reliability/*.json.
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { execSync } from 'node:child_process';
import { hostileSection } from './reliability-hostile.mjs';

const dir = new URL('../.tmp/reliability/', import.meta.url);
const r = Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(new URL(f, dir), 'utf8'))]));
const need = (k) => {
  if (!r[k]) throw new Error(`no figures for ${k}: run npm run soak`);
  return r[k];
};
const restarts = need('restarts');
const rollouts = need('rollouts');
const k8s = need('k8s-rollouts');
const zombies = need('zombies');
const crashes = need('crashes');
const cli = need('bad-input-cli');
const engine = need('bad-input-engine');
const property = need('property');
const propertySystemd = need('property-systemd');
// Host daemons (test/e2e/systemd.test.ts, test/e2e/daemonize.test.ts): optional, printed when measured.
const systemd = r.systemd;
const daemonize = r.daemonize;
const hostSection = systemd && daemonize
  ? `
## Host daemons (systemd 252 as PID 1, daemonize 1.7.8)

Debian 12's systemd as PID 1 in a container built from Debian's packages (scripts/systemd-image.sh${systemd.imageColdBuildSeconds ? `, cold build ${systemd.imageColdBuildSeconds} s` : ''}),
the echo service, budget 7 s (drain 5 s + slack 2 s).

| what | result |
| --- | --- |
| binary unit: \`systemctl stop\` with 5 requests in flight (2.3 s of work left) | all 200, exit 0, Result=success, ${systemd.binaryStopWith5InFlightMs} ms |
| the same where mount namespaces are refused (hardening auto: sandbox skipped, notice in the journal) | all 200, exit 0, ${systemd.degradedStopWith2InFlightMs} ms |
| container unit: \`systemctl stop\` → \`docker stop --time=7\`, 3 requests in flight | all 200, the engine records exit code 0, ${systemd.containerStopWith3InFlightMs} ms |
| \`systemd-analyze security\` exposure of the default unit | ${systemd.exposure} (goal ≤ 2.0) |
| daemonize: started from a tmux terminal that is then closed | ${daemonize.hangupSurvived ? 'same pid, healthy, no hangup received' : 'FAILED'} |
| daemonize: \`stop\` with 1 request in flight (2.5 s left) | 200, exit 0, ${daemonize.stopWithOneInFlightMs} ms |
| foreground in a terminal: Ctrl-C with 1 request in flight (1.5 s left) | 200, exit 0, ${daemonize.foregroundCtrlCMs} ms |
`
  : '';
const sh = (c) => {
  try {
    return execSync(c, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
};

console.log(`# Reliability: nothing lost

Measured by \`npm run soak\` (the long versions of the tests that run in CI with smaller counts) on
${restarts.at.slice(0, 10)}: ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${sh('. /etc/os-release && echo "$PRETTY_NAME"')}, Docker Engine ${sh("docker version --format '{{.Server.Version}}'")},
${sh('docker-compose version --short 2>/dev/null || docker compose version --short')} compose, Node ${process.version}. All traffic goes to 127.0.0.1, or (Kubernetes) to the cluster's own addresses on this host.

## In-flight requests across restarts (single replica, compose)

\`docker compose restart\` ${restarts.restarts} times under a steady load of \`GET /slow?ms=400\` (4 clients). A request
counts as accepted before the stop when it started at least 50 ms before the stop signal reached the service
(the service's own log line); from then until the service is healthy again, requests may be refused.

| requests sent | completed 200 | accepted before the stop | of those, failed | in flight at a stop signal (all 200) | sent while down: ok / refused / reset | exit codes | 137s |
| ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |
| ${restarts.sent} | ${restarts.completed} | ${restarts.acceptedBeforeStop} | ${restarts.failedAcceptedBeforeStop} | ${restarts.inFlightAtStop} | ${restarts.whileDown.ok} / ${restarts.whileDown.refused} / ${restarts.whileDown.reset} | all ${[...new Set(restarts.exitCodes)].join(', ')} (${restarts.exitCodes.length}) | ${restarts.exitCodes.filter((c) => c === '137').length} |

"Reset" while down: docker-proxy accepts a connection for the published port and closes it when the container
behind it is not listening. With one replica, a restart is downtime; the next table is how to avoid it.

## Zero-downtime rollouts (two replicas, one-node swarm, start-first)

| rollouts | requests | completed 200 | failed | refused | other status | tasks replaced | their exit codes | requests they drained at the stop |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |
| ${rollouts.rollouts} | ${rollouts.sent} | ${rollouts.completed} | ${rollouts.failed} | ${rollouts.refused} | ${rollouts.badStatus} | ${rollouts.tasksReplaced} | ${rollouts.exitCodes.join(', ')} | ${rollouts.drainedAtStop} |

The load is 4 clients in a loop plus a 6 s request every 500 ms, so old tasks always have work in
flight when their stop signal arrives. This kernel has no IPVS, so
swarm's routing mesh cannot carry traffic here: the stack publishes in host mode and the load goes through a
stand-in router that follows swarm's task states (see test/e2e/swarm.test.ts).

## Zero-downtime rollouts on Kubernetes (two replicas, one-node cluster, maxSurge 1, maxUnavailable 0)

\`kubectl rollout restart\` of the Deployment \`generate k8s\` writes for examples/echo (preStop sleep 3 s, drain 5 s,
grace period 10 s), on Kubernetes ${k8s.kubernetes} from upstream components (scripts/k8s.sh), ${k8s.rollouts} times back to back (${k8s.seconds} s;
measured ${k8s.at.slice(0, 10)}).

| rollouts | requests | completed 200 | failed | refused | other status | pods replaced | their exit codes | requests they drained at the stop |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |
| ${k8s.rollouts} | ${k8s.sent} | ${k8s.completed} | ${k8s.failed} | ${k8s.refused} | ${k8s.badStatus} | ${k8s.podsReplaced} | ${k8s.exitCodes.join(', ')} | ${k8s.drainedAtStop} |

The load goes through the Service: from the host to its cluster IP, which kube-proxy's iptables rules send to a
ready pod (4 clients in a loop plus a 4 s request every 500 ms). Exit codes are the ones the kubelet reported in
each pod's status before deleting it; drained requests come from each pod's log (\`kubectl logs -f\`). See
test/e2e/k8s.test.ts.

## Zombies

| orphans spawned (with tini as PID 1) | zombies left | time | the same without an init: orphans | zombies left |
| ---: | ---: | ---: | ---: | ---: |
| ${zombies.orphans} | ${zombies.zombies} | ${zombies.seconds} s | ${zombies.withoutInit.orphans} | ${zombies.withoutInit.zombies} |

Zombies are counted from /proc (parent in the container): \`docker top\` cannot show them, because an exited
process leaves the container's cgroup.

## Crashes

| cause | container exit code (tini passes it on) | restarted by the policy |
| --- | ---: | --- |
| the service killed with SIGKILL | ${crashes.deaths[0]} | yes |
| the service exits 42 | ${crashes.deaths[1]} | yes |
| a Go panic | ${crashes.deaths[2]} | yes |

${hostSection}
## Bad input

| cases | where |
| ---: | --- |
| ${cli.cases} | the CLI corpus (config, flags, files, binaries, an unreachable engine): one line, exit 2 or 1, no file changed, no temp dir left |
| ${engine.cases} | cases that reach the engine (wrong-arch binary, missing/corrupt/dynamic tini, a failing go build, a build error inside the daemon's stream): also no container or image left |
| ${property.generated} | generated configs (fast-check): ${property.renderedAndValidated} rendered into files that pass the Compose Specification schema, the Kubernetes schema and a plist parser (${propertySystemd.systemdAnalyzeVerified} units through systemd-analyze), ${property.refusedCleanly} refused with a clean error; none crashed |
${hostileSection(r)}
## Reproduce

\`\`\`sh
npm run soak        # writes this file
npm test            # the quick versions: 10 restarts, 3 swarm and 5 Kubernetes rollouts, 10,000 orphans, the corpus
\`\`\``);
