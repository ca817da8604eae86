// `prober serve`'s synthetic target under slow and odd clients: bounded headers, requests and idle
// connections, a final answer to every /status/1xx, and still a target for TCP connects and Redis PING.

import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { probeUrl } from '../../src/probe/engine.ts';
import { SERVE_LIMITS, type ServeLimits } from '../../src/probe/serve-limits.ts';
import { identityFromEnv, startTargetServer } from '../../src/probe/target-server.ts';
import { waitFor } from '../helpers/wait.ts';

const identity = { name: 'target-1', hostname: 'test' };

async function serve(t: Test, limits: Partial<ServeLimits> = {}): Promise<number> {
  const server = await startTargetServer([0], '127.0.0.1', identity, limits);
  t.teardown(() => server.close());
  return server.ports[0] as number;
}

/** A raw client that records what it receives and how the connection ended. */
async function client(t: Test, port: number) {
  const socket = connect({ host: '127.0.0.1', port });
  const seen = { data: '', ended: false, reset: false, closed: false };
  socket.on('data', (chunk: Buffer) => (seen.data += chunk.toString('latin1')));
  socket.on('end', () => (seen.ended = true));
  socket.on('error', (error: NodeJS.ErrnoException) => (seen.reset = error.code === 'ECONNRESET'));
  socket.on('close', () => (seen.closed = true));
  t.teardown(() => socket.destroy());
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, seen };
}

/** Writes `text` every `everyMs` until the socket closes: a client that trickles to stay "active". */
function trickle(socket: Socket, text: string, everyMs: number): void {
  const timer = setInterval(() => socket.write(text), everyMs);
  socket.once('close', () => clearInterval(timer));
}

t.test('the defaults bound every phase of a connection', async (t) => {
  t.match(SERVE_LIMITS, {
    headersTimeoutMs: 20_000,
    requestTimeoutMs: 60_000,
    keepAliveTimeoutMs: 5_000,
    idleTimeoutMs: 60_000,
  });
});

t.test('partial request headers are dropped with a 408 after the header timeout', async (t) => {
  const port = await serve(t, { headersTimeoutMs: 300 });
  const { socket, seen } = await client(t, port);
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
  await waitFor('the server to drop a client holding partial headers', () => seen.closed, 5_000);
  t.match(seen.data, /^HTTP\/1\.1 408 Request Timeout\r\n/);
});

t.test('headers trickled one line at a time do not reset the header timeout', async (t) => {
  const port = await serve(t, { headersTimeoutMs: 400 });
  const { socket, seen } = await client(t, port);
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
  trickle(socket, 'X-Slow: 1\r\n', 50);
  await waitFor('the server to drop a client trickling headers', () => seen.closed, 5_000);
  t.match(seen.data, /^HTTP\/1\.1 408/);
});

t.test('the next request on a kept-alive connection has its own header timeout', async (t) => {
  const port = await serve(t, { headersTimeoutMs: 400, keepAliveTimeoutMs: 60_000 });
  const { socket, seen } = await client(t, port);
  socket.write('GET /first HTTP/1.1\r\nHost: x\r\n\r\n');
  await waitFor('the first answer', () => seen.data.includes('"path":"/first"'), 5_000);
  socket.write('GET /second HTTP/1.1\r\nHost: x\r\n');
  trickle(socket, 'X-Slow: 1\r\n', 50);
  await waitFor('the server to drop the slow second request', () => seen.closed, 5_000);
  t.notMatch(seen.data, /"path":"\/second"/);
});

t.test('a request body that never completes is dropped after the request timeout', async (t) => {
  const port = await serve(t, { requestTimeoutMs: 400 });
  const { socket, seen } = await client(t, port);
  socket.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc');
  trickle(socket, 'd', 50);
  await waitFor('the server to drop a never-ending request body', () => seen.closed, 5_000);
});

t.test('an idle kept-alive connection is closed after the keep-alive timeout', async (t) => {
  const port = await serve(t, { keepAliveTimeoutMs: 100 });
  const { socket, seen } = await client(t, port);
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await waitFor('the idle kept-alive connection to be closed', () => seen.closed, 4_000);
  t.match(seen.data, /^HTTP\/1\.1 200 OK\r\n/);
});

t.test('a connection that sends nothing is held, then closed cleanly (FIN) after the idle timeout', async (t) => {
  const port = await serve(t, { idleTimeoutMs: 300 });
  const { seen } = await client(t, port);
  await waitFor('the silent connection to be closed', () => seen.closed, 5_000);
  t.ok(seen.ended, 'closed with a FIN');
  t.notOk(seen.reset, 'not reset: a TCP probe settling on the connection would read a reset as a deny');
  t.equal(seen.data, '', 'nothing was sent to a client that said nothing');
});

t.test('a Redis client idle between commands is closed after the idle timeout; PING still answers', async (t) => {
  const port = await serve(t, { idleTimeoutMs: 300 });
  const { socket, seen } = await client(t, port);
  socket.write('*1\r\n$4\r\nPING\r\n');
  await waitFor('+PONG', () => seen.data === '+PONG\r\n', 5_000);
  await waitFor('the idle Redis connection to be closed', () => seen.closed, 5_000);
  t.ok(seen.ended, 'closed with a FIN');
});

t.test('with the default limits serve stays a target for TCP, Redis and HTTP probes', async (t) => {
  const port = await serve(t);
  const options = { timeoutMs: 1_000, attempts: 1 };
  t.match(await probeUrl(`tcp://127.0.0.1:${port}`, options), { observed: 'allow', reason: 'connected' });
  t.match(await probeUrl(`redis://127.0.0.1:${port}`, options), { observed: 'allow', reason: 'pong' });
  t.match(await probeUrl(`http://127.0.0.1:${port}/status/403`, options), { observed: 'deny', reason: 'http-403' });
});

t.test(
  '/status/1xx gets a final answer: an interim response then 200, 200 alone, or 400 where none can be sent',
  async (t) => {
    const port = await serve(t);
    const rows: [code: number, interim: number | undefined, final: number, headers?: Record<string, string>][] = [
      [100, undefined, 200],
      [100, 100, 200, { expect: '100-continue' }],
      [101, undefined, 400],
      [102, 102, 200],
      [103, 103, 200],
      [150, undefined, 400],
    ];
    for (const [code, interim, final, headers] of rows) {
      const got = await new Promise<{ interim?: number; final?: number | undefined; body?: string; error?: string }>(
        (resolve) => {
          const seen: { interim?: number } = {};
          const req = request({ host: '127.0.0.1', port, path: `/status/${code}`, headers, timeout: 3_000 }, (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () => resolve({ ...seen, final: res.statusCode, body }));
          });
          req.on('information', (info) => (seen.interim = info.statusCode));
          req.on('timeout', () => req.destroy(new Error('no final answer within 3 s')));
          req.on('error', (error) => resolve({ ...seen, error: error.message }));
          req.end();
        },
      );
      t.match(got, { interim, final, body: /"name":"target-1"/ }, `/status/${code} ${JSON.stringify(headers ?? {})}`);
      if (final !== code) t.match(got.body, new RegExp(`"note":"${code} `), 'a note says why the answer differs');
    }
  },
);

t.test('the identity names the node from NODE_NAME, and HTTP replies name the pod in x-pod-name', async (t) => {
  const fromEnv = identityFromEnv({ POD_NAME: 'paperino-2', POD_NAMESPACE: 'cache', NODE_NAME: 'node-b' });
  t.match(fromEnv, { name: 'paperino-2', namespace: 'cache', node: 'node-b' });
  t.notOk('node' in identityFromEnv({ POD_NAME: 'x' }), 'no NODE_NAME, no node');
  const server = await startTargetServer([0], '127.0.0.1', fromEnv);
  t.teardown(() => server.close());
  const response = await fetch(`http://127.0.0.1:${server.ports[0]}/`);
  t.equal(response.headers.get('x-pod-name'), 'paperino-2');
  t.match(await response.json(), { name: 'paperino-2', node: 'node-b' });
});
