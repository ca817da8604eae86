// Every API call ends: a silent API server, an answer whose body stalls, and a control-plane restart (a
// window of 503s or of silence) are met with a deadline per request and a bounded budget of retries,
// never with undici's 300 s defaults. The API server is the in-process fake of test/cluster/fake/ with
// transport-level faults (transport-faults.ts); client-node, undici and prober's code are real.
//
// Upstream: client-go rest/request.go (Request.timeout, the per-request context deadline; retries with
// backoff on connection errors and Retry-After in rest/with_retry.go).

import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import t, { type Test } from 'tap';
import { type ClientOptions, clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import type { KubeApi } from '../../src/cluster/kube-api.ts';
import { DEFAULT_RETRY } from '../../src/cluster/retry.ts';
import { TRANSPORT_LIMITS } from '../../src/cluster/transport.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { silence, stalledBody } from './fake/transport-faults.ts';

const limits = { ...TRANSPORT_LIMITS, requestTimeoutMs: 400 };
const quick = { ...DEFAULT_RETRY, baseDelayMs: 5, maxDelayMs: 10 };

async function cluster(t: Test, options: ClientOptions): Promise<{ fake: FakeApiServer; api: KubeApi }> {
  const fake = await FakeApiServer.start(t);
  fake.addPod({ namespace: 'web', name: 'web-1', labels: { app: 'web' } });
  return {
    fake,
    api: clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), { limits, ...options }),
  };
}

t.test('a silent API server: each request ends at its deadline, and the retries are bounded', async (t) => {
  const { fake, api } = await cluster(t, { retry: quick });
  fake.answerRawNext('get', 'pods', silence, 100);
  await t.rejects(api.readPod('web', 'web-1'), {
    code: undefined,
    message: /^get pods in namespace web: no complete answer from the API server within 0\.4 s/,
  });
  t.equal(fake.seen('get', 'pods').length, DEFAULT_RETRY.attempts, 'before any answer: the short retries only');
});

t.test('a body that stalls after the status line ends at the deadline too', async (t) => {
  const { fake, api } = await cluster(t, { retry: { ...quick, attempts: 1 } });
  fake.answerRawNext('list', 'pods', stalledBody, 100);
  await t.rejects(api.listAllPods(), {
    message: /^list pods cluster-wide: no complete answer from the API server within 0\.4 s/,
  });
  t.equal(fake.seen('list', 'pods')[0]?.code, 200, 'the status line came; the body never ended');
});

t.test('a control-plane restart after the first answer is ridden out: 503s, then silence', async (t) => {
  const heard: string[] = [];
  const { fake, api } = await cluster(t, {
    retry: { ...quick, outage: { budgetMs: 30_000, maxDelayMs: 20 } },
    onRetry: (_e, _n, message) => heard.push(message),
  });
  t.equal((await api.listPods('web')).length, 1, 'the server answered once');
  fake.failNext('get', 'pods', 503, 10, 'the API server is shutting down');
  fake.answerRawNext('get', 'pods', silence, 3);
  const pod = await api.readPod('web', 'web-1');
  t.equal(pod.metadata?.name, 'web-1', 'read once the server is back');
  t.same(
    fake.seen('get', 'pods').map((r) => r.code),
    [...Array(10).fill(503), 0, 0, 0, 200],
    'ten 503s and three silent requests, far more than the four attempts of the short backoff',
  );
  t.equal(heard.length, 13);
});

t.test('the ride-out has a budget: a server that stays down ends the call', async (t) => {
  const { fake, api } = await cluster(t, { retry: { ...quick, outage: { budgetMs: 300, maxDelayMs: 50 } } });
  await api.listPods('web');
  fake.failNext('get', 'pods', 503, 1000);
  await t.rejects(api.readPod('web', 'web-1'), { code: 503, message: /still failing after \d+ s of retries/ });
  t.ok(fake.seen('get', 'pods').length < 1000, 'stopped by the budget, not by the faults running out');
});

t.test('a server that never answered (connection refused) is reported after the short retries', async (t) => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const fake = await FakeApiServer.start(t);
  const heard: string[] = [];
  const kubeconfig = fake.kubeconfig.replace(/kubeconfig$/, 'refused');
  const config = fake.kubeconfigObject() as { clusters: { cluster: { server: string } }[] };
  config.clusters[0]!.cluster.server = `https://127.0.0.1:${port}`;
  writeFileSync(kubeconfig, JSON.stringify(config));
  const api = clientNodeApi(connect({ kubeconfig, env: process.env }), {
    onRetry: (_e, _n, message) => heard.push(message),
  });
  await t.rejects(api.listPods('web'), {
    code: undefined,
    message: /cannot reach the Kubernetes API server.*ECONNREFUSED/,
  });
  t.equal(heard.length, DEFAULT_RETRY.attempts - 1, 'the short retries, not the outage budget');
});

/** A TCP relay on a port of its own to the fake: closed, its port refuses connections, as a restarting API server's does. */
class Relay {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  readonly target: number;
  port = 0;

  constructor(target: number) {
    this.target = target;
  }

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = tcpConnect(this.target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.once('close', () => this.#sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  /** Stops listening and drops every connection: the port refuses until `open` again. */
  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    this.#server = undefined;
  }
}

t.test('a control-plane restart: connection refused for a while, then the server is back', async (t) => {
  const fake = await FakeApiServer.start(t);
  fake.addPod({ namespace: 'web', name: 'web-1', labels: { app: 'web' } });
  const relay = new Relay(Number(new URL(fake.url).port));
  await relay.open();
  t.teardown(() => relay.close());
  const config = fake.kubeconfigObject() as { clusters: { cluster: { server: string } }[] };
  config.clusters[0]!.cluster.server = `https://127.0.0.1:${relay.port}`;
  const kubeconfig = fake.kubeconfig.replace(/kubeconfig$/, 'relayed');
  writeFileSync(kubeconfig, JSON.stringify(config));
  const refusals: string[] = [];
  let reopened: Promise<void> | undefined;
  const api = clientNodeApi(connect({ kubeconfig, env: process.env }), {
    limits,
    retry: { ...quick, outage: { budgetMs: 30_000, maxDelayMs: 20 } },
    onRetry: (_e, _n, message) => {
      refusals.push(message);
      // The server comes back after eight refused attempts: twice the short retries.
      if (refusals.length === 8) reopened = relay.open();
    },
  });
  t.equal((await api.listPods('web')).length, 1, 'the server answered once');
  await relay.close();
  const pod = await api.readPod('web', 'web-1');
  await reopened;
  t.equal(pod.metadata?.name, 'web-1', 'read once the server is back');
  t.equal(refusals.length, 8);
  t.match(refusals[0], /cannot reach the Kubernetes API server at .*ECONNREFUSED/);
});

t.test('--agent-timeout caps how long a call rides out an outage', async (t) => {
  const fake = await FakeApiServer.start(t);
  fake.addPod({ namespace: 'web', name: 'web-1', labels: { app: 'web' } });
  const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), { limits, callBudgetMs: 1000 });
  await api.listPods('web');
  fake.failNext('get', 'pods', 503, 1000);
  await t.rejects(api.readPod('web', 'web-1'), { code: 503, message: /still failing after \d+ s of retries/ });
  const tries = fake.seen('get', 'pods').length;
  t.ok(tries > 1 && tries < 10, `retried within a second of backoff, not 90 s (${tries} requests)`);
});
