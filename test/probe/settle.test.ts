// The tcp:// settle window against real peers on IPv4 and IPv6 loopback: what survives it is an allow, a FIN or RST in it a deny.

import { createServer, type Server, type Socket } from 'node:net';
import t from 'tap';
import type { ProbeResult } from '../../src/model/outcome.ts';
import type { ProbePlan } from '../../src/model/plan.ts';
import { probeUrl, runPlan } from '../../src/probe/engine.ts';
import { startTargetServer } from '../../src/probe/target-server.ts';
import { closingServer, listen, resettingServer, silentServer } from '../helpers/peers.ts';
import { waitFor } from '../helpers/wait.ts';

/** A server that speaks first, as SSH, SMTP and MySQL do, and then keeps the connection. */
function bannerServer(): Server {
  return createServer((socket) => {
    socket.on('error', () => undefined);
    socket.write('SSH-2.0-OpenSSH_9.2\r\n');
  });
}

const FAMILIES = [
  { family: 'IPv4', host: '127.0.0.1', url: (port: number) => `tcp://127.0.0.1:${port}` },
  { family: 'IPv6', host: '::1', url: (port: number) => `tcp://[::1]:${port}` },
];

const once = { timeoutMs: 2000, attempts: 1 };

for (const { family, host, url } of FAMILIES) {
  t.test(`${family}: what the peer does in the window decides the verdict`, async (t) => {
    const rows: [string, Server, Partial<ProbeResult>, RegExp][] = [
      [
        'a server that speaks first',
        bannerServer(),
        { observed: 'allow', reason: 'connected' },
        /the peer spoke first \(21 bytes/,
      ],
      [
        'a server that accepts and stays silent',
        silentServer(),
        { observed: 'allow', reason: 'connected' },
        /no FIN or RST within the 200ms settle window/,
      ],
      [
        'a server that closes at once (FIN)',
        closingServer(),
        { observed: 'deny', reason: 'closed' },
        /connected, then closed after [\d.]+ms with no data/,
      ],
      [
        'a server that resets at once (RST)',
        resettingServer(),
        { observed: 'deny', reason: 'reset' },
        /ECONNRESET|reset/,
      ],
    ];
    for (const [name, server, outcome, detail] of rows) {
      const port = await listen(t, server, host);
      const result = await probeUrl(url(port), once);
      t.match(result, { ...outcome, attempts: 1 }, name);
      t.match(result.detail, detail, `${name}: the detail says what was seen (${result.detail})`);
    }
  });

  t.test(`${family}: settle 0 turns the window off, and the handshake alone is an allow again`, async (t) => {
    const port = await listen(t, closingServer(), host);
    t.match(await probeUrl(url(port), { ...once, settleMs: 0 }), { observed: 'allow', reason: 'connected' });
    t.match(await probeUrl(url(port), { ...once, settleMs: 50 }), { observed: 'deny', reason: 'closed' });
  });
}

t.test('protocol probes keep their own exchange whatever the window says', async (t) => {
  const port = await listen(t, closingServer());
  for (const scheme of ['redis', 'http']) {
    const target = `${scheme}://127.0.0.1:${port}${scheme === 'http' ? '/' : ''}`;
    t.match(await probeUrl(target, { ...once, settleMs: 0 }), { observed: 'deny', reason: 'closed' }, scheme);
  }
});

t.test('a deadline inside the window ends it: silence up to the timeout is still an allow', async (t) => {
  const port = await listen(t, silentServer());
  const result = await probeUrl(`tcp://127.0.0.1:${port}`, { timeoutMs: 150, attempts: 1, settleMs: 4000 });
  t.match(result, { observed: 'allow', reason: 'connected' });
  t.match(result.detail, /no FIN or RST before the 150ms timeout ended the settle window/);
});

t.test('without a window of its own a probe waits the default, at most half its timeout', async (t) => {
  const port = await listen(t, silentServer());
  const short = await probeUrl(`tcp://127.0.0.1:${port}`, { timeoutMs: 100, attempts: 1 });
  t.match(short.detail, /within the 50ms settle window/);
});

t.test('an interrupt ends a probe inside its window at once, as error/interrupted', async (t) => {
  const accepted: Socket[] = [];
  const port = await listen(
    t,
    createServer((socket) => {
      socket.on('error', () => undefined);
      accepted.push(socket);
    }),
  );
  const stop = new AbortController();
  const probing = probeUrl(`tcp://127.0.0.1:${port}`, {
    timeoutMs: 60_000,
    attempts: 1,
    settleMs: 5000,
    signal: stop.signal,
  });
  await waitFor('the probe connected', () => accepted.length === 1);
  stop.abort();
  const result = await probing;
  t.match(result, { observed: 'error', reason: 'interrupted', detail: 'interrupted while waiting for a reply' });
  const [server] = accepted;
  await waitFor('the probe closed its connection', () => server?.readableEnded === true || server?.destroyed === true);
});

t.test('a plan carries the window: its default, and a probe of its own', async (t) => {
  const port = await listen(t, closingServer());
  const plan: ProbePlan = {
    apiVersion: 'prober/v1alpha1',
    kind: 'ProbePlan',
    source: 'here',
    defaults: { timeoutMs: 2000, attempts: 1, concurrency: 4, settleMs: 0 },
    probes: [
      { id: 'off', url: `tcp://127.0.0.1:${port}` },
      { id: 'on', url: `tcp://127.0.0.1:${port}`, settleMs: 100 },
    ],
  };
  const results = new Map<string, ProbeResult>();
  await runPlan(plan, (id, result) => results.set(id, result));
  t.match(results.get('off'), { observed: 'allow', reason: 'connected' }, 'the plan default (0) applies');
  t.match(results.get('on'), { observed: 'deny', reason: 'closed' }, "the probe's own window applies");
});

t.test(
  "prober serve keeps a silent connection open, so the lab's synthetic targets stay allow/connected",
  async (t) => {
    const served = await startTargetServer([0], '127.0.0.1', { name: 'settle', hostname: 'here' });
    t.teardown(() => served.close());
    const result = await probeUrl(`tcp://127.0.0.1:${served.ports[0]}`, {
      timeoutMs: 2000,
      attempts: 1,
      settleMs: 500,
    });
    t.match(result, { observed: 'allow', reason: 'connected' });
    t.match(result.detail, /no FIN or RST within the 500ms settle window/);
  },
);
