/** Which Compose the CLI picks (src/runtime/compose.ts), with a fake command runner; the real tools are in test/e2e/compose.test.ts. */
import { describe, expect, it } from 'vitest';
import { describeCompose, detectCompose, parseComposeVersion, type RunCommand } from '../../src/runtime/compose.js';
import { compareApiVersions } from '../../src/runtime/docker/client.js';

/** Answers `version --short` for the commands given; every other command fails as a missing binary would. */
function tools(answers: Record<string, string>): { run: RunCommand; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    run: async (cmd, args) => {
      const line = [cmd, ...args].join(' ');
      calls.push(line);
      return answers[line];
    },
  };
}

describe('detectCompose', () => {
  it('prefers Compose v2 (docker compose) when both are installed, without asking v1', async () => {
    const t = tools({ 'docker compose version --short': '2.26.1-4\n', 'docker-compose version --short': '1.29.2\n' });
    expect(await detectCompose({}, t.run)).toEqual({ argv: ['docker', 'compose'], version: '2.26.1-4', generation: 2 });
    expect(t.calls).toEqual(['docker compose version --short']);
  });

  it('falls back to docker-compose v1 when the plugin is missing', async () => {
    const t = tools({ 'docker-compose version --short': '1.29.2\n' });
    const tool = await detectCompose({}, t.run);
    expect(tool).toEqual({ argv: ['docker-compose'], version: '1.29.2', generation: 1 });
    expect(describeCompose(tool)).toBe('docker-compose 1.29.2 (Compose v1; `docker compose` (v2) is not installed)');
  });

  it('takes the generation from the version, not the name: Debian 13 links docker-compose to the v2 plugin', async () => {
    const t = tools({ 'docker-compose version --short': 'v2.26.1\n' });
    expect(await detectCompose({}, t.run)).toEqual({ argv: ['docker-compose'], version: '2.26.1', generation: 2 });
  });

  it('finds none when neither runs, or one prints no version', async () => {
    expect(await detectCompose({}, tools({ 'docker compose version --short': 'docker: unknown command\n' }).run)).toBeUndefined();
    expect(describeCompose(undefined)).toMatch(/none found/);
  });

  it('parses both generations\' version strings', () => {
    expect(parseComposeVersion('v2.40.3')).toEqual({ version: '2.40.3', major: 2 });
    expect(parseComposeVersion('1.29.2')).toEqual({ version: '1.29.2', major: 1 });
    expect(parseComposeVersion('')).toBeUndefined();
  });
});

describe('Engine API version negotiation', () => {
  it('compares versions part by part, as numbers', () => {
    expect(compareApiVersions('1.41', '1.45')).toBeLessThan(0);
    expect(compareApiVersions('1.45', '1.45')).toBe(0);
    expect(compareApiVersions('1.100', '1.45')).toBeGreaterThan(0);
    expect(compareApiVersions('2.0', '1.99')).toBeGreaterThan(0);
  });
});
