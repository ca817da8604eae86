// Cluster reads stay bounded whatever the API server (or a proxy in front of it) answers: a continue token
// that repeats, pages without end, a page larger than prober reads, and answers that are not a Kubernetes
// list end in one error naming the resource, after a bounded number of requests, never retried as if
// transient. The API server is the in-process fake of test/cluster/fake/ with transport-level faults
// (transport-faults.ts); client-node, undici and prober's code are real.
//
// Upstream: client-go tools/pager/pager.go (ListPager.List follows `continue` until it is empty, and
// trusts the server to end); apimachinery pkg/apis/meta/v1/types.go (ListMeta.continue, List.items).

import t, { type Test } from 'tap';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import type { KubeApi } from '../../src/cluster/kube-api.ts';
import { LIST_LIMITS } from '../../src/cluster/list-pager.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { hugePage, listPage, verbatim } from './fake/transport-faults.ts';

async function cluster(t: Test): Promise<{ fake: FakeApiServer; api: KubeApi }> {
  const fake = await FakeApiServer.start(t);
  fake.addPod({ namespace: 'ns', name: 'one', labels: { app: 'one' } });
  const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }));
  return { fake, api };
}

const pod = (name: string) => ({ metadata: { name, namespace: 'ns' } });

t.test('a continue token the server repeats ends the list at once, naming the resource', async (t) => {
  const { fake, api } = await cluster(t);
  fake.answerRawNext(
    'list',
    'pods',
    listPage(() => ({ items: [pod('a')], continue: 'same-token' })),
    1000,
  );
  await t.rejects(api.listAllPods(), {
    message: /^list pods cluster-wide: the API server sent the same continue token twice/,
  });
  t.equal(fake.seen('list', 'pods').length, 2, 'the first page and the one that repeats its token');
});

t.test('endless empty pages stop after a bounded number of pages', async (t) => {
  const { fake, api } = await cluster(t);
  fake.answerRawNext(
    'list',
    'pods',
    listPage((_u, n) => ({ items: [], continue: `token-${n}` })),
    100_000,
  );
  await t.rejects(api.listAllPods(), {
    message: new RegExp(`^list pods cluster-wide: ${LIST_LIMITS.emptyPages} pages in a row with no object`),
  });
  t.equal(fake.seen('list', 'pods').length, LIST_LIMITS.emptyPages, 'no request past the bound');
});

t.test('a list with more objects than prober holds is refused, naming the resource', async (t) => {
  const { fake, api } = await cluster(t);
  const many = Array.from({ length: 500 }, (_, i) => pod(`p${i}`));
  fake.answerRawNext(
    'list',
    'pods',
    listPage((_u, n) => ({ items: many, continue: `t${n}` })),
    100_000,
  );
  await t.rejects(api.listAllPods(), {
    message: new RegExp(`^list pods cluster-wide: more than ${LIST_LIMITS.objects} objects`),
  });
});

const malformed: ReadonlyArray<[string, string, string?]> = [
  ['items is a number', '{"kind":"PodList","items":5}'],
  ['items is null', '{"kind":"PodList","items":null,"metadata":{}}'],
  ['an item is not an object', '{"kind":"PodList","items":[5],"metadata":{}}'],
  ['continue is not a string', '{"kind":"PodList","items":[],"metadata":{"continue":5}}'],
  ['JSON garbage', '{"kind":"PodList","items":[{"metadata":'],
  ['an HTML page from a proxy', '<html><body>Welcome</body></html>', 'text/html'],
  ['an array', '[]'],
];

for (const [name, body, type] of malformed) {
  t.test(`an answer that is not a Kubernetes list (${name}) is one error, not retried`, async (t) => {
    const { fake, api } = await cluster(t);
    fake.answerRawNext('list', 'pods', verbatim(body, 200, type), 10);
    await t.rejects(api.listAllPods(), {
      message: /^list pods cluster-wide: the API server answered something that is not a Kubernetes list/,
    });
    t.equal(fake.seen('list', 'pods').length, 1, 'asked once: the same answer would come again');
  });
}

t.test('a page larger than prober reads is asked again in smaller pages, then refused', async (t) => {
  const { fake, api } = await cluster(t);
  const limits: (string | null)[] = [];
  const huge = hugePage(LIST_LIMITS.pageBytes * 2);
  fake.answerRawNext(
    'list',
    'pods',
    (res, url, n) => {
      limits.push(url.searchParams.get('limit'));
      huge(res, url, n);
    },
    100,
  );
  await t.rejects(api.listAllPods(), {
    message: new RegExp(
      `^list pods cluster-wide: a page of at most 5 objects is larger than ${LIST_LIMITS.pageBytes / 2 ** 20} MiB`,
    ),
  });
  t.same(limits, ['500', '125', '31', '7', '5'], 'asked again in smaller pages, a bounded number of times');
});

t.test('a page too large at 500 objects is read in smaller pages when they fit', async (t) => {
  const { fake, api } = await cluster(t);
  // The first answer is too big; the next (smaller limit) is the fake's own list.
  fake.answerRawNext('list', 'pods', hugePage(LIST_LIMITS.pageBytes + 1024), 1);
  const pods = await api.listAllPods();
  t.same(
    pods.map((p) => p.metadata?.name),
    ['one'],
  );
  t.same(
    fake.seen('list', 'pods').map((r) => r.code),
    [200, 200],
  );
});

t.test('typed answers of the wrong shape are refused once, not met later as internal errors', async (t) => {
  const { fake, api } = await cluster(t);
  fake.answerRawNext('list', 'pods', verbatim('{"kind":"PodList","items":null,"metadata":{}}'), 10);
  await t.rejects(api.listPods('ns'), {
    message: /^list pods in namespace ns: the API server answered something that is not a Kubernetes list/,
  });
  t.equal(fake.seen('list', 'pods').length, 1, 'asked once');
  fake.answerRawNext('list', 'endpointslices', verbatim('{"kind":"EndpointSliceList","items":5}'), 10);
  await t.rejects(api.listEndpointSlices('ns', 'web'), {
    message:
      /^list endpointslices\.discovery\.k8s\.io in namespace ns: the API server answered something that is not a Kubernetes list/,
  });
  fake.answerRawNext(
    'get',
    'apis',
    verbatim('{"kind":"APIGroupList","groups":[{"name":"cilium.io","versions":null}]}'),
    10,
  );
  await t.rejects(api.listApiGroups(), {
    message: /^get apis cluster-wide: the API server answered something that is not a discovery document/,
  });
  fake.answerRawNext('get', 'apis', verbatim('{"kind":"APIResourceList","resources":null}'), 10);
  await t.rejects(api.listApiResources('cilium.io', 'v2'), {
    message: /^get apis cluster-wide: the API server answered something that is not a discovery document/,
  });
});
