// The plan of one rate-limit phase a sender is handed (`prober agent --rate`): what `lab test` writes
// reads back as written, and a bad plan is one line naming the field.

import t from 'tap';
import { ConfigError } from '../../src/config/config-error.ts';
import { parseRatePlan } from '../../src/config/load-rate-plan.ts';
import { defaultPhases, type RateLimitCheck } from '../../src/model/rate-limit.ts';
import { ratePlanOf } from '../../src/model/rate-plan.ts';
import { parseTarget } from '../../src/model/target.ts';

const target = parseTarget('http://time.c-app-count.svc.cluster.local:5000/healthz');
if (!target.ok) throw new Error(target.error);
const check: RateLimitCheck = {
  kind: 'rateLimit',
  name: 'time-limit',
  from: 'apache',
  to: 'time',
  address: { ...target.value, family: 'ipv4' },
  timeoutMs: 1000,
  maxInFlight: 64,
  phases: defaultPhases(
    { limitPerSecond: 10, limitText: '10/s', burst: 20, replicas: 1, tolerance: 0.1, rejectedWith: [429] },
    5000,
  ),
  expect: { limitPerSecond: 10, limitText: '10/s', burst: 20, replicas: 1, tolerance: 0.1, rejectedWith: [429] },
};

t.test('the plan of a phase reads back as written, its address with its family', async (t) => {
  const phase = check.phases[1]!;
  const written = ratePlanOf(check, phase);
  const { plan, address } = parseRatePlan('plan', JSON.stringify(written));
  t.same(plan, written);
  t.equal(plan.offeredPerSecond, 20);
  t.equal(address.host, 'time.c-app-count.svc.cluster.local');
  t.equal(address.port, 5000);
  t.equal(address.path, '/healthz');
  t.equal(address.family, 'ipv4');
});

const good = ratePlanOf(check, check.phases[0]!);
const rows: [string, unknown, RegExp][] = [
  ['not JSON', '{', /^plan: a rate plan must be one JSON object$/],
  ['an array', [], /^plan: a rate plan must be one JSON object$/],
  ['another kind', { ...good, kind: 'ProbePlan' }, /^plan: kind: must be RatePlan/],
  ['an unknown field', { ...good, extra: 1 }, /^plan: extra: is not a field of a rate plan$/],
  ['a redis URL', { ...good, url: 'redis://cache:6379' }, /^plan: url: a rate plan sends HTTP requests/],
  ['no URL', { ...good, url: 5 }, /^plan: url: must be a URL$/],
  ['a family of its own', { ...good, family: 'ipx' }, /^plan: family: must be ipv4 or ipv6$/],
  [
    'a rate of 0',
    { ...good, offeredPerSecond: 0 },
    /^plan: offeredPerSecond: must be a number above 0 and at most 10000$/,
  ],
  ['a rate past the maximum', { ...good, offeredPerSecond: 10_001 }, /^plan: offeredPerSecond: /],
  [
    'a phase past five minutes',
    { ...good, durationMs: 300_001 },
    /^plan: durationMs: must be a number from 1 to 300000$/,
  ],
  ['no deadline', { ...good, timeoutMs: 0 }, /^plan: timeoutMs: /],
  ['half a connection', { ...good, maxInFlight: 1.5 }, /^plan: maxInFlight: must be an integer from 1 to 4096$/],
  ['a rate as text', { ...good, offeredPerSecond: '10' }, /^plan: offeredPerSecond: /],
];
for (const [name, raw, message] of rows) {
  t.test(`refused: ${name}`, async (t) => {
    let error: unknown;
    try {
      parseRatePlan('plan', typeof raw === 'string' ? raw : JSON.stringify(raw));
    } catch (caught) {
      error = caught;
    }
    t.ok(error instanceof ConfigError, 'a ConfigError (exit 2)');
    t.match(String(error), message);
  });
}
