/**
 * GD022: `goneat-deploy:ignore` comments that do not say what the README says
 * they take — `goneat-deploy:ignore GDnnn <reason>`. What a user expects:
 * - no reason: the suppression still applies (a lint run must not start
 *   failing because a comment is terse), and GD022 warns that it needs one;
 * - an ID that is no rule (GD999, gd017, GD17): it suppresses nothing — which
 *   the user did not mean — so GD022 warns, naming it;
 * - no ID at all: likewise.
 * The suppression itself is lint.ts `suppressed` (unchanged: the listed IDs
 * on the finding's line or the line above).
 */
import type { Rule } from '../rule.js';

const MARKER = 'goneat-deploy:ignore';

export interface IgnoreComment {
  line: number;
  column: number;
  /** The IDs as written. */
  ids: string[];
  /** What follows the IDs, comment closers and separators removed. */
  reason: string;
}

/** Every `goneat-deploy:ignore` in a text, with its IDs and reason (one per line; any comment syntax). */
export function ignoreComments(text: string): IgnoreComment[] {
  const out: IgnoreComment[] = [];
  if (!text.includes(MARKER)) return out;
  text.split('\n').forEach((l, i) => {
    const at = l.indexOf(MARKER);
    if (at < 0) return;
    const words = l.slice(at + MARKER.length).replace(/\*\/\s*$|-->\s*$/, '').split(/[\s,]+/).filter(Boolean);
    const ids: string[] = [];
    // IDs, each possibly followed by a colon before the reason ("GD017: legacy mode").
    for (let m; words.length && (m = /^([a-z]{2}\d+)(:?)$/i.exec(words[0]!)); ) {
      ids.push(m[1]!);
      words.shift();
      if (m[2]) break;
    }
    const reason = words.join(' ').replace(/^[-–—:;]+\s*/, '').trim();
    out.push({ line: i + 1, column: at + 1, ids, reason });
  });
  return out;
}

export const ignoreComment: Rule = {
  id: 'GD022',
  name: 'ignore-comment-incomplete',
  level: 'warning',
  doc: {
    what: 'A `goneat-deploy:ignore` comment without a reason, naming an ID that is no lint rule (`GD999`, `gd017`), or naming none. Without a reason the suppression still applies; an unknown ID suppresses nothing.',
    why: 'A suppression is a decision someone made: without the reason the next reader cannot tell a deliberate exception from a silenced bug. An ID that is no rule (a typo, lower case) silently suppresses nothing, so the finding it was meant for is still reported — or the comment lingers after the rule was renamed in the writer\'s head.',
    fix: 'Write `goneat-deploy:ignore GDnnn <reason>` (one or more IDs, upper case, as `goneat-deploy lint --help` lists them), on the finding\'s line or the line above.',
    source: 'goneat-deploy README (lint: "goneat-deploy:ignore GDnnn <reason> in a comment suppresses one")',
  },
  check(ctx, report) {
    const ids = ctx.ruleIds ?? [];
    const known = new Set(ids);
    const linted = new Set(ctx.files.map((f) => f.path));
    for (const input of ctx.inputs ?? []) {
      if (!linted.has(input.path)) continue;
      for (const c of ignoreComments(input.text)) {
        const unknown = c.ids.filter((id) => !known.has(id));
        const valid = c.ids.filter((id) => known.has(id));
        if (!c.ids.length) report(input.path, c, `goneat-deploy:ignore names no rule, so it suppresses nothing; write goneat-deploy:ignore GDnnn <reason>`);
        else if (unknown.length) report(input.path, c, `goneat-deploy:ignore names ${unknown.join(', ')}, which ${unknown.length > 1 ? 'are' : 'is'} not a lint rule (${ids[0]}–${ids.at(-1)}, upper case): ${valid.length ? `only ${valid.join(', ')} is suppressed` : 'it suppresses nothing'}; fix the ID`);
        if (c.ids.length && !c.reason) report(input.path, c, `goneat-deploy:ignore ${c.ids.join(' ')} has no reason: ${valid.length ? 'it still suppresses, but ' : ''}say why, e.g. goneat-deploy:ignore ${c.ids.join(' ')} <why this is deliberate>`);
      }
    }
  },
};
