/** Real validators: the Compose Specification schema (vendored copy), compiled with ajv. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import YAML from 'yaml';
import { ROOT } from './cli.js';

let composeValidator: ValidateFunction | undefined;

export function validateCompose(text: string): string[] {
  if (!composeValidator) {
    const schema = JSON.parse(readFileSync(path.join(ROOT, 'test', 'vendor', 'compose-spec.json'), 'utf8')) as Record<string, unknown>;
    delete schema.$schema;
    const ajv = new Ajv({ allErrors: true, strict: false });
    composeValidator = ajv.compile(schema);
  }
  const data = YAML.parse(text, { version: '1.1' }) as unknown;
  if (composeValidator(data)) return [];
  return (composeValidator.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}
