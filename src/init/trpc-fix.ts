/**
 * The close-settings fix `init` offers for trpc_go.yaml. Pure: text in, text
 * out. Only the values change: a key that exists gets its value replaced in
 * place (its comment stays), a missing key becomes one new line in the
 * `server` map at its indentation; every other byte of the file is kept.
 * (yaml's Document.toString() would re-space comments and re-quote scalars,
 * so the edits are made on the text at the node ranges the parser reports.)
 */
import { isMap, isScalar, parseDocument, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { CloseFix } from '../model/trpc.js';

const COMMENTS: Record<keyof CloseFix, string> = {
  close_wait_time: 'ms: keeps accepting this long after SIGTERM (set by goneat-deploy init)',
  max_close_wait_time: 'ms: waits for in-flight requests up to this (set by goneat-deploy init)',
};

/**
 * Sets server.<key> for each value in `fix`. Throws when the file has no
 * block-style `server` map to edit (the caller then asks the user to edit it).
 */
export function applyCloseFix(text: string, fix: CloseFix): string {
  const doc = parseDocument(text);
  const server = isMap(doc.contents) ? (doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'server')?.value as YAMLMap | undefined) : undefined;
  if (!isMap(server) || server.flow || !server.items.length) throw new Error('trpc_go.yaml has no block-style `server:` section to edit');
  const first = server.items[0] as Pair<Scalar, unknown>;
  const firstStart = first.key.range![0];
  const lineStart = text.lastIndexOf('\n', firstStart - 1) + 1;
  const indent = text.slice(lineStart, firstStart);
  if (!/^ *$/.test(indent)) throw new Error('trpc_go.yaml: cannot tell the indentation of the `server:` section');

  const edits: Array<{ at: number; end: number; insert: string }> = [];
  const inserted: string[] = [];
  for (const key of ['close_wait_time', 'max_close_wait_time'] as const) {
    const value = fix[key];
    if (value === undefined) continue;
    const pair = server.items.find((p) => isScalar(p.key) && p.key.value === key);
    const node = pair?.value;
    if (pair && isScalar(node) && node.range) edits.push({ at: node.range[0], end: node.range[1], insert: String(value) });
    else if (pair) throw new Error(`trpc_go.yaml: server.${key} is not a plain value`);
    else inserted.push(`${indent}${key}: ${value}   # ${COMMENTS[key]}\n`);
  }
  if (inserted.length) edits.push({ at: lineStart, end: lineStart, insert: inserted.join('') });
  let out = text;
  for (const e of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.insert + out.slice(e.end);

  // The result must read back with exactly these values.
  const check = parseDocument(out);
  for (const [k, v] of Object.entries(fix)) {
    if (check.getIn(['server', k]) !== v || check.errors.length) throw new Error(`trpc_go.yaml: could not set server.${k} safely; edit it by hand`);
  }
  return out;
}
