// `prober watch`'s HTTP side on a real socket: --listen's syntax and its loopback rule, what /metrics
// and /healthz answer, and everything else refused.

import t from 'tap';
import { UsageError } from '../../src/orchestration/usage-error.ts';
import { parseListen, startMetricsServer } from '../../src/orchestration/watch-server.ts';
import { WatchState } from '../../src/orchestration/watch-state.ts';

const state = () => new WatchState([], 1000).snapshot(0);

t.test('--listen takes HOST:PORT and keeps to loopback unless told otherwise', async (t) => {
  t.same(parseListen('127.0.0.1:9464', false), { host: '127.0.0.1', port: 9464 });
  t.same(parseListen('[::1]:0', false), { host: '::1', port: 0 });
  t.same(parseListen('localhost:80', false), { host: 'localhost', port: 80 });
  t.same(parseListen('0.0.0.0:9464', true), { host: '0.0.0.0', port: 9464 });
  t.same(parseListen('[::]:9464', true), { host: '::', port: 9464 });
  t.throws(
    () => parseListen('0.0.0.0:9464', false),
    new UsageError(
      '--listen: 0.0.0.0 is not a loopback address; the metrics describe what the network lets through, so add --listen-non-local to serve them beyond this host',
    ),
  );
  t.throws(() => parseListen('10.0.0.1:9464', false), UsageError);
  for (const bad of ['9464', '127.0.0.1', '127.0.0.1:65536', '127.0.0.1:-1', '::1:9464', '127.0.0.1:94a', ':9464'])
    t.throws(() => parseListen(bad, true), /is not HOST:PORT/, bad);
});

t.test('GET /metrics and /healthz answer; other paths and methods do not', async (t) => {
  let healthy = true;
  const server = await startMetricsServer(
    { host: '127.0.0.1', port: 0 },
    {
      metrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'prober_up 1\n' }),
      healthy: () => healthy,
      state,
    },
  );
  t.teardown(() => server.close());
  const base = `http://127.0.0.1:${server.address.port}`;
  t.ok(server.address.port > 0, 'port 0 picks a free port, and says which');
  const metrics = await fetch(`${base}/metrics`);
  t.equal(metrics.status, 200);
  t.equal(metrics.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  t.equal(await metrics.text(), 'prober_up 1\n');
  t.equal((await fetch(`${base}/healthz`)).status, 200);
  healthy = false;
  t.equal((await fetch(`${base}/healthz`)).status, 503, 'stopping: not healthy');
  t.equal((await fetch(`${base}/other`)).status, 404);
  const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
  t.equal(post.status, 405);
  t.equal(post.headers.get('allow'), 'GET, HEAD');
});

t.test('a port in use is a usage error naming the address', async (t) => {
  const first = await startMetricsServer(
    { host: '127.0.0.1', port: 0 },
    { metrics: async () => ({ contentType: 'text/plain', body: '' }), healthy: () => true, state },
  );
  t.teardown(() => first.close());
  await t.rejects(
    startMetricsServer(
      { host: '127.0.0.1', port: first.address.port },
      { metrics: async () => ({ contentType: 'text/plain', body: '' }), healthy: () => true, state },
    ),
    new RegExp(`--listen: cannot listen on 127\\.0\\.0\\.1:${first.address.port}: .*EADDRINUSE`),
  );
});

t.test('close ends kept-alive connections too', async (t) => {
  const server = await startMetricsServer(
    { host: '127.0.0.1', port: 0 },
    { metrics: async () => ({ contentType: 'text/plain', body: 'x' }), healthy: () => true, state },
  );
  await fetch(`http://127.0.0.1:${server.address.port}/metrics`, { headers: { connection: 'keep-alive' } });
  const started = performance.now();
  await server.close();
  t.ok(performance.now() - started < 1000, 'closed at once');
});
