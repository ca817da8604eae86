// The pure parts of cluster mode: which hosts are Services, the objects prober creates (checked against
// the Kubernetes OpenAPI models and API validation rules), agent deadlines, and the svc/ target shorthand.

import type { V1Pod } from '@kubernetes/client-node';
import t from 'tap';
import { agentContainerName, ephemeralAgent } from '../../src/cluster/agent-spec.ts';
import { agentTimeoutFor } from '../../src/cluster/cluster-backend.ts';
import { PROBE_POD_RESOURCES, probePod, probePodName } from '../../src/cluster/probe-pod.ts';
import { serviceRefOf } from '../../src/cluster/service-host.ts';
import { parseReachabilityTest } from '../../src/config/load-test.ts';
import { planFor } from '../../src/model/plan.ts';
import { parseTarget } from '../../src/model/target.ts';
import { ephemeralErrors, podErrors } from './fake/validate.ts';

t.test('Service DNS names and what is not one', async (t) => {
  const rows: [string, ReturnType<typeof serviceRefOf>][] = [
    ['redis-svc.d-redis.svc.cluster.local', { namespace: 'd-redis', name: 'redis-svc', form: 'fqdn' }],
    ['redis-svc.d-redis.svc.cluster.local.', { namespace: 'd-redis', name: 'redis-svc', form: 'fqdn' }],
    ['redis-svc.d-redis.svc', { namespace: 'd-redis', name: 'redis-svc', form: 'svc' }],
    ['redis-svc.d-redis', { namespace: 'd-redis', name: 'redis-svc', form: 'short' }],
    ['example.com', { namespace: 'com', name: 'example', form: 'short' }],
    ['redis-svc', undefined],
    ['10.96.0.10', undefined],
    ['redis-0.redis-svc.d-redis.svc.cluster.local', undefined],
    ['redis-svc.d-redis.svc.other.domain', undefined],
    ['www.example.co.uk', undefined],
    ['Bad_Name.ns', undefined],
  ];
  for (const [host, want] of rows) t.same(serviceRefOf(host), want, host);
  t.same(
    serviceRefOf('web.prod.svc.corp.internal', 'corp.internal'),
    { namespace: 'prod', name: 'web', form: 'fqdn' },
    'another cluster domain',
  );
});

t.test('the svc/NAME.NAMESPACE:PORT shorthand becomes a TCP probe of the Service name', async (t) => {
  t.match(parseTarget('svc/redis-svc.d-redis:6379'), {
    ok: true,
    value: {
      scheme: 'tcp',
      host: 'redis-svc.d-redis.svc.cluster.local',
      port: 6379,
      url: 'tcp://redis-svc.d-redis.svc.cluster.local:6379',
    },
  });
  t.match(parseTarget('svc/redis-svc:6379'), { ok: false, error: /svc\/NAME\.NAMESPACE:PORT/ });
  t.match(parseTarget('svc/redis-svc.d-redis:99999'), { ok: false, error: /port 99999 is out of range 1–65535/ });
  t.match(parseTarget('tcp://10.0.0.1:80'), { ok: true }, 'URLs are unchanged');
});

t.test(
  'the loader takes a selector without a namespace (prober run fills it in) but not an empty source',
  async (t) => {
    const yaml = (source: string): string => `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: "n" }
spec:
  sources:
    web: ${source}
  targets:
    redis: { url: "svc/redis-svc.d-redis:6379" }
  expect:
    - { from: web, to: redis, verdict: deny }
`;
    const test = parseReachabilityTest('t.yaml', yaml('{ selector: { app: web } }'));
    t.match(test.sources[0], { name: 'web', selector: { app: 'web' }, local: false });
    t.equal(test.sources[0]?.namespace, undefined);
    t.equal(test.targets[0]?.address.url, 'tcp://redis-svc.d-redis.svc.cluster.local:6379');
    t.throws(() => parseReachabilityTest('t.yaml', yaml('{}')), {
      message: 'needs a namespace and/or a selector, or local: true',
    });
  },
);

const plan = planFor(
  'apache',
  [{ name: 'redis', url: 'redis://redis-svc.d-redis.svc.cluster.local:6379' }],
  { timeoutMs: 2000, attempts: 2, concurrency: 64 },
  () => 'deny',
);

t.test('the ephemeral agent is a valid ephemeral container', async (t) => {
  const container = ephemeralAgent(
    agentContainerName('abc123', 0),
    'ghcr.io/prober-dev/prober:0.1.0',
    plan,
  ) as unknown as Record<string, unknown>;
  t.same(ephemeralErrors([], [container], ['main']), []);
  t.equal(container.name, 'prober-abc123-0');
  t.same(
    ephemeralErrors([], [container], ['prober-abc123-0']).length,
    1,
    'a clash with an existing container name is caught',
  );
  t.equal(container.resources, undefined, 'no resources: the API server forbids them on ephemeral containers');
});

t.test(
  'the API server forbids fields outside its allow-list on ephemeral containers, resources among them',
  async (t) => {
    const base = ephemeralAgent(
      agentContainerName('abc123', 0),
      'ghcr.io/prober-dev/prober:0.1.0',
      plan,
    ) as unknown as Record<string, unknown>;
    const rows: [string, Record<string, unknown>, string[]][] = [
      [
        'resources',
        { resources: PROBE_POD_RESOURCES },
        ['spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an Ephemeral Container'],
      ],
      ['resources that are empty (the zero value)', { resources: {} }, []],
      [
        'ports',
        { ports: [{ containerPort: 80 }] },
        ['spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container'],
      ],
      [
        'a readiness probe',
        { readinessProbe: { tcpSocket: { port: 1 } } },
        ['spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral Container'],
      ],
      [
        'restartPolicy',
        { restartPolicy: 'Always' },
        ['spec.ephemeralContainers[0].restartPolicy: Forbidden: cannot be set for an Ephemeral Container'],
      ],
      ['a target container', { targetContainerName: 'main' }, []],
      ['stdin and tty', { stdin: true, tty: true }, []],
    ];
    for (const [name, extra, errors] of rows)
      t.same(ephemeralErrors([], [{ ...base, ...extra }], ['main']), errors, name);
  },
);

t.test('the probe pod has small requests and limits, within what the agent was measured to use', async (t) => {
  const source: V1Pod = {
    metadata: { name: 'web-1', namespace: 'web', labels: { app: 'web' } },
    spec: { containers: [{ name: 'web', image: 'web' }] },
  };
  const pod = probePod({ source, sourceName: 'web', runId: 'abc123', image: 'img:1', plan, deadlineSeconds: 60 });
  const resources = pod.spec?.containers[0]?.resources;
  t.same(resources, { requests: { cpu: '10m', memory: '96Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
  t.same(podErrors(pod as unknown as Record<string, unknown>), [], 'a valid pod');
});

t.test('the probe pod: valid, the source identity without controller labels, never Ready, bounded', async (t) => {
  const source: V1Pod = {
    metadata: {
      name: 'apacherr-6c9f7d-x2x4q',
      namespace: 'b-apacherr',
      labels: { app: 'apacherr', 'pod-template-hash': '6c9f7d', 'app.kubernetes.io/managed-by': 'Helm' },
    },
    spec: { serviceAccountName: 'apacherr', containers: [{ name: 'httpd', image: 'httpd' }] },
  };
  const pod = probePod({ source, sourceName: 'apache', runId: 'abc123', image: 'img:1', plan, deadlineSeconds: 120 });
  t.same(podErrors(pod as unknown as Record<string, unknown>), []);
  t.same(
    pod.metadata?.labels,
    { app: 'apacherr', 'app.kubernetes.io/managed-by': 'Helm', 'prober.dev/run-id': 'abc123' },
    "the workload's own managed-by stays: it is part of its identity",
  );
  t.match(pod.spec, {
    serviceAccountName: 'apacherr',
    restartPolicy: 'Never',
    activeDeadlineSeconds: 120,
    automountServiceAccountToken: false,
  });
  t.match(pod.spec?.containers[0]?.readinessProbe, { tcpSocket: { port: 1 } });
  const bare = probePod({
    source: { ...source, metadata: { ...source.metadata, labels: { app: 'x' } } },
    sourceName: 'apache',
    runId: 'abc123',
    image: 'img:1',
    plan,
    deadlineSeconds: 1,
  });
  t.equal(bare.metadata?.labels?.['app.kubernetes.io/managed-by'], 'prober');
  const long = probePodName('a'.repeat(63), 'abc123');
  t.ok(long.length <= 63 && long.endsWith('-abc123'), long);
});

t.test('the agent deadline covers the worst case of the plan plus a minute to start', async (t) => {
  t.equal(agentTimeoutFor(plan), 60_000 + 2 * 2000 + 1000);
  const many = planFor(
    'x',
    Array.from({ length: 130 }, (_, i) => ({ name: `t${i}`, url: `tcp://10.0.0.1:${i + 1}` })),
    { timeoutMs: 1000, attempts: 1, concurrency: 64 },
    () => undefined,
  );
  t.equal(agentTimeoutFor(many), 60_000 + 3 * 1000, 'three waves of 64');
});
