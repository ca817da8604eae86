// What an agent costs its pod, and where it runs because of it. An ephemeral container has no resources
// (the API server forbids the field) and is charged to its pod's memory cgroup, whose limit the kubelet
// sets to the sum of the containers' limits (pkg/kubelet/cm/helpers_linux.go ResourceConfigForPod, with
// k8s.io/component-helpers/resource PodLimits); the fake kubelet OOM-kills the workload past it
// (fake/pod-memory.ts). The API server is a fake (no cluster here); the agents are the real `prober agent`.

import type { V1Pod } from '@kubernetes/client-node';
import t from 'tap';
import { agentMemoryBytes, ephemeralFits, podMemory } from '../../src/cluster/agent-memory.ts';
import { reportSchemaErrors } from '../helpers/report-schema.ts';
import { clusterLab, runLab } from './fake/lab.ts';
import { USAGE_ANNOTATION } from './fake/pod-memory.ts';

type Json = Record<string, any>;
const MIB = 2 ** 20;

const container = (name: string, limit?: string, request?: string, extra: Json = {}): Json => ({
  name,
  image: 'x',
  ...extra,
  resources: { ...(limit ? { limits: { memory: limit } } : {}), ...(request ? { requests: { memory: request } } : {}) },
});
const pod = (spec: Json): V1Pod => ({ metadata: { name: 'web-1', namespace: 'web' }, spec }) as V1Pod;

t.test('the pod-level memory limit, as the kubelet computes it', async (t) => {
  const rows: [string, Json, { limit?: number; requests: number }][] = [
    [
      'a container without a limit: no pod-level limit',
      { containers: [container('a', '128Mi'), container('b')] },
      { requests: 128 * MIB },
    ],
    [
      'the containers summed; an unset request is the limit',
      { containers: [container('a', '128Mi', '64Mi'), container('b', '1Gi')] },
      { limit: 1152 * MIB, requests: 1088 * MIB },
    ],
    [
      'a native sidecar counts with the containers, a plain init container only as a floor',
      {
        containers: [container('a', '100Mi', '50Mi')],
        initContainers: [
          container('proxy', '28Mi', '28Mi', { restartPolicy: 'Always' }),
          container('migrate', '512Mi'),
        ],
      },
      { limit: 512 * MIB, requests: 78 * MIB },
    ],
    [
      'plus the runtime class overhead',
      { containers: [container('a', '100Mi', '10Mi')], overhead: { memory: '28Mi' } },
      { limit: 128 * MIB, requests: 10 * MIB },
    ],
    ['decimal units', { containers: [container('a', '128M', '64M')] }, { limit: 128e6, requests: 64e6 }],
  ];
  for (const [name, spec, want] of rows) t.same(podMemory(pod(spec)), want, name);
});

t.test(
  'the agent memory bound holds the measured peaks (dist/prober agent, HTTP probes, concurrency 64)',
  async (t) => {
    // Peak resident KiB measured with /usr/bin/time -v (src/cluster/agent-memory.ts says how).
    for (const [probes, kib] of [
      [1, 82184],
      [100, 88440],
      [1000, 131212],
      [10000, 243028],
    ] as const)
      t.ok(
        agentMemoryBytes(probes) >= kib * 1024,
        `${probes} probes: ${agentMemoryBytes(probes) / MIB} MiB >= ${kib / 1024}`,
      );
    t.equal(agentMemoryBytes(1000) / MIB, 142.875);
  },
);

t.test('an ephemeral agent fits where the limit less the requests holds it', async (t) => {
  const traefik = pod({ containers: [container('traefik', '128Mi', '50Mi')] });
  t.match(ephemeralFits(traefik, 4), {
    fits: false,
    reason:
      "pod web-1's memory limit 128Mi (its containers' limits summed) leaves 78Mi above their requests of 50Mi, and an ephemeral agent of 4 probes needs up to 97Mi",
  });
  t.match(ephemeralFits(pod({ containers: [container('a', '1Gi', '256Mi')] }), 4), { fits: true });
  t.match(ephemeralFits(pod({ containers: [container('a')] }), 4), {
    fits: true,
    reason: 'pod web-1 has no pod-level memory limit; the agent needs up to 97Mi',
  });
});

/** The lab's Apache pod as a Traefik-like workload: 128Mi limit, 64Mi requested, 100Mi used. */
function tightApache(lab: Awaited<ReturnType<typeof clusterLab>>): Json {
  const apache = lab.fake.pod('b-apacherr', 'apacherr-6c9f7d-x2x4q') as Json;
  apache.spec.containers[0].resources = { limits: { memory: '128Mi' }, requests: { memory: '64Mi' } };
  apache.metadata.annotations = { [USAGE_ANNOTATION]: '100Mi' };
  return apache;
}

t.test('auto: a pod without room for the agent gets a probe pod, and the report says why', async (t) => {
  const lab = await clusterLab(t);
  const apache = tightApache(lab);
  const run = await runLab(lab);
  t.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Json;
  t.same(reportSchemaErrors(report), [], 'agent, agentReason and left are in the report schema');
  const [a, app] = report.sources;
  t.match(a, {
    agent: 'pod',
    agentReason:
      "pod apacherr-6c9f7d-x2x4q's memory limit 128Mi (its containers' limits summed) leaves 64Mi above their requests of 64Mi, and an ephemeral agent of 2 probes needs up to 97Mi: a probe pod instead",
  });
  t.notOk(a.left, 'a probe pod leaves nothing');
  t.match(app, { agent: 'ephemeral', agentReason: /has no pod-level memory limit/ });
  t.equal(apache.spec.ephemeralContainers, undefined, 'nothing added to the tight pod');
  t.equal(apache.status.containerStatuses[0].restartCount, 0, 'the workload was not OOM-killed');
  t.equal(lab.fake.seen('create', 'pods').length, 1);
});

t.test(
  '--agent=ephemeral forces it, with a warning; the pod goes past its limit and the workload is OOM-killed',
  async (t) => {
    const lab = await clusterLab(t);
    const apache = tightApache(lab);
    const run = await runLab(lab, '--agent=ephemeral');
    t.equal(run.code, 0, run.stderr);
    t.match(
      run.stderr,
      /apache: --agent=ephemeral, though pod apacherr-6c9f7d-x2x4q's memory limit 128Mi .* needs up to 97Mi: the agent may get the workload's own process OOM-killed/,
    );
    t.match((JSON.parse(run.stdout) as Json).sources[0], { agent: 'ephemeral', agentReason: /^--agent=ephemeral; / });
    t.match(apache.status.containerStatuses[0], {
      restartCount: 1,
      lastState: { terminated: { reason: 'OOMKilled' } },
    });
  },
);
