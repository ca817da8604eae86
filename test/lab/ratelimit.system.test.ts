// The Istio example's local rate limit (policies/istio/02-time-app-rate-limit.yaml) enforced by the lab's sidecar on
// the time app, measured open loop from the Apache pod. Envoy's behaviour it reproduces: a token bucket that starts
// full and refills continuously (envoyproxy/envoy source/common/common/token_bucket_impl.h, AtomicTokenBucketImpl,
// used by source/extensions/filters/common/local_ratelimit/local_ratelimit_impl.cc since the timer-based bucket's
// removal), a rejected request answered by source/extensions/filters/http/local_ratelimit/local_ratelimit.cc
// (sendLocalReply: the status, body "local_rate_limited", response_headers_to_add; no x-envoy-ratelimited, which only
// source/extensions/filters/http/ratelimit/ratelimit.cc sets), as Istio's EnvoyFilter puts it first in the inbound
// HTTP filter chain (pilot/pkg/networking/core/envoyfilter/listener_patch.go).

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { prepareRuntime } from '../../app/runtime.ts';
import { lab, labName } from '../helpers/lab.ts';
import type { OpenLoopRun } from '../helpers/open-loop.ts';
import { ROOT } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

const BURST = 20; // max_tokens
const RATE = 10; // tokens_per_fill / fill_interval, per second
const URL = 'http://app-count-svc.c-app-count.svc.cluster.local/healthz';

await prepareRuntime();
const name = labName();
t.teardown(() => {
  lab(['down', '--name', name]);
});
// The repository's lab (policies/lab-profile.yaml): the time app itself behind the sidecar.
const up = lab(['up', '--name', name]);
if (up.status !== 0) throw new Error(`lab up failed (${up.status}): ${up.stderr}`);
const ISTIO = join(ROOT, 'policies', 'istio');

/** Sends `count` requests at `rate` per second from the Apache pod, open loop. */
function offer(rate: number, count: number): OpenLoopRun {
  const run = spawnSync(
    'ip',
    [
      'netns',
      'exec',
      `${name}-b-apacherr-apacherr-0`,
      process.execPath,
      join(ROOT, 'test/helpers/open-loop.ts'),
      URL,
      `${rate}`,
      `${count}`,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (run.status !== 0) throw new Error(`open-loop sender failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as OpenLoopRun;
}

/** Restarts the sidecars with the policies (a full bucket, as a fresh Envoy's). */
function apply(...files: string[]): void {
  const out = lab(['apply', '--name', name, '--assume-mesh', '-f', ...files]);
  if (out.status !== 0) throw new Error(`lab apply failed: ${out.stderr}`);
}

/**
 * Accepted ≈ burst + rate × D, D the time between the first and the last request: the bucket starts full and, offered
 * more than its rate, never fills up again, so every token it makes in D is taken. Tolerance: +1 below (the last
 * token may be partial when the run ends) and, both ways, RATE × 0.2 s for where the first and last requests fall at
 * the sidecar against the sender's clock (each within 100 ms on two shared cores: a loaded scheduler's delay).
 */
function judge(t: Test, run: OpenLoopRun): void {
  const d = ((run.sent.at(-1)?.at ?? 0) - (run.sent[0]?.at ?? 0)) / 1000;
  const expected = BURST + RATE * d;
  const accepted = run.sent.filter((s) => s.status === 200).length;
  const rejected = run.sent.filter((s) => s.status === 429);
  const slack = RATE * 0.2;
  t.comment(
    `${run.sent.length} requests offered at ${run.offeredRate}/s (achieved ${run.achievedRate.toFixed(1)}/s) over ${d.toFixed(3)} s: accepted ${accepted}, expected ${expected.toFixed(1)} (burst ${BURST} + ${RATE}/s × ${d.toFixed(3)} s)`,
  );
  t.ok(
    accepted >= expected - 1 - slack && accepted <= expected + slack,
    `accepted ${accepted} ≈ ${expected.toFixed(1)}`,
  );
  t.equal(accepted + rejected.length, run.sent.length, 'every other request is a 429');
  t.same(
    [...new Set(rejected.map((s) => `${s.body} | ${s.headers['x-local-rate-limit']} | ${s.headers['content-type']}`))],
    ['local_rate_limited | true | text/plain'],
    "Envoy's body, the EnvoyFilter's header",
  );
  t.notOk(
    rejected.some((s) => 'x-envoy-ratelimited' in s.headers),
    'no x-envoy-ratelimited: Envoy sets it for the global limit only',
  );
}

t.test('at 5× the rate: the burst, then the rate, the rest 429 local_rate_limited', async (t) => {
  apply(ISTIO);
  judge(t, offer(50, 300));
});

t.test('at 10× the rate: the same count over the same time, whatever is offered', async (t) => {
  apply(ISTIO);
  judge(t, offer(100, 600));
});

t.test('below the rate, after a full bucket: nothing is rejected', async (t) => {
  apply(ISTIO);
  const run = offer(5, 15);
  t.same(
    run.sent.filter((s) => s.status !== 200).map((s) => s.status),
    [],
  );
});

t.test('without the EnvoyFilter the same sidecar rejects nothing at 5× the rate', async (t) => {
  apply(join(ISTIO, '00-peer-authentication.yaml'), join(ISTIO, '01-redis-from-time-app.yaml'));
  const run = offer(50, 100);
  t.same(
    run.sent.filter((s) => s.status !== 200).map((s) => s.status),
    [],
  );
});

t.test('a local rate limit the engine does not model: lab apply refuses it and changes nothing', async (t) => {
  apply(ISTIO);
  const dir = tempDir(t, 'ratelimit-descriptors');
  const limit = readFileSync(join(ISTIO, '02-time-app-rate-limit.yaml'), 'utf8');
  // Per-descriptor buckets (Envoy's `descriptors`) are outside what the engine reproduces.
  const withDescriptors = limit.replace(/^(\s+)stat_prefix: (.*)$/m, '$1stat_prefix: $2\n$1descriptors: []');
  t.not(withDescriptors, limit, 'the fixture gained descriptors');
  writeFileSync(join(dir, '02-time-app-rate-limit.yaml'), withDescriptors);
  const refused = lab([
    'apply',
    '--name',
    name,
    '--assume-mesh',
    '-f',
    join(ISTIO, '01-redis-from-time-app.yaml'),
    dir,
  ]);
  t.equal(refused.status, 2, refused.stderr);
  t.match(refused.stderr, /descriptors: not supported.*the lab cannot enforce this local rate limit on c-app-count\//);
  // The sidecar still carries the bucket applied before: at 5× the rate some requests are refused.
  const run = offer(50, 100);
  t.ok(
    run.sent.some((s) => s.status === 429),
    'the earlier limit is still in force',
  );
});
