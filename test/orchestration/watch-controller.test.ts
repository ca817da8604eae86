// The in-cluster watch's controller (src/orchestration/watch-controller.ts) against the fake API server,
// through client-node's informer and status calls, with a stub run returning canned matrices: one
// schedule per ReachabilityTest at its annotated interval, runs that never overlap, the status
// written and retried on 409 Conflict, an Event per flip, a deleted resource's schedule ended, and a
// restarted controller continuing the flip history the status holds.

import { KubeConfig } from '@kubernetes/client-node';
import t, { type Test } from 'tap';
import { reachabilityTestCrd } from '../../k8s/prober/crd.ts';
import { type TestResource, testInformer, testResourceApi } from '../../src/cluster/test-resources.ts';
import type { Cell } from '../../src/model/matrix.ts';
import {
  INTERVAL_ANNOTATION,
  MAX_EVENTS_PER_RUN,
  STATUS_ATTEMPTS,
  WatchController,
} from '../../src/orchestration/watch-controller.ts';
import { cutToBytes, eventName } from '../../src/orchestration/watch-events.ts';
import { FakeApiServer } from '../cluster/fake/apiserver.ts';
import { call } from '../cluster/fake/http-client.ts';
import * as status from '../cluster/fake/status.ts';
import { silence } from '../cluster/fake/transport-faults.ts';
import { until, waitFor } from '../helpers/wait.ts';
import { cannedMatrix, sampleTest } from '../helpers/watch-fixtures.ts';

const PATH = '/apis/prober.dev/v1alpha1/namespaces/team/reachabilitytests';
/** A sample test with its interval annotated. */
const every = (name: string, value: string) => {
  const test = sampleTest(name);
  test.metadata.annotations = { [INTERVAL_ANNOTATION]: value };
  return test;
};

/** A stub run: the matrix `matrices[name](n)` for the resource's n-th run, taking `ms`; it records overlaps. */
function stubRun(matrices: Record<string, (n: number) => Cell[]>, ms = 0) {
  const calls: Record<string, number> = {};
  const inFlight = new Map<string, number>();
  let overlaps = 0;
  const run = async (test: TestResource) => {
    const name = test.metadata.name;
    inFlight.set(name, (inFlight.get(name) ?? 0) + 1);
    if (inFlight.get(name)! > 1) overlaps += 1;
    const n = (calls[name] ?? 0) + 1;
    calls[name] = n;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
    inFlight.set(name, inFlight.get(name)! - 1);
    const make = matrices[name];
    if (!make) throw new Error(`no matrix for ${name}`);
    return make(n);
  };
  return { run, calls, overlaps: () => overlaps };
}

async function cluster(t: Test) {
  const fake = await FakeApiServer.start(t);
  fake.addNamespace('team');
  fake.installCustomResource(reachabilityTestCrd());
  const config = new KubeConfig();
  config.loadFromFile(fake.kubeconfig);
  // Read from the fake's store, not over HTTP: the requests the fake sees are the controller's.
  const stored = async (name: string) => fake.custom.resources('reachabilitytests').get('team', name);
  return { fake, config, stored };
}

function controller(t: Test, config: KubeConfig, run: ReturnType<typeof stubRun>['run'], defaultIntervalMs = 200) {
  const logged: string[] = [];
  const c = new WatchController({
    informer: testInformer(config, 'team'),
    api: testResourceApi(config),
    run,
    defaultIntervalMs,
    instance: 'prober-watch-0',
    log: (message) => logged.push(message),
  });
  t.teardown(() => c.stop());
  return { c, logged };
}

const drifting = (n: number) => cannedMatrix(['web'], ['db', 'cache'], n >= 2 ? { 'web→db': 'fail' } : {});

t.test('a resource is run on its interval; its status and an Event per flip are written', async (t) => {
  const { fake, config, stored } = await cluster(t);
  await call(fake, 'POST', PATH, every('a', '1s'));
  const stub = stubRun({ a: drifting });
  const { c } = controller(t, config, stub.run);
  await c.start();
  const drifted = await until('a Drifted status', async () => {
    const object = await stored('a');
    return object.status?.verdict === 'Drifted' && object;
  });
  t.match(drifted.status, {
    observedGeneration: 1,
    cells: { total: 2, matched: 1, mismatched: 1, off: 1 },
    offCells: [{ source: 'web', target: 'db', state: 'mismatched' }],
    flips: [{ source: 'web', target: 'db', from: 'matched', to: 'mismatched' }],
    lastRun: { outcome: 'Completed' },
  });
  const events = await until('the Event', async () => {
    const items = (await call(fake, 'GET', '/apis/events.k8s.io/v1/namespaces/team/events')).body.items;
    return items.length > 0 && items;
  });
  t.equal(events.length, 1, 'one Event for the one flip');
  t.match(events[0], {
    type: 'Warning',
    reason: 'Drifted',
    action: 'Probe',
    reportingController: 'prober.dev/watch',
    reportingInstance: 'prober-watch-0',
    note: /web → db \(any\): matched → mismatched/,
    regarding: { kind: 'ReachabilityTest', name: 'a', namespace: 'team', uid: drifted.metadata.uid },
  });
  const writes = fake.seen('update', 'reachabilitytests/status');
  t.ok(writes.length >= 2 && writes.every((w) => w.code === 200), 'every status write went through /status');
  t.equal(stub.overlaps(), 0);
});

t.test('runs never overlap: a run longer than the interval is an overrun, the next starts after it', async (t) => {
  const { fake, config } = await cluster(t);
  await call(fake, 'POST', PATH, every('slow', '1s'));
  const stub = stubRun({ slow: (n) => cannedMatrix(['web'], ['db'], n % 2 ? {} : { 'web→db': 'fail' }) }, 1200);
  const { c } = controller(t, config, stub.run);
  await c.start();
  await waitFor('three runs', () => (stub.calls.slow ?? 0) >= 3, 15_000);
  t.equal(stub.overlaps(), 0, 'no run of a resource started while its previous one ran');
  t.ok(c.counts.overruns >= 2, `overruns counted (${c.counts.overruns})`);
});

t.test('a 409 on the status write is retried from the stored status; retries are bounded', async (t) => {
  const { fake, config, stored } = await cluster(t);
  await call(fake, 'POST', PATH, every('a', '1s'));
  const conflict = () => status.conflict('reachabilitytests.prober.dev', 'a');
  fake.answerNext('update', 'reachabilitytests/status', conflict, 2);
  const stub = stubRun({ a: () => cannedMatrix(['web'], ['db']) });
  const { c, logged } = controller(t, config, stub.run);
  await c.start();
  await until('a Matched status', async () => (await stored('a')).status?.verdict === 'Matched');
  t.same(
    fake
      .seen('update', 'reachabilitytests/status')
      .slice(0, 3)
      .map((r) => r.code),
    [409, 409, 200],
  );
  t.equal(c.counts.conflicts, 2);
  t.equal(fake.seen('get', 'reachabilitytests').length, 2, 'read again after each conflict');
  fake.answerNext('update', 'reachabilitytests/status', conflict, STATUS_ATTEMPTS);
  const runsBefore = stub.calls.a ?? 0;
  await waitFor(
    'a run whose status is given up, and the run after it',
    () => (stub.calls.a ?? 0) >= runsBefore + 2,
    10_000,
  );
  t.equal(c.counts.statusFailures, 1);
  t.ok(logged.includes('status not written'));
});

t.test('a deleted resource is run no more; a restarted controller keeps the flip history', async (t) => {
  const { fake, config, stored } = await cluster(t);
  await call(fake, 'POST', PATH, every('a', '1s'));
  await call(fake, 'POST', PATH, every('gone', '1s'));
  const first = stubRun({ a: drifting, gone: () => cannedMatrix(['web'], ['db']) });
  const { c } = controller(t, config, first.run);
  await c.start();
  await until('the drift', async () => (await stored('a')).status?.flips?.length === 1);
  await call(fake, 'DELETE', `${PATH}/gone`);
  await waitFor('the schedule to end', () => !c.scheduled.includes('team/gone'));
  t.same(c.scheduled, ['team/a']);
  const goneRuns = first.calls.gone ?? 0;
  const aRuns = first.calls.a ?? 0;
  await waitFor('two more runs of a', () => (first.calls.a ?? 0) >= aRuns + 2, 10_000);
  t.ok((first.calls.gone ?? 0) <= goneRuns + 1, 'at most the run in flight when it was deleted');
  await c.stop();
  // A new controller: its first run has nothing to compare with, its next run flips back to matched.
  const second = stubRun({ a: (n) => (n === 1 ? drifting(2) : drifting(1)) });
  const { c: again } = controller(t, config, second.run);
  await again.start();
  const history = await until('a second flip', async () => {
    const flips = (await stored('a')).status?.flips;
    return flips?.length === 2 && flips;
  });
  t.match(history, [{ to: 'mismatched' }, { from: 'mismatched', to: 'matched' }], 'the earlier flip is kept');
});

t.test('a changed interval annotation resets the wait: the next run comes at the new interval', async (t) => {
  const { fake, config } = await cluster(t);
  await call(fake, 'POST', PATH, every('slow', '1h'));
  const stub = stubRun({ slow: () => cannedMatrix(['web'], ['db']) });
  const { c } = controller(t, config, stub.run);
  await c.start();
  await waitFor('the first run', () => stub.calls.slow === 1);
  const changed = performance.now();
  fake.custom.resources('reachabilitytests').touch('team', 'slow', (o) => {
    o.metadata.annotations[INTERVAL_ANNOTATION] = '1s';
  });
  await waitFor('a second run, an hour early', () => stub.calls.slow === 2, 5000);
  t.ok(performance.now() - changed < 2000, 'within about the new interval of the last start');
});

t.test('an interval changed while a run is in flight counts from that run on', async (t) => {
  const { fake, config } = await cluster(t);
  await call(fake, 'POST', PATH, every('busy', '1h'));
  // Each run takes 1.5 s: the annotation changes while the first one runs.
  const stub = stubRun({ busy: () => cannedMatrix(['web'], ['db']) }, 1500);
  const { c } = controller(t, config, stub.run);
  await c.start();
  await waitFor('the first run to start', () => stub.calls.busy === 1);
  // No status written after this run, so no echo of the resource comes back to replan it.
  fake.answerNext(
    'update',
    'reachabilitytests/status',
    () => status.conflict('reachabilitytests.prober.dev', 'busy'),
    STATUS_ATTEMPTS,
  );
  fake.custom.resources('reachabilitytests').touch('team', 'busy', (o) => {
    o.metadata.annotations[INTERVAL_ANNOTATION] = '2s';
  });
  // Planned from the interval read when the run started, the next run would be an hour away.
  await waitFor('a second run at the new interval', () => stub.calls.busy === 2, 6000);
  t.pass('the second run came at the interval set during the first');
});

t.test('sinks hear of runs, failures and deletions (the metrics and the page of watch --cluster)', async (t) => {
  const { fake, config } = await cluster(t);
  await call(fake, 'POST', PATH, every('a', '1s'));
  await call(fake, 'POST', PATH, every('broken', 'soon'));
  const heard: string[] = [];
  const c = new WatchController({
    informer: testInformer(config, 'team'),
    api: testResourceApi(config),
    run: stubRun({ a: () => cannedMatrix(['web'], ['db']) }).run,
    defaultIntervalMs: 200,
    instance: 'prober-watch-0',
    sinks: {
      run: (key, report) => heard.push(`run ${key} ${report.outcome.kind} ${report.cells?.length ?? '-'}`),
      overrun: (key) => heard.push(`overrun ${key}`),
      deleted: (key) => heard.push(`deleted ${key}`),
      apiError: (what) => heard.push(`api ${what}`),
    },
  });
  t.teardown(() => c.stop());
  await c.start();
  await waitFor(
    'both runs heard',
    () => heard.includes('run team/a completed 1') && heard.includes('run team/broken failed -'),
  );
  await call(fake, 'DELETE', `${PATH}/a`);
  await waitFor('the deletion heard', () => heard.includes('deleted team/a'));
  const failed = fake.custom.resources('reachabilitytests').get('team', 'broken');
  t.match(failed.status, { verdict: 'Failed', lastRun: { message: /^annotation prober\.dev\/interval: / } });
});

t.test('a run flipping more cells than the Event cap gives the rest one Event together', async (t) => {
  const { fake, config } = await cluster(t);
  await call(fake, 'POST', PATH, every('wide', '1s'));
  const targets = Array.from({ length: MAX_EVENTS_PER_RUN + 3 }, (_, i) => `t${String(i).padStart(2, '0')}`);
  const failing = Object.fromEntries(targets.map((target) => [`web→${target}`, 'fail' as const]));
  const stub = stubRun({ wide: (n) => cannedMatrix(['web'], targets, n >= 2 ? failing : {}) });
  const { c } = controller(t, config, stub.run);
  await c.start();
  const events = await until('the Events of the flipping run', async () => {
    const items = (await call(fake, 'GET', '/apis/events.k8s.io/v1/namespaces/team/events')).body.items as any[];
    return items.length >= MAX_EVENTS_PER_RUN && items;
  });
  t.equal(events.length, MAX_EVENTS_PER_RUN, 'no more Events than the cap');
  const notes = events.map((e) => e.note as string).sort();
  const each = notes.filter((note) => /^web → t\d\d \(any\): matched → mismatched( \(.*\))?$/.test(note));
  t.equal(each.length, MAX_EVENTS_PER_RUN - 1, 'the first flips an Event each');
  const rest = events.find((e) => e.reason === 'Flipped');
  t.match(rest, {
    type: 'Warning',
    note: /^4 more cells flipped in this run \(the status lists the flips\): web → t\d\d/,
  });
  const named = String(rest?.note ?? '').match(/web → t\d\d/g) ?? [];
  t.same(
    [...each.map((note) => note.slice(0, 9)), ...named].sort(),
    targets.map((target) => `web → ${target}`),
    'every flipped cell is named by exactly one Event',
  );
});

t.test('a status write the API server never answers ends at its deadline; the schedule goes on', async (t) => {
  const { fake, config, stored } = await cluster(t);
  await call(fake, 'POST', PATH, every('a', '1s'));
  fake.answerRawNext('update', 'reachabilitytests/status', silence, 1);
  const stub = stubRun({ a: () => cannedMatrix(['web'], ['db']) });
  const logged: string[] = [];
  const c = new WatchController({
    informer: testInformer(config, 'team'),
    api: testResourceApi(config, { requestTimeoutMs: 300, maxAnswerBytes: 2 ** 20 }),
    run: stub.run,
    defaultIntervalMs: 200,
    instance: 'prober-watch-0',
    log: (message) => logged.push(message),
  });
  t.teardown(() => c.stop());
  await c.start();
  // The silent write costs one deadline; the retry (or the next run) writes the status.
  await until(
    'a Matched status despite the silent write',
    async () => (await stored('a')).status?.verdict === 'Matched',
  );
  t.ok(fake.seen('update', 'reachabilitytests/status').length >= 2, 'the status was written again after the silence');
});

t.test('Event notes are cut to 1 KiB of UTF-8 and names fit a DNS subdomain, whatever the test', async (t) => {
  const at = new Date('2026-12-07T16:00:00.123Z');
  const arrows = '→'.repeat(600);
  const cut = cutToBytes(arrows, 1024);
  t.equal(Buffer.byteLength(cut), 1023, 'whole characters only: 341 arrows of 3 bytes');
  t.equal(cutToBytes('short', 1024), 'short');
  const long = `${'a'.repeat(240)}-b`;
  const name = eventName(long, at, 7);
  t.ok(name.length <= 253, `at most 253 characters (${name.length})`);
  t.match(name, /^a+\.[0-9a-f]+7$/, 'cut before the suffix, with no "-" left before the dot');
  t.equal(eventName('web', at, 0), `web.${at.getTime().toString(16)}0`);
});

t.test('a run whose summary Event names many cells still has its Event accepted', async (t) => {
  const { fake, config } = await cluster(t);
  await call(fake, 'POST', PATH, every('many', '1s'));
  const targets = Array.from({ length: 60 }, (_, i) => `a-long-target-name-${String(i).padStart(2, '0')}`);
  const failing = Object.fromEntries(targets.map((target) => [`web→${target}`, 'fail' as const]));
  const stub = stubRun({ many: (n) => cannedMatrix(['web'], targets, n >= 2 ? failing : {}) });
  const { c } = controller(t, config, stub.run);
  await c.start();
  const rest = await until('the summary Event', async () => {
    const items = (await call(fake, 'GET', '/apis/events.k8s.io/v1/namespaces/team/events')).body.items as any[];
    return items.find((e) => e.reason === 'Flipped');
  });
  t.ok(Buffer.byteLength(rest.note) <= 1024, `its note fits 1 KiB of UTF-8 (${Buffer.byteLength(rest.note)} bytes)`);
  t.match(rest.note, /^51 more cells flipped/);
});
