// `spec.checks` with a zone affinity: what a good check loads as, every bad one as one line naming
// file, line and field (exit 2, nothing run); `prober check` judges it "could not decide" (exit 2),
// since where it runs has no zone; the AffinityPlan a sender is handed
// reads back as written and a bad one names its field.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseReachabilityTest } from '../../src/config/load-test.ts';
import type { AffinityCheck } from '../../src/model/affinity.ts';
import { affinityPlanOf, measurementIn, measurementLine, parseAffinityPlan } from '../../src/model/affinity-plan.ts';
import { cli } from '../helpers/cli-in-process.ts';
import { tempDir } from '../helpers/temp.ts';

const test = (check: string): string => `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: zones }
spec:
  sources:
    here: { local: true }
    pippo: { namespace: zones, selector: { app: pippo } }
  targets:
    paperino: { url: "http://paperino.zones.svc.cluster.local/", timeout: 1s }
    cache: { url: "redis://127.0.0.1:9" }
  expect:
    - { from: pippo, to: paperino, verdict: allow }
  checks:
    close:
      affinity: ${check}
`;

t.test('a check with only its ends gets 100 requests, x-pod-name and the e2e rule', async (t) => {
  const [check] = parseReachabilityTest('t.yaml', test('{ from: pippo, to: paperino }')).checks ?? [];
  t.match(check, {
    kind: 'affinity',
    name: 'close',
    from: 'pippo',
    to: 'paperino',
    timeoutMs: 1000,
    requests: 100,
    identity: { header: 'x-pod-name' },
    expect: { kind: 'default' },
    origin: { file: 't.yaml', line: 15 },
  });
  t.notOk(check && 'sample' in check, 'every pod sends');
});

t.test('every field is read', async (t) => {
  const written =
    '{ from: pippo, to: paperino, requests: 500, sample: 4, identity: { jsonField: pod }, expect: { sameZone: 95% } }';
  const [check] = parseReachabilityTest('t.yaml', test(written)).checks ?? [];
  t.match(check, {
    requests: 500,
    sample: 4,
    identity: { jsonField: 'pod' },
    expect: { kind: 'sameZone', share: 0.95 },
  });
  const [spread] =
    parseReachabilityTest(
      't.yaml',
      test('{ from: pippo, to: paperino, expect: { spread: true }, identity: { header: X-Pod } }'),
    ).checks ?? [];
  t.match(spread, { expect: { kind: 'spread' }, identity: { header: 'x-pod' } });
});

const FIELD = 'spec.checks.close.affinity';
const rows: [string, string, string, RegExp][] = [
  ['an unknown source', '{ from: nobody, to: paperino }', `${FIELD}.from`, /names no source/],
  ['a local source', '{ from: here, to: paperino }', `${FIELD}.from`, /local source/],
  ['a target that is not HTTP', '{ from: pippo, to: cache }', `${FIELD}.to`, /redis:\/\/ target/],
  ['too few requests', '{ from: pippo, to: paperino, requests: 5 }', `${FIELD}.requests`, /./],
  ['too many requests', '{ from: pippo, to: paperino, requests: 20000 }', `${FIELD}.requests`, /./],
  ['a share that is no percentage', '{ from: pippo, to: paperino, expect: { sameZone: 0.9 } }', `${FIELD}.expect`, /./],
  ['a share of 0%', '{ from: pippo, to: paperino, expect: { sameZone: 0% } }', `${FIELD}.expect`, /more than 0%/],
  [
    'an identity of both kinds',
    '{ from: pippo, to: paperino, identity: { header: a, jsonField: b } }',
    `${FIELD}.identity`,
    /./,
  ],
  ['an unknown field', '{ from: pippo, to: paperino, zones: 2 }', `${FIELD}`, /./],
];

t.test('each bad check is one line with file, line and field, exit 2, nothing run', async (t) => {
  const dir = tempDir(t, 'bad-affinity');
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
      new RegExp(`^prober: ${file}:1[56]: ${field.replace(/[[\].]/g, '\\$&')}`),
      `${name}: file, line, field`,
    );
    t.match(stderr, message, `${name}: says what is wrong`);
  }
});

t.test('check refuses an affinity check in one line naming it: where it runs has no zone', async (t) => {
  const dir = tempDir(t, 'affinity-here');
  const file = join(dir, 'test.yaml');
  writeFileSync(file, test('{ from: pippo, to: paperino }'));
  const run = await cli(['check', '-f', file]);
  t.equal(run.status, 2);
  t.equal(run.stdout, '');
  t.match(
    run.stderr,
    new RegExp(
      `^prober: ${file}:15: spec\\.checks\\.close: check cannot run a zone-affinity check: .* run the test with prober lab test\n$`,
    ),
  );
});

t.test('the plan reads back as written; a bad plan names its field', async (t) => {
  const [check] = parseReachabilityTest('t.yaml', test('{ from: pippo, to: paperino, requests: 30 }')).checks ?? [];
  const plan = affinityPlanOf(check as AffinityCheck);
  t.same(parseAffinityPlan(JSON.stringify(plan)), { ok: true, plan });
  const bad = (fields: object) => parseAffinityPlan(JSON.stringify({ ...plan, ...fields }));
  t.match(bad({ kind: 'RatePlan' }), { ok: false, field: 'kind' });
  t.match(bad({ url: 'redis://x' }), { ok: false, field: 'url' });
  t.match(bad({ requests: 0 }), { ok: false, field: 'requests' });
  t.match(bad({ requests: 10_001 }), { ok: false, field: 'requests' });
  t.match(bad({ identity: { header: 'a b' } }), { ok: false, field: 'identity' });
  t.match(bad({ extra: 1 }), { ok: false, field: 'extra' });
  t.match(parseAffinityPlan('['), { ok: false, error: /one JSON object/ });
});

t.test('the measurement line reads back; a malformed one is no measurement', async (t) => {
  const m = { sent: 3, identities: ['a', 'b'], sequence: [0, 1, -1], failures: { timeout: 0, refused: 0, error: 0 } };
  t.same(measurementIn(`noise\n${measurementLine(m)}\n`), m);
  t.equal(measurementIn(measurementLine({ ...m, sequence: [0, 2] })), undefined, 'an index past the identities');
  t.equal(measurementIn('{"kind":"AffinityMeasurement"}'), undefined);
});
