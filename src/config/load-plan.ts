// Loads the probe plan an agent runs (JSON from a file, stdin or the environment), with positioned errors.

import { MAX_PLAN_BYTES, type ProbePlan } from '../model/plan.ts';
import { ConfigError } from './config-error.ts';
import { jsonNestsDeeper } from './nesting.ts';
import { validatePlan } from './validators.ts';

/** The first duplicate probe id, with its index. */
function duplicateId(plan: ProbePlan): { index: number; id: string } | undefined {
  const seen = new Set<string>();
  for (const [index, probe] of plan.probes.entries()) {
    if (seen.has(probe.id)) return { index, id: probe.id };
    seen.add(probe.id);
  }
  return undefined;
}

/**
 * The plan text of `$PROBER_PLAN_GZ` (gzip, then base64), held to the plan's size limit while it is
 * inflated, so a small variable cannot make the agent allocate without bound.
 */
export function inflatePlan(origin: string, encoded: string): string {
  const bytes = Buffer.from(encoded.trim(), 'base64');
  try {
    // node:zlib loaded here, not imported: an agent given its plan as a file or on stdin never needs it.
    return process
      .getBuiltinModule('node:zlib')
      .gunzipSync(bytes, { maxOutputLength: MAX_PLAN_BYTES })
      .toString('utf8');
  } catch (error) {
    const tooLarge = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new ConfigError(
      origin,
      undefined,
      undefined,
      tooLarge
        ? `the probe plan is larger than ${MAX_PLAN_BYTES / 1024 / 1024} MiB once inflated`
        : 'not a probe plan compressed with gzip and encoded in base64',
    );
  }
}

/**
 * Validates plan text; `origin` names where it came from (a file, `<stdin>`, `$PROBER_PLAN`).
 * Valid JSON takes a fast path (agents start by the dozen in a lab run); only a bad plan pays for
 * the YAML parser that finds the line of the problem.
 */
export async function parseProbePlan(origin: string, text: string): Promise<ProbePlan> {
  if (!text.trim()) throw new ConfigError(origin, undefined, undefined, 'the probe plan is empty');
  let fast: unknown;
  try {
    // Too deep a plan is left to the YAML reader, which refuses it at its line before building it.
    fast = jsonNestsDeeper(text) ? undefined : JSON.parse(text);
  } catch {
    fast = undefined;
  }
  if (fast !== undefined && validatePlan(fast) && !duplicateId(fast as ProbePlan)) return fast as ProbePlan;
  const [{ parseSingleYaml }, { checkSchema }] = await Promise.all([
    import('./yaml-file.ts'),
    import('./schema-check.ts'),
  ]);
  const doc = parseSingleYaml(origin, text);
  checkSchema(doc, validatePlan);
  const plan = doc.value as ProbePlan;
  const duplicate = duplicateId(plan);
  if (duplicate) {
    throw new ConfigError(
      origin,
      doc.lineOf(['probes', duplicate.index, 'id']),
      `probes[${duplicate.index}].id`,
      `duplicate probe id "${duplicate.id}"`,
    );
  }
  return plan;
}
