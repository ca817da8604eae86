// Watches of custom resources on the fake API server, as kube-apiserver serves them: the event stream
// of apiserver pkg/endpoints/handlers/watch.go (one JSON event a line), the watch cache's window and
// its 410 Gone as an ERROR event (pkg/storage/cacher/cacher.go, watch_cache.go getAllEventsSinceLocked),
// bookmarks, timeoutSeconds, the streaming list's initial events, and the faults tests inject
// (a dropped watch, a slow list).

import t, { type Test } from 'tap';
import { reachabilityTestCrd } from '../../k8s/prober/crd.ts';
import { waitFor } from '../helpers/wait.ts';
import { sampleTest } from '../helpers/watch-fixtures.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { call, openWatch, within } from './fake/http-client.ts';

const GROUP = '/apis/prober.dev/v1alpha1';
const BASE = `${GROUP}/namespaces/team/reachabilitytests`;

async function started(t: Test): Promise<FakeApiServer> {
  const fake = await FakeApiServer.start(t);
  fake.addNamespace('team');
  fake.addNamespace('other');
  fake.installCustomResource(reachabilityTestCrd());
  return fake;
}

const types = (events: { type: string }[]): string[] => events.map((e) => e.type);

t.test('a watch from a list sends ADDED, MODIFIED and DELETED in order, one JSON a line', async (t) => {
  const fake = await started(t);
  await call(fake, 'POST', BASE, sampleTest('first'));
  const list = (await call(fake, 'GET', BASE)).body;
  const watch = openWatch(fake, `${BASE}?watch=true&resourceVersion=${list.metadata.resourceVersion}`);
  t.equal(await watch.code, 200);
  const created = (await call(fake, 'POST', BASE, sampleTest('a'))).body;
  const written = (
    await call(fake, 'PATCH', `${BASE}/a/status`, { status: { verdict: 'Matched' } }, 'application/merge-patch+json')
  ).body;
  await call(fake, 'DELETE', `${BASE}/a`);
  await waitFor('three events', () => watch.events.length >= 3);
  t.same(types(watch.events), ['ADDED', 'MODIFIED', 'DELETED'], 'nothing from before the list');
  t.equal(watch.events[0]!.object.metadata.resourceVersion, created.metadata.resourceVersion);
  t.same(watch.events[1]!.object, written);
  const versions = watch.events.map((e) => Number(e.object.metadata.resourceVersion));
  t.ok(versions[0]! < versions[1]! && versions[1]! < versions[2]!, 'resourceVersions go up');
  watch.close();
});

t.test(
  'a watch from no resourceVersion starts with the objects stored now; namespaces and labels filter',
  async (t) => {
    const fake = await started(t);
    await call(fake, 'POST', BASE, sampleTest('a'));
    await call(fake, 'POST', `${GROUP}/namespaces/other/reachabilitytests`, sampleTest('b'));
    const inTeam = openWatch(fake, `${BASE}?watch=1`);
    const everywhere = openWatch(fake, `${GROUP}/reachabilitytests?watch=true`);
    const labelled = openWatch(fake, `${GROUP}/reachabilitytests?watch=true&labelSelector=team%3Dnone`);
    await waitFor('the initial events', () => inTeam.events.length >= 1 && everywhere.events.length >= 2);
    t.same(
      inTeam.events.map((e) => e.object.metadata.name),
      ['a'],
    );
    t.same(everywhere.events.map((e) => `${e.type} ${e.object.metadata.name}`).sort(), ['ADDED a', 'ADDED b']);
    await call(fake, 'DELETE', `${GROUP}/namespaces/other/reachabilitytests/b`);
    await waitFor('the delete', () => everywhere.events.length >= 3);
    t.equal(inTeam.events.length, 1, 'not seen in another namespace');
    t.equal(labelled.events.length, 0, 'nothing matches the selector');
    const relabel = async (team: string) => {
      const current = (await call(fake, 'GET', `${BASE}/a`)).body;
      await call(fake, 'PUT', `${BASE}/a`, { ...current, metadata: { ...current.metadata, labels: { team } } });
    };
    await relabel('none');
    await waitFor('a starts matching', () => labelled.events.length === 1);
    await relabel('a');
    await waitFor('a stops matching', () => labelled.events.length === 2);
    t.same(
      labelled.events.map((e) => `${e.type} ${e.object.metadata.labels.team}`),
      ['ADDED none', 'DELETED none'],
      'a change into the selector is ADDED, one out of it DELETED with the object as it was',
    );
    const stored = (await call(fake, 'GET', `${BASE}/a`)).body;
    t.equal(
      labelled.events[1]!.object.metadata.resourceVersion,
      stored.metadata.resourceVersion,
      "at the change's version",
    );
    for (const w of [inTeam, everywhere, labelled]) w.close();
  },
);

t.test(
  'a too old resourceVersion gets 200 and one ERROR event: a Status 410 Expired; then the stream ends',
  async (t) => {
    const fake = await started(t);
    const old = (await call(fake, 'POST', BASE, sampleTest('a'))).body.metadata.resourceVersion;
    await call(fake, 'POST', BASE, sampleTest('b'));
    fake.custom.compact('reachabilitytests');
    const watch = openWatch(fake, `${BASE}?watch=true&resourceVersion=${old}`);
    t.equal(await watch.code, 200);
    t.same(await within(watch.ended, 'the end of the watch'), {}, 'the server ends the stream');
    t.equal(watch.events.length, 1);
    t.match(watch.events[0], {
      type: 'ERROR',
      object: {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        code: 410,
        reason: 'Expired',
        message: /^too old resource version: \d+ \(\d+\)$/,
      },
    });
    const now = (await call(fake, 'GET', BASE)).body.metadata.resourceVersion;
    const fresh = openWatch(fake, `${BASE}?watch=true&resourceVersion=${now}`);
    t.equal(await fresh.code, 200);
    await call(fake, 'DELETE', `${BASE}/b`);
    await waitFor('the delete after a relist', () => fresh.events.length === 1);
    t.equal(fresh.events[0]!.type, 'DELETED', 'a watch from the newest version works');
    fresh.close();
    t.equal(
      (await call(fake, 'GET', `${BASE}?watch=true&resourceVersion=abc`)).code,
      400,
      'a resourceVersion that is no number',
    );
  },
);

t.test('the window is bounded: a watch from before its oldest event is expired too', async (t) => {
  const fake = await started(t);
  const first = (await call(fake, 'POST', BASE, sampleTest('a'))).body;
  let current = first;
  for (let i = 0; i < 101; i++)
    current = (
      await call(
        fake,
        'PATCH',
        `${BASE}/a/status`,
        { status: { observedGeneration: i } },
        'application/merge-patch+json',
      )
    ).body;
  const watch = openWatch(fake, `${BASE}?watch=true&resourceVersion=${first.metadata.resourceVersion}`);
  await within(watch.ended, 'the end of the watch');
  t.match(watch.events, [{ type: 'ERROR', object: { code: 410 } }]);
  t.ok(current);
});

t.test('bookmarks carry only the newest resourceVersion; timeoutSeconds ends the watch', async (t) => {
  const fake = await started(t);
  fake.custom.bookmarkMs = 50;
  const created = (await call(fake, 'POST', BASE, sampleTest('a'))).body;
  const watch = openWatch(
    fake,
    `${BASE}?watch=true&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion=${created.metadata.resourceVersion}`,
  );
  await waitFor('a bookmark', () => watch.events.some((e) => e.type === 'BOOKMARK'));
  const bookmark = watch.events.find((e) => e.type === 'BOOKMARK')!;
  t.same(bookmark.object, {
    kind: 'ReachabilityTest',
    apiVersion: 'prober.dev/v1alpha1',
    metadata: { resourceVersion: created.metadata.resourceVersion },
  });
  t.same(await within(watch.ended, 'the end of the watch'), {}, 'the watch ends after timeoutSeconds, cleanly');
  const plain = openWatch(
    fake,
    `${BASE}?watch=true&timeoutSeconds=1&resourceVersion=${created.metadata.resourceVersion}`,
  );
  await within(plain.ended, 'the end of the watch');
  t.equal(plain.events.length, 0, 'no bookmarks unless allowed');
});

t.test('sendInitialEvents: the stored objects, then a bookmark marking their end', async (t) => {
  const fake = await started(t);
  await call(fake, 'POST', BASE, sampleTest('a'));
  const watch = openWatch(
    fake,
    `${BASE}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
  );
  await waitFor('two events', () => watch.events.length >= 2);
  t.same(types(watch.events), ['ADDED', 'BOOKMARK']);
  t.same(watch.events[1]!.object.metadata.annotations, { 'k8s.io/initial-events-end': 'true' });
  watch.close();
  const refused = await call(fake, 'GET', `${BASE}?watch=true&sendInitialEvents=true`);
  t.equal(refused.code, 422, 'sendInitialEvents needs resourceVersionMatch=NotOlderThan');
});

t.test('faults: a dropped watch (ended or reset), a failed watch, a slow list', async (t) => {
  const fake = await started(t);
  const ended = openWatch(fake, `${BASE}?watch=true`);
  const reset = openWatch(fake, `${BASE}?watch=true`);
  await Promise.all([ended.code, reset.code]);
  await waitFor('both watching', () => fake.custom.resources('reachabilitytests').cache.watching === 2);
  t.equal(fake.custom.dropWatches('reachabilitytests'), 2);
  t.same(await within(ended.ended, 'the end of the watch'), {}, 'ended cleanly');
  const reset2 = openWatch(fake, `${BASE}?watch=true`);
  await reset2.code;
  await waitFor('watching again', () => fake.custom.resources('reachabilitytests').cache.watching === 1);
  fake.custom.dropWatches('reachabilitytests', true);
  t.ok((await within(reset2.ended, 'the end of the watch')).error, 'a reset connection is an error to the client');
  reset.close();
  fake.failNext('watch', 'reachabilitytests', 500);
  t.equal((await call(fake, 'GET', `${BASE}?watch=true`)).code, 500);
  fake.slowNext('list', 'reachabilitytests', 300);
  const before = performance.now();
  t.equal((await call(fake, 'GET', BASE)).code, 200);
  t.ok(performance.now() - before >= 290, 'the list was answered late');
  t.same(
    fake.seen('watch', 'reachabilitytests').map((r) => r.code),
    [200, 200, 200, 500],
  );
});
