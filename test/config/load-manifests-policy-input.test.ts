// Manifests as users bring them: pod dumps with IPs, policy kinds prober does not evaluate, one error location.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { loadManifests } from '../../src/config/load-manifests.ts';
import { buildModel, type KindFilter, parseKindFilter } from '../../src/policy/index.ts';
import { inputIo } from '../helpers/input-io.ts';
import { tempDir } from '../helpers/temp.ts';

const pod = (name: string, labels: Record<string, string>, status: Record<string, unknown>, owner?: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'shop',
    labels,
    ...(owner ? { ownerReferences: [{ kind: 'ReplicaSet', name: owner, controller: true }] } : {}),
  },
  spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] },
  status,
});

t.test('a `kubectl get pods -A -o yaml` dump: pods with their IPs, controllers they cover left out', async (t) => {
  const dir = tempDir(t, 'dump');
  const list = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      pod(
        'web-7d9f-aaaa',
        { app: 'web', 'pod-template-hash': '7d9f' },
        { phase: 'Running', podIP: '10.1.0.5', podIPs: [{ ip: '10.1.0.5' }, { ip: 'fd00::5' }] },
        'web-7d9f',
      ),
      pod(
        'web-7d9f-bbbb',
        { app: 'web', 'pod-template-hash': '7d9f' },
        { phase: 'Running', podIP: '10.1.0.6' },
        'web-7d9f',
      ),
      pod('batch-x', { app: 'batch' }, { phase: 'Succeeded', podIP: '10.1.0.5' }),
      pod('pending', { app: 'queue' }, { phase: 'Pending' }),
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: 'web-7d9f',
          namespace: 'shop',
          ownerReferences: [{ kind: 'Deployment', name: 'web', controller: true }],
        },
        spec: {
          template: {
            metadata: { labels: { app: 'web', 'pod-template-hash': '7d9f' } },
            spec: { containers: [{ name: 'c' }] },
          },
        },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'shop' },
        spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] } } },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'api', namespace: 'shop' },
        spec: { template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'c' }] } } },
      },
    ],
  };
  writeFileSync(join(dir, 'pods.yaml'), stringify(list));
  // A typed list, as the API itself serves it.
  writeFileSync(
    join(dir, 'more.json'),
    JSON.stringify({ apiVersion: 'v1', kind: 'PodList', items: [pod('solo', { app: 'solo' }, { podIP: '10.1.0.9' })] }),
  );
  const loaded = await loadManifests(['pods.yaml', 'more.json'], inputIo(dir));
  t.same(
    loaded.cluster.workloads.map((w) => [w.name, w.owner, w.ips]),
    [
      ['web-7d9f-aaaa', 'web-7d9f', ['10.1.0.5', 'fd00::5']],
      ['web-7d9f-bbbb', 'web-7d9f', ['10.1.0.6']],
      ['pending', undefined, []],
      ['api', undefined, undefined],
      ['solo', undefined, ['10.1.0.9']],
    ],
    'podIPs first, podIP otherwise; the ReplicaSet and Deployment of listed pods are not peers twice',
  );
  t.match(loaded.warnings, [/pods\.yaml:\d+: Pod shop\/batch-x has finished \(Succeeded\): left out/]);
  const model = buildModel(loaded.cluster);
  t.same(
    model.workload('shop/web-7d9f')?.ips,
    ['10.1.0.5', 'fd00::5', '10.1.0.6'],
    'pods of one ReplicaSet are one peer with all their IPs',
  );
});

t.test('a pod IP that is not an address is bad input at its line', async (t) => {
  const dir = tempDir(t, 'dump');
  writeFileSync(join(dir, 'bad.yaml'), stringify(pod('p', {}, { podIPs: [{ ip: '10.1.0.5' }, { ip: 'ten' }] })));
  await t.rejects(loadManifests(['bad.yaml'], inputIo(dir)), {
    message: /^bad\.yaml:\d+: status\.podIPs\[1\]\.ip: "ten" is not an IP address$/,
  });
});

/** Objects of policy groups the engine does not evaluate. */
const UNEVALUATED: [string, string, string][] = [
  ['GlobalNetworkPolicy', 'crd.projectcalico.org/v1', 'GlobalNetworkPolicy.crd.projectcalico.org'],
  ['NetworkPolicy', 'projectcalico.org/v3', 'NetworkPolicy.projectcalico.org'],
  ['ClusterNetworkPolicy', 'crd.antrea.io/v1beta1', 'ClusterNetworkPolicy.crd.antrea.io'],
  ['AuthorizationPolicy', 'policy.linkerd.io/v1alpha1', 'AuthorizationPolicy.policy.linkerd.io'],
  ['RequestAuthentication', 'security.istio.io/v1', 'RequestAuthentication.security.istio.io'],
  ['EgressFirewall', 'k8s.ovn.org/v1', 'EgressFirewall.k8s.ovn.org'],
];

for (const [kind, apiVersion, qualified] of UNEVALUATED) {
  t.test(`${qualified}: an error naming file, line and kind, unless left out on purpose`, async (t) => {
    const dir = tempDir(t, 'kinds');
    writeFileSync(
      join(dir, 'p.yaml'),
      `# a policy\napiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: p, namespace: shop}\nspec: {}\n`,
    );
    await t.rejects(loadManifests(['p.yaml'], inputIo(dir)), {
      message: new RegExp(
        `^p\\.yaml:3: kind: ${kind} \\(${apiVersion.replace(/\./g, '\\.')}, [^)]+\\) is a policy prober does not evaluate;.* --ignore-kind ${qualified.replace(/\./g, '\\.')} `,
      ),
    });
    for (const spec of [kind, qualified, kind.toLowerCase()]) {
      const filter = parseKindFilter(spec) as KindFilter;
      const loaded = await loadManifests(['p.yaml'], inputIo(dir), { ignoreKinds: [filter] });
      t.same(loaded.leftOut, { [qualified]: 1 }, `--ignore-kind ${spec}`);
      t.same(loaded.cluster.policies, []);
    }
    const other = await loadManifests(['p.yaml'], inputIo(dir), {
      ignoreKinds: [parseKindFilter(`${kind}.example.com`) as KindFilter],
    }).catch((e: Error) => e);
    t.type(other, Error, 'a filter for another group leaves it an error');
  });
}

t.test('kinds of policy groups that hold no policy, and other groups, are not errors', async (t) => {
  const dir = tempDir(t, 'kinds');
  const objects = [
    ['IPPool', 'crd.projectcalico.org/v1'],
    ['Ingress', 'networking.k8s.io/v1'],
    ['ClusterPolicy', 'kyverno.io/v1'],
    ['CiliumLoadBalancerIPPool', 'cilium.io/v2alpha1'],
  ];
  writeFileSync(
    join(dir, 'o.yaml'),
    objects.map(([kind, v]) => `apiVersion: ${v}\nkind: ${kind}\nmetadata: {name: o}\n`).join('---\n'),
  );
  const loaded = await loadManifests(['o.yaml'], inputIo(dir));
  t.same(loaded.ignoredKinds, { IPPool: 1, Ingress: 1, ClusterPolicy: 1, CiliumLoadBalancerIPPool: 1 });
});

t.test('bad --ignore-kind values', (t) => {
  for (const bad of ['', '.group', 'Kind.', 'Kind..x', 'Kind/x', '9Kind'])
    t.type(parseKindFilter(bad), 'string', JSON.stringify(bad));
  t.same(parseKindFilter('GlobalNetworkPolicy.crd.projectcalico.org'), {
    kind: 'GlobalNetworkPolicy',
    group: 'crd.projectcalico.org',
  });
  t.end();
});

t.test('a policy error names one location, the offending field line', async (t) => {
  const dir = tempDir(t, 'kinds');
  writeFileSync(
    join(dir, 'policies.yaml'),
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  ingress:\n  - from:\n    - {}\n',
  );
  const error = (await loadManifests(['policies.yaml'], inputIo(dir)).catch((e: Error) => e)) as Error;
  t.equal(
    error.message,
    'policies.yaml:7: NetworkPolicy x/p: spec.ingress[0].from[0]: a peer needs podSelector, namespaceSelector or ipBlock',
  );
  t.equal(error.cause, undefined, 'no cause that would print the document line after it');
});

t.test('a namespaced policy without a namespace goes where -n says, like its workloads', async (t) => {
  const dir = tempDir(t, 'kinds');
  writeFileSync(
    join(dir, 'a.yaml'),
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec:\n  podSelector:\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: c}]}\n',
  );
  const loaded = await loadManifests(['a.yaml'], inputIo(dir), { defaultNamespace: 'shop' });
  const model = buildModel(loaded.cluster);
  t.same(
    model.policies.map((p) => p.ref),
    ['NetworkPolicy shop/p'],
  );
  t.same(
    model.workloads.map((w) => w.id),
    ['shop/web'],
  );
});

t.test('a ClusterNetworkPolicy of policy.networking.k8s.io/v1alpha2 is evaluated, not refused', async (t) => {
  const dir = tempDir(t, 'kinds');
  writeFileSync(
    join(dir, 'p.yaml'),
    'apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: p}\nspec:\n  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - {action: Deny, from: [{namespaces: {}}], protocols: [{tcp: {destinationPort: {number: 99999}}}]}\n',
  );
  await t.rejects(loadManifests(['p.yaml'], inputIo(dir)), {
    message:
      /^p\.yaml:\d+: ClusterNetworkPolicy p: spec\.ingress\[0\]\.protocols\[0\]\.tcp\.destinationPort\.number: port 99999 is not within 1-65535$/,
  });
  writeFileSync(join(dir, 'p.yaml'), readFileSync(join(dir, 'p.yaml'), 'utf8').replace('99999', '80'));
  const loaded = await loadManifests(['p.yaml'], inputIo(dir));
  t.same(loaded.leftOut, {});
  t.same(
    loaded.cluster.policies.map((p) => (p.manifest as { kind: string }).kind),
    ['ClusterNetworkPolicy'],
  );
});
