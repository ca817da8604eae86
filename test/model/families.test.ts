// A target's IP family from the test file to the report: `both` becomes one column per family named
// for it, expectation rules keep naming the target as written, plans carry the family to the agents,
// and report cells and targets say which family they are (valid against the report schema).

import t from 'tap';
import { parseReachabilityTest } from '../../src/config/load-test.ts';
import { assembleMatrix } from '../../src/model/matrix.ts';
import type { ProbeResult } from '../../src/model/outcome.ts';
import { plansFor } from '../../src/model/plan.ts';
import { buildReport } from '../../src/model/report.ts';
import { reportSchemaErrors } from '../helpers/report-schema.ts';

const TEST = `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: families }
spec:
  sources:
    web: { namespace: web, selector: { app: web } }
    app: { namespace: app, selector: { app: app } }
  targets:
    redis: { url: "redis://redis.data.svc.cluster.local", family: both }
    api: { url: "http://api.app.svc.cluster.local/", family: ipv6 }
    db: { url: "tcp://db.data.svc.cluster.local:5432" }
  expect:
    - { from: "*", to: "*", verdict: allow }
    - { name: "only app reaches redis", from: web, to: redis, verdict: deny }
`;

const test = parseReachabilityTest('families.yaml', TEST);

t.test('family both is one target per family; one family names its column; none keeps the name', async (t) => {
  t.same(
    test.targets.map((x) => [x.name, x.family ?? null, x.written ?? null, x.origin?.line]),
    [
      ['redis (IPv4)', 'ipv4', 'redis', 9],
      ['redis (IPv6)', 'ipv6', 'redis', 9],
      ['api (IPv6)', 'ipv6', 'api', 10],
      ['db', null, null, 11],
    ],
  );
});

t.test('a dns:// target asks for the record of its family, written into its URL', async (t) => {
  const named = parseReachabilityTest(
    'dns.yaml',
    TEST.replace(
      'db: { url: "tcp://db.data.svc.cluster.local:5432" }',
      'db: { url: "dns://db.data.svc.cluster.local?over=tcp", family: both }\n    ok: { url: "dns://a.test?type=AAAA", family: ipv6 }',
    ),
  );
  t.same(
    named.targets.slice(3).map((x) => [x.name, x.family, x.address.url, x.address.dns?.type]),
    [
      ['db (IPv4)', 'ipv4', 'dns://db.data.svc.cluster.local?over=tcp&type=A', 'A'],
      ['db (IPv6)', 'ipv6', 'dns://db.data.svc.cluster.local?over=tcp&type=AAAA', 'AAAA'],
      ['ok (IPv6)', 'ipv6', 'dns://a.test?type=AAAA', 'AAAA'],
    ],
  );
});

t.test('plans carry the family of each probe', async (t) => {
  const [plan] = plansFor(test, test.defaults);
  t.same(
    plan!.probes.map((p) => [p.id, p.family ?? null, p.expect ?? null]),
    [
      ['redis (IPv4)', 'ipv4', 'deny'],
      ['redis (IPv6)', 'ipv6', 'deny'],
      ['api (IPv6)', 'ipv6', 'allow'],
      ['db', null, 'allow'],
    ],
    'a rule naming redis decides both of its families',
  );
});

t.test('cells name their family; the report validates against its schema', async (t) => {
  const result = (observed: 'allow' | 'deny'): ProbeResult => ({
    url: 'redis://redis.data.svc.cluster.local',
    observed,
    reason: observed === 'allow' ? 'pong' : 'timeout',
    latencyMs: 1,
    attempts: 1,
  });
  const web = new Map([
    ['redis (IPv4)', result('deny')],
    ['redis (IPv6)', result('allow')],
    ['api (IPv6)', result('allow')],
    ['db', result('allow')],
  ]);
  const matrix = (alive: Map<string, string>) =>
    assembleMatrix({
      test,
      observations: { results: new Map([['web', web]]), sourceErrors: new Map(), alive },
    }).filter((c) => c.from === 'web');
  // Liveness is per family: reaching redis over IPv6 proves nothing about its IPv4 listener.
  t.match(
    matrix(new Map())[0],
    { to: 'redis (IPv4)', observed: 'error', reason: 'target-down' },
    'an IPv4 deny needs the target proven alive over IPv4',
  );
  const cells = matrix(new Map([['redis (IPv4)', 'answered the node']]));
  t.same(
    cells.map((c) => [c.to, c.family ?? null, c.rule, c.result]),
    [
      ['redis (IPv4)', 'ipv4', 'only app reaches redis', 'pass'],
      ['redis (IPv6)', 'ipv6', 'only app reaches redis', 'fail'],
      ['api (IPv6)', 'ipv6', '* → *', 'pass'],
      ['db', null, '* → *', 'pass'],
    ],
  );
  const report = buildReport({
    test,
    metadata: { backend: 'local', startedAt: new Date(0).toISOString(), durationMs: 1, proberVersion: 'test' },
    cells,
  });
  t.same(reportSchemaErrors(JSON.parse(JSON.stringify(report))), []);
  t.same(
    report.targets.map((x) => x.family ?? null),
    ['ipv4', 'ipv6', 'ipv6', null],
  );
  t.same(
    reportSchemaErrors({ ...report, cells: [{ ...cells[0], family: 'ipx' }] }).length > 0,
    true,
    'schema checks it',
  );
});
