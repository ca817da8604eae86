// The judgement of a zone-affinity check, one source pod at a time: the default rule is the one of
// Kubernetes' test/e2e/network/traffic_distribution.go (checkTrafficDistribution: from the newest
// answer back, only wanted endpoints until 10 in a row have answered and every wanted one has; a
// client whose zone has no endpoint wants them all), beside `sameZone: N%` and `spread`.

import t from 'tap';
import type { AffinityCheck, AffinityExpectation } from '../../src/model/affinity.ts';
import { type AffinityTarget, judgeAffinity, judgeSource, type SourceRun } from '../../src/model/affinity-judgement.ts';
import type { AffinityMeasurement } from '../../src/model/affinity-plan.ts';
import { parseTarget } from '../../src/model/target.ts';

const endpoint = (pod: string, zone: string | undefined, ready = true) => ({
  pod,
  ips: [`10.0.0.${pod.slice(-1)}`],
  node: `node-${zone ?? 'x'}`,
  ...(zone ? { zone } : {}),
  ready,
});
const TARGET: AffinityTarget = {
  service: 'zones/paperino',
  trafficDistribution: 'PreferClose',
  endpoints: [endpoint('p0', 'a'), endpoint('p1', 'b'), endpoint('p2', 'a'), endpoint('p3', 'b')],
};

/** A measurement of `answers` (pod names, `null` for an answer naming none), in arrival order. */
function measured(answers: (string | null)[], extra: Partial<AffinityMeasurement> = {}): AffinityMeasurement {
  const identities = [...new Set(answers.filter((a): a is string => a !== null))];
  return {
    sent: answers.length,
    identities,
    sequence: answers.map((a) => (a === null ? -1 : identities.indexOf(a))),
    failures: { timeout: 0, refused: 0, error: 0 },
    ...extra,
  };
}
const repeat = (pods: string[], n: number): string[] => Array.from({ length: n }, (_, i) => pods[i % pods.length]!);
const run = (answers: (string | null)[], zone: string | null = 'a', extra = {}): SourceRun => ({
  pod: 'zones/pippo-0',
  node: 'node-a',
  ...(zone ? { zone } : {}),
  measurement: measured(answers, extra),
});
const DEFAULT: AffinityExpectation = { kind: 'default' };

const rows: {
  name: string;
  expect?: AffinityExpectation;
  target?: AffinityTarget;
  run: SourceRun;
  verdict: string;
  why: RegExp;
}[] = [
  {
    name: 'same-zone answers only, each same-zone endpoint reached: met',
    run: run(repeat(['p0', 'p2'], 100)),
    verdict: 'met',
    why: /only the 2 ready endpoints of a answered/,
  },
  {
    name: 'one other-zone answer among the newest ten: not met',
    run: run([...repeat(['p0', 'p2'], 95), 'p1', ...repeat(['p0', 'p2'], 4)]),
    verdict: 'not-met',
    why: /answered by p1 \(b\), outside/,
  },
  {
    name: 'an other-zone answer before ten same-zone ones in a row and every endpoint is ignored, as the e2e test ignores kube-proxy lag',
    run: run(['p1', ...repeat(['p0', 'p2'], 30)]),
    verdict: 'met',
    why: /only the 2/,
  },
  {
    name: 'a same-zone endpoint never answers: not met',
    run: run(repeat(['p0'], 100)),
    verdict: 'not-met',
    why: /1 of 2 wanted endpoints never answered \(p2\)/,
  },
  {
    name: 'the zone has no ready endpoint: every ready endpoint is wanted (the fallback)',
    target: {
      ...TARGET,
      endpoints: [endpoint('p0', 'a', false), endpoint('p1', 'b'), endpoint('p2', 'a', false), endpoint('p3', 'b')],
    },
    run: run(repeat(['p1', 'p3'], 100)),
    verdict: 'met',
    why: /a has no ready endpoint: every ready endpoint answered/,
  },
  {
    name: 'a client in a zone without endpoints must reach every endpoint',
    run: run(repeat(['p0', 'p1', 'p2'], 100), 'c'),
    verdict: 'not-met',
    why: /1 of 4 wanted endpoints never answered \(p3\)/,
  },
  {
    name: 'fewer than 20 answers: could not decide',
    run: run(repeat(['p0', 'p2'], 19)),
    verdict: 'undecided',
    why: /too few answers: 19/,
  },
  {
    name: 'an answer naming no pod: could not decide',
    run: run([...repeat(['p0', 'p2'], 50), null]),
    verdict: 'undecided',
    why: /1 answers named no pod/,
  },
  {
    name: 'an answer from a pod that is no endpoint: could not decide',
    run: run([...repeat(['p0', 'p2'], 50), 'stranger']),
    verdict: 'undecided',
    why: /"stranger", which is no pod of zones\/paperino/,
  },
  {
    name: 'the source node has no zone: could not decide',
    run: run(repeat(['p0', 'p2'], 50), null),
    verdict: 'undecided',
    why: /node node-a has no zone/,
  },
  {
    name: "an endpoint's node has no zone: could not decide",
    target: { ...TARGET, endpoints: [endpoint('p0', 'a'), endpoint('p2', undefined)] },
    run: run(repeat(['p0', 'p2'], 50)),
    verdict: 'undecided',
    why: /endpoint p2's node node-x has no zone/,
  },
  {
    name: 'a target that never answered: could not decide',
    run: run([], 'a', {
      sent: 100,
      failures: { timeout: 0, refused: 100, error: 0 },
      firstFailure: 'connect ECONNREFUSED',
    }),
    verdict: 'undecided',
    why: /never answered: 100 requests failed \(connect ECONNREFUSED\)/,
  },
  {
    name: 'more than 5 % unanswered: could not decide',
    run: run(repeat(['p0', 'p2'], 90), 'a', { sent: 100, failures: { timeout: 10, refused: 0, error: 0 } }),
    verdict: 'undecided',
    why: /10 of 100 requests got no answer/,
  },
  {
    name: 'an interrupted sender: could not decide',
    run: run(repeat(['p0', 'p2'], 40), 'a', { interrupted: true }),
    verdict: 'undecided',
    why: /interrupted after 40/,
  },
  {
    name: 'sameZone 95%: 96 of 100 from the zone is met',
    expect: { kind: 'sameZone', share: 0.95, written: '95%' },
    run: run([...repeat(['p1'], 4), ...repeat(['p0'], 96)]),
    verdict: 'met',
    why: /96 % from a, at least 95%/,
  },
  {
    name: 'sameZone 95%: 94 of 100 from the zone is not met',
    expect: { kind: 'sameZone', share: 0.95, written: '95%' },
    run: run([...repeat(['p1'], 6), ...repeat(['p0'], 94)]),
    verdict: 'not-met',
    why: /94 % from a, below 95%/,
  },
  {
    name: 'sameZone while the zone has no ready endpoint: the fallback is met',
    expect: { kind: 'sameZone', share: 0.95, written: '95%' },
    target: { ...TARGET, endpoints: [endpoint('p0', 'a', false), endpoint('p1', 'b')] },
    run: run(repeat(['p1'], 50)),
    verdict: 'met',
    why: /fallback/,
  },
  {
    name: 'spread: every ready endpoint in both zones answered is met',
    expect: { kind: 'spread' },
    run: run(repeat(['p0', 'p1', 'p2', 'p3'], 100)),
    verdict: 'met',
    why: /every ready endpoint answered/,
  },
  {
    name: 'spread: same-zone answers only is not met',
    expect: { kind: 'spread' },
    run: run(repeat(['p0', 'p2'], 100)),
    verdict: 'not-met',
    why: /2 of 4 ready endpoints never answered \(p1, p3\)/,
  },
];

for (const row of rows)
  t.test(row.name, async (t) => {
    const result = judgeSource(row.expect ?? DEFAULT, row.target ?? TARGET, row.run);
    t.equal(result.verdict, row.verdict);
    t.match(result.why, row.why);
  });

const address = parseTarget('http://paperino.zones.svc.cluster.local/');
if (!address.ok) throw new Error(address.error);
const CHECK: AffinityCheck = {
  kind: 'affinity',
  name: 'same-zone',
  from: 'pippo',
  to: 'paperino',
  address: address.value,
  timeoutMs: 2000,
  requests: 100,
  identity: { header: 'x-pod-name' },
  expect: DEFAULT,
};

t.test('a check is the worst of its source pods, and says what the Service asks for', async (t) => {
  const good = run(repeat(['p0', 'p2'], 100));
  const bad = { ...run(repeat(['p1', 'p3'], 100)), pod: 'zones/pippo-1' };
  const met = judgeAffinity(CHECK, { target: TARGET, sources: [good] });
  t.equal(met.verdict, 'met');
  t.equal(met.setting, 'zones/paperino has trafficDistribution: PreferClose');
  t.same(met.sources[0]?.byZone, { a: 100 });
  t.equal(judgeAffinity(CHECK, { target: TARGET, sources: [good, bad] }).verdict, 'not-met');
  const { trafficDistribution: _, ...unset } = TARGET;
  const none = judgeAffinity(CHECK, { target: unset, sources: [bad] });
  t.match(none.setting, /has no trafficDistribution .*affinity is not asked for/);
  // A cluster's slices without zone hints: kube-proxy ignores the setting (pkg/proxy/topology.go).
  const unhinted = judgeAffinity(CHECK, { target: { ...TARGET, unhinted: 3 }, sources: [good] });
  t.equal(
    unhinted.setting,
    'zones/paperino has trafficDistribution: PreferClose, but 3 of its ready endpoints carry no zone hint in its EndpointSlices: the setting is ignored, every endpoint may answer',
  );
  t.equal(judgeAffinity(CHECK, { target: TARGET, sources: [] }).verdict, 'undecided');
  const notRun = judgeAffinity(CHECK, { why: 'prober check sends from where it runs' });
  t.equal(notRun.verdict, 'undecided');
  t.equal(notRun.why, 'prober check sends from where it runs');
});
