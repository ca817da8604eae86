// @kubernetes/client-node's informer (makeInformer: a ListWatch over its Watch), at the version
// package.json pins, against the fake API server's watch of ReachabilityTests: it sees adds, updates
// and deletes; a watch the server ends is resumed from the last resourceVersion without a list; a
// resumed watch the cache no longer reaches (410 Gone as an ERROR event, apiserver
// pkg/storage/cacher/cacher.go) makes it list again, and what changed meanwhile arrives, deletions
// included; a reset connection stops it (client-node's ListWatch hands the error to `error`
// listeners and does not restart), so the controller restarts it from its error listener.

import { CustomObjectsApi, KubeConfig, type KubernetesObject, makeInformer } from '@kubernetes/client-node';
import t, { type Test } from 'tap';
import { reachabilityTestCrd } from '../../k8s/prober/crd.ts';
import { waitFor } from '../helpers/wait.ts';
import { sampleTest } from '../helpers/watch-fixtures.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { call } from './fake/http-client.ts';

const PATH = '/apis/prober.dev/v1alpha1/namespaces/team/reachabilitytests';

async function informing(t: Test) {
  const fake = await FakeApiServer.start(t);
  fake.addNamespace('team');
  fake.installCustomResource(reachabilityTestCrd());
  const config = new KubeConfig();
  config.loadFromFile(fake.kubeconfig);
  const api = config.makeApiClient(CustomObjectsApi);
  const list = () =>
    api.listNamespacedCustomObject({
      group: 'prober.dev',
      version: 'v1alpha1',
      namespace: 'team',
      plural: 'reachabilitytests',
    }) as never;
  const informer = makeInformer<KubernetesObject>(config, PATH, list);
  const seen: string[] = [];
  const errors: unknown[] = [];
  informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
  informer.on('update', (o) =>
    seen.push(`update ${o.metadata?.name} ${(o as { status?: { verdict?: string } }).status?.verdict ?? ''}`.trim()),
  );
  informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
  informer.on('error', (error) => errors.push(error));
  let stopped = false;
  t.teardown(async () => {
    stopped = true;
    await informer.stop();
  });
  const watching = () => fake.custom.resources('reachabilitytests').cache.watching === 1;
  return { fake, informer, seen, errors, watching, ended: () => stopped };
}

const lists = (fake: FakeApiServer) => fake.seen('list', 'reachabilitytests').length;
const verdict = (fake: FakeApiServer, name: string, v: string) =>
  call(fake, 'PATCH', `${PATH}/${name}/status`, { status: { verdict: v } }, 'application/merge-patch+json');

t.test('the informer sees adds, updates and deletes', async (t) => {
  const { fake, informer, seen, watching } = await informing(t);
  await call(fake, 'POST', PATH, sampleTest('before'));
  await informer.start();
  await waitFor('the watch', watching);
  t.same(seen, ['add before'], 'the list');
  await call(fake, 'POST', PATH, sampleTest('a'));
  await verdict(fake, 'a', 'Drifted');
  await call(fake, 'DELETE', `${PATH}/a`);
  await waitFor('three events', () => seen.length === 4);
  t.same(seen, ['add before', 'add a', 'update a Drifted', 'delete a']);
  t.equal(informer.list('team').length, 1);
});

t.test('a watch the server ends is resumed from its resourceVersion, without a list', async (t) => {
  const { fake, informer, seen, watching } = await informing(t);
  await informer.start();
  await waitFor('the watch', watching);
  t.equal(fake.custom.dropWatches('reachabilitytests'), 1);
  await call(fake, 'POST', PATH, sampleTest('while-away'));
  await waitFor('the add made while the watch was down', () => seen.includes('add while-away'));
  t.equal(lists(fake), 1, 'no second list');
  const watches = fake.seen('watch', 'reachabilitytests');
  t.equal(watches.length, 2);
});

t.test('a resumed watch that is too old (410) makes it list again; what changed meanwhile arrives', async (t) => {
  const { fake, informer, seen, watching } = await informing(t);
  await call(fake, 'POST', PATH, sampleTest('gone-soon'));
  await informer.start();
  await waitFor('the watch', watching);
  // While no watch is open: a delete and an add, then the cache moves on past the informer's version.
  fake.custom.resources('reachabilitytests').cache.dropAll(false);
  fake.slowNext('watch', 'reachabilitytests', 300);
  await call(fake, 'DELETE', `${PATH}/gone-soon`);
  await call(fake, 'POST', PATH, sampleTest('new'));
  fake.custom.compact('reachabilitytests');
  fake.slowNext('list', 'reachabilitytests', 200);
  await waitFor('the relist', () => seen.includes('delete gone-soon') && seen.includes('add new'), 15_000);
  t.equal(lists(fake), 2, 'listed again after the 410');
  t.same(
    informer.list('team').map((o) => o.metadata?.name),
    ['new'],
  );
  await waitFor('watching again', watching);
  await verdict(fake, 'new', 'Matched');
  await waitFor('an update after the relist', () => seen.includes('update new Matched'));
});

t.test('a reset connection stops the informer; restarted from its error listener, it carries on', async (t) => {
  const { fake, informer, seen, errors, watching, ended } = await informing(t);
  informer.on('error', () => {
    if (!ended()) void informer.start();
  });
  await informer.start();
  await waitFor('the watch', watching);
  fake.custom.dropWatches('reachabilitytests', true);
  await waitFor('the error', () => errors.length === 1);
  await waitFor('watching again', watching);
  await call(fake, 'POST', PATH, sampleTest('after-reset'));
  await waitFor('the add after the restart', () => seen.includes('add after-reset'));
});
