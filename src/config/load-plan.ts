// Loads the probe plan an agent runs (JSON from a file, stdin or the environment), with positioned errors.

import type { ProbePlan } from '../model/plan.ts';
import { ConfigError } from './config-error.ts';
import schema from './probe-plan.schema.json' with { type: 'json' };
import { checkSchema } from './schema-check.ts';
import { parseSingleYaml } from './yaml-file.ts';

/** Validates plan text; `origin` names where it came from (a file, `<stdin>`, `$PROBER_PLAN`). */
export function parseProbePlan(origin: string, text: string): ProbePlan {
  if (!text.trim()) throw new ConfigError(origin, undefined, undefined, 'the probe plan is empty');
  const doc = parseSingleYaml(origin, text);
  checkSchema(doc, schema);
  const plan = doc.value as ProbePlan;
  const seen = new Set<string>();
  plan.probes.forEach((probe, index) => {
    if (seen.has(probe.id)) throw new ConfigError(origin, doc.lineOf(['probes', index, 'id']), `probes[${index}].id`, `duplicate probe id "${probe.id}"`);
    seen.add(probe.id);
  });
  return plan;
}
