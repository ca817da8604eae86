// The JSON Schemas of prober's inputs, with the bounds that code defines once (in model/) filled in.

import { PROBE_TIMEOUT } from '../model/duration.ts';
import profileJson from './lab-profile.schema.json' with { type: 'json' };
import planJson from './probe-plan.schema.json' with { type: 'json' };
import testJson from './reachability-test.schema.json' with { type: 'json' };

/**
 * The ProbePlan schema. Its `timeoutMs` range is PROBE_TIMEOUT, the same range `--timeout` and a test
 * file's `timeout` fields are held to, so a plan an orchestrator writes always passes its agent's check.
 */
export const planSchema = {
  ...planJson,
  definitions: {
    ...planJson.definitions,
    timeoutMs: { ...planJson.definitions.timeoutMs, minimum: PROBE_TIMEOUT.minMs, maximum: PROBE_TIMEOUT.maxMs },
  },
};

/** The ReachabilityTest schema (its durations are strings; their range is checked when they are parsed). */
export const testSchema = testJson;

/** The LabProfile schema: a lab's program choices and demo story (`prober lab … --profile`). */
export const profileSchema = profileJson;
