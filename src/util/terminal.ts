/**
 * The one place that makes text from users (config values, file names, lines
 * of a linted file) safe to print on a terminal. A terminal acts on control
 * characters: ESC starts a sequence that can retitle the window, clear the
 * screen or recolour what follows ("\e]0;...\a\e[2J"), CR moves back to
 * overwrite a line, and some terminals read the C1 controls U+0080–U+009F
 * (U+009B is CSI, U+009D OSC) the same way; bidirectional formatting
 * characters reorder how a line is displayed (CVE-2021-42574, "Trojan Source").
 * Each of them is shown as a visible escape instead: \e, \r, \n, \t, \xNN,
 * \uNNNN. Printable text, whatever its script, is left alone. Pure.
 */

/** C0 controls and DEL, C1 controls, line/paragraph separators, bidi embeddings/overrides/isolates, BOM. */
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { '\x1b': '\\e', '\r': '\\r', '\n': '\\n', '\t': '\\t', '\x07': '\\a', '\b': '\\b' };

function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const cp = c.charCodeAt(0);
  return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every control, separator and bidi character written as an
 * escape (ESC → "\e", newline → "\n", U+009B → "\x9b", U+202E → "\u202e").
 * For one line of a message: newlines are escaped too.
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/** Like terminalSafe, for a block of lines: newlines (and tabs) stay, everything else is escaped. */
export function terminalSafeLines(text: string): string {
  return text.replace(UNSAFE, (c) => (c === '\n' || c === '\t' ? c : escapeOne(c)));
}
