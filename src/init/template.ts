/**
 * The goneat-deploy.yaml that `init` writes: commented, with a
 * yaml-language-server schema line for editor completion. Pure; values are
 * quoted by the one YAML emitter (util/yaml.ts), so nothing a user types can break the file.
 */
import { yamlScalar } from '../util/yaml.js';

export interface InitAnswers {
  name: string;
  framework: 'plain' | 'trpc-go';
  repository: string;
  tag: string;
  main: string;
  ports: Array<{ name: string; port: number; protocol?: 'udp' }>;
  /** Where the ports came from, said in a comment (tRPC-Go: trpc_go.yaml, which must agree). */
  portsFrom?: string;
  health?: { port: string | number; path: string };
  drain?: string;
  preStop?: string;
  /** Why there is no preStop (written as a comment instead). */
  preStopNote?: string;
  replicas: number;
}

/** The one YAML emitter's scalars (util/yaml.ts); `flow` inside "{ ... }". */
const scalar = (v: string | number, flow = false) => yamlScalar(v, { flow });

export function renderConfig(a: InitAnswers, schemaRef: string): string {
  const lines = [
    `# yaml-language-server: $schema=${schemaRef}`,
    '# goneat-deploy: the service runs in the foreground under tini; the runtime detaches, restarts and stops it.',
    '# Reference: `goneat-deploy schema`. Then: goneat-deploy build && goneat-deploy generate all',
    `name: ${scalar(a.name)}`,
    `framework: ${a.framework}${a.framework === 'trpc-go' ? '   # reads trpc_go.yaml: ports, admin health, close wait; ships it in the image' : ''}`,
    'image:',
    `  repository: ${scalar(a.repository)}`,
    `  tag: ${scalar(a.tag)}`,
    'build:',
    `  main: ${scalar(a.main)}   # Go main package, built with CGO_ENABLED=0 -trimpath`,
  ];
  if (a.ports.length) {
    lines.push(a.portsFrom ? `ports:   # from ${a.portsFrom}: keep the two in agreement (generate and lint warn when they differ)` : 'ports:');
    for (const p of a.ports) lines.push(`  - { name: ${scalar(p.name, true)}, port: ${p.port}, ${p.protocol ? `protocol: ${p.protocol}, ` : ''}publish: ${scalar(`127.0.0.1:${p.port}`, true)} }`);
  }
  if (a.health) {
    lines.push('health:', `  port: ${scalar(a.health.port)}`, `  path: ${scalar(a.health.path)}`);
    lines.push('  # command: ["/app/NAME", "-probe", "http://127.0.0.1:PORT/PATH"]   # a compose healthcheck needs a command the scratch image can run');
  }
  lines.push('shutdown:', '  signal: SIGTERM   # never SIGHUP or SIGUSR2: see `goneat-deploy lint` GD004');
  if (a.drain) lines.push(`  drain: ${scalar(a.drain)}   # the longest your service takes to finish in-flight work`);
  else lines.push('  # drain: comes from trpc_go.yaml (tRPC-Go\'s close: close_wait_time, max_close_wait_time, bounded by max(that, 10s))');
  if (a.preStop) lines.push(`  preStop: ${scalar(a.preStop)}   # Kubernetes: time for endpoints to go not-ready before the signal`);
  else if (a.preStopNote) lines.push(`  # preStop: ${a.preStopNote}`);
  lines.push('user: "65532:65532"   # numeric and non-root', `replicas: ${a.replicas}`);
  return `${lines.join('\n')}\n`;
}
