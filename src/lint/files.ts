/**
 * The file formats lint reads, parsed with positions. Pure: text in, parsed
 * structure out. Recognition goes by name first, then by content.
 *
 * Parsers: Dockerfiles with dockerfile-ast, YAML with js-yaml (values) and
 * yaml (positions, on demand), Go with tree-sitter-go (src/lint/go.ts).
 * systemd units and upstart jobs are parsed here by hand: no maintained
 * JavaScript library reads either format (the npm INI parsers get systemd's
 * continuation lines, repeated keys and comment rules wrong; nothing reads
 * upstart's stanzas and script blocks), and both grammars are small and
 * line-based — one linear pass each, documented at each parser.
 */
import path from 'node:path';
import { DockerfileParser, Instruction as AstInstruction } from 'dockerfile-ast';
import { loadAll } from 'js-yaml';
import { applyInterpolation, type ComposeInterpolation } from './compose-interp.js';
import { LineCounter, parseAllDocuments, isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';

export interface Pos {
  line: number;
  column: number;
}

// ---------------------------------------------------------------- Dockerfile

/**
 * dockerfile-ast 0.7.1 scans an instruction's arguments again each time it is
 * asked for them (Instruction.getRawArguments), and its own parser asks eight
 * times per RUN/COPY/ADD while building the document (heredoc detection, the
 * JSON-form check, argument ranges): a RUN continued over a megabyte of lines
 * took 1.9 s, 80 % of it in those rescans (measured with --cpu-prof). An
 * instruction's range and the document's text never change once it is
 * created, so the first scan's result is kept per instruction object and a
 * copy handed out after: the same arguments, one scan. Linear lint of large
 * Dockerfiles (issue 19: 1 MB in well under 2 s) depends on it.
 */
{
  const scanned = new WeakMap<object, unknown[]>();
  const proto = AstInstruction.prototype as unknown as { getRawArguments(this: object): unknown[]; __goneatMemo?: true };
  if (!proto.__goneatMemo) {
    const scan = proto.getRawArguments;
    proto.getRawArguments = function getRawArguments(this: object) {
      let args = scanned.get(this);
      if (!args) scanned.set(this, (args = scan.call(this)));
      return args.slice();
    };
    proto.__goneatMemo = true;
  }
}

export interface Instruction extends Pos {
  /** Upper-case instruction name. */
  name: string;
  /** Everything after the name (and its flags for FROM), continuation lines joined. */
  args: string;
  /** Parsed JSON array when the instruction is in exec form. */
  json?: string[];
  stage: number;
}

export interface Stage {
  /** FROM's image ("scratch", "alpine:3.18", or an earlier stage's name). */
  from: string;
  /** `AS name`, lower-cased as BuildKit compares it. */
  name?: string;
  instructions: Instruction[];
}

export interface DockerfileDoc {
  kind: 'dockerfile';
  path: string;
  /** Written by goneat-deploy (its generated-file header): the service of the goneat-deploy.yaml it was generated from. */
  generated?: boolean;
  instructions: Instruction[];
  stages: Stage[];
  /** Instructions of the final build stage (what the image runs). */
  final: Instruction[];
}

/**
 * Parses a Dockerfile with dockerfile-ast (the parser behind VS Code's
 * Dockerfile language server): escape directive, continuation lines, comments
 * inside continuations and heredocs handled as BuildKit does. Linear in the
 * file's size.
 */
export function parseDockerfile(file: string, text: string): DockerfileDoc {
  const df = DockerfileParser.parse(text);
  const instructions: Instruction[] = [];
  const stages: Stage[] = [];
  let stage = -1;
  for (const ins of df.getInstructions()) {
    const name = ins.getKeyword().toUpperCase();
    const r = ins.getRange();
    if (name === 'FROM') {
      stage++;
      const words = (ins.getArgumentsContent() ?? '').trim().split(/\s+/).filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({ from: words[0] ?? '', ...(as > 0 && words[as + 1] ? { name: words[as + 1]!.toLowerCase() } : {}), instructions: [] });
    }
    // Only the instructions lint reads need their arguments: RUN bodies can be huge.
    const needsArgs = name !== 'RUN' && name !== 'COPY' && name !== 'ADD';
    const args = needsArgs ? (ins.getArgumentsContent() ?? '').trim() : '';
    let json: string[] | undefined;
    if (args.startsWith('[')) {
      try {
        const parsed = JSON.parse(args) as unknown;
        if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) json = parsed as string[];
      } catch {
        json = undefined;
      }
    }
    const item: Instruction = { name, args, ...(json ? { json } : {}), line: r.start.line + 1, column: r.start.character + 1, stage: Math.max(stage, 0) };
    instructions.push(item);
    if (stage >= 0) stages[stage]!.instructions.push(item);
  }
  const last = Math.max(0, stages.length - 1);
  return { kind: 'dockerfile', path: file, instructions, stages, final: instructions.filter((x) => x.stage === last) };
}

// ---------------------------------------------------------------- YAML (compose, Kubernetes)

/** A position computed on first read (line and column are own, enumerable properties, so a spread forces it). */
function lazyPos(compute: () => Pos): Pos {
  let v: Pos | undefined;
  const o = {} as Pos;
  Object.defineProperty(o, 'line', { get: () => (v ??= compute()).line, enumerable: true });
  Object.defineProperty(o, 'column', { get: () => (v ??= compute()).column, enumerable: true });
  return o;
}

/**
 * The documents of a YAML file: values from js-yaml (several times faster),
 * positions from yaml's Document (it keeps source ranges), built only when a
 * position is first asked — a monorepo's YAML is read once and positioned only
 * where a finding points. Both read YAML 1.2 (core schema): "." (build: .) is
 * a string; 1.1 booleans are handled by yamlTrue().
 */
export class YamlDocs {
  private parsed?: { docs: Document.Parsed[]; lc: LineCounter };
  private readonly vals: unknown[];
  constructor(readonly text: string) {
    let vals: unknown[] | undefined;
    try {
      // json: true lets a repeated key win as compose does instead of throwing.
      vals = loadAll(text, null, { json: true });
    } catch {
      vals = undefined;
    }
    // yaml is more forgiving of broken files: it still gives the documents it can.
    this.vals = vals ?? this.full.docs.map((d) => {
      try {
        return d.toJS({ maxAliasCount: 100 }) as unknown;
      } catch {
        return undefined;
      }
    });
  }

  /**
   * The yaml Documents (with source ranges). uniqueKeys: false — yaml's duplicate-key check is quadratic in a map's size.
   * logLevel 'error': yaml would otherwise print its warnings (a collection used as a key, e.g. a template's
   * `{{ .Values.x }}` read as a flow map: "Keys with collection values will be stringified") with
   * process.emitWarning, on stderr, for a file that is the user's input, not our program.
   */
  get docs(): Document.Parsed[] {
    return this.full.docs;
  }

  private get full(): { docs: Document.Parsed[]; lc: LineCounter } {
    if (!this.parsed) {
      const lc = new LineCounter();
      this.parsed = { docs: parseAllDocuments(this.text, { lineCounter: lc, uniqueKeys: false, logLevel: 'error' }) as Document.Parsed[], lc };
    }
    return this.parsed;
  }

  private get lc(): LineCounter {
    return this.full.lc;
  }

  /**
   * The file's YAML syntax errors (yaml's YAMLParseError: an unclosed flow sequence, a bad indentation...),
   * each at its position with the first line of yaml's message. The consumers (docker compose, kubectl)
   * refuse such a file as a whole, while yaml recovers a document that lint could otherwise judge as valid.
   */
  syntaxErrors(): Array<{ pos: Pos; message: string }> {
    return this.docs.flatMap((d) => d.errors.map((e) => ({ pos: this.at(e.pos[0]), message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '') })));
  }

  /** Map nodes' keys, indexed once per node: lookups stay O(1) for a compose file of 10,000 services. */
  private readonly index = new WeakMap<object, Map<string, Pair<unknown, unknown>>>();

  private pair(node: unknown, key: string | number): Pair<unknown, unknown> | undefined {
    if (!isMap(node)) return undefined;
    let idx = this.index.get(node);
    if (!idx) {
      idx = new Map();
      for (const p of node.items) if (isPair(p) && isScalar(p.key) && !idx.has(String(p.key.value))) idx.set(String(p.key.value), p as Pair<unknown, unknown>);
      this.index.set(node, idx);
    }
    return idx.get(String(key));
  }

  private child(node: unknown, key: string | number): unknown {
    if (isMap(node)) return this.pair(node, key)?.value;
    if (isSeq(node) && typeof key === 'number') return node.items[key];
    return undefined;
  }

  private at(offset: number): Pos {
    const p = this.lc.linePos(offset);
    return { line: p.line, column: p.col };
  }

  /** Position of the value at `path` in document `doc` (or of the deepest existing parent); worked out when first read. */
  pos(doc: number, path: ReadonlyArray<string | number>): Pos {
    return lazyPos(() => {
      let node: unknown = this.docs[doc]?.contents;
      let best: Node | undefined = node as Node;
      for (const key of path) {
        const next = this.child(node, key);
        if (next == null) break;
        node = next;
        best = node as Node;
      }
      return this.at(best?.range?.[0] ?? 0);
    });
  }

  /** Position of the key `key` of the map at `path`; worked out when first read. */
  keyPos(doc: number, path: ReadonlyArray<string | number>, key: string): Pos {
    return lazyPos(() => {
      let node: unknown = this.docs[doc]?.contents;
      for (const k of path) node = this.child(node, k);
      const pair = this.pair(node, key);
      const off = pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      if (off !== undefined) return this.at(off);
      const p = this.pos(doc, path);
      return { line: p.line, column: p.column };
    });
  }

  /** Whether the value at `path` exists in the file. */
  has(doc: number, path: ReadonlyArray<string | number>): boolean {
    let node: unknown = this.docs[doc]?.contents;
    for (const k of path) {
      node = this.child(node, k);
      if (node == null) return false;
    }
    return true;
  }

  values(): unknown[] {
    return this.vals;
  }
}

/** true, or a YAML 1.1 "yes"/"on"/"y" as docker-compose v1 (PyYAML) reads it. */
export function yamlTrue(v: unknown): boolean {
  return v === true || (typeof v === 'string' && /^(y|yes|on|true)$/i.test(v));
}

export interface ComposeDoc {
  kind: 'compose';
  path: string;
  /** Written by goneat-deploy (its generated-file header): the service of the goneat-deploy.yaml it was generated from. */
  generated?: boolean;
  yaml: YamlDocs;
  /** The services, with compose variable interpolation resolved where lint can (compose-interp.ts). */
  services: Record<string, Record<string, unknown>>;
  /** What each value holding a `$` was: a default lint used, or variables it cannot know (then no rule judges it). */
  interpolation?: ComposeInterpolation;
}

export interface K8sDoc {
  kind: 'k8s';
  path: string;
  /** Written by goneat-deploy (its generated-file header): the service of the goneat-deploy.yaml it was generated from. */
  generated?: boolean;
  yaml: YamlDocs;
  objects: Array<{ index: number; value: Record<string, unknown> }>;
}

// ---------------------------------------------------------------- systemd, upstart
//
// Hand-written: no maintained JavaScript library parses systemd unit files or
// upstart job files (the npm "ini" parsers get systemd's continuation lines,
// repeated keys and comments wrong, and nothing reads upstart's stanzas). Both
// grammars are small and line-based; each parser is one linear pass.

export interface IniEntry extends Pos {
  section: string;
  key: string;
  value: string;
}

export interface SystemdDoc {
  kind: 'systemd';
  path: string;
  /** Written by goneat-deploy (its generated-file header): the service of the goneat-deploy.yaml it was generated from. */
  generated?: boolean;
  /** The unit's name: the file's base name without ".service" (or, for a drop-in, the unit it extends). */
  unit: string;
  entries: IniEntry[];
}

/**
 * systemd.syntax(7): "[Section]" headers; "Key=Value" lines with whitespace
 * around "=" dropped; lines starting with # or ; are comments; a line ending
 * in a backslash continues on the next (the backslash becomes a space, and
 * comment lines inside a continuation are skipped). Keys repeat: callers take
 * the last assignment, or the list, as each setting defines.
 */
export function parseSystemd(file: string, text: string): SystemdDoc {
  const entries: IniEntry[] = [];
  let section = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      section = sec[1]!;
      continue;
    }
    const start = i;
    const parts: string[] = [];
    let cur = line;
    while (cur.endsWith('\\') && i + 1 < lines.length) {
      parts.push(cur.slice(0, -1));
      let next = lines[++i]!.trim();
      while ((next.startsWith('#') || next.startsWith(';')) && i + 1 < lines.length) next = lines[++i]!.trim();
      cur = next;
    }
    parts.push(cur);
    const joined = parts.join(' ');
    const eq = joined.indexOf('=');
    if (eq < 0) continue;
    entries.push({ section, key: joined.slice(0, eq).trim(), value: joined.slice(eq + 1).trim(), line: start + 1, column: raw.length - raw.trimStart().length + 1 });
  }
  const base = path.basename(file);
  const dropIn = /^(.+)\.service\.d$/.exec(path.basename(path.dirname(file)));
  const unit = dropIn ? dropIn[1]! : base.replace(/\.service$/, '');
  return { kind: 'systemd', path: file, unit, entries };
}

export interface Stanza extends Pos {
  keyword: string;
  args: string;
  /** The body of a `script` ... `end script` block. */
  script?: string;
}

export interface UpstartDoc {
  kind: 'upstart';
  path: string;
  /** Written by goneat-deploy (its generated-file header): the service of the goneat-deploy.yaml it was generated from. */
  generated?: boolean;
  /** The job's name: the file's base name without ".conf"/".override". */
  job: string;
  stanzas: Stanza[];
}

/**
 * upstart's job files (init(5)): one stanza per line, # comments, a trailing
 * backslash continues the line; `script` (also `pre-start script`,
 * `pre-stop script`, ...) runs to `end script`, whose body is kept.
 */
export function parseUpstart(file: string, text: string): UpstartDoc {
  const stanzas: Stanza[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const start = i;
    const parts: string[] = [];
    let cur = line;
    while (cur.endsWith('\\') && i + 1 < lines.length) {
      parts.push(cur.slice(0, -1));
      cur = lines[++i]!.trim();
    }
    parts.push(cur);
    const joined = parts.join(' ');
    const m = /^(\S+)\s*(.*)$/.exec(joined);
    if (!m) continue;
    const stanza: Stanza = { keyword: m[1]!, args: m[2]!.replace(/\s+#.*$/, ''), line: start + 1, column: raw.indexOf(m[1]!) + 1 };
    if (m[1] === 'script' || / ?script$/.test(m[2]!) && /^(pre-start|post-start|pre-stop|post-stop)$/.test(m[1]!)) {
      const body: string[] = [];
      while (i + 1 < lines.length && !/^\s*end\s+script\b/.test(lines[i + 1]!)) body.push(lines[++i]!);
      i++;
      stanza.script = body.join('\n');
    }
    stanzas.push(stanza);
  }
  return { kind: 'upstart', path: file, job: path.basename(file).replace(/\.(conf|override)$/, ''), stanzas };
}

/** A trpc_go.yaml (or the file a goneat-deploy.yaml names): its presence marks the services beside it as tRPC-Go; GD020 analyses it. */
export interface TrpcConfigDoc {
  kind: 'trpc-config';
  path: string;
  yaml: YamlDocs;
  value: Record<string, unknown> | undefined;
}

/** A tRPC-Go config, whatever its name: its YAML value, and the text (yaml.text) for the trpc-go preset's analysis. */
export function trpcConfigDoc(file: string, text: string): TrpcConfigDoc {
  const yaml = new YamlDocs(text);
  const value = yaml.values()[0];
  return { kind: 'trpc-config', path: file, yaml, value: value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined };
}

/** A Go source file, parsed later (the Go parser loads asynchronously). */
export interface GoSourceDoc {
  kind: 'go';
  path: string;
  text: string;
}

export type LintFile = DockerfileDoc | ComposeDoc | K8sDoc | SystemdDoc | UpstartDoc | TrpcConfigDoc | GoSourceDoc;

const MAY_BE_WORKLOAD = /\bkind["']?\s*:\s*["']?(Pod|Deployment|StatefulSet|DaemonSet|ReplicaSet|ReplicationController|Job|CronJob)\b/;
const MAY_BE_COMPOSE = /(^|[{,\s])["']?services["']?\s*:/m;
const UPSTART_STANZA = /^\s*(respawn|exec|script|start on|stop on|kill (timeout|signal)|reload signal|expect|pre-start|post-stop|console|normal exit)\b/m;

/** Recognizes a file by name, then content; undefined when lint has nothing to say about it. Marks files goneat-deploy generated (their header). */
export function classify(file: string, text: string): LintFile | undefined {
  const f = classifyKind(file, text);
  if (f && f.kind !== 'go' && f.kind !== 'trpc-config' && /goneat-deploy:generated sha256:/.test(text.slice(0, 600))) f.generated = true;
  if (f?.kind === 'compose') applyInterpolation(f, text);
  return f;
}

function classifyKind(file: string, text: string): LintFile | undefined {
  const base = path.basename(file);
  if (/^(Dockerfile|Containerfile)(\..+)?$/i.test(base) || /\.(dockerfile|containerfile)$/i.test(base)) return parseDockerfile(file, text);
  if (/\.service$/.test(base)) return parseSystemd(file, text);
  if (/\.conf$/.test(base) && /\.service\.d$/.test(path.basename(path.dirname(file))) && /^\s*\[\w+\]/m.test(text)) return parseSystemd(file, text);
  if ((/\.(conf|override)$/.test(base) || base === 'upstart') && UPSTART_STANZA.test(text)) return parseUpstart(file, text);
  if (/\.go$/.test(base)) return /_test\.go$/.test(base) ? undefined : { kind: 'go', path: file, text };
  if (/^trpc_go\.ya?ml$/.test(base)) return trpcConfigDoc(file, text);
  if (/\.ya?ml$/.test(base)) {
    if (base === 'goneat-deploy.yaml') return undefined;
    // Parse only YAML that can hold a workload: a compose file (services:) or a Kubernetes workload kind.
    // A Service, a PodDisruptionBudget or a kustomization has nothing lint judges; skipping them halves a monorepo's YAML.
    if (!MAY_BE_WORKLOAD.test(text) && !MAY_BE_COMPOSE.test(text)) return undefined;
    const yaml = new YamlDocs(text);
    const values = yaml.values();
    const first = values[0] as Record<string, unknown> | undefined;
    if (first && typeof first === 'object' && first.services && typeof first.services === 'object') {
      return { kind: 'compose', path: file, yaml, services: first.services as Record<string, Record<string, unknown>> };
    }
    const objects = values
      .map((value, index) => ({ index, value: value as Record<string, unknown> }))
      .filter((o) => o.value && typeof o.value === 'object' && typeof o.value.apiVersion === 'string' && typeof o.value.kind === 'string');
    if (objects.length) return { kind: 'k8s', path: file, yaml, objects };
  }
  return undefined;
}
