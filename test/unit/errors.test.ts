import { describe, expect, it } from 'vitest';
import { fileError, InternalError, RuntimeError, UsageError } from '../../src/errors.js';
import { formatElapsed } from '../../src/model/duration.js';

const errno = (code: string) => Object.assign(new Error(`${code}: something`), { code });

describe('fileError: one wording for file problems', () => {
  it.each([
    ['ENOENT', 'read', 'x.yaml: no such file or directory'],
    ['EISDIR', 'read', 'x.yaml: is a directory'],
    ['ENOTDIR', 'write', 'x.yaml: a parent of this path is a file, not a directory'],
    ['EACCES', 'write', 'x.yaml: permission denied (cannot write)'],
    ['EROFS', 'create directory', 'x.yaml: read-only file system (cannot create directory)'],
  ] as const)('%s is a usage error (exit 2): %s', (code, action, message) => {
    const e = fileError(errno(code), 'x.yaml', action);
    expect(e).toBeInstanceOf(UsageError);
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(message);
  });

  it('any other I/O failure is a runtime error (exit 1); a hint and a subject are placed around the problem', () => {
    const e = fileError(errno('EIO'), 'x.yaml', 'write');
    expect(e).toBeInstanceOf(RuntimeError);
    expect(e.message).toBe('x.yaml: cannot write: EIO: something');
    expect(fileError(errno('ENOENT'), 'bin/x', 'read', { subject: 'binary', hint: { ENOENT: 'build it first' } }).message).toBe('binary bin/x: no such file or directory; build it first');
  });

  it('an internal error says so and exits 1', () => {
    const e = new InternalError('the generated Deployment does not validate');
    expect(e.message).toBe('internal error: the generated Deployment does not validate');
    expect(e.exitCode).toBe(1);
  });

  it('measured times print with their precision', () => {
    expect(formatElapsed(10_100)).toBe('10.10 s');
    expect(formatElapsed(300, 3)).toBe('0.300 s');
  });
});
