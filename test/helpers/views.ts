/**
 * What a consumer reads out of a generated file, as plain values to compare
 * with what the user wrote (test/helpers/hostile.ts `expected`): the same
 * extraction whoever parsed the file — the yaml library in-process, PyYAML,
 * go-yaml, a compose `config`, plistlib. Each view applies the consumer's own
 * next step where it has one: compose's interpolation ("$$" → "$"), the
 * kubelet's $(VAR) expansion (test/helpers/kubelet.ts), libnih's dequoting
 * (test/helpers/libnih.ts).
 */
import { kubeletEnvironment } from './kubelet.js';
import { nihToken } from './libnih.js';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});

/** Compose reads "$$" as "$" (interpolation); a `config` command writes "$" back as "$$" (both v1 and v2). */
export const composeUnescape = (v: unknown) => (typeof v === 'string' ? v.replace(/\$\$/g, '$') : v);
const unescape = composeUnescape;

export interface ComposeView {
  names: string[];
  image: unknown;
  env: Record<string, unknown>;
  healthTest: unknown;
  user: unknown;
}

/**
 * A compose file or swarm stack with one service (or merged ones: `service`
 * picks). `interpolated`: the values are what compose holds after
 * interpolation (v1's loader), not a file with "$$" in it.
 */
export function composeView(doc: unknown, service?: string, opts: { interpolated?: boolean } = {}): ComposeView {
  const composeUnescape = opts.interpolated ? (v: unknown) => v : unescape;
  const services = obj(obj(doc).services);
  const names = Object.keys(services);
  const svc = obj(services[service ?? names[0]!]);
  const env = obj(svc.environment);
  const test = obj(svc.healthcheck).test;
  return {
    names,
    image: composeUnescape(svc.image),
    env: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, composeUnescape(v)])),
    healthTest: Array.isArray(test) ? test.map(composeUnescape) : test,
    user: svc.user,
  };
}

export interface K8sView {
  name: unknown;
  namespace: unknown;
  image: unknown;
  /** After the kubelet's $(VAR) expansion, as the container gets it. */
  env: Record<string, unknown>;
  portNames: unknown[];
  preStopExec: unknown;
  healthPath: unknown;
  memory: unknown;
}

/** The Deployment. */
export function deploymentView(doc: unknown): K8sView {
  const d = obj(doc);
  const c = obj((obj(obj(obj(d.spec).template).spec).containers as unknown[] | undefined)?.[0]);
  const env = (c.env as Array<{ name: string; value?: string }> | undefined) ?? [];
  const literal = env.filter((e) => typeof e.value === 'string');
  return {
    name: obj(d.metadata).name,
    namespace: obj(d.metadata).namespace,
    image: c.image,
    env: kubeletEnvironment(literal, { KUBERNETES_SERVICE_HOST: '10.96.0.1' }),
    portNames: ((c.ports as Json[] | undefined) ?? []).map((p) => p.name),
    preStopExec: obj(obj(obj(c.lifecycle).preStop).exec).command,
    healthPath: obj(obj(c.readinessProbe).httpGet).path,
    memory: obj(obj(c.resources).limits).memory,
  };
}

export interface PlistView {
  label: unknown;
  argv: unknown;
  env: unknown;
  user: unknown;
  workingDirectory: unknown;
}

export function plistView(doc: unknown): PlistView {
  const p = obj(doc);
  return { label: p.Label, argv: p.ProgramArguments, env: p.EnvironmentVariables ?? {}, user: p.UserName, workingDirectory: p.WorkingDirectory };
}

export interface UpstartView {
  description: string;
  env: Record<string, string>;
  /** The exec line as upstart hands it to /bin/sh -e -c "exec …" (or splits it, without shell characters). */
  exec: string;
  setuid: string;
  chdir: string;
}

/** An upstart job, each stanza read with libnih's tokenizer (dequoted where upstart dequotes). */
export function upstartView(content: string): UpstartView {
  const lines = content.split('\n');
  const stanza = (name: string) => lines.filter((l) => l.startsWith(`${name} `)).map((l) => l.slice(name.length + 1));
  const env: Record<string, string> = {};
  for (const e of stanza('env')) {
    const t = nihToken(e, true);
    env[t.slice(0, t.indexOf('='))] = t.slice(t.indexOf('=') + 1);
  }
  const exec = stanza('exec')[0] ?? '';
  // upstart reads the command with nih_config_parse_command (no dequoting): the token must be the whole line.
  if (nihToken(exec, false) !== exec) throw new Error('libnih: the exec line does not read back as itself');
  return { description: nihToken(stanza('description')[0] ?? '', true), env, exec, setuid: nihToken(stanza('setuid')[0] ?? '', true), chdir: nihToken(stanza('chdir')[0] ?? '', true) };
}
