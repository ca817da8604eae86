// policies/expectations.yaml names sources and targets that exist in the manifests, and states every pair.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { loadReachabilityTest } from '../../src/config/load-test.ts';
import { inputIo } from '../helpers/input-io.ts';
import { podTemplates, renderAll, resolveTargetPort, selects, services } from './lab.ts';
import { REPO } from './manifests.ts';

interface Expectations {
  spec: {
    sources: Record<string, { namespace: string; selector: Record<string, string> }>;
    targets: Record<string, { url: string }>;
    expect: { name?: string; from: string; to: string; verdict: 'allow' | 'deny' }[];
  };
}

const FILE = join(REPO, 'policies/expectations.yaml');
const test = parse(readFileSync(FILE, 'utf8')) as Expectations;
const { lab } = renderAll();
const pods = podTemplates(lab);
const svcs = services(lab);
const DEFAULT_PORT: Record<string, number> = { 'http:': 80, 'https:': 443, 'redis:': 6379 };

t.test('every source is a namespace and selector of exactly one lab workload', async (t) => {
  t.same(Object.keys(test.spec.sources).sort(), ['apache', 'app', 'ingress', 'redis']);
  for (const [name, source] of Object.entries(test.spec.sources)) {
    const selected = pods.filter(
      (p) => p.namespace === source.namespace && selects({ matchLabels: source.selector }, p.labels),
    );
    t.equal(selected.length, 1, `source ${name} selects ${selected.map((p) => p.owner).join(', ') || 'nothing'}`);
  }
});

t.test('every target is a Service DNS name, on a Service port, at a path the workload serves', async (t) => {
  t.same(Object.keys(test.spec.targets).sort(), ['apache', 'app', 'ingress', 'redis']);
  for (const [name, target] of Object.entries(test.spec.targets)) {
    const url = new URL(target.url);
    const [service, namespace, ...rest] = url.hostname.split('.');
    t.same(rest, ['svc', 'cluster', 'local'], `target ${name}: a cluster DNS name`);
    const svc = svcs.find((s) => s.name === service && s.namespace === namespace);
    if (!t.ok(svc, `target ${name}: Service ${service} exists in ${namespace}`) || !svc) continue;
    const port = url.port ? Number(url.port) : DEFAULT_PORT[url.protocol];
    const svcPort = svc.ports.find((p) => p.port === port);
    if (!t.ok(svcPort, `target ${name}: port ${port} is a port of ${service}`) || !svcPort) continue;
    const pod = pods.find((p) => p.namespace === namespace && selects({ matchLabels: svc.selector }, p.labels));
    if (!pod) throw new Error(`${service} selects no pod`);
    const containerPort = resolveTargetPort(pod, svcPort.targetPort ?? svcPort.port);
    t.ok(containerPort, `target ${name}: reaches container port ${containerPort} of ${pod.owner}`);
    if (url.protocol === 'http:') {
      // A path the workload's own kubelet probes use on that port answers 2xx whenever it is ready.
      const probed = pod.spec.containers
        .flatMap((c) => [c.readinessProbe, c.livenessProbe])
        .filter((p) => p?.httpGet && resolveTargetPort(pod, p.httpGet.port) === containerPort);
      t.ok(
        probed.some((p) => p?.httpGet?.path === url.pathname),
        `target ${name}: ${url.pathname} is probed by the workload itself`,
      );
    }
  }
});

t.test(
  'every source/target pair is stated by its own rule, and the seed cases say what the seed requires',
  async (t) => {
    const exact = new Map(test.spec.expect.map((r) => [`${r.from}→${r.to}`, r]));
    t.ok(
      test.spec.expect.every((r) => !/[*?[]/.test(r.from + r.to)),
      'no wildcard rules',
    );
    t.equal(exact.size, test.spec.expect.length, 'no pair is stated twice');
    for (const from of Object.keys(test.spec.sources))
      for (const to of Object.keys(test.spec.targets)) t.ok(exact.has(`${from}→${to}`), `${from} → ${to} is stated`);
    const verdict = (name: string) => test.spec.expect.find((r) => r.name === name);
    t.match(verdict('case 1'), { from: 'apache', to: 'app', verdict: 'allow' }, 'case 1: Apache still reaches the app');
    t.match(
      verdict('case 2'),
      { from: 'apache', to: 'redis', verdict: 'deny' },
      'case 2: Apache no longer reaches Redis',
    );
    const intoRedis = test.spec.expect.filter((r) => r.to === 'redis');
    t.same(
      intoRedis.filter((r) => r.verdict === 'allow').map((r) => r.from),
      ['app'],
      'only the app reaches Redis',
    );
    t.same(
      test.spec.expect.filter((r) => r.to !== 'redis' && r.verdict === 'deny'),
      [],
      'nothing else is denied',
    );
  },
);

t.test('the prober itself loads the file with the same sources, targets and rules', async (t) => {
  const loaded = await loadReachabilityTest(FILE, inputIo());
  t.equal(loaded.name, 'lab-redis-isolation');
  t.same(
    loaded.sources.map((s) => [s.name, s.namespace, s.selector]),
    Object.entries(test.spec.sources).map(([n, s]) => [n, s.namespace, s.selector]),
  );
  t.same(
    loaded.targets.map((x) => x.name),
    Object.keys(test.spec.targets),
  );
  t.same(
    loaded.rules.map((r) => [r.from, r.to, r.verdict]),
    test.spec.expect.map((r) => [r.from, r.to, r.verdict]),
  );
  t.notOk(loaded.expectFromPolicies, 'written expectations, not computed ones');
});
