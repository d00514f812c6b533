/** verify's human output: a table of checks and the stop timeline. Pure. */
import type { VerifyReport } from './run.js';
import { terminalSafe } from '../util/terminal.js';

export function formatReport(r: VerifyReport, color = false): string {
  const paint = (code: number, t: string) => (color ? `\x1b[${code}m${t}\x1b[0m` : t);
  const mark = { pass: paint(32, 'pass'), fail: paint(31, 'FAIL'), skip: paint(33, 'skip') };
  const how = r.as === 'compose' ? `docker stop: ${r.signal}, SIGKILL after ${r.stopTimeoutS}s` : `kubelet termination: grace ${r.stopTimeoutS}s, ${r.signal}`;
  const width = Math.max(...r.checks.map((c) => c.id.length));
  const lines = [`verify ${terminalSafe(r.image)} as ${r.as} (${how}; settings from ${terminalSafe(r.configFile ?? r.source)})`, ''];
  lines.push(`  ${'CHECK'.padEnd(width)}  RESULT  MEASURED`);
  for (const c of r.checks) lines.push(`  ${c.id.padEnd(width)}  ${mark[c.status]}${' '.repeat(8 - c.status.length)}${terminalSafe(c.measured)}`);
  if (r.timeline.length) {
    lines.push('', '  TIMELINE');
    for (const e of r.timeline) lines.push(`  ${`${e.t >= 0 ? '+' : '-'}${(Math.abs(e.t) / 1000).toFixed(3)}s`.padStart(9)}  ${terminalSafe(e.event)}`);
  }
  const failed = r.checks.filter((c) => c.status === 'fail').length;
  lines.push('', failed ? paint(31, `${failed} check(s) failed`) : paint(32, 'all checks passed'));
  return `${lines.join('\n')}\n`;
}
