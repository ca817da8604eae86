// The probe pod's requests and limits against a namespace's LimitRanges. LimitRanger refuses a container
// below a min, above a max or past maxLimitRequestRatio (plugin/pkg/admission/limitranger/admission.go
// PodValidateLimitFunc: minConstraint, maxConstraint, limitRequestRatioConstraint); the fake API server
// does the same with upstream's messages (fake/admission.ts). The agents are the real `prober agent`.

import type { V1LimitRange } from '@kubernetes/client-node';
import t from 'tap';
import { agentResources, parseBounds, resourceRequirements } from '../../src/cluster/probe-pod-resources.ts';
import { clusterLab, runLab } from './fake/lab.ts';

type Json = Record<string, any>;
const MIB = 2 ** 20;

const range = (name: string, item: Json): V1LimitRange =>
  ({ metadata: { name, namespace: 'web' }, spec: { limits: [{ type: 'Container', ...item }] } }) as V1LimitRange;

t.test('requests and limits fitted to the LimitRanges', async (t) => {
  const rows: [string, V1LimitRange[], Json][] = [
    ['none: the defaults', [], { requests: { cpu: '10m', memory: '96Mi' }, limits: { cpu: '500m', memory: '256Mi' } }],
    [
      'a CPU ratio of 10 raises the request to a tenth of the limit',
      [range('ratio', { maxLimitRequestRatio: { cpu: '10' } })],
      { requests: { cpu: '50m', memory: '96Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    ],
    [
      'a min raises the request, a max lowers the limit',
      [range('bounds', { min: { memory: '128Mi', cpu: '20m' }, max: { cpu: '200m' } })],
      { requests: { cpu: '20m', memory: '128Mi' }, limits: { cpu: '200m', memory: '256Mi' } },
    ],
    [
      'two LimitRanges, both satisfied',
      [range('a', { max: { memory: '192Mi' } }), range('b', { maxLimitRequestRatio: { memory: '1' } })],
      { requests: { cpu: '10m', memory: '192Mi' }, limits: { cpu: '500m', memory: '192Mi' } },
    ],
  ];
  for (const [name, ranges, want] of rows) {
    const got = agentResources(ranges, 10);
    t.same('resources' in got ? resourceRequirements(got.resources) : got, want, name);
  }
  t.same(
    'resources' in agentResources([], 10_000)
      ? resourceRequirements((agentResources([], 10_000) as Json).resources).limits
      : undefined,
    { cpu: '500m', memory: '284Mi' },
    'a large plan raises the memory limit to what its agent needs',
  );
});

t.test('a LimitRange that allows no agent, or flags it refuses: an error naming it', async (t) => {
  t.same(agentResources([range('tiny', { max: { memory: '64Mi' } })], 10), {
    error:
      "the probe pod's agent would have 64Mi of memory, and an agent of 10 probes needs up to 97Mi (LimitRange tiny): raise --agent-memory, or split the test",
  });
  t.same(
    agentResources([range('strict', { maxLimitRequestRatio: { cpu: '2' } })], 10, {
      cpu: { request: 0.01, limit: 0.5 },
    }),
    {
      error:
        "LimitRange strict in namespace web refuses the probe pod's agent: cpu limit 500m is more than 2 times the request 10m (maxLimitRequestRatio); set them with --agent-cpu and --agent-memory (REQUEST:LIMIT)",
    },
  );
  t.same(parseBounds('cpu', '100m:1'), { request: 0.1, limit: 1 });
  t.same(parseBounds('memory', '96Mi:256Mi'), { request: 96 * MIB, limit: 256 * MIB });
  t.equal(parseBounds('memory', '256Mi:96Mi'), '"256Mi:96Mi": the request is more than the limit');
  t.equal(parseBounds('cpu', '10m'), '"10m" is not REQUEST:LIMIT of cpu quantities (e.g. 10m:500m)');
});

t.test(
  'a namespace with maxLimitRequestRatio and a min: the probe pod is admitted with fitted resources',
  async (t) => {
    const lab = await clusterLab(t);
    lab.fake.admission.addLimitRange({
      namespace: 'b-apacherr',
      name: 'agents-bounded',
      min: { memory: '128Mi' },
      maxLimitRequestRatio: { cpu: '10' },
    });
    // What the admission chain was handed (after LimitRanger's defaulting, before its validation).
    const admitted: Json[] = [];
    const admit = lab.fake.admission.admitCreate.bind(lab.fake.admission);
    lab.fake.admission.admitCreate = (namespace, pod, existing) => {
      admit(namespace, pod, existing);
      admitted.push(pod);
    };
    const run = await runLab(lab, '--agent=pod');
    t.equal(run.code, 0, run.stderr);
    const apache = admitted.find((p) => p.metadata.namespace === 'b-apacherr');
    t.same(apache?.spec.containers[0].resources, {
      requests: { cpu: '50m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    });
  },
);

t.test('the fake refuses what upstream refuses: the old fixed 10m/500m under a ratio of 10', async (t) => {
  const lab = await clusterLab(t);
  lab.fake.admission.addLimitRange({ namespace: 'b-apacherr', name: 'ratio', maxLimitRequestRatio: { cpu: '10' } });
  const run = await runLab(lab, '--agent=pod', '--agent-cpu', '10m:500m');
  t.equal(run.code, 2, run.stderr);
  const [apache] = (JSON.parse(run.stdout) as Json).sources;
  t.match(
    apache.error,
    /^LimitRange ratio in namespace b-apacherr refuses the probe pod's agent: cpu limit 500m is more than 10 times the request 10m/,
  );
  t.same(
    lab.fake.seen('create', 'pods').filter((r) => r.namespace === 'b-apacherr'),
    [],
    'nothing was sent',
  );
});

t.test(
  'a LimitRange whose max leaves no room for the agent: the source is an error naming it, nothing created',
  async (t) => {
    const lab = await clusterLab(t);
    lab.fake.admission.addLimitRange({ namespace: 'b-apacherr', name: 'tiny', max: { memory: '64Mi' } });
    const run = await runLab(lab, '--agent=pod');
    t.equal(run.code, 2, run.stderr);
    const [apache, app] = (JSON.parse(run.stdout) as Json).sources;
    t.match(apache.error, /needs up to 97Mi \(LimitRange tiny\): raise --agent-memory/);
    t.notOk(app.error);
  },
);
