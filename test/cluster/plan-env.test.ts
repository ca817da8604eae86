// How a plan reaches a cluster agent and what it leaves behind: compressed in the container's environment
// within a hard bound, read back by the real `prober agent`, and a source pod's room for one more ephemeral
// agent before its object nears etcd's size limit. No cluster: the objects are checked as prober builds them.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { V1Pod } from '@kubernetes/client-node';
import t from 'tap';
import { ephemeralAgent } from '../../src/cluster/agent-spec.ts';
import { EPHEMERAL_PLAN_BYTES, PlanTooLargeError, POD_PLAN_BYTES } from '../../src/cluster/plan-env.ts';
import { MANY_AGENTS, POD_OBJECT_BUDGET_BYTES, podRoom } from '../../src/cluster/pod-budget.ts';
import { probePod } from '../../src/cluster/probe-pod.ts';
import { type ProbePlan, planFor } from '../../src/model/plan.ts';
import { closedPort } from '../helpers/peers.ts';
import { proberCommand } from '../helpers/prober.ts';

type Json = Record<string, any>;

/** A plan of `count` probes whose hosts are random, so it compresses about as badly as real names do. */
function planOf(
  count: number,
  url = (i: number) => `http://svc-${randomBytes(6).toString('hex')}.ns-${i}.svc:80/`,
): ProbePlan {
  return planFor(
    'web',
    Array.from({ length: count }, (_, i) => ({ name: `t${i}`, url: url(i) })),
    { timeoutMs: 1000, attempts: 1, concurrency: 64 },
    () => 'deny',
  );
}

const source: V1Pod = {
  metadata: { name: 'web-1', namespace: 'shop', labels: { app: 'web' } },
  spec: { containers: [{ name: 'main', image: 'web' }] },
};

t.test('the agent carries its plan gzip-compressed in $PROBER_PLAN_GZ, an eighth of the JSON or less', async (t) => {
  const plan = planOf(200, (i) => `http://svc-${i}.ns-${i % 7}.svc.cluster.local:${8000 + i}/healthz`);
  const env = ephemeralAgent('abc123', 'prober', plan).env ?? [];
  t.same(
    env.map((e) => e.name),
    ['PROBER_PLAN_GZ'],
  );
  const value = env[0]?.value ?? '';
  t.same(JSON.parse(gunzipSync(Buffer.from(value, 'base64')).toString()), plan);
  t.ok(
    value.length * 6 < JSON.stringify(plan).length,
    `${value.length} bytes for ${JSON.stringify(plan).length} of JSON`,
  );
});

t.test('a plan too large for an ephemeral agent is refused with the way out; a probe pod takes it', async (t) => {
  const big = planOf(1000);
  let caught: unknown;
  try {
    ephemeralAgent('abc123', 'prober', big);
  } catch (error) {
    caught = error;
  }
  t.ok(caught instanceof PlanTooLargeError, 'a PlanTooLargeError');
  t.throws(() => ephemeralAgent('abc123', 'prober', big), {
    message: new RegExp(
      `^the probe plan of source web \\(1000 probes\\) takes \\d+ KiB compressed, more than the ${EPHEMERAL_PLAN_BYTES / 1024} KiB an ephemeral agent may leave in the source pod for good; run with --agent=pod, or split the test$`,
    ),
  });
  const pod = probePod({ source, sourceName: 'web', runId: 'abc123', image: 'prober', plan: big, deadlineSeconds: 60 });
  t.equal(pod.spec?.containers[0]?.env?.[0]?.name, 'PROBER_PLAN_GZ');
  t.throws(
    () =>
      probePod({
        source,
        sourceName: 'web',
        runId: 'abc123',
        image: 'prober',
        plan: planOf(8000),
        deadlineSeconds: 60,
      }),
    { message: /more than the 128 KiB one environment variable may hold; split the test into smaller ones$/ },
  );
  t.ok(POD_PLAN_BYTES + 'PROBER_PLAN_GZ='.length + 1 <= 128 * 1024, 'within MAX_ARG_STRLEN');
});

t.test('a pod holding many prober agents gets a warning; one near the budget is refused', async (t) => {
  const agent = ephemeralAgent('new123', 'prober', planOf(3));
  const withAgents = (count: number, envBytes = 100): V1Pod => ({
    ...source,
    spec: {
      ...source.spec,
      containers: source.spec?.containers ?? [],
      ephemeralContainers: Array.from({ length: count }, (_, i) => ({
        name: `prober-old${i}`,
        image: 'prober',
        env: [{ name: 'PROBER_PLAN', value: 'x'.repeat(envBytes) }],
      })),
    },
  });
  t.same(podRoom(withAgents(MANY_AGENTS - 1), agent), {}, 'below the warning count');
  t.match(podRoom(withAgents(MANY_AGENTS), agent), {
    warning:
      /^pod shop\/web-1 already holds 10 prober agent containers \(ephemeral containers are never removed; it is \d+ KiB of etcd's 1\.5 MiB per object\): run with --agent=pod, or replace the pod/,
  });
  // Forty runs of an older prober, each with a plain-JSON plan of about 26 KB: the pod is 1 KiB short of the budget.
  const bare = JSON.stringify(withAgents(40, 0)).length;
  const full = withAgents(40, Math.floor((POD_OBJECT_BUDGET_BYTES - 1024 - bare) / 40));
  t.ok(JSON.stringify(full).length < POD_OBJECT_BUDGET_BYTES, 'the pod itself is still within the budget');
  t.match(podRoom(full, agent), {
    error:
      /^pod shop\/web-1 is \d+ KiB with 40 prober agent containers that can never be removed; another would take it past the 1024 KiB prober allows, close to etcd's 1\.5 MiB limit after which every update of the pod fails: run with --agent=pod/,
  });
});

t.test(
  'prober agent reads $PROBER_PLAN_GZ, still reads $PROBER_PLAN, and refuses a corrupt one in one line',
  async (t) => {
    const port = await closedPort();
    const plan = planFor(
      'here',
      [{ name: 'closed', url: `tcp://127.0.0.1:${port}` }],
      { timeoutMs: 1000, attempts: 1, concurrency: 1 },
      () => 'deny',
    );
    const [command, ...lead] = proberCommand();
    const agent = (env: Record<string, string>) =>
      spawnSync(command, [...lead, 'agent'], {
        encoding: 'utf8',
        input: '',
        env: { PATH: process.env.PATH ?? '', ...env },
      });
    const lines = (stdout: string): Json[] =>
      stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
    const gz = agent({ PROBER_PLAN_GZ: gzipSync(JSON.stringify(plan)).toString('base64') });
    t.equal(gz.status, 0, gz.stderr);
    t.match(lines(gz.stdout), [
      { kind: 'ProbeResult', id: 'closed', observed: 'deny' },
      { kind: 'AgentDone', probes: 1 },
    ]);
    const plain = agent({ PROBER_PLAN: JSON.stringify(plan) });
    t.equal(plain.status, 0, plain.stderr);
    t.match(lines(plain.stdout), [{ id: 'closed' }, { kind: 'AgentDone' }]);
    const corrupt = agent({ PROBER_PLAN_GZ: 'bm90IGd6aXA=' });
    t.equal(corrupt.status, 2);
    t.equal(corrupt.stderr, 'prober: $PROBER_PLAN_GZ: not a probe plan compressed with gzip and encoded in base64\n');
    // A few kilobytes that inflate past the 16 MiB a plan may take.
    const bomb = agent({ PROBER_PLAN_GZ: gzipSync(Buffer.alloc(17 * 1024 * 1024, 32)).toString('base64') });
    t.equal(bomb.status, 2);
    t.equal(bomb.stderr, 'prober: $PROBER_PLAN_GZ: the probe plan is larger than 16 MiB once inflated\n');
  },
);
