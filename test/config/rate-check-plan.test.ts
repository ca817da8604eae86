// The plan of every phase of a rate-limit check (what `prober run` puts in the environment of the
// check's agent in the source pod): it reads back as written, each phase is bounded as a one-phase plan
// is, and a bad plan is one line naming the field.

import t from 'tap';
import { ConfigError } from '../../src/config/config-error.ts';
import { parseRateCheckPlan } from '../../src/config/load-rate-plan.ts';
import { defaultPhases, type RateLimitCheck } from '../../src/model/rate-limit.ts';
import { MAX_PAUSE_MS, rateCheckPlanMs, rateCheckPlanOf, refillPauseMs } from '../../src/model/rate-plan.ts';
import { parseTarget } from '../../src/model/target.ts';

const target = parseTarget('http://web.shop.svc.cluster.local:8080/ok');
if (!target.ok) throw new Error(target.error);
const expect = { limitPerSecond: 10, limitText: '10/s', burst: 20, replicas: 1, tolerance: 0.1, rejectedWith: [429] };
const check: RateLimitCheck = {
  kind: 'rateLimit',
  name: 'web-limit',
  from: 'client',
  to: 'web',
  address: target.value,
  timeoutMs: 1000,
  maxInFlight: 64,
  phases: defaultPhases(expect, 5000),
  expect,
};

t.test('the plan of a check reads back as written: both phases, the refill pause between them', async (t) => {
  const written = rateCheckPlanOf(check, 'client');
  const { plan, address, proxyReady } = parseRateCheckPlan('$PROBER_PLAN_GZ', JSON.stringify(written));
  t.same(plan, written);
  t.same(plan.phases, [
    { offeredPerSecond: 5, durationMs: 5000 },
    { offeredPerSecond: 20, durationMs: 5000 },
  ]);
  // A bucket of 20 at 10/s refills in 2 s, plus a one-second window.
  t.equal(plan.pauseMs, 3000);
  t.equal(refillPauseMs(check), 3000);
  t.equal(rateCheckPlanMs(plan), 5000 + 1000 + 3000 + 5000 + 1000, 'phases, their last deadlines and the pause');
  t.equal(address.port, 8080);
  t.equal(proxyReady, undefined);
});

t.test("a probe pod's plan waits for the sidecar proxy it names", async (t) => {
  const proxy = { mesh: 'Istio', url: 'http://127.0.0.1:15021/healthz/ready', deadlineMs: 60_000 };
  const { proxyReady } = parseRateCheckPlan(
    'p',
    JSON.stringify({ ...rateCheckPlanOf(check, 'client'), proxyReady: proxy }),
  );
  t.same(proxyReady, proxy);
});

const good = rateCheckPlanOf(check, 'client');
const rows: [string, unknown, RegExp][] = [
  ['not JSON', '{', /^p: a rate plan must be one JSON object$/],
  ['a one-phase plan', { ...good, kind: 'RatePlan' }, /^p: kind: must be RateCheckPlan/],
  ['an unknown field', { ...good, extra: 1 }, /^p: extra: is not a field of a rate check plan$/],
  ['no phases', { ...good, phases: [] }, /^p: phases: must be a list of 1 to 16 phases$/],
  ['too many phases', { ...good, phases: Array(17).fill(good.phases[0]) }, /^p: phases: must be a list of 1 to 16/],
  [
    'a phase past the maximum rate',
    { ...good, phases: [good.phases[0], { offeredPerSecond: 10_001, durationMs: 1000 }] },
    /^p phases\[1\]: offeredPerSecond: must be a number above 0 and at most 10000$/,
  ],
  [
    'a field of its own in a phase',
    { ...good, phases: [{ ...good.phases[0], url: 'http://elsewhere/' }] },
    /^p: phases\[0\]\.url: is not a field of a phase$/,
  ],
  [
    'a pause past the longest',
    { ...good, pauseMs: MAX_PAUSE_MS + 1 },
    /^p: pauseMs: must be a number from 0 to 30000$/,
  ],
  ['no source', { ...good, source: '' }, /^p: source: must be a string of 1 to 253 characters$/],
  ['a redis URL', { ...good, url: 'redis://cache:6379' }, /^p phases\[0\]: url: a rate plan sends HTTP requests/],
  [
    'a proxy off the loopback',
    { ...good, proxyReady: { mesh: 'Istio', url: 'http://10.0.0.1:15021/', deadlineMs: 60_000 } },
    /^p: proxyReady: must be/,
  ],
];
for (const [name, raw, message] of rows) {
  t.test(`refused: ${name}`, async (t) => {
    let error: unknown;
    try {
      parseRateCheckPlan('p', typeof raw === 'string' ? raw : JSON.stringify(raw));
    } catch (caught) {
      error = caught;
    }
    t.ok(error instanceof ConfigError, 'a ConfigError (exit 2)');
    t.match(String(error), message);
  });
}
