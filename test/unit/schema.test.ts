import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { publishedSchema } from '../../src/model/schema.js';
import { ROOT } from '../helpers/cli.js';

describe('the published JSON Schema', () => {
  const published = JSON.parse(readFileSync(path.join(ROOT, 'schema/goneat-deploy.schema.json'), 'utf8')) as Record<string, unknown>;

  it('is what the validator uses (schema/goneat-deploy.schema.json is in sync)', () => {
    expect(published).toEqual(publishedSchema());
  });

  it('accepts the example config and rejects an unknown key, in a plain JSON Schema validator', () => {
    const ajv = new Ajv({ strict: false });
    const validate = ajv.compile(published);
    const example = YAML.parse(readFileSync(path.join(ROOT, 'examples/echo/goneat-deploy.yaml'), 'utf8')) as Record<string, unknown>;
    expect(validate(example)).toBe(true);
    expect(validate({ ...example, replicaz: 1 })).toBe(false);
  });

  it('documents every field, at every depth, for editors', () => {
    const undocumented: string[] = [];
    const walk = (schema: Record<string, unknown>, at: string) => {
      for (const [name, p] of Object.entries((schema.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        if (!p.description) undocumented.push(`${at}${name}`);
        walk(p, `${at}${name}.`);
        if (p.items) walk(p.items as Record<string, unknown>, `${at}${name}[].`);
      }
    };
    walk(published, '');
    expect(undocumented).toEqual([]);
  });
});
