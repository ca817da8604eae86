// `spec.checks` with a rate limit: what a good check loads as, and every bad one as one line naming
// file, line and field, exit 2, nothing sent.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseReachabilityTest } from '../../src/config/load-test.ts';
import { cli } from '../helpers/cli-in-process.ts';
import { tempDir } from '../helpers/temp.ts';

const test = (check: string, extra = ''): string => `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: limits }
spec:
  sources:
    here: { local: true }
  targets:
    web: { url: "http://127.0.0.1:9/ok", timeout: 1s }
    cache: { url: "redis://127.0.0.1:9" }
    both: { url: "http://localhost:9/", family: both }${extra}
  expect:
    - { from: here, to: web, verdict: allow }
  checks:
    api:
      rateLimit: ${check}
`;

t.test('a check with only a limit gets the default judgement: 0.5× and 2× over all replicas', async (t) => {
  const loaded = parseReachabilityTest('t.yaml', test('{ from: here, to: web, limit: 600/m, replicas: 2 }'));
  const [check] = loaded.checks ?? [];
  if (check?.kind !== 'rateLimit') throw new Error('a rate-limit check');
  t.match(check, {
    name: 'api',
    from: 'here',
    to: 'web',
    timeoutMs: 1000,
    maxInFlight: 256,
    expect: { limitPerSecond: 10, replicas: 2, burst: 0, tolerance: 0.1, rejectedWith: [429] },
    origin: { file: 't.yaml', line: 15 },
  });
  t.same(
    check.phases.map((p) => [p.offeredPerSecond, p.durationMs]),
    [
      [10, 5000],
      [40, 5000],
    ],
  );
});

t.test('a written rate is one phase at that rate; every field is read', async (t) => {
  const loaded = parseReachabilityTest(
    't.yaml',
    test(
      '{ from: here, to: web, limit: 10/s, burst: 20, tolerance: 5%, rejectedWith: [429, 503, reset], rate: 25/s, duration: 2s, connections: 8 }',
    ),
  );
  t.match(loaded.checks?.[0], {
    maxInFlight: 8,
    phases: [{ offeredPerSecond: 25, durationMs: 2000, label: '25/s' }],
    expect: { burst: 20, tolerance: 0.05, rejectedWith: [429, 503, 'reset'] },
  });
  t.equal(
    parseReachabilityTest('t.yaml', test('{ from: here, to: web, limit: 10/s }').replace(/ {2}checks:[\s\S]*$/, ''))
      .checks,
    undefined,
  );
});

const FIELD = 'spec.checks.api.rateLimit';
/** [name, check, field, message] */
const rows: [string, string, string, RegExp][] = [
  ['an unknown field', '{ from: here, to: web, limit: 10/s, limt: 1 }', `${FIELD}.limt`, /unknown field/],
  [
    'a limit that is no rate',
    '{ from: here, to: web, limit: 10 }',
    `${FIELD}.limit`,
    /is not a rate \(write e\.g\. 10\/s/,
  ],
  ['a zero limit', '{ from: here, to: web, limit: 0/s }', `${FIELD}.limit`, /more than 0/],
  [
    'a source that does not exist',
    '{ from: there, to: web, limit: 10/s }',
    `${FIELD}.from`,
    /"there" names no source \(known: here\)/,
  ],
  ['a target that does not exist', '{ from: here, to: nope, limit: 10/s }', `${FIELD}.to`, /"nope" names no target/],
  [
    'a redis target',
    '{ from: here, to: cache, limit: 10/s }',
    `${FIELD}.to`,
    /redis:\/\/ target; a rate-limit check sends HTTP/,
  ],
  ['a target over both families', '{ from: here, to: both, limit: 10/s }', `${FIELD}.to`, /both families/],
  [
    'a tolerance past 100 %',
    '{ from: here, to: web, limit: 10/s, tolerance: 150% }',
    `${FIELD}.tolerance`,
    /at most 100%/,
  ],
  ['a tolerance without %', '{ from: here, to: web, limit: 10/s, tolerance: 0.1 }', `${FIELD}.tolerance`, /percentage/],
  [
    'a rate past the maximum',
    '{ from: here, to: web, limit: 10/s, rate: 20000/s }',
    `${FIELD}.rate`,
    /more than the 10000\/s/,
  ],
  [
    'a default judgement past the maximum',
    '{ from: here, to: web, limit: 6000/s }',
    `${FIELD}.limit`,
    /12000\/s \(2× the limit\)/,
  ],
  [
    'too few requests to judge',
    '{ from: here, to: web, limit: 2/s }',
    `${FIELD}.limit`,
    /only 5 requests .* at least 20/,
  ],
  [
    'a phase past 5 minutes',
    '{ from: here, to: web, limit: 10/s, duration: 6m }',
    `${FIELD}.duration`,
    /rate-limit phase/,
  ],
  [
    'a phase under a second',
    '{ from: here, to: web, limit: 100/s, duration: 500ms }',
    `${FIELD}.duration`,
    /rate-limit phase/,
  ],
  [
    'too many requests in all',
    '{ from: here, to: web, limit: 9000/s, rate: 9000/s, duration: 5m }',
    `${FIELD}.rate`,
    /2700000 requests in all/,
  ],
  [
    'a rejection that is no status',
    '{ from: here, to: web, limit: 10/s, rejectedWith: [drop] }',
    `${FIELD}.rejectedWith`,
    /./,
  ],
  ['a bad burst', '{ from: here, to: web, limit: 10/s, burst: -1 }', `${FIELD}.burst`, /./],
];

t.test('each bad check is one line with file, line and field, exit 2, nothing sent', async (t) => {
  const dir = tempDir(t, 'bad-checks');
  for (const [index, [name, check, field, message]] of rows.entries()) {
    const file = join(dir, `bad-${index}.yaml`);
    writeFileSync(file, test(check));
    const run = await cli(['check', '-f', file]);
    const stderr = run.stderr.trimEnd();
    t.equal(run.status, 2, `${name}: exit 2`);
    t.equal(run.stdout, '', `${name}: nothing run`);
    t.equal(stderr.split('\n').length, 1, `${name}: one line (${stderr})`);
    t.match(
      stderr,
      new RegExp(`^prober: ${file}:1[45]: ${field.replace(/[[\].]/g, '\\$&')}(\\[\\d+\\])?: `),
      `${name}: file, line, field`,
    );
    t.match(stderr, message, `${name}: says what is wrong`);
  }
});

t.test('watch refuses a test with checks, naming the check; run takes it on to the cluster', async (t) => {
  const dir = tempDir(t, 'checks-elsewhere');
  const file = join(dir, 'test.yaml');
  writeFileSync(file, test('{ from: here, to: web, limit: 10/s }'));
  const watch = await cli(['watch', '-f', file, '--lab', 'nolab', '--listen', '127.0.0.1:0']);
  t.equal(watch.status, 2);
  t.match(
    watch.stderr,
    new RegExp(
      `^prober: ${file}:15: spec\\.checks\\.api: prober watch cannot run rate-limit checks yet: run the test with prober check \\(local sources\\), prober lab test or prober run`,
    ),
  );
  // With no cluster to reach, run ends on that: the checks are no reason to refuse the test.
  const run = await cli(['run', '-f', file, '--kubeconfig', join(dir, 'missing-kubeconfig')]);
  t.equal(run.status, 2);
  t.notMatch(run.stderr, /rate-limit checks/);
  t.match(run.stderr, /missing-kubeconfig/);
});
