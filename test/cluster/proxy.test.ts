// prober reaches the API server through the proxy kubectl would use: the kubeconfig's proxy-url, else
// HTTPS_PROXY/https_proxy unless NO_PROXY names the host, never for loopback. client-node 2.0.1 alone
// honours only proxy-url (its undici fetch ignores the environment). The API server is the in-process
// fake (test/cluster/fake/) behind a real CONNECT proxy on a real socket, and TLS is verified through the
// tunnel (tls-server-name: localhost).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import { noProxyMatches, proxyFor } from '../../src/cluster/proxy-env.ts';
import { tempDir } from '../helpers/temp.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { startConnectProxy } from './fake/connect-proxy.ts';
import { runProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

const noRetry = { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } };

/** A kubeconfig for the fake under another name (`kube.prober.test` resolves nowhere: only a proxy reaches it). */
function kubeconfigAt(t: Test, fake: FakeApiServer, host: string, proxyUrl?: string): string {
  const config = fake.kubeconfigObject() as Json;
  const cluster = config.clusters[0].cluster;
  cluster.server = `https://${host}:${new URL(fake.url).port}`;
  cluster['tls-server-name'] = 'localhost';
  if (proxyUrl) cluster['proxy-url'] = proxyUrl;
  const file = join(tempDir(t, 'proxy'), 'kubeconfig');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

async function listThrough(kubeconfig: string, env: NodeJS.ProcessEnv): Promise<string> {
  const api = clientNodeApi(connect({ kubeconfig, env }), noRetry);
  try {
    return `listed ${(await api.listPods('default')).length} pods`;
  } catch (error) {
    return (error as Error).message;
  }
}

t.test('HTTPS_PROXY: the API server is reached through a CONNECT tunnel, as kubectl reaches it', async (t) => {
  const fake = await FakeApiServer.start(t);
  const proxy = await startConnectProxy(t, Number(new URL(fake.url).port));
  const kubeconfig = kubeconfigAt(t, fake, 'kube.prober.test');
  const port = new URL(fake.url).port;
  t.equal(await listThrough(kubeconfig, { HTTPS_PROXY: proxy.url }), 'listed 0 pods');
  t.same(proxy.connects, [`kube.prober.test:${port}`], 'the proxy saw the tunnel');
  // Lower case, and without a scheme (taken as http://), as Go reads them.
  t.equal(await listThrough(kubeconfig, { https_proxy: proxy.url.replace('http://', '') }), 'listed 0 pods');
  t.equal(proxy.connects.length, 2);
  t.equal(fake.seen('list', 'pods').length, 2, 'both lists reached the API server');
});

t.test('NO_PROXY names the host: prober connects directly, and the proxy sees nothing', async (t) => {
  const fake = await FakeApiServer.start(t);
  const proxy = await startConnectProxy(t, Number(new URL(fake.url).port));
  const port = new URL(fake.url).port;
  const unknown = kubeconfigAt(t, fake, 'kube.prober.test');
  for (const NO_PROXY of ['.prober.test', 'localhost,kube.prober.test', `prober.test:${port}`, '*']) {
    t.match(
      await listThrough(unknown, { HTTPS_PROXY: proxy.url, NO_PROXY }),
      `cannot reach the Kubernetes API server at https://kube.prober.test:${port}: getaddrinfo ENOTFOUND kube.prober.test`,
      `NO_PROXY=${NO_PROXY}: a direct connection (which cannot resolve the name)`,
    );
  }
  // A loopback server is never proxied; localhost is reached directly and answers.
  const local = kubeconfigAt(t, fake, 'localhost');
  t.equal(await listThrough(local, { HTTPS_PROXY: proxy.url }), 'listed 0 pods');
  t.same(proxy.connects, [], 'nothing went through the proxy');
});

t.test("the kubeconfig's proxy-url wins over the environment, NO_PROXY included", async (t) => {
  const fake = await FakeApiServer.start(t);
  const proxy = await startConnectProxy(t, Number(new URL(fake.url).port));
  const kubeconfig = kubeconfigAt(t, fake, 'kube.prober.test', proxy.url);
  const env = { HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: '.prober.test' };
  t.equal(await listThrough(kubeconfig, env), 'listed 0 pods');
  t.equal(proxy.connects.length, 1);
});

t.test('a proxy that cannot be reached is named in the error, without its password', async (t) => {
  const fake = await FakeApiServer.start(t);
  const kubeconfig = kubeconfigAt(t, fake, 'kube.prober.test');
  t.equal(
    await listThrough(kubeconfig, { HTTPS_PROXY: 'http://ci:s3cret@127.0.0.1:9' }),
    `cannot reach the Kubernetes API server at https://kube.prober.test:${new URL(fake.url).port} (through proxy http://127.0.0.1:9): connect ECONNREFUSED 127.0.0.1:9`,
  );
});

t.test('the prober CLI honours HTTPS_PROXY from its environment', async (t) => {
  const fake = await FakeApiServer.start(t);
  const proxy = await startConnectProxy(t, Number(new URL(fake.url).port));
  const kubeconfig = kubeconfigAt(t, fake, 'kube.prober.test');
  const run = await runProber(['simulate', '--kubeconfig', kubeconfig, '-o', 'json'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', HTTPS_PROXY: proxy.url },
  });
  t.notMatch(run.stderr, /cannot reach/, run.stderr);
  t.ok(proxy.connects.length > 0, 'the proxy saw the tunnel');
  t.ok(fake.seen('list', 'namespaces').length > 0, 'the reads reached the API server');
});

t.test('which hosts NO_PROXY names, as Go reads it', async (t) => {
  const cases: [string, string, string, boolean][] = [
    ['example.com', 'example.com', '443', true],
    ['example.com', 'api.example.com', '443', true],
    ['.example.com', 'example.com', '443', false],
    ['*.example.com', 'api.example.com', '443', true],
    ['example.com:6443', 'example.com', '443', false],
    ['10.0.0.0/8', '10.96.0.1', '443', true],
    ['10.0.0.0/8', '192.168.1.1', '443', false],
    ['fd00::/8', 'fd00::1', '443', true],
    ['10.96.0.1', '10.96.0.1', '443', true],
    ['[fd00::1]:443', 'fd00::1', '443', true],
    [' other.org , example.com ', 'example.com', '443', true],
    ['', 'example.com', '443', false],
  ];
  for (const [noProxy, host, port, expected] of cases)
    t.equal(noProxyMatches(noProxy, host, port), expected, `NO_PROXY=${noProxy} ${host}:${port}`);
  t.equal(proxyFor('https://10.96.0.1:443', { HTTPS_PROXY: 'proxy:3128', HTTP_PROXY: 'other:1' }), 'http://proxy:3128');
  t.equal(proxyFor('http://10.96.0.1:80', { HTTPS_PROXY: 'proxy:3128' }), undefined, 'http:// uses HTTP_PROXY');
  t.equal(proxyFor('https://[::1]:6443', { HTTPS_PROXY: 'proxy:3128' }), undefined, 'loopback: direct');
  t.equal(proxyFor('https://127.0.0.1:6443', { HTTPS_PROXY: 'proxy:3128' }), undefined, 'loopback: direct');
});
