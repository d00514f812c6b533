/**
 * Compiles the config schema with ajv at run time: used from source (tests,
 * tsx). The bundle replaces this module (scripts/build.mjs) because it ships
 * the validator precompiled, so ajv's compiler and the schema library are not
 * loaded at start-up.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { ConfigSchema, type Config } from '../model/schema.js';

export { ConfigSchema };

export const AJV_OPTIONS = { allErrors: true, verbose: true, strict: true, allowUnionTypes: true } as const;
export const ANNOTATIONS = ['x-expected', 'x-key-expected'];

export function compileConfigValidator(): ValidateFunction<Config> {
  const ajv = new Ajv(AJV_OPTIONS);
  for (const keyword of ANNOTATIONS) ajv.addKeyword({ keyword, schemaType: 'string' });
  return ajv.compile<Config>(ConfigSchema);
}
