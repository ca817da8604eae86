// A report whose every name and detail carries the given text, for the renderers' escaping tests.

import { assembleMatrix } from '../../src/model/matrix.ts';
import { buildReport, type Report } from '../../src/model/report.ts';
import { parseTarget } from '../../src/model/target.ts';
import { DEFAULTS, type ReachabilityTest } from '../../src/model/test-spec.ts';

/**
 * Test, context, source, target and rule names all hold `text`, and so does the detail of an error
 * cell (what a target's body or a peer's error message becomes); one cell fails, one errs, one passes.
 */
export function reportCarrying(text: string): Report {
  const parsed = parseTarget('http://web.example:8080/');
  if (!parsed.ok) throw new Error(parsed.error);
  const source = `src ${text}`;
  const [fails, errs, passes] = [`redis ${text}`, `web ${text}`, 'plain'];
  const test: ReachabilityTest = {
    name: `test ${text}`,
    file: 'hostile.yaml',
    defaults: DEFAULTS,
    sources: [{ name: source, namespace: 'b', local: false }],
    targets: [fails, errs, passes].map((name) => ({ name, address: parsed.value, liveness: 'none' as const })),
    rules: [
      { name: `rule ${text}`, from: source, to: fails, verdict: 'deny' },
      { from: source, to: errs, verdict: 'allow' },
      { from: source, to: passes, verdict: 'allow' },
    ],
    expectFromPolicies: false,
  };
  const seen = (observed: 'allow' | 'error', detail?: string) => ({
    url: `http://web.example:8080/${text}`,
    observed,
    reason: observed === 'allow' ? ('http-200' as const) : ('protocol' as const),
    latencyMs: 1,
    attempts: 1,
    ...(detail === undefined ? {} : { detail }),
  });
  const results = new Map([
    [
      source,
      new Map([
        [fails, seen('allow')],
        [errs, seen('error', `body: ${text}`)],
        [passes, seen('allow')],
      ]),
    ],
  ]);
  const cells = assembleMatrix({ test, observations: { results, sourceErrors: new Map(), alive: new Map() } });
  return buildReport({
    test,
    cells,
    metadata: {
      backend: 'cluster',
      context: `ctx ${text}`,
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 1,
      proberVersion: '0.1.0',
    },
  });
}
