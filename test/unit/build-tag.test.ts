import { describe, expect, it } from 'vitest';
import { resolveTag } from '../../src/image/build.js';
import { goBuildArgs } from '../../src/image/gobuild.js';

describe('--tag', () => {
  it.each([
    [undefined, 'example/echo:dev'],
    ['1.2.3', 'example/echo:1.2.3'],
    ['other/echo:7', 'other/echo:7'],
    ['echo:7', 'echo:7'],
    ['localhost:5000/team/echo:1', 'localhost:5000/team/echo:1'],
    ['localhost:5000/team/echo', 'localhost:5000/team/echo:latest'],
  ])('%s → %s', (tag, ref) => {
    expect(resolveTag('example/echo', 'dev', tag)).toBe(ref);
  });

  it.each(['bad tag', 'UPPER/echo:1', 'echo:', ':1', 'a/b:c d', '-x'])('refuses %j', (tag) => {
    expect(() => resolveTag('example/echo', 'dev', tag)).toThrow(/--tag .*expected a tag like/);
  });
});

describe('go build arguments', () => {
  it('are static, trimmed and reproducible', () => {
    expect(goBuildArgs({ dir: '/p', main: 'cmd/server', ldflags: '-s -w -buildid=', tags: ['netgo'], arch: 'amd64', out: '/tmp/x' })).toEqual([
      'build', '-trimpath', '-buildvcs=false', '-tags', 'netgo', '-ldflags=-s -w -buildid=', '-o', '/tmp/x', './cmd/server',
    ]);
    expect(goBuildArgs({ dir: '/p', main: '.', ldflags: '', tags: [], arch: 'arm64', out: 'o' }).at(-1)).toBe('.');
  });
});
