// A real L4 deny after the handshake: HAProxy's `tcp-request connection reject`, on IPv4 and IPv6 loopback.
//
// HAProxy applies `tcp-request connection` rules right after accept(), so the client's handshake has
// completed before the proxy decides: the same order as an Envoy RBAC or ztunnel deny. A rejected
// connection is closed without lingering, so the client sees a RST (`deny/reset`), never a FIN.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import t from 'tap';
import { probeUrl } from '../../src/probe/engine.ts';
import { startHaproxy } from '../helpers/haproxy.ts';
import { listen, silentServer } from '../helpers/peers.ts';
import { waitFor } from '../helpers/wait.ts';

const FAMILIES = [
  { family: 'IPv4', url: (port: number) => `tcp://127.0.0.1:${port}` },
  { family: 'IPv6', url: (port: number) => `tcp://[::1]:${port}` },
];

/** True when this host has an established TCP connection to `port` (the probe's, queued at a paused HAProxy). */
function establishedTo(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].some((table) =>
    readFileSync(table, 'utf8')
      .split('\n')
      .slice(1)
      .some((line) => {
        // The client's side: remote address ending in `port`, state 01 (ESTABLISHED).
        const [, , remote, state] = line.trim().split(/\s+/);
        return state === '01' && remote?.endsWith(`:${hex}`) === true;
      }),
  );
}

/** A backend that speaks first, as SSH and SMTP servers do, then keeps the connection. */
function bannerServer(): Server {
  return createServer((socket) => {
    socket.on('error', () => undefined);
    socket.write('220 ready\r\n');
  });
}

for (const { family, url } of FAMILIES) {
  t.test(`${family}: tcp-request connection reject is a deny (reset) within the settle window`, async (t) => {
    const haproxy = await startHaproxy(t, ['tcp-request connection reject']);
    for (const settleMs of [undefined, 50]) {
      const result = await probeUrl(url(haproxy.port), { timeoutMs: 2000, attempts: 1, settleMs });
      t.match(result, { observed: 'deny', reason: 'reset', attempts: 1 }, `settle ${settleMs ?? 'default'}`);
      t.match(result.detail, /reset|ECONNRESET/);
    }
  });

  t.test(
    `${family}: with settle 0 the reject reads allow/connected, the verdict before the window existed`,
    async (t) => {
      const haproxy = await startHaproxy(t, ['tcp-request connection reject']);
      // Paused, HAProxy cannot reset before the probe has finished: on loopback the reset races the
      // probe's own connect callback, across a network it arrives a round trip after it, as here.
      await haproxy.pause();
      t.teardown(() => haproxy.resume());
      const result = await probeUrl(url(haproxy.port), { timeoutMs: 2000, attempts: 1, settleMs: 0 });
      t.match(result, { observed: 'allow', reason: 'connected' });
    },
  );

  t.test(`${family}: a proxy that decides later than the handshake, inside the window, is still a deny`, async (t) => {
    const haproxy = await startHaproxy(t, ['tcp-request connection reject']);
    await haproxy.pause();
    t.teardown(() => haproxy.resume());
    const probing = probeUrl(url(haproxy.port), { timeoutMs: 10_000, attempts: 1, settleMs: 5000 });
    await waitFor('the handshake completed by the kernel', () => establishedTo(haproxy.port));
    haproxy.resume();
    t.match(await probing, { observed: 'deny', reason: 'reset' });
  });
}

t.test(
  'a connection HAProxy lets through keeps its verdict: silence and a banner from the backend are allows',
  async (t) => {
    const rows: [string, Server, RegExp][] = [
      ['a silent backend', silentServer(), /no FIN or RST within the 200ms settle window/],
      ['a backend that speaks first', bannerServer(), /the peer spoke first/],
    ];
    for (const [name, backend, detail] of rows) {
      const backendPort = await listen(t, backend);
      const haproxy = await startHaproxy(t, ['tcp-request connection accept'], `127.0.0.1:${backendPort}`);
      for (const { family, url } of FAMILIES) {
        const result = await probeUrl(url(haproxy.port), { timeoutMs: 2000, attempts: 1 });
        t.match(result, { observed: 'allow', reason: 'connected' }, `${family}: ${name}`);
        t.match(result.detail, detail, `${family}: ${name}: ${result.detail}`);
      }
    }
  },
);
