/**
 * upstart reads job files with libnih's config parser. This is a port of
 * nih_config_token (nih/config.c) for the tests — the version with the
 * `toklen` out-parameter, libnih 1.0.x, which upstart 1.x links (checked for
 * issue 19 against that source): a backslash escapes the next character
 * inside and outside quotes; when dequoting (nih_config_next_arg: `env`,
 * `description`, `chdir`, `setuid`) the backslash is dropped only before a
 * backslash or a blank and kept before anything else, and quotes are removed;
 * a token ends at a blank outside quotes (arguments) or at "#" (a comment);
 * an unterminated quote or a trailing backslash is an error. Not ported:
 * newlines inside a token (goneat-deploy refuses them in every value).
 */
export function nihToken(text: string, dequote: boolean): string {
  let out = '';
  let slash = false;
  let quote = '';
  for (const ch of text) {
    if (slash) {
      slash = false;
      if (ch === '\\' || ch === ' ' || ch === '\t') out += dequote ? ch : `\\${ch}`;
      else out += `\\${ch}`;
      continue;
    }
    if (ch === '\\') {
      slash = true;
      continue;
    }
    if (quote) {
      if (ch === quote) {
        quote = '';
        if (!dequote) out += ch;
      } else out += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      if (!dequote) out += ch;
    } else if (ch === '#' || (dequote && (ch === ' ' || ch === '\t'))) {
      // An argument (dequote) ends at a blank and anything ends at a comment: the token would be cut short.
      throw new Error(`libnih: token ends early at ${JSON.stringify(ch)}`);
    } else out += ch;
  }
  if (slash) throw new Error('libnih: trailing slash');
  if (quote) throw new Error('libnih: unterminated quote');
  return out;
}
