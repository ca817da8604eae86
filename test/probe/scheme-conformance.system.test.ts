// Every scheme of the table against the same real peers: an allowing server, a refused port, a reset, silence, a close.

import { createSocket } from 'node:dgram';
import { createServer as createTlsServer } from 'node:https';
import { createServer, type Server } from 'node:net';
import t, { type Test } from 'tap';
import type { Observed } from '../../src/model/outcome.ts';
import { SCHEME_NAMES, SCHEMES, type Scheme, type Transport } from '../../src/model/schemes.ts';
import { attemptOnce, probeUrl } from '../../src/probe/engine.ts';
import { startTargetServer } from '../../src/probe/target-server.ts';
import { makeCertificate } from '../cluster/fake/tls.ts';
import { startDnsmasq, ZONE } from '../helpers/dnsmasq.ts';
import { closedPort, closingServer, httpServer, listen, resettingServer, silentServer } from '../helpers/peers.ts';
import { startRedis } from '../helpers/redis.ts';

/** The peers every scheme meets. */
type PeerKind = 'allowing' | 'refused' | 'reset' | 'silent' | 'closing';

interface Outcome {
  readonly observed: Observed;
  readonly reason: string;
}

/** How a scheme meets the peers: its URL at a loopback port, and a real server of its protocol. */
interface Fixture {
  /** The scheme's URL reaching a peer listening at `port` over `transport`. */
  url(port: number, transport: Transport): string;
  /** Starts a server of the protocol that allows the probe; its port. */
  allowing(t: Test): Promise<number>;
  /** What the allowing server's answer is called. */
  readonly allowedAs: string;
  /** The transports its peers can be reached over: its own, and others it can be asked to use. */
  readonly transports: readonly Transport[];
  /** Where the scheme's outcome differs from every other's, with why (the README's outcome table). */
  readonly unlike?: Partial<Record<PeerKind, Outcome & { why: string }>>;
}

const TLS = makeCertificate();

/**
 * One fixture per scheme; the type makes a scheme of the table without one a compile error, and the
 * test below fails on a scheme missing here at run time too.
 */
const FIXTURES: Record<Scheme, Fixture> = {
  tcp: {
    url: (port) => `tcp://127.0.0.1:${port}`,
    // A server that speaks first: data through the settle window is an allow.
    allowing: (t) =>
      listen(
        t,
        createServer((socket) => socket.write('hello\r\n')),
      ),
    allowedAs: 'connected',
    transports: ['TCP'],
    unlike: {
      silent: {
        observed: 'allow',
        reason: 'connected',
        why: 'a tcp:// probe never sends a byte, so a server that waits for the client is an open port',
      },
    },
  },
  udp: {
    url: (port) => `udp://127.0.0.1:${port}`,
    allowing: async (t) => {
      const server = await startTargetServer([0], '127.0.0.1', { name: 'conformance', hostname: 'test' });
      t.teardown(() => server.close());
      return server.ports[0] as number;
    },
    allowedAs: 'replied',
    transports: ['UDP'],
  },
  http: {
    url: (port) => `http://127.0.0.1:${port}/`,
    allowing: (t) =>
      listen(
        t,
        httpServer((_req, res) => res.end('ok')),
      ),
    allowedAs: 'http-200',
    transports: ['TCP'],
  },
  https: {
    url: (port) => `https://127.0.0.1:${port}/`,
    allowing: (t) => listen(t, createTlsServer(TLS, (_req, res) => res.end('ok')) as unknown as Server),
    allowedAs: 'http-200',
    transports: ['TCP'],
  },
  redis: {
    url: (port) => `redis://127.0.0.1:${port}`,
    allowing: async (t) => (await startRedis(t)).port,
    allowedAs: 'pong',
    transports: ['TCP'],
  },
  dns: {
    // A named server, over UDP (the default) or TCP: the same peers as every other scheme.
    url: (port, transport) => `dns://${ZONE.found}?server=127.0.0.1:${port}&over=${transport.toLowerCase()}`,
    allowing: async (t) => (await startDnsmasq(t, '127.0.0.1')).port,
    allowedAs: 'resolved',
    transports: ['UDP', 'TCP'],
  },
};

/** What every scheme gives against a peer that is not a server of its protocol (the README's outcome table). */
const DENIES: Record<Exclude<PeerKind, 'allowing'>, Outcome> = {
  refused: { observed: 'deny', reason: 'refused' },
  reset: { observed: 'deny', reason: 'reset' },
  closing: { observed: 'deny', reason: 'closed' },
  silent: { observed: 'deny', reason: 'timeout' },
};

/** A peer listening at the port it returns, or why that kind of peer cannot exist over a transport. */
type PeerStart = ((t: Test) => Promise<number>) | string;

/** The peers of each transport. */
const PEERS: Record<Transport, Record<Exclude<PeerKind, 'allowing'>, PeerStart>> = {
  TCP: {
    refused: () => closedPort(),
    reset: (t) => listen(t, resettingServer()),
    silent: (t) => listen(t, silentServer()),
    closing: (t) => listen(t, closingServer()),
  },
  UDP: {
    // Nothing bound: the kernel answers ICMP port unreachable.
    refused: () => closedUdpPort(),
    reset: 'UDP has no connection to reset: a peer either replies, stays silent or is unreachable',
    silent: (t) => silentUdpPeer(t),
    closing: 'UDP has no connection to close: a peer either replies, stays silent or is unreachable',
  },
};

async function closedUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

async function silentUdpPeer(t: Test): Promise<number> {
  const socket = createSocket('udp4');
  socket.on('message', () => undefined);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  t.teardown(() => socket.close());
  return socket.address().port;
}

const once = { timeoutMs: 1000, attempts: 1 };

t.test('every scheme of the table has a fixture, reaching its peers over its own transport', async (t) => {
  for (const scheme of SCHEME_NAMES) {
    // FIXTURES is a Record over every scheme: the compiler refuses a scheme without a fixture.
    t.ok(
      FIXTURES[scheme].transports.includes(SCHEMES[scheme].transport),
      `${scheme}:// is met over ${SCHEMES[scheme].transport}`,
    );
  }
});

for (const scheme of SCHEME_NAMES) {
  const fixture = FIXTURES[scheme];
  t.test(`${scheme}:// against the shared peers`, async (t) => {
    for (const transport of fixture.transports) {
      const where = `${scheme}:// over ${transport}`;
      const allowed = await probeUrl(fixture.url(await fixture.allowing(t), transport), once);
      t.match(allowed, { observed: 'allow', reason: fixture.allowedAs }, `${where}: a server of the protocol`);
      for (const [kind, start] of Object.entries(PEERS[transport]) as [keyof typeof DENIES, PeerStart][]) {
        if (typeof start === 'string') {
          t.comment(`${where}: no ${kind} peer (${start})`);
          continue;
        }
        const want = fixture.unlike?.[kind] ?? DENIES[kind];
        const result = await probeUrl(fixture.url(await start(t), transport), once);
        t.match(result, { observed: want.observed, reason: want.reason }, `${where}: a ${kind} peer`);
      }
    }
  });
}

t.test('an address whose scheme no prober knows is a bad target, never a throw', async (t) => {
  const address = { scheme: 'gopher', host: '127.0.0.1', port: 70, path: '', url: 'gopher://127.0.0.1:70' };
  t.match(await attemptOnce(address as never, once), {
    observed: 'error',
    reason: 'bad-target',
    detail: 'unsupported scheme gopher',
  });
});
