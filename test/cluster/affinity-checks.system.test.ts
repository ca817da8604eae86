// `prober run` sending zone-affinity checks, against the in-process fake API server (test/cluster/fake/)
// in front of the real lab of the Pippo/Paperino example (`prober lab up -f examples/zone-affinity`: 10
// Pippo pods, 6 Paperino pods, four nodes in two zones, the lab routing as kube-proxy does,
// pkg/proxy/topology.go). The fake holds the lab's nodes, pods and Services (lab-front.ts); its
// kubelet runs each agent with `ip netns exec` in the lab pod's namespace, where the lab's DNS resolves
// paperino.zones.svc.cluster.local; prober reads every agent's result from its container log.
//
// Upstream behaviour the fake follows: the EndpointSlice controller copies each endpoint's node and its
// zone label (staging/src/k8s.io/endpointslice/utils.go, podToEndpoint) and, for trafficDistribution
// PreferClose, writes `hints.forZones` on every ready endpoint with a zone
// (staging/src/k8s.io/endpointslice/trafficdist/trafficdist.go); with the topology annotation the
// topology cache decides instead (staging/src/k8s.io/endpointslice/reconciler.go) and writes no hints
// for nodes without allocatable CPU (pkg/controller/endpointslice/topologycache/topologycache.go,
// InsufficientNodeInfo). The default rule is the e2e test's (test/e2e/network/traffic_distribution.go).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import t, { type Test } from 'tap';
import { lab, labName, labUp } from '../helpers/lab.ts';
import { ROOT } from '../helpers/prober.ts';
import { reportSchemaErrors } from '../helpers/report-schema.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';
import type { FakeApiServer } from './fake/apiserver.ts';
import { type FrontOptions, labFront } from './fake/lab-front.ts';
import { runProber, startProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

const EXAMPLE = join(ROOT, 'examples', 'zone-affinity');
const EXPECTATIONS = join(EXAMPLE, 'expectations.yaml');

const name = labName();
labUp(t, name, [EXAMPLE]);
const dir = tempDir(t, 'cluster-affinity');
let files = 0;

/** A test file of the example's source and targets with these checks (YAML lines under `checks:`). */
function testFile(checks?: string): string {
  if (checks === undefined) return EXPECTATIONS;
  const path = join(dir, `test-${++files}.yaml`);
  const head = readFileSync(EXPECTATIONS, 'utf8').split('  checks:\n')[0];
  writeFileSync(path, `${head}  checks:\n${checks}`);
  return path;
}

/** `prober run` of the file against the fake, JSON out: its exit code, report and checks (schema checked). */
async function run(
  t: Test,
  fake: FakeApiServer,
  file: string,
  ...flags: string[]
): Promise<{ code: number | null; checks: Json[]; stderr: string }> {
  const exit = await runProber(['run', '-f', file, '--kubeconfig', fake.kubeconfig, ...flags, '-o', 'json']);
  if (exit.stdout === '') throw new Error(`prober run printed no report (exit ${exit.code}): ${exit.stderr}`);
  const report = JSON.parse(exit.stdout) as Json;
  t.same(reportSchemaErrors(report), [], 'the report matches its schema');
  return { code: exit.code, checks: report.checks as Json[], stderr: exit.stderr };
}

const front = (t: Test, options?: FrontOptions): Promise<FakeApiServer> => labFront(t, name, 'zones', options);

/** The plans of the check agents prober added to Pippo pods as ephemeral containers (in their environment). */
function agentPlans(fake: FakeApiServer): Json[] {
  return fake
    .pods('zones')
    .flatMap((pod) => (pod.spec.ephemeralContainers ?? []) as Json[])
    .map((c) => (c.env as Json[]).find((e) => e.name === 'PROBER_PLAN_GZ')?.value as string)
    .map((value) => JSON.parse(gunzipSync(Buffer.from(value, 'base64')).toString('utf8')) as Json)
    .filter((plan) => plan.kind === 'AffinityPlan');
}

t.test('PreferClose: every Pippo pod answered by its own zone only; spread without it; exit 0', async (t) => {
  const fake = await front(t);
  const slice = fake
    .endpointSlices('zones')
    .find((s) => s.metadata.labels['kubernetes.io/service-name'] === 'paperino');
  t.match(slice?.endpoints[0], { zone: /^zone-[ab]$/, nodeName: /^node-/, hints: { forZones: [{ name: /^zone-/ }] } });
  const { code, checks, stderr } = await run(t, fake, testFile());
  t.equal(code, 0, stderr);
  const [close, anywhere] = checks as [Json, Json];
  t.equal(close.verdict, 'met', close.why);
  t.equal(close.setting, 'zones/paperino has trafficDistribution: PreferClose');
  t.equal(close.sources.length, 10, 'one agent in each Pippo pod');
  for (const source of close.sources as Json[]) t.same(source.byZone, { [source.zone]: 100 }, source.pod);
  t.equal(anywhere.verdict, 'met', anywhere.why);
  for (const source of anywhere.sources as Json[]) t.same(Object.keys(source.byZone).sort(), ['zone-a', 'zone-b']);
  const plans = agentPlans(fake);
  t.equal(plans.length, 20, 'an ephemeral agent per Pippo pod and check');
  t.match(plans[0], { kind: 'AffinityPlan', source: 'pippo', url: /paperino/, requests: 100 });
  t.equal(fake.seen('list', 'nodes').length, 1, 'the zones of the nodes are read once per run');
});

t.test('the default rule on the Service without trafficDistribution: not met, exit 1', async (t) => {
  const fake = await front(t);
  const file = testFile(
    '    anywhere:\n      affinity: { from: pippo, to: paperino-anywhere, requests: 100, sample: 4 }\n',
  );
  const { code, checks } = await run(t, fake, file);
  t.equal(code, 1);
  t.equal(checks[0]?.verdict, 'not-met');
  t.match(checks[0]?.setting, /has no trafficDistribution .*affinity is not asked for/);
  t.same(
    ((checks[0]?.sources ?? []) as Json[]).map((s) => s.zone),
    ['zone-a', 'zone-b', 'zone-a', 'zone-b'],
    'the sample spans the zones',
  );
  t.match(checks[0]?.sources[0]?.why, /outside the 3 ready endpoints of zone-/);
});

t.test('PreferClose, but the slices carry no hints: the report says the setting is ignored', async (t) => {
  const fake = await front(t, { topologyMode: ['paperino'] });
  t.notOk(
    fake.endpointSlices('zones').some((s) => (s.endpoints as Json[]).some((e) => e.hints)),
    'the topology cache wrote no hints',
  );
  const file = testFile('    close:\n      affinity: { from: pippo, to: paperino, requests: 40, sample: 2 }\n');
  const { checks } = await run(t, fake, file);
  t.match(
    checks[0]?.setting,
    /^zones\/paperino has trafficDistribution: PreferClose, but 6 of its ready endpoints carry no zone hint in its EndpointSlices: the setting is ignored/,
  );
});

t.test('nodes without zone labels: could not decide (exit 2), naming the node', async (t) => {
  const fake = await front(t, { noZones: true });
  const file = testFile('    close:\n      affinity: { from: pippo, to: paperino, requests: 20, sample: 2 }\n');
  const { code, checks } = await run(t, fake, file);
  t.equal(code, 2);
  t.equal(checks[0]?.verdict, 'undecided');
  t.equal(checks[0]?.sources.length, 2, 'both sampled pods sent');
  for (const source of (checks[0]?.sources ?? []) as Json[])
    t.match(source.why, /the source's node node-[ab]\d has no zone/);
});

t.test('--agent=pod: a probe pod pinned to each sampled Pippo pod’s node, deleted after; met', async (t) => {
  const fake = await front(t);
  const file = testFile('    close:\n      affinity: { from: pippo, to: paperino, requests: 40, sample: 4 }\n');
  const created: Json[] = [];
  // The check's probe pods (`prober-c<check>-<pod>-<source>-<run>`), not the matrix's.
  const ours = (p: Json): boolean => /^prober-c\d+-\d+-pippo-/.test(p.metadata.name) && !created.includes(p);
  const timer = setInterval(() => created.push(...fake.probePods().filter(ours)), 20);
  const { code, checks, stderr } = await run(t, fake, file, '--agent=pod');
  clearInterval(timer);
  t.equal(code, 0, stderr);
  t.equal(checks[0]?.verdict, 'met', checks[0]?.why);
  t.equal(agentPlans(fake).length, 0, 'no ephemeral container added');
  for (const pod of created) {
    const source = fake.pod('zones', pod.metadata.annotations['prober.dev/identity-of']);
    t.same(
      pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms,
      [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [source?.spec.nodeName] }] }],
      `${pod.metadata.name} on ${source?.spec.nodeName}`,
    );
  }
  t.ok(created.length >= 4, `${created.length} probe pods seen`);
  await waitFor('the probe pods to go', () => fake.probePods().length === 0);
});

t.test('forbidden reads: could not decide (exit 2), naming the permission', async (t) => {
  const file = testFile('    close:\n      affinity: { from: pippo, to: paperino, requests: 20, sample: 2 }\n');
  for (const [verb, resource, said] of [
    ['list', 'nodes', /list nodes/],
    ['list', 'endpointslices', /list .*endpointslices/],
  ] as const) {
    const fake = await front(t);
    fake.deny(verb, resource);
    const { code, checks } = await run(t, fake, file);
    t.equal(code, 2, `${verb} ${resource}`);
    t.equal(checks[0]?.verdict, 'undecided');
    t.match(checks[0]?.why, said, `${verb} ${resource}: ${checks[0]?.why}`);
  }
});

t.test('SIGINT while the agents send: exit 2, a partial report', async (t) => {
  const fake = await front(t);
  const file = testFile('    long:\n      affinity: { from: pippo, to: paperino, requests: 10000 }\n');
  const prober = startProber(['run', '-f', file, '--kubeconfig', fake.kubeconfig, '-o', 'json']);
  const sending = (): number =>
    fake
      .pods('zones')
      .flatMap((pod) => (pod.status.ephemeralContainerStatuses ?? []) as Json[])
      .filter((s) => /-c0$/.test(s.name) && s.state?.running).length;
  await waitFor("the check's agents sending", () => sending() > 0 || prober.done(), 60_000);
  t.notOk(prober.done(), `prober run still running when interrupted (${prober.output.stderr.trim()})`);
  const sent = Date.now();
  prober.child.kill('SIGINT');
  const exit = await prober.exited;
  t.comment(`exited ${Date.now() - sent} ms after SIGINT`);
  t.equal(exit.code, 2, exit.stderr);
  t.match(exit.stderr, /interrupted by SIGINT; the report is incomplete/);
  const check = (JSON.parse(exit.stdout) as Json).checks[0] as Json;
  t.equal(check.verdict, 'undecided');
  t.ok(
    (check.sources as Json[]).every((s) => /^interrupted after \d+ requests$/.test(s.why)),
    'each source says so',
  );
  // Ephemeral containers cannot be stopped through the API: each agent sends its requests out, then ends.
  fake.kubelet.stopAll();
});

t.test("zone-a's Paperino pods drained: zone-a's Pippo pods fall back to zone-b, accepted (exit 0)", async (t) => {
  const drained = ['paperino-0', 'paperino-2', 'paperino-4'];
  const stop = lab(['stop', '--name', name, ...drained.map((p) => `zones/${p}`)]);
  t.equal(stop.status, 0, stop.stderr);
  const fake = await front(t);
  for (const pod of drained) fake.setReady('zones', pod, false);
  const file = testFile('    close:\n      affinity: { from: pippo, to: paperino, requests: 100 }\n');
  const { code, checks } = await run(t, fake, file);
  t.equal(code, 0);
  t.equal(checks[0]?.verdict, 'met', checks[0]?.why);
  t.equal(checks[0]?.sources.length, 10);
  for (const source of (checks[0]?.sources ?? []) as Json[]) {
    t.same(source.byZone, { 'zone-b': 100 }, `${source.pod} (${source.zone}): zone-b only`);
    if (source.zone === 'zone-a') t.match(source.why, /zone-a has no ready endpoint: every ready endpoint answered/);
  }
});
