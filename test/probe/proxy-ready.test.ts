// The agent's wait for its pod's sidecar proxy (plan field proxyReady): it polls the proxy's readiness
// endpoint until a 200, and gives a reason, never results, when the proxy does not get ready in time.
// A real HTTP server on loopback plays the proxy's readiness endpoint.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { parseAgentOutput } from '../../src/model/plan.ts';
import { waitForProxy } from '../../src/probe/proxy-ready.ts';

/** A readiness endpoint that answers 503 to the first `notReadyFor` requests, then 200. */
async function readiness(t: Test, notReadyFor: number): Promise<{ url: string; asked: () => number }> {
  let asked = 0;
  const server = createServer((req, res) => {
    asked += 1;
    res.writeHead(asked > notReadyFor && req.url === '/healthz/ready' ? 200 : 503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/healthz/ready`, asked: () => asked };
}

t.test('the wait ends at the first 200 of the readiness endpoint', async (t) => {
  const proxy = await readiness(t, 3);
  t.equal(await waitForProxy({ mesh: 'Istio', url: proxy.url, deadlineMs: 20_000 }), undefined);
  t.equal(proxy.asked(), 4, 'asked until it was ready, and no more');
});

t.test('a proxy not ready by the deadline is a reason, naming the endpoint and its last answer', async (t) => {
  const proxy = await readiness(t, Number.POSITIVE_INFINITY);
  t.equal(
    await waitForProxy({ mesh: 'Linkerd', url: proxy.url, deadlineMs: 1000 }),
    `the Linkerd sidecar proxy was not ready within 1s (${proxy.url}: HTTP 503); no probe was sent, since each would have failed as a false deny`,
  );
});

t.test('nothing listening: the reason names the refusal', async (t) => {
  const proxy = await readiness(t, 0);
  const closed = proxy.url.replace(/:\d+\//, ':1/');
  t.match(
    await waitForProxy({ mesh: 'Istio', url: closed, deadlineMs: 1000 }),
    /\(http:\/\/127\.0\.0\.1:1\/healthz\/ready: ECONNREFUSED\)/,
  );
});

t.test('an interrupted wait says so', async (t) => {
  const proxy = await readiness(t, Number.POSITIVE_INFINITY);
  const stop = new AbortController();
  const waiting = waitForProxy({ mesh: 'Istio', url: proxy.url, deadlineMs: 60_000 }, stop.signal);
  stop.abort();
  t.match(await waiting, /^interrupted while waiting for the Istio sidecar proxy/);
});

t.test("the agent's AgentError line is the source's error, and its output is not complete", async (t) => {
  const parsed = parseAgentOutput('{"kind":"AgentError","message":"the Istio sidecar proxy was not ready"}\n');
  t.equal(parsed.complete, false);
  t.equal(parsed.error, 'the Istio sidecar proxy was not ready');
  t.equal(parsed.results.size, 0);
});
