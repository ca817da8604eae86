// Events on the fake API server: created through events.k8s.io/v1 (the API the watch's controller
// writes, with @kubernetes/client-node's EventsV1Api as here) and validated as upstream's
// pkg/apis/core/validation/events.go ValidateEventCreate validates that version (its field paths are
// the internal Event's: `involvedObject`, `message`); read back there and as core v1 Events, where
// `kubectl describe` looks.

import { EventsV1Api, KubeConfig } from '@kubernetes/client-node';
import t, { type Test } from 'tap';
import { FakeApiServer } from './fake/apiserver.ts';
import { call } from './fake/http-client.ts';

type Json = Record<string, any>;
const PATH = '/apis/events.k8s.io/v1/namespaces/team/events';

const event = (name: string, extra: Json = {}): Json => ({
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: { name, namespace: 'team' },
  eventTime: '2026-12-07T15:00:00.000000Z',
  type: 'Warning',
  reason: 'Drifted',
  action: 'Probe',
  note: 'web → db: denied, intended allow',
  reportingController: 'prober.dev/watch',
  reportingInstance: 'prober-watch-7d9f-abcde',
  regarding: { apiVersion: 'prober.dev/v1alpha1', kind: 'ReachabilityTest', namespace: 'team', name: 'a', uid: 'u1' },
  ...extra,
});

async function started(t: Test): Promise<FakeApiServer> {
  const fake = await FakeApiServer.start(t);
  fake.addNamespace('team');
  return fake;
}

t.test('an Event made by client-node is stored and listed in both APIs', async (t) => {
  const fake = await started(t);
  const config = new KubeConfig();
  config.loadFromFile(fake.kubeconfig);
  const api = config.makeApiClient(EventsV1Api);
  const body = event('a.1');
  // client-node sends a Date as toISOString() (milliseconds): the API server cannot decode that as a MicroTime.
  const refused = await api
    .createNamespacedEvent({
      namespace: 'team',
      body: { ...body, eventTime: new Date('2026-12-07T15:00:00Z') } as never,
    })
    .then(
      () => 0,
      (error: { code?: number }) => error.code,
    );
  t.equal(refused, 400, 'a Date for eventTime is refused');
  t.match(fake.seen('create', 'events').at(-1), { code: 400 });
  // The same string with six fractional digits passes through client-node untouched.
  const created = await api.createNamespacedEvent({ namespace: 'team', body: body as never });
  t.equal(created.metadata?.name, 'a.1');
  t.equal(created.reason, 'Drifted');
  const list = (await call(fake, 'GET', PATH)).body;
  t.same(
    list.items.map((e: Json) => e.regarding.name),
    ['a'],
  );
  const core = (await call(fake, 'GET', '/api/v1/namespaces/team/events')).body;
  t.match(core.items[0], {
    involvedObject: { kind: 'ReachabilityTest', name: 'a' },
    reason: 'Drifted',
    message: body.note,
    type: 'Warning',
    reportingComponent: 'prober.dev/watch',
  });
  t.equal((await call(fake, 'POST', PATH, event('a.1'))).code, 409, 'a name twice');
});

t.test('a create missing what events.k8s.io/v1 requires is refused, each field named', async (t) => {
  const fake = await started(t);
  const cases: [string, Json, RegExp][] = [
    ['no reportingController', event('b', { reportingController: '' }), /reportingController: Required value/],
    [
      'a reportingController that is no qualified name',
      event('b', { reportingController: 'Prober Watch' }),
      /reportingController: Invalid value/,
    ],
    ['no reportingInstance', event('b', { reportingInstance: undefined }), /reportingInstance: Required value/],
    [
      'a reportingInstance over 128',
      event('b', { reportingInstance: 'x'.repeat(129) }),
      /reportingInstance: .*at most 128 characters/,
    ],
    ['no action', event('b', { action: undefined }), /action: Required value/],
    ['no reason', event('b', { reason: '' }), /reason: Required value/],
    ['a note over 1024', event('b', { note: 'x'.repeat(1025) }), /message: .*at most 1024 characters/],
    ['no eventTime', event('b', { eventTime: undefined }), /eventTime: Required value/],
    ['a type that is neither', event('b', { type: 'Error' }), /type: .*has invalid value: Error/],
    ['a deprecated count', event('b', { deprecatedCount: 3 }), /count: .*needs to be unset/],
    [
      'a series of one',
      event('b', { series: { count: 1, lastObservedTime: '2026-12-07T15:00:00.000000Z' } }),
      /series\.count: .*at least 2/,
    ],
    [
      'regarding no namespace, from a namespace',
      event('b', { regarding: { kind: 'ReachabilityTest', name: 'a' } }),
      /involvedObject\.namespace: .*does not match event\.namespace/,
    ],
    ['a name that is no DNS subdomain', event('B_b'), /metadata\.name: Invalid value/],
  ];
  for (const [name, body, error] of cases) {
    const answer = await call(fake, 'POST', PATH, body);
    t.equal(answer.code, name.startsWith('an eventTime') ? 400 : 422, name);
    t.match(answer.body.message, error, name);
  }
  const elsewhere = await call(fake, 'POST', PATH, event('c', { metadata: { name: 'c', namespace: 'other' } }));
  t.equal(elsewhere.code, 400, 'another namespace than the path');
  t.equal((await call(fake, 'GET', PATH)).body.items.length, 0, 'nothing was stored');
});

t.test('RBAC: creating Events needs create on events.k8s.io events', async (t) => {
  const fake = await started(t);
  fake.enforceRbac([
    {
      kind: 'Role',
      metadata: { name: 'r', namespace: 'team' },
      rules: [{ apiGroups: [''], resources: ['events'], verbs: ['create'] }],
    },
    {
      kind: 'RoleBinding',
      metadata: { name: 'r', namespace: 'team' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
      subjects: [{ kind: 'ServiceAccount', name: 'prober', namespace: 'prober' }],
    },
  ]);
  const answer = await call(fake, 'POST', PATH, event('d'));
  t.equal(answer.code, 403, 'the core group grant does not cover events.k8s.io');
  t.match(answer.body.message, /cannot create resource "events" in API group "events.k8s.io"/);
});
