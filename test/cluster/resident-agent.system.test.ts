// Resident agents (src/cluster/resident-agent.ts) against the fake API server (there is no cluster on
// these machines): its `pods/exec` speaks the WebSocket channel protocol of the kubelet
// (pkg/kubelet/cri/streaming/remotecommand/websocket.go, v4/v5 as client-go tools/remotecommand reads
// them) and runs the real `prober agent --plan-line` in the source pod's network namespace, where the
// lab's real app and Redis sit behind real nftables rules. See test/cluster/fake/exec.ts for the
// upstream files each answer follows.

import t, { type Test } from 'tap';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import type { KubeApi } from '../../src/cluster/kube-api.ts';
import { RESIDENT_CONTAINER, RESIDENT_POD_UID_ENV, residentAgents } from '../../src/cluster/resident-agent.ts';
import type { ProbePlan } from '../../src/model/plan.ts';
import { waitFor } from '../helpers/wait.ts';
import { renderKustomization } from '../k8s/manifests.ts';
import { APP_URL, type ClusterLab, clusterLab, proberRbac, REDIS_URL, runLab } from './fake/lab.ts';

type Json = Record<string, any>;

const NS = 'b-apacherr';
const POD = 'apacherr-6c9f7d-x2x4q';

/** The opt-in Role prober-resident, in the namespaces given. */
function residentRbac(...namespaces: string[]): Record<string, unknown>[] {
  const objects = renderKustomization('k8s/prober/resident-namespace').objects.map((o) => o.object as Json);
  return namespaces.flatMap((namespace) => objects.map((o) => ({ ...o, metadata: { ...o.metadata, namespace } })));
}

function plan(redisTimeoutMs = 1000): ProbePlan {
  return {
    apiVersion: 'prober/v1alpha1',
    kind: 'ProbePlan',
    source: 'apache',
    defaults: { timeoutMs: 1000, attempts: 1, concurrency: 16 },
    probes: [
      { id: 'app', url: APP_URL },
      { id: 'redis', url: REDIS_URL, timeoutMs: redisTimeoutMs },
    ],
  } as ProbePlan;
}

async function setUp(
  t: Test,
  rbac = [...proberRbac(), ...residentRbac(NS)],
  maxOutputBytes?: number,
): Promise<{ lab: ClusterLab; api: KubeApi; agents: ReturnType<typeof residentAgents>; warnings: string[] }> {
  const lab = await clusterLab(t, { rbac });
  const api = clientNodeApi(connect({ kubeconfig: lab.fake.kubeconfig, env: process.env }));
  const warnings: string[] = [];
  const agents = residentAgents({
    api,
    runId: 'r1',
    image: 'ghcr.io/prober-dev/prober:test',
    timeoutMs: 20_000,
    tracker: undefined as never,
    progress: () => undefined,
    warn: (w) => warnings.push(w),
    ...(maxOutputBytes !== undefined ? { maxOutputBytes } : {}),
  });
  return { lab, api, agents, warnings };
}

const sourcePod = (lab: ClusterLab): Json => lab.fake.pod(NS, POD) as Json;
const agentsIn = (pod: Json): string[] => (pod.spec.ephemeralContainers ?? []).map((c: Json) => c.name);
const observed = (run: Json): Record<string, string> =>
  Object.fromEntries([...(run.results as Map<string, Json>)].map(([id, r]) => [id, r.observed]));

t.test('two runs add one resident agent; each plan goes in and its results come back over pods/exec', async (t) => {
  const { lab, agents } = await setUp(t);
  for (const run of [1, 2]) {
    const result = (await agents.run(sourcePod(lab), plan(), new AbortController().signal)) as Json;
    t.notOk(result.error, `run ${run}: ${result.error ?? ''}`);
    t.same(observed(result), { app: 'allow', redis: 'deny' }, `run ${run}: the source pod's own network answered`);
    t.match(result.agentReason, /resident agent prober-resident, plan over pods\/exec \(v5\.channel\.k8s\.io\)/);
  }
  t.same(agentsIn(sourcePod(lab)), [RESIDENT_CONTAINER], 'exactly one ephemeral container after two runs');
  const resident = sourcePod(lab).spec.ephemeralContainers[0];
  t.same(resident.command, ['prober', 'agent', '--resident']);
  t.equal(resident.env.find((e: Json) => e.name === RESIDENT_POD_UID_ENV)?.value, sourcePod(lab).metadata.uid);
  t.equal(lab.fake.seen('patch', 'pods/ephemeralcontainers').length, 1, 'one patch');
  t.same(
    lab.fake.seen('get', 'pods/exec').map((r) => r.code),
    [101, 101],
    'two execs, each upgraded (authorized as get, then create)',
  );
  t.same(lab.fake.exec.commands, [
    ['prober', 'agent', '--plan-line'],
    ['prober', 'agent', '--plan-line'],
  ]);
  t.equal(lab.fake.exec.liveProcesses, 0, 'each exec ended');
});

t.test('a server with v4.channel.k8s.io only: the exit status still comes on the error channel', async (t) => {
  const { lab, agents } = await setUp(t);
  lab.fake.exec.protocols = ['v4.channel.k8s.io'];
  const result = (await agents.run(sourcePod(lab), plan(), new AbortController().signal)) as Json;
  t.same(observed(result), { app: 'allow', redis: 'deny' }, result.error);
  t.match(result.agentReason, /\(v4\.channel\.k8s\.io\)/);
});

t.test('a replaced pod (new UID) gets a resident agent of its own', async (t) => {
  const { lab, agents } = await setUp(t);
  await agents.run(sourcePod(lab), plan(), new AbortController().signal);
  const oldUid = sourcePod(lab).metadata.uid;
  lab.fake.deletePod(NS, POD);
  await waitFor('the old pod to go (its resident agent stopped by SIGTERM)', () => !lab.fake.pod(NS, POD));
  lab.fake.addPod({
    namespace: NS,
    name: POD,
    labels: { app: 'apacherr', 'pod-template-hash': '6c9f7d' },
    serviceAccountName: 'apacherr',
    netns: lab.pair.client,
    ip: lab.pair.clientIp,
    ports: [{ containerPort: 80 }],
  });
  const fresh = sourcePod(lab);
  t.not(fresh.metadata.uid, oldUid);
  t.same(agentsIn(fresh), [], 'the new pod starts without one');
  const result = (await agents.run(fresh, plan(), new AbortController().signal)) as Json;
  t.same(observed(result), { app: 'allow', redis: 'deny' }, result.error);
  const resident = sourcePod(lab).spec.ephemeralContainers[0];
  t.equal(resident.name, RESIDENT_CONTAINER);
  t.equal(resident.env.find((e: Json) => e.name === RESIDENT_POD_UID_ENV)?.value, fresh.metadata.uid);
});

t.test('a resident agent that died is named, and that run falls back to a one-shot agent', async (t) => {
  const { lab, agents, warnings } = await setUp(t);
  await agents.run(sourcePod(lab), plan(), new AbortController().signal);
  lab.fake.kubelet.kill(sourcePod(lab), RESIDENT_CONTAINER);
  await waitFor('the resident container terminated', () =>
    sourcePod(lab).status.ephemeralContainerStatuses.some(
      (s: Json) => s.name === RESIDENT_CONTAINER && s.state.terminated,
    ),
  );
  const result = (await agents.run(sourcePod(lab), plan(), new AbortController().signal)) as Json;
  t.same(observed(result), { app: 'allow', redis: 'deny' }, result.error);
  t.equal(warnings.length, 1);
  t.match(
    warnings[0],
    /^apache: the resident agent prober-resident in b-apacherr\/apacherr-6c9f7d-x2x4q terminated \(Error, exit code 137(: .*)?\), and an ephemeral container is never restarted: this run uses a one-shot agent instead/,
  );
  t.same(agentsIn(sourcePod(lab)), [RESIDENT_CONTAINER, 'prober-r1-0'], 'a one-shot agent beside the dead one');
});

t.test('a resident agent of another image is left alone: that run uses a one-shot agent', async (t) => {
  const { lab, api, agents } = await setUp(t);
  await agents.run(sourcePod(lab), plan(), new AbortController().signal);
  const warnings: string[] = [];
  const newer = residentAgents({
    api,
    runId: 'r2',
    image: 'ghcr.io/prober-dev/prober:newer',
    timeoutMs: 20_000,
    tracker: undefined as never,
    progress: () => undefined,
    warn: (w) => warnings.push(w),
  });
  const result = (await newer.run(sourcePod(lab), plan(), new AbortController().signal)) as Json;
  t.same(observed(result), { app: 'allow', redis: 'deny' }, result.error);
  t.match(warnings, [
    /prober-resident in b-apacherr\/apacherr-6c9f7d-x2x4q runs image ghcr\.io\/prober-dev\/prober:test, not this run's ghcr\.io\/prober-dev\/prober:newer, and an ephemeral container is never restarted/,
  ]);
  t.same(agentsIn(sourcePod(lab)), [RESIDENT_CONTAINER, 'prober-r2-0']);
});

t.test('without the one-shot fallback (a watch), a dead resident agent is an error and adds nothing', async (t) => {
  const { lab, api, agents } = await setUp(t);
  await agents.run(sourcePod(lab), plan(), new AbortController().signal);
  lab.fake.kubelet.kill(sourcePod(lab), RESIDENT_CONTAINER);
  await waitFor('the resident container terminated', () =>
    sourcePod(lab).status.ephemeralContainerStatuses.some(
      (s: Json) => s.name === RESIDENT_CONTAINER && s.state.terminated,
    ),
  );
  const watching = residentAgents({
    api,
    runId: 'r3',
    image: 'ghcr.io/prober-dev/prober:test',
    timeoutMs: 20_000,
    tracker: undefined as never,
    progress: () => undefined,
    oneShotFallback: false,
  });
  for (let run = 0; run < 2; run++) {
    const result = (await watching.run(sourcePod(lab), plan(), new AbortController().signal)) as Json;
    t.match(
      result.error,
      /^the resident agent prober-resident in b-apacherr\/apacherr-6c9f7d-x2x4q terminated .*: not probed, rather than adding a one-shot container to the pod at every run \(replace the pod for a new resident agent\)$/,
    );
  }
  t.same(agentsIn(sourcePod(lab)), [RESIDENT_CONTAINER], 'no container added, run after run');
});

t.test('exec refused by RBAC: one line naming the permission and the Role that grants it', async (t) => {
  const { lab, agents } = await setUp(t, proberRbac());
  const result = (await agents.run(sourcePod(lab), plan(), new AbortController().signal)) as Json;
  t.match(
    result.error,
    /^forbidden: missing RBAC permission to get pods\/exec in namespace b-apacherr \(--agent=resident execs each run's plan into the source pod's resident agent, which only the opt-in Role prober-resident allows .* kubectl apply -n b-apacherr -k k8s\/prober\/resident-namespace/,
  );
  t.notMatch(result.error, /\n/, 'one line');
  t.same(
    lab.fake.seen('get', 'pods/exec').map((r) => r.code),
    [403],
  );
});

t.test('a Role with get but not create is refused by the 1.35 check, which names create', async (t) => {
  const getOnly = residentRbac(NS).map((o: Json) =>
    o.kind === 'Role' ? { ...o, rules: [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['get'] }] } : o,
  );
  const { lab, agents } = await setUp(t, [...proberRbac(), ...getOnly]);
  const result = (await agents.run(sourcePod(lab), plan(), new AbortController().signal)) as Json;
  t.match(result.error, /^forbidden: missing RBAC permission to create pods\/exec in namespace b-apacherr/);
  // Before 1.35 (the gate off) get alone was enough.
  lab.fake.exec.createCheck = false;
  const older = (await agents.run(sourcePod(lab), plan(), new AbortController().signal)) as Json;
  t.same(observed(older), { app: 'allow', redis: 'deny' }, older.error);
});

t.test('an abort during an exec ends the remote process (its stdin closes, it stops its probes)', async (t) => {
  const { lab, agents } = await setUp(t);
  const abort = new AbortController();
  // Redis from Apache is dropped: this probe waits out its 30 s timeout unless the agent is stopped.
  const running = agents.run(sourcePod(lab), plan(30_000), abort.signal);
  await waitFor('the exec running', () => lab.fake.exec.liveProcesses === 1, 20_000);
  const started = Date.now();
  abort.abort(new Error('interrupted'));
  const result = (await running) as Json;
  t.match(result.error, /^interrupted while the resident agent ran \(\d of 2 results had arrived\)$/);
  await waitFor("the exec'd process to end", () => lab.fake.exec.liveProcesses === 0, 5000);
  t.ok(Date.now() - started < 5000, 'well before the probe timeout');
  t.same(agentsIn(sourcePod(lab)), [RESIDENT_CONTAINER], 'the resident agent stays for the next run');
});

t.test('output past the bound is cut and the run classified as an error, never partly trusted', async (t) => {
  const { lab, agents } = await setUp(t, undefined, 200);
  const result = (await agents.run(sourcePod(lab), plan(), new AbortController().signal)) as Json;
  t.match(
    result.error,
    /^the resident agent's output passed the 200 bytes prober reads from one exec \(\d of 2 results had arrived\): the exec was cut and its results are not trusted/,
  );
  t.notOk(result.results);
  await waitFor('the cut exec to end', () => lab.fake.exec.liveProcesses === 0, 5000);
});

t.test('the fake answers as the API server and kubelet do: 400 unknown container, 500 not running', async (t) => {
  const { lab, api } = await setUp(t);
  const exec = (container: string) =>
    api.execInContainer({
      namespace: NS,
      pod: POD,
      container,
      command: ['prober', 'agent', '--plan-line'],
      stdin: '',
      deadlineMs: 5000,
      maxStdoutBytes: 1024,
      signal: new AbortController().signal,
    });
  // pkg/registry/core/pod/strategy.go streamLocation.
  await t.rejects(exec('nope'), { code: 400, message: /container nope is not valid for pod apacherr-6c9f7d-x2x4q/ });
  await t.rejects(
    exec(RESIDENT_CONTAINER).then(() => 'ran'),
    { code: 400 },
    'not in the pod yet',
  );
  const agents = residentAgents({
    api,
    runId: 'r1',
    image: 'ghcr.io/prober-dev/prober:test',
    timeoutMs: 20_000,
    tracker: undefined as never,
    progress: () => undefined,
  });
  await agents.run(sourcePod(lab), plan(), new AbortController().signal);
  lab.fake.kubelet.kill(sourcePod(lab), RESIDENT_CONTAINER);
  await waitFor('the resident container terminated', () =>
    sourcePod(lab).status.ephemeralContainerStatuses.some((s: Json) => s.state.terminated),
  );
  // pkg/kubelet/kubelet_pods.go GetExec (findContainer lists running containers), errors.go WriteError: 500.
  await t.rejects(exec(RESIDENT_CONTAINER), { code: 500, message: /container not found \("prober-resident"\)/ });
  await t.rejects(
    api.execInContainer({
      namespace: NS,
      pod: 'missing',
      container: 'x',
      command: ['prober'],
      stdin: '',
      deadlineMs: 5000,
      maxStdoutBytes: 1024,
      signal: new AbortController().signal,
    }),
    { code: 404 },
  );
});

t.test('prober run --agent=resident: two runs, one resident agent per source pod, the same verdicts', async (t) => {
  const lab = await clusterLab(t, { rbac: [...proberRbac(), ...residentRbac('b-apacherr', 'c-app-count')] });
  for (const run of [1, 2]) {
    const exit = await runLab(lab, '--agent=resident');
    t.equal(exit.code, 0, `run ${run}: ${exit.stderr}`);
    const report = JSON.parse(exit.stdout) as Json;
    t.equal(report.summary.error, 0);
    for (const source of report.sources) {
      t.match(source.agentReason, /^--agent=resident; .*; resident agent prober-resident, plan over pods\/exec/);
      t.match(source.left, run === 1 ? /^ephemeral container prober-resident in / : /^nothing new: the resident agent/);
    }
  }
  for (const [namespace, pod] of [
    [NS, POD],
    ['c-app-count', 'app-count-7f8b9-abcde'],
  ] as const)
    t.same(agentsIn(lab.fake.pod(namespace, pod) as Json), [RESIDENT_CONTAINER], `${namespace}: one container`);
});
