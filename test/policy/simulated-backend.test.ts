// What the simulated backend "observes" for each kind of prediction: an allow connects, an L3/L4 deny is
// a dropped SYN, a mesh deny a reset, an undecidable cell an error naming why; a prediction made without
// its explanation (a report that prints none) is observed the same, with no detail.
import t from 'tap';
import type { ProbeResult } from '../../src/model/outcome.ts';
import { DEFAULTS, type ReachabilityTest } from '../../src/model/test-spec.ts';
import type { Prediction } from '../../src/policy/prediction.ts';
import { SimulatedBackend } from '../../src/policy/simulated-backend.ts';

const verdict = (computed: 'allow' | 'deny', deniedAt: 'egress' | 'ingress' | 'mesh' | undefined, lines: string[]) =>
  ({ kind: 'verdict', verdict: computed, computed, deniedAt, explanation: lines }) as const;

const EXPLAINED = ['egress: a may reach b', 'ingress: b isolated by np', 'deny (denied at ingress): a → b on 80/TCP'];

const CASES: readonly [string, Prediction, Partial<ProbeResult>][] = [
  [
    'allowed',
    verdict('allow', undefined, ['egress: ok', 'ingress: ok', 'allow: a → b']),
    {
      observed: 'allow',
      reason: 'connected',
      detail: 'simulated: allow: a → b',
    },
  ],
  [
    'denied at ingress',
    verdict('deny', 'ingress', EXPLAINED),
    {
      observed: 'deny',
      reason: 'timeout',
      detail: 'simulated: ingress: b isolated by np',
    },
  ],
  ['denied by the mesh, unexplained', verdict('deny', 'mesh', []), { observed: 'deny', reason: 'reset' }],
  ['denied at egress, unexplained', verdict('deny', 'egress', []), { observed: 'deny', reason: 'timeout' }],
  [
    'undecidable',
    { kind: 'unknown', reason: 'undecidable', detail: 'no pod IP for a' },
    {
      observed: 'error',
      reason: 'undecidable',
      detail: 'simulated: no pod IP for a',
    },
  ],
];

const test: ReachabilityTest = {
  name: 'simulated',
  file: '<test>',
  defaults: DEFAULTS,
  sources: [{ name: 'a', namespace: 'x', selector: {}, local: false }],
  targets: CASES.map(([name]) => ({
    name,
    address: { scheme: 'tcp', host: 'b', port: 80, path: '', url: `tcp://${name}` },
    liveness: 'none',
  })),
  rules: [],
  expectFromPolicies: false,
};

t.test('each kind of prediction is observed as a probe would have seen it', async (t) => {
  const predictions = new Map([['a', new Map(CASES.map(([name, p]) => [name, p]))]]);
  const run = await new SimulatedBackend(() => predictions).observe(test);
  for (const [name, , expected] of CASES) {
    const result = run.observations.results.get('a')!.get(name)!;
    t.same(result, { url: `tcp://${name}`, latencyMs: 0, attempts: 1, ...expected }, name);
  }
});
