// Every outcome class of the design's outcome table, produced by a real peer on loopback.

import t from 'tap';
import { probeUrl } from '../../src/probe/engine.ts';
import { closedPort, closingServer, httpServer, listen, resettingServer, silentServer } from '../helpers/peers.ts';
import { startRedis } from '../helpers/redis.ts';

const once = { timeoutMs: 800, attempts: 1 };

t.test('an open listener that keeps the connection is an allow (connected)', async (t) => {
  const port = await listen(t, silentServer());
  const result = await probeUrl(`tcp://127.0.0.1:${port}`, once);
  t.match(result, { observed: 'allow', reason: 'connected', attempts: 1, url: `tcp://127.0.0.1:${port}` });
});

t.test('a closed port is a deny (refused)', async (t) => {
  const port = await closedPort();
  for (const scheme of ['tcp', 'http', 'redis']) {
    const result = await probeUrl(`${scheme}://127.0.0.1:${port}`, once);
    t.match(result, { observed: 'deny', reason: 'refused' }, scheme);
  }
});

t.test('a listener that accepts then resets is a deny (reset) for protocol probes', async (t) => {
  const port = await listen(t, resettingServer());
  t.match(await probeUrl(`redis://127.0.0.1:${port}`, once), { observed: 'deny', reason: 'reset' });
  t.match(await probeUrl(`http://127.0.0.1:${port}/`, once), { observed: 'deny', reason: 'reset' });
});

t.test('a listener that accepts then closes silently is a deny (closed) for protocol probes', async (t) => {
  const port = await listen(t, closingServer());
  t.match(await probeUrl(`redis://127.0.0.1:${port}`, once), { observed: 'deny', reason: 'closed' });
  t.match(await probeUrl(`http://127.0.0.1:${port}/`, once), { observed: 'deny', reason: 'closed' });
  // A TCP probe sees the FIN within its settle window; with the window off, the handshake alone is an allow.
  t.match(await probeUrl(`tcp://127.0.0.1:${port}`, once), { observed: 'deny', reason: 'closed' });
  t.match(await probeUrl(`tcp://127.0.0.1:${port}`, { ...once, settleMs: 0 }), {
    observed: 'allow',
    reason: 'connected',
  });
});

t.test('a listener that never replies is a deny (timeout) after connecting', async (t) => {
  const port = await listen(t, silentServer());
  const result = await probeUrl(`redis://127.0.0.1:${port}`, { timeoutMs: 300, attempts: 1 });
  t.match(result, { observed: 'deny', reason: 'timeout' });
  t.match(result.detail, /connected, but no reply within 300ms/);
  t.ok(result.latencyMs >= 290, `waited the timeout (${result.latencyMs} ms)`);
});

t.test('HTTP statuses: expected allow, L7 deny, anything else an error', async (t) => {
  const port = await listen(
    t,
    httpServer((req, res) => {
      const status = Number(req.url?.slice(1)) || 200;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 403 ? 'RBAC: access denied' : `status ${status}`);
    }),
  );
  const rows: [string, Record<string, unknown>, object?][] = [
    ['/200', { observed: 'allow', reason: 'http-200' }],
    ['/302', { observed: 'allow', reason: 'http-302' }],
    // The default deny statuses are also what an app answers of its own (a login page, a forbidden
    // path): the detail says the verdict came from the status alone, and how to choose otherwise.
    [
      '/403',
      {
        observed: 'deny',
        reason: 'http-403',
        detail:
          /^HTTP 403: RBAC: access denied \(a deny by status alone: 401 and 403 are denies by default, and the app's own 401 or 403 reads the same; set denyStatus to choose\)/,
      },
    ],
    [
      '/401',
      { observed: 'deny', reason: 'http-401', detail: /a deny by status alone: 401 and 403 are denies by default/ },
    ],
    ['/503', { observed: 'error', reason: 'http-503' }],
    ['/404', { observed: 'error', reason: 'http-404' }],
    [
      '/503',
      { observed: 'deny', reason: 'http-503', detail: /\(a deny status of this target: 502, 503\)/ },
      { denyStatus: [502, 503] },
    ],
    ['/401', { observed: 'error', reason: 'http-401' }, { denyStatus: [403] }],
    ['/404', { observed: 'allow', reason: 'http-404' }, { expectStatus: [404] }],
    ['/200', { observed: 'error', reason: 'http-200' }, { expectStatus: ['3xx'] }],
  ];
  for (const [path, want, judgement] of rows) {
    t.match(
      await probeUrl(`http://127.0.0.1:${port}${path}`, { ...once, ...judgement }),
      want,
      `${path} ${JSON.stringify(judgement ?? {})}`,
    );
  }
});

t.test('real redis-server: PING → PONG is an allow', async (t) => {
  const redis = await startRedis(t);
  t.match(await probeUrl(`redis://127.0.0.1:${redis.port}`, once), { observed: 'allow', reason: 'pong' });
});

t.test('real redis-server with requirepass: NOAUTH still proves the server answered', async (t) => {
  const redis = await startRedis(t, { password: 'secret' });
  const result = await probeUrl(`redis://127.0.0.1:${redis.port}`, once);
  t.match(result, { observed: 'allow', reason: 'redis-error' });
  t.match(result.detail, /NOAUTH/);
});

t.test('a non-Redis server on a redis:// target is a protocol error, not an allow', async (t) => {
  const port = await listen(
    t,
    httpServer((_req, res) => res.end('hi')),
  );
  t.match(await probeUrl(`redis://127.0.0.1:${port}`, once), { observed: 'error', reason: 'protocol' });
});

t.test('names that do not resolve are errors (dns) for a connection, never denies', async (t) => {
  t.match(await probeUrl('tcp://no-such-host.invalid:80', once), { observed: 'error', reason: 'dns' });
  t.match(await probeUrl('http://no-such-host.invalid/', once), { observed: 'error', reason: 'dns' });
  // For dns:// the resolver's "no such name" is the answer asked for: the resolver was reached.
  t.match(await probeUrl('dns://no-such-host.invalid', once), { observed: 'allow', reason: 'nxdomain' });
  t.match(await probeUrl('dns://localhost', once), { observed: 'allow', reason: 'resolved' });
});

t.test('bad targets are classified, not thrown', async (t) => {
  for (const url of ['ftp://x:21', 'tcp://host', 'not a url', 'tcp://host:70000']) {
    t.match(await probeUrl(url, once), { observed: 'error', reason: 'bad-target', attempts: 0 }, url);
  }
});
