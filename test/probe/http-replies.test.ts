// Hostile and broken HTTP(S) peers on loopback: the status line decides, whatever the body, headers or TLS layer do.

import { createServer, type Socket } from 'node:net';
import t from 'tap';
import { classifyError } from '../../src/probe/classify.ts';
import { probeUrl } from '../../src/probe/engine.ts';
import { closingServer, listen, resettingServer, silentServer } from '../helpers/peers.ts';

/** A raw TCP peer: `script` runs once the request has arrived (or at once for peers that ignore it). */
function scripted(script: (socket: Socket) => void, waitForRequest = true) {
  return createServer((socket) => {
    socket.on('error', () => undefined);
    const timers = new Set<NodeJS.Timeout>();
    socket.once('close', () => {
      for (const timer of timers) clearInterval(timer);
    });
    // Trickling peers register their intervals here so they stop with the connection.
    (socket as Socket & { timers?: Set<NodeJS.Timeout> }).timers = timers;
    if (waitForRequest) socket.once('data', () => script(socket));
    else script(socket);
  });
}

/** Writes `chunk` every `everyMs` until the connection closes. */
function trickle(socket: Socket, chunk: string, everyMs: number): void {
  const timer = setInterval(() => socket.write(chunk), everyMs);
  (socket as Socket & { timers?: Set<NodeJS.Timeout> }).timers?.add(timer);
}

const timeoutMs = 1500;

t.test('once the status line and headers arrived, the status decides whatever the body does', async (t) => {
  const rows: { name: string; peer: (socket: Socket) => void; want: Record<string, unknown> }[] = [
    {
      name: '200, Content-Length 1000, 5 bytes sent, connection held',
      peer: (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nhello'),
      want: { observed: 'allow', reason: 'http-200', detail: /^HTTP 200: hello/ },
    },
    {
      name: '403, then a body trickling one byte every 200 ms',
      peer: (s) => {
        s.write('HTTP/1.1 403 Forbidden\r\nContent-Length: 1000\r\n\r\n');
        trickle(s, 'x', 200);
      },
      want: { observed: 'deny', reason: 'http-403' },
    },
    {
      name: '403 with the start of an Envoy body, then nothing',
      peer: (s) => s.write('HTTP/1.1 403 Forbidden\r\nContent-Length: 500\r\n\r\nRBAC: access denied'),
      want: { observed: 'deny', reason: 'http-403', detail: /RBAC: access denied/ },
    },
    {
      name: '200, then a reset in the middle of the body',
      peer: (s) => {
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial', () =>
          setTimeout(() => s.resetAndDestroy(), 50),
        );
      },
      want: { observed: 'allow', reason: 'http-200', detail: /partial/ },
    },
    {
      name: '200, then a clean close in the middle of the body',
      peer: (s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nshort'),
      want: { observed: 'allow', reason: 'http-200', detail: /short/ },
    },
    {
      name: '200 with an endless chunked body, one small chunk every 100 ms',
      peer: (s) => {
        s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
        trickle(s, '2\r\nab\r\n', 100);
      },
      want: { observed: 'allow', reason: 'http-200' },
    },
    {
      name: '200 with an endless chunked body as fast as it goes',
      peer: (s) => {
        s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
        trickle(s, `400\r\n${'y'.repeat(0x400)}\r\n`, 1);
      },
      want: { observed: 'allow', reason: 'http-200' },
    },
    {
      name: '503 with a body that never comes',
      peer: (s) => s.write('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 10\r\n\r\n'),
      want: { observed: 'error', reason: 'http-503' },
    },
    {
      name: 'a status line, then headers that never finish',
      peer: (s) => {
        s.write('HTTP/1.1 200 OK\r\nServer: slow\r\n');
        trickle(s, 'X-Slow: 1\r\n', 200);
      },
      want: { observed: 'allow', reason: 'http-200', detail: /^HTTP 200 \(headers still incomplete after 1500ms\)/ },
    },
    {
      name: 'a 403 status line, then a close before the headers end',
      peer: (s) => s.end('HTTP/1.1 403 Forbidden\r\nServer: short\r\n'),
      want: {
        observed: 'deny',
        reason: 'http-403',
        detail: /^HTTP 403 \(headers still incomplete when the connection ended\)/,
      },
    },
    {
      name: 'a 200 status line, then a reset before the headers end',
      peer: (s) => s.write('HTTP/1.1 200 OK\r\nServer: short\r\n', () => setTimeout(() => s.resetAndDestroy(), 50)),
      want: { observed: 'allow', reason: 'http-200' },
    },
    {
      name: 'a 403 status line, then headers that never finish',
      peer: (s) => s.write('HTTP/1.1 403 Forbidden\r\nServer: slow\r\n'),
      want: { observed: 'deny', reason: 'http-403' },
    },
  ];
  for (const row of rows) {
    const port = await listen(t, scripted(row.peer));
    const result = await probeUrl(`http://127.0.0.1:${port}/`, { timeoutMs, attempts: 1 });
    t.match(result, row.want, row.name);
  }
});

t.test('replies that are not HTTP/1.x are protocol errors with a truthful detail, never internal', async (t) => {
  const rows: { name: string; peer: (socket: Socket) => void; detail: RegExp }[] = [
    {
      name: 'an invalid status line',
      peer: (s) => s.end('HTTP/1.1 2x0 OK\r\n\r\n'),
      detail: /invalid status line "HTTP\/1\.1 2x0 OK"/,
    },
    { name: 'a status line with no code', peer: (s) => s.end('HTTP/1.1\r\n\r\n'), detail: /invalid status line/ },
    {
      name: 'HTTP/0.9: a body with no status line, then close',
      peer: (s) => s.end('hello from 1991\n'),
      detail: /no status line.*"hello from 1991"/,
    },
    {
      name: 'HTTP/0.9: a body with no status line, held open',
      peer: (s) => s.write('<html>hi'),
      detail: /no status line.*"<html>hi"/,
    },
    {
      name: 'half a status line, then close',
      peer: (s) => s.end('HTTP/1.1 2'),
      detail: /^an unfinished status line "HTTP\/1\.1 2" when the connection ended/,
    },
    {
      name: 'control bytes instead of a reply are quoted escaped',
      peer: (s) => s.end('\x1b[2J\r\n'),
      detail: /^no status line.*it starts "\\x1b\[2J"/,
    },
    {
      name: 'a 101 Switching Protocols to a plain GET',
      peer: (s) => s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'),
      detail: /^HTTP 101: a switch to another protocol nobody asked for/,
    },
    {
      name: 'a 100 KB header',
      peer: (s) => s.write(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`),
      detail: /^HTTP 200, then headers larger than 16 KiB/,
    },
    {
      name: 'an invalid header line',
      peer: (s) => s.write('HTTP/1.1 200 OK\r\nthis is not a header\r\n\r\n'),
      detail: /^HTTP 200, then malformed headers: Invalid header token/,
    },
  ];
  for (const row of rows) {
    const port = await listen(t, scripted(row.peer));
    const result = await probeUrl(`http://127.0.0.1:${port}/`, { timeoutMs, attempts: 1 });
    t.match(result, { observed: 'error', reason: 'protocol', detail: row.detail }, row.name);
  }
});

t.test('an interim 1xx with no final status is a protocol error, not a timeout', async (t) => {
  const held = await listen(
    t,
    scripted((s) => s.write('HTTP/1.1 100 Continue\r\n\r\n')),
  );
  const heldResult = await probeUrl(`http://127.0.0.1:${held}/`, { timeoutMs: 500, attempts: 1 });
  t.match(heldResult, {
    observed: 'error',
    reason: 'protocol',
    detail: /^interim HTTP 100, then no final status after 500ms/,
  });
  const closed = await listen(
    t,
    scripted((s) => s.end('HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n')),
  );
  const closedResult = await probeUrl(`http://127.0.0.1:${closed}/`, { timeoutMs: 500, attempts: 1 });
  t.match(closedResult, {
    observed: 'error',
    reason: 'protocol',
    detail: /^interim HTTP 103, then no final status when the connection ended/,
  });
});

t.test('TLS: connected, then no answer to the ClientHello, is a deny (timeout) that says so', async (t) => {
  const port = await listen(t, silentServer());
  const result = await probeUrl(`https://127.0.0.1:${port}/`, { timeoutMs: 400, attempts: 1 });
  t.match(result, {
    observed: 'deny',
    reason: 'timeout',
    detail: /^connected, but no answer to the TLS handshake within 400ms/,
  });
  t.notMatch(result.detail, /no answer to the connection attempt/);
});

t.test('TLS: a peer that closes (FIN) before the handshake is a deny (closed), like plain HTTP', async (t) => {
  // Node reports a FIN before the handshake as ECONNRESET; the probe must still tell a close from a reset.
  const closing = await listen(t, closingServer());
  t.match(await probeUrl(`https://127.0.0.1:${closing}/`, { timeoutMs: 1000, attempts: 1 }), {
    observed: 'deny',
    reason: 'closed',
    detail: 'connected, then closed before the TLS handshake',
  });
  const resetting = await listen(t, resettingServer());
  t.match(await probeUrl(`https://127.0.0.1:${resetting}/`, { timeoutMs: 1000, attempts: 1 }), {
    observed: 'deny',
    reason: 'reset',
  });
});

t.test('TLS: a peer that starts the handshake and stalls is a TLS error, not a deny', async (t) => {
  // The first bytes of a ServerHello record: the peer speaks TLS, so the network let the probe through.
  const port = await listen(
    t,
    scripted((s) => s.write(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x40, 0x02]))),
  );
  const result = await probeUrl(`https://127.0.0.1:${port}/`, { timeoutMs: 400, attempts: 1 });
  t.match(result, {
    observed: 'error',
    reason: 'tls',
    detail: /TLS handshake started but did not finish within 400ms/,
  });
});

t.test('any HTTP parser error that reaches the generic classifier is a protocol error, never internal', async (t) => {
  const error = Object.assign(new Error('Parse Error: Invalid method encountered'), { code: 'HPE_INVALID_METHOD' });
  t.match(classifyError(error, 'exchange'), { observed: 'error', reason: 'protocol', detail: /Invalid method/ });
});
