/**
 * Durations are written the way Go, Compose and systemd users already write
 * them: "500ms", "5s", "1m30s", "2h". A bare number is refused because its
 * unit would be a guess (Compose's `stop_grace_period: 20` is a known trap).
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The JSON Schema pattern for a duration; kept next to the parser it mirrors. */
export const DURATION_PATTERN = '^(0|([0-9]+(\\.[0-9]+)?(ms|s|m|h))+)$';

const PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/gy;

/** Parses a duration into whole milliseconds, or returns undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (text.length === 0) return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = PART.exec(text)) !== null) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    consumed = PART.lastIndex;
  }
  if (consumed !== text.length) return undefined;
  return Math.round(total);
}

/**
 * Formats a configured or derived duration the shortest exact way, as a
 * config would write it: 10000 → "10s", 90000 → "1m30s", 1500 → "1500ms".
 * Every message and file that names a duration uses this (config errors,
 * lint findings, compose healthchecks); measured times use formatElapsed.
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 1000 !== 0) return `${ms}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

/**
 * A measured time with its precision, in seconds: 10100 → "10.10 s" (two
 * digits by default). verify reports what it measured this way; a configured
 * duration is formatDuration's.
 */
export function formatElapsed(ms: number, digits = 2): string {
  return `${(ms / 1000).toFixed(digits)} s`;
}
