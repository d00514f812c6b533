/**
 * The file formats lint reads, parsed with positions. Pure: text in, parsed
 * structure out. Recognition goes by name first, then by content.
 */
import path from 'node:path';
import { LineCounter, parseAllDocuments, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';

export interface Pos {
  line: number;
  column: number;
}

// ---------------------------------------------------------------- Dockerfile

export interface Instruction extends Pos {
  /** Upper-case instruction name. */
  name: string;
  /** Everything after the name, continuation lines joined. */
  args: string;
  /** Parsed JSON array when the instruction is in exec form. */
  json?: string[];
  stage: number;
}

export interface DockerfileDoc {
  kind: 'dockerfile';
  path: string;
  instructions: Instruction[];
  /** Instructions of the final build stage (what the image runs). */
  final: Instruction[];
}

export function parseDockerfile(file: string, text: string): DockerfileDoc {
  const lines = text.split('\n');
  const instructions: Instruction[] = [];
  let stage = -1;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const start = i;
    let joined = raw;
    while (/\\\s*$/.test(joined) && i + 1 < lines.length) {
      joined = joined.replace(/\\\s*$/, ' ');
      i++;
      const next = lines[i]!;
      if (next.trim().startsWith('#')) continue; // comments inside continuations are dropped
      joined += next;
    }
    const m = /^(\s*)([A-Za-z]+)(\s+|$)(.*)$/s.exec(joined);
    if (!m) continue;
    const name = m[2]!.toUpperCase();
    if (name === 'FROM') stage++;
    const args = m[4]!.trim();
    let json: string[] | undefined;
    if (args.startsWith('[')) {
      try {
        const parsed = JSON.parse(args) as unknown;
        if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) json = parsed as string[];
      } catch {
        json = undefined;
      }
    }
    instructions.push({ name, args, ...(json ? { json } : {}), line: start + 1, column: m[1]!.length + 1, stage: Math.max(stage, 0) });
  }
  const last = Math.max(0, ...instructions.map((x) => x.stage));
  return { kind: 'dockerfile', path: file, instructions, final: instructions.filter((x) => x.stage === last) };
}

// ---------------------------------------------------------------- YAML (compose, Kubernetes)

export class YamlDocs {
  readonly docs: Document.Parsed[];
  private readonly lc: LineCounter;
  constructor(text: string) {
    this.lc = new LineCounter();
    // YAML 1.2 core: yaml's 1.1 schema reads "." (build: .) as a float. 1.1 booleans are handled by yamlTrue().
    this.docs = parseAllDocuments(text, { lineCounter: this.lc }) as Document.Parsed[];
  }

  /** Position of the value at `path` in document `doc` (or of the deepest existing parent). */
  pos(doc: number, path: ReadonlyArray<string | number>): Pos {
    let node: unknown = this.docs[doc]?.contents;
    let best: Node | undefined = node as Node;
    for (const key of path) {
      let next: unknown;
      if (isMap(node)) next = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key))?.value;
      else if (isSeq(node) && typeof key === 'number') next = node.items[key];
      if (next == null) break;
      node = next;
      best = node as Node;
    }
    const offset = best?.range?.[0] ?? 0;
    const p = this.lc.linePos(offset);
    return { line: p.line, column: p.col };
  }

  /** Position of the key `key` of the map at `path`. */
  keyPos(doc: number, path: ReadonlyArray<string | number>, key: string): Pos {
    let node: unknown = this.docs[doc]?.contents;
    for (const k of path) {
      if (isMap(node)) node = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(k))?.value;
      else if (isSeq(node) && typeof k === 'number') node = node.items[k];
    }
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
      const off = pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      if (off !== undefined) {
        const p = this.lc.linePos(off);
        return { line: p.line, column: p.col };
      }
    }
    return this.pos(doc, path);
  }

  values(): unknown[] {
    return this.docs.map((d) => {
      try {
        return d.toJS({ maxAliasCount: 100 }) as unknown;
      } catch {
        return undefined;
      }
    });
  }
}

/** true, or a YAML 1.1 "yes"/"on"/"y" as docker-compose v1 (PyYAML) reads it. */
export function yamlTrue(v: unknown): boolean {
  return v === true || (typeof v === 'string' && /^(y|yes|on|true)$/i.test(v));
}

export interface ComposeDoc {
  kind: 'compose';
  path: string;
  yaml: YamlDocs;
  services: Record<string, Record<string, unknown>>;
}

export interface K8sDoc {
  kind: 'k8s';
  path: string;
  yaml: YamlDocs;
  objects: Array<{ index: number; value: Record<string, unknown> }>;
}

// ---------------------------------------------------------------- systemd, upstart

export interface IniEntry extends Pos {
  section: string;
  key: string;
  value: string;
}

export interface SystemdDoc {
  kind: 'systemd';
  path: string;
  entries: IniEntry[];
}

export function parseSystemd(file: string, text: string): SystemdDoc {
  const entries: IniEntry[] = [];
  let section = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      section = sec[1]!;
      continue;
    }
    const start = i;
    let joined = line;
    while (joined.endsWith('\\') && i + 1 < lines.length) joined = `${joined.slice(0, -1)} ${lines[++i]!.trim()}`;
    const eq = joined.indexOf('=');
    if (eq < 0) continue;
    entries.push({ section, key: joined.slice(0, eq).trim(), value: joined.slice(eq + 1).trim(), line: start + 1, column: 1 });
  }
  return { kind: 'systemd', path: file, entries };
}

export interface Stanza extends Pos {
  keyword: string;
  args: string;
}

export interface UpstartDoc {
  kind: 'upstart';
  path: string;
  stanzas: Stanza[];
}

export function parseUpstart(file: string, text: string): UpstartDoc {
  const stanzas: Stanza[] = [];
  let inScript = false;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    if (inScript) {
      if (/^end\s+script\b/.test(line)) inScript = false;
      return;
    }
    const m = /^(\S+)\s*(.*)$/.exec(line);
    if (!m) return;
    if (/script$/.test(m[1]!) || m[2] === 'script') inScript = /\bscript$/.test(line);
    stanzas.push({ keyword: m[1]!, args: m[2]!, line: i + 1, column: raw.indexOf(m[1]!) + 1 });
  });
  return { kind: 'upstart', path: file, stanzas };
}

export type LintFile = DockerfileDoc | ComposeDoc | K8sDoc | SystemdDoc | UpstartDoc;

/** Recognizes a file by name, then content; undefined when lint has nothing to say about it. */
export function classify(file: string, text: string): LintFile | undefined {
  const base = path.basename(file);
  if (/^(Dockerfile|Containerfile)(\..+)?$/i.test(base) || /\.(dockerfile|containerfile)$/i.test(base)) return parseDockerfile(file, text);
  if (/\.service$/.test(base)) return parseSystemd(file, text);
  if (/\.conf$/.test(base) && /^\s*(respawn|exec|start on|kill timeout|expect)\b/m.test(text)) return parseUpstart(file, text);
  if (/\.ya?ml$/.test(base)) {
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
