// `pods/exec` as prober speaks it (src/cluster/exec-stream.ts), against the fake API server's WebSocket
// endpoint (test/cluster/fake/exec.ts; there is no cluster on these machines): exit codes from the error
// channel's Status on v5 and v4 (pkg/kubelet/cri/streaming/remotecommand/httpstream.go writes
// `NonZeroExitCode` with an `ExitCode` cause), subprotocol negotiation (apimachinery
// pkg/util/httpstream/wsstream/conn.go), a deadline, `--as` headers, and the proxy kubectl would use.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import type { ExecRequest } from '../../src/cluster/exec-stream.ts';
import { listen, silentServer } from '../helpers/peers.ts';
import { tempDir } from '../helpers/temp.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { startConnectProxy } from './fake/connect-proxy.ts';

type Json = Record<string, any>;

const request = (overrides: Partial<ExecRequest> = {}): ExecRequest => ({
  namespace: 'web',
  pod: 'web-1',
  container: 'main',
  command: ['prober', 'agent', '--plan-line'],
  stdin: '{"not":"a plan"}\n',
  deadlineMs: 20_000,
  maxStdoutBytes: 64 * 1024,
  signal: new AbortController().signal,
  ...overrides,
});

async function fakeWithPod(t: Test): Promise<FakeApiServer> {
  const fake = await FakeApiServer.start(t);
  fake.addPod({ namespace: 'web', name: 'web-1', labels: { app: 'web' } });
  return fake;
}

for (const protocol of ['v5.channel.k8s.io', 'v4.channel.k8s.io']) {
  t.test(`${protocol}: a non-zero exit code comes from the error channel, stdout beside it`, async (t) => {
    const fake = await fakeWithPod(t);
    fake.exec.protocols = [protocol];
    const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: {} }));
    const outcome = await api.execInContainer(request());
    t.match(outcome, { kind: 'exited', exitCode: 2, protocol });
    t.match(outcome.stderr, /<stdin>:1: not: unknown field "not"/, 'stderr kept: the agent said why');
  });
}

t.test('a server speaking neither v5 nor v4 refuses the upgrade: a one-line 400', async (t) => {
  const fake = await fakeWithPod(t);
  fake.exec.protocols = ['v3.channel.k8s.io'];
  const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: {} }));
  await t.rejects(api.execInContainer(request()), {
    code: 400,
    message: /requested protocol\(s\) are not supported: \[v5\.channel\.k8s\.io v4\.channel\.k8s\.io\]/,
  });
});

t.test('the deadline cuts an exec that does not end, and its process goes', async (t) => {
  const fake = await fakeWithPod(t);
  const port = await listen(t, silentServer());
  const plan = {
    apiVersion: 'prober/v1alpha1',
    kind: 'ProbePlan',
    source: 'web',
    defaults: { timeoutMs: 30_000, attempts: 1, concurrency: 1 },
    probes: [{ id: 'stuck', url: `http://127.0.0.1:${port}/` }],
  };
  const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: {} }));
  const started = Date.now();
  const outcome = await api.execInContainer(request({ stdin: `${JSON.stringify(plan)}\n`, deadlineMs: 1500 }));
  t.match(outcome, { kind: 'cut', why: 'deadline' });
  t.ok(Date.now() - started < 5000, 'at its deadline');
  const until = Date.now() + 5000;
  while (fake.exec.liveProcesses > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  t.equal(fake.exec.liveProcesses, 0, 'the remote process ended (its stdin closed)');
});

t.test('--as: the upgrade carries the Impersonate headers, one line per group', async (t) => {
  const fake = await fakeWithPod(t);
  const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: {}, as: 'jane', asGroups: ['devs', 'ops'] }));
  await api.execInContainer(request());
  t.same(fake.seen('get', 'pods/exec')[0]?.impersonated, { user: 'jane', groups: ['devs', 'ops'] });
});

t.test('HTTPS_PROXY: the exec goes through the CONNECT tunnel, as every other call', async (t) => {
  const fake = await fakeWithPod(t);
  const proxy = await startConnectProxy(t, Number(new URL(fake.url).port));
  const config = fake.kubeconfigObject() as Json;
  const cluster = config.clusters[0].cluster;
  cluster.server = `https://kube.prober.test:${new URL(fake.url).port}`;
  cluster['tls-server-name'] = 'localhost';
  const kubeconfig = join(tempDir(t, 'exec-proxy'), 'kubeconfig');
  writeFileSync(kubeconfig, JSON.stringify(config));
  const api = clientNodeApi(connect({ kubeconfig, env: { HTTPS_PROXY: proxy.url } }));
  t.match(await api.execInContainer(request()), { kind: 'exited', exitCode: 2 });
  t.same(proxy.connects, [`kube.prober.test:${new URL(fake.url).port}`]);
});
