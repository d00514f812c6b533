/**
 * A parsed YAML document that can tell where a field is: every error names
 * file:line:column. Pure (no filesystem). goneat-deploy.yaml is read with it
 * (config/load.ts, config/validate.ts), and so is trpc_go.yaml by the trpc-go
 * preset's analysis (model/trpc.ts), which lint and init share.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { FieldPath, LocatedIssue } from './issues.js';

export type { FieldPath };

export function formatPath(path: FieldPath): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${p}` : p;
  }
  return out;
}

export class YamlSource {
  readonly file: string;
  readonly doc: Document.Parsed;
  private readonly lines: LineCounter;

  private constructor(file: string, doc: Document.Parsed, lines: LineCounter) {
    this.file = file;
    this.doc = doc;
    this.lines = lines;
  }

  /** Parses YAML text. Syntax errors come back as issues with positions. */
  static parse(file: string, text: string): { source: YamlSource; issues: LocatedIssue[] } {
    const lines = new LineCounter();
    // logLevel 'error': yaml's own warnings (e.g. "Keys with collection values will be stringified") would reach
    // stderr through process.emitWarning; what matters about the file comes back as issues.
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true, logLevel: 'error' });
    const source = new YamlSource(file, doc, lines);
    const issues: LocatedIssue[] = doc.errors.map((e) => {
      const pos = lines.linePos(e.pos[0]);
      const firstLine = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      return { file, line: pos.line, column: pos.col, field: '', message: `invalid YAML: ${firstLine}` };
    });
    return { source, issues };
  }

  /** The node at a path, or the deepest existing ancestor. */
  private nodeAt(path: FieldPath): { node: Node | null; exact: boolean } {
    let node: unknown = this.doc.contents;
    for (const key of path) {
      let next: unknown;
      if (isMap(node)) {
        next = node.items.find((pair) => isPair(pair) && isScalar(pair.key) && String(pair.key.value) === String(key))?.value;
      } else if (isSeq(node) && typeof key === 'number') {
        next = node.items[key];
      }
      if (next === undefined || next === null) return { node: (node as Node) ?? null, exact: false };
      node = next;
    }
    return { node: (node as Node) ?? null, exact: true };
  }

  /** Position of the key node of `key` inside the map at `path` (for unknown-key errors). */
  keyPosition(path: FieldPath, key: string): { line: number; column: number } | undefined {
    const { node, exact } = this.nodeAt(path);
    if (!exact || !isMap(node)) return this.position(path);
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
    const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
    return range ? this.at(range[0]) : this.position(path);
  }

  /** Position of the value at `path`, or of its nearest existing parent. */
  position(path: FieldPath): { line: number; column: number } | undefined {
    const { node } = this.nodeAt(path);
    const range = node?.range;
    if (range) return this.at(range[0]);
    return { line: 1, column: 1 };
  }

  private at(offset: number): { line: number; column: number } {
    const p = this.lines.linePos(offset);
    return { line: p.line, column: p.col };
  }

  issue(path: FieldPath, message: string, opts: { key?: string } = {}): LocatedIssue {
    const pos = opts.key !== undefined ? this.keyPosition(path, opts.key) : this.position(path);
    const field = formatPath(opts.key !== undefined ? [...path, opts.key] : path);
    return { file: this.file, line: pos?.line, column: pos?.column, field, message };
  }

  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: 100 });
  }
}
