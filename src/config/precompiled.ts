/**
 * Replaced at bundle time (scripts/build.mjs) by the config validator
 * compiled ahead of time with ajv's standalone code generation, so start-up
 * compiles no schema. From source (tests, tsx) it is absent and validate.ts
 * compiles the schema at run time.
 */
import type { ValidateFunction } from 'ajv';
import type { Config } from '../model/schema.js';

export const precompiledValidator: ValidateFunction<Config> | undefined = undefined;
