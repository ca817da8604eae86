// The JSON Schema validators of prober's inputs. From source they are compiled at start-up; the
// build replaces this module with the same validators precompiled (Ajv standalone code), so the
// binary, and every agent it starts, skips schema compilation.

import { Ajv, type ValidateFunction } from 'ajv';
import { ERROR_MESSAGE } from '../model/json-schema.ts';
import { planSchema, profileSchema, testSchema } from './schemas.ts';

/**
 * The options the validators are compiled with, here and in the build. `verbose` puts the failing
 * schema on each error, so messages can use the wording the schema carries (ERROR_MESSAGE), which
 * strict mode must be told is a known keyword.
 */
export const AJV_OPTIONS = { allErrors: true, strict: true, verbose: true, keywords: [ERROR_MESSAGE] };

const ajv = new Ajv(AJV_OPTIONS);

/** Validates a ProbePlan (what `prober agent` runs). */
export const validatePlan: ValidateFunction = ajv.compile(planSchema);

/** Validates a ReachabilityTest document. */
export const validateTest: ValidateFunction = ajv.compile(testSchema);

/** Validates a LabProfile document. */
export const validateProfile: ValidateFunction = ajv.compile(profileSchema);
