// DNS against a named server: a real dnsmasq over UDP and TCP, IPv4 and IPv6 loopback, plus peers that lie.

import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import packet from 'dns-packet';
import t, { type Test } from 'tap';
import { probeUrl } from '../../src/probe/engine.ts';
import { startDnsmasq, ZONE } from '../helpers/dnsmasq.ts';
import { requireBinary } from '../helpers/prober.ts';
import { reportSchemaErrors } from '../helpers/report-schema.ts';
import { tempDir } from '../helpers/temp.ts';

const once = { timeoutMs: 2000, attempts: 1 };

t.test(
  'dnsmasq: an answer, NXDOMAIN, NOERROR without records and REFUSED, over UDP and TCP, IPv4 and IPv6',
  async (t) => {
    for (const listen of ['127.0.0.1', '::1']) {
      const server = await startDnsmasq(t, listen);
      const at = listen.includes(':') ? `[${listen}]:${server.port}` : `${listen}:${server.port}`;
      for (const over of ['udp', 'tcp']) {
        const ask = (name: string, type = '') =>
          probeUrl(`dns://${name}?server=${at}&over=${over}${type ? `&type=${type}` : ''}`, once);
        const where = `${listen} ${over}`;
        t.match(await ask(ZONE.found), { observed: 'allow', reason: 'resolved', detail: ZONE.foundV4 }, `${where}: A`);
        t.match(
          await ask(ZONE.found, 'AAAA'),
          { observed: 'allow', reason: 'resolved', detail: ZONE.foundV6 },
          `${where}: AAAA`,
        );
        t.match(
          await ask(ZONE.missing),
          { observed: 'allow', reason: 'nxdomain', detail: /NXDOMAIN/ },
          `${where}: NXDOMAIN is an answer`,
        );
        t.match(
          await ask(ZONE.v4only, 'AAAA'),
          { observed: 'allow', reason: 'resolved', detail: /NOERROR with no AAAA records/ },
          `${where}: NOERROR without records says so`,
        );
        t.match(
          await ask(ZONE.refused),
          { observed: 'deny', reason: 'dns-refused', detail: /REFUSED/ },
          `${where}: REFUSED is the server's own deny`,
        );
      }
    }
  },
);

t.test('no server on the port: ICMP port unreachable over UDP and RST over TCP are refused', async (t) => {
  // The port of a dnsmasq that has exited is free again: nothing listens there.
  const server = await startDnsmasq(t, '127.0.0.1');
  server.child.kill('SIGKILL');
  await new Promise((resolve) => server.child.once('exit', resolve));
  for (const over of ['udp', 'tcp']) {
    t.match(
      await probeUrl(`dns://${ZONE.found}?server=127.0.0.1:${server.port}&over=${over}`, once),
      { observed: 'deny', reason: 'refused' },
      over,
    );
  }
});

/** A UDP peer answering every query with `reply(query)`; and the same over TCP with a length prefix. */
async function liar(t: Test, reply: (query: Buffer) => Buffer, tcpRaw = false): Promise<number> {
  const udp = createSocket('udp4');
  udp.on('message', (query, from) => udp.send(reply(query), from.port, from.address));
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const port = udp.address().port;
  const tcp = createServer((socket: Socket) => {
    socket.once('data', (chunk) => {
      const body = reply(chunk.subarray(2));
      if (tcpRaw) socket.end(body);
      else {
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(body.length, 0);
        socket.end(Buffer.concat([prefix, body]));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, '127.0.0.1', resolve);
  });
  t.teardown(() => {
    udp.close();
    tcp.close();
  });
  return port;
}

function answer(query: Buffer, change: Partial<packet.Packet> & { rcode?: number } = {}): Buffer {
  const asked = packet.decode(query);
  const { rcode = 0, ...rest } = change;
  return packet.encode({
    type: 'response',
    id: asked.id,
    flags: packet.RECURSION_DESIRED | rcode,
    questions: asked.questions,
    answers: [{ type: 'A', name: asked.questions?.[0]?.name ?? '', data: '192.0.2.9' }],
    ...rest,
  });
}

const peers: [string, (query: Buffer) => Buffer, RegExp, string][] = [
  ['SERVFAIL', (q) => answer(q, { rcode: 2, answers: [] }), /SERVFAIL/, 'dns-servfail'],
  ['another id', (q) => answer(q, { id: (packet.decode(q).id ?? 0) ^ 1 }), /does not match/, 'protocol'],
  [
    'another question',
    (q) => answer(q, { questions: [{ type: 'A', name: 'other.test' }] }),
    /another question/,
    'protocol',
  ],
  [
    'an answer for another owner name',
    (q) => answer(q, { answers: [{ type: 'A', name: 'victim.test', data: '192.0.2.66' }] }),
    /answers only other names \(victim\.test\), not q\.test/,
    'protocol',
  ],
  ['garbage', () => Buffer.from('\x1b[31mnot dns at all\x1b[0m'), /not a DNS message/, 'protocol'],
  ['the query echoed', (q) => q, /not a response/, 'protocol'],
];

t.test(
  'the answer is what the question (or its CNAME chain) owns; records for other names are no answer',
  async (t) => {
    const port = await liar(t, (q) =>
      answer(q, {
        answers: [
          { type: 'CNAME', name: 'Q.test.', data: 'alias.test' },
          { type: 'CNAME', name: 'alias.test', data: 'final.test' },
          { type: 'A', name: 'final.test', data: '192.0.2.7' },
          { type: 'A', name: 'victim.test', data: '192.0.2.66' },
        ],
      }),
    );
    for (const over of ['udp', 'tcp']) {
      const result = await probeUrl(`dns://q.test?server=127.0.0.1:${port}&over=${over}`, once);
      t.match(result, { observed: 'allow', reason: 'resolved' }, over);
      t.match(result.detail, /^192\.0\.2\.7 from /, `${over}: only the chain's address`);
      t.notMatch(result.detail, /192\.0\.2\.66/, `${over}: not the stray record's`);
    }
    // A chain to a name without the record is a NOERROR with no address, whatever strays beside it.
    const dangling = await liar(t, (q) =>
      answer(q, {
        answers: [
          { type: 'CNAME', name: 'q.test', data: 'alias.test' },
          { type: 'A', name: 'stranger.test', data: '192.0.2.66' },
        ],
      }),
    );
    const result = await probeUrl(`dns://q.test?server=127.0.0.1:${dangling}`, once);
    t.match(result, { observed: 'allow', reason: 'resolved', detail: /^NOERROR with no A records/ });
    t.notMatch(result.detail, /192\.0\.2\.66/);
  },
);

t.test('peers that answer wrong: SERVFAIL is undecided, a reply to something else is a protocol error', async (t) => {
  for (const [name, reply, detail, reason] of peers) {
    const port = await liar(t, reply);
    for (const over of ['udp', 'tcp']) {
      const result = await probeUrl(`dns://q.test?server=127.0.0.1:${port}&over=${over}`, once);
      t.match(result, { observed: 'error', reason, detail }, `${name} over ${over}`);
      t.notMatch(result.detail ?? '', /\x1b/, `${name} over ${over}: no control bytes reach the detail`);
    }
  }
});

t.test('TCP: a length prefix longer than what came before the close is a protocol error', async (t) => {
  const port = await liar(t, () => Buffer.from([0x40, 0x00, 1, 2, 3]), true);
  t.match(await probeUrl(`dns://q.test?server=127.0.0.1:${port}&over=tcp`, once), {
    observed: 'error',
    reason: 'protocol',
    detail: /before a whole DNS message/,
  });
});

t.test('UDP: a reply over 4096 bytes is not read as an answer', async (t) => {
  const port = await liar(t, (q) => Buffer.concat([answer(q), Buffer.alloc(5000)]));
  t.match(await probeUrl(`dns://q.test?server=127.0.0.1:${port}`, once), {
    observed: 'error',
    reason: 'protocol',
    detail: /over the 4096 bytes read/,
  });
});

t.test(
  'prober check with dns:// targets: the report names each reason, REFUSED passes as a deny on its own',
  async (t) => {
    const binary = requireBinary();
    const server = await startDnsmasq(t, '127.0.0.1');
    const at = `127.0.0.1:${server.port}`;
    const file = join(tempDir(t, 'dns-check'), 'test.yaml');
    writeFileSync(
      file,
      `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: dns-check }
spec:
  defaults: { timeout: 2s, attempts: 1 }
  sources: { here: { local: true } }
  targets:
    found: { url: "dns://${ZONE.found}?server=${at}&over=tcp" }
    missing: { url: "dns://${ZONE.missing}?server=${at}" }
    refused: { url: "dns://${ZONE.refused}?server=${at}&over=udp" }
  expect:
    - { from: here, to: found, verdict: allow }
    - { from: here, to: missing, verdict: allow }
    - { from: here, to: refused, verdict: deny }
`,
    );
    const run = spawnSync(binary, ['check', '-f', file, '-o', 'json'], { encoding: 'utf8' });
    t.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    t.same(reportSchemaErrors(report), [], 'the report validates against its schema');
    t.match(report, { exitCode: 0, summary: { pass: 3 } });
    t.match(
      report.cells.map((c: { to: string; observed: string; reason: string }) => [c.to, c.observed, c.reason]),
      [
        ['found', 'allow', 'resolved'],
        ['missing', 'allow', 'nxdomain'],
        ['refused', 'deny', 'dns-refused'],
      ],
    );
  },
);
