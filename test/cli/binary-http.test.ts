// The built binary over HTTP: probe judges by the status line (a slow or short body is never a passing deny),
// serve gives a final answer to every status it is asked for and documents its limits.

import { createServer, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { listen } from '../helpers/peers.ts';
import { startBinary } from '../helpers/prober.ts';
import { until } from '../helpers/wait.ts';

/** An HTTP peer that sends its status and headers, then part of the body, and holds the connection. */
function shortBody(status: string): ReturnType<typeof createServer> {
  return createServer((socket: Socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.write(`HTTP/1.1 ${status}\r\nContent-Length: 1000\r\n\r\nhello`));
  });
}

/** Runs `prober probe` without blocking this process's event loop, so the peer under test keeps answering. */
function probe(t: Test, args: string[]) {
  return startBinary(t, ['probe', ...args]).exited;
}

t.test('probe --expect deny against a 200 with a short body fails (exit 1): the target is reachable', async (t) => {
  const port = await listen(t, shortBody('200 OK'));
  const url = `http://127.0.0.1:${port}/`;
  const deny = await probe(t, ['--expect', 'deny', '--timeout', '2s', '-o', 'json', url]);
  t.equal(deny.code, 1, deny.stderr);
  t.match(JSON.parse(deny.stdout).cells[0], { observed: 'allow', reason: 'http-200', result: 'fail' });
  const allow = await probe(t, ['--expect', 'allow', '--timeout', '2s', url]);
  t.equal(allow.code, 0, allow.stderr);
});

t.test('probe --expect deny against a 403 with a slow body passes (exit 0): the L7 deny is kept', async (t) => {
  const port = await listen(t, shortBody('403 Forbidden'));
  const out = await probe(t, ['--expect', 'deny', '--timeout', '2s', '-o', 'json', `http://127.0.0.1:${port}/`]);
  t.equal(out.code, 0, out.stderr);
  t.match(JSON.parse(out.stdout).cells[0], { observed: 'deny', reason: 'http-403', result: 'pass' });
});

t.test('serve: /status/1xx gets a final answer, and --help says which and what the limits are', async (t) => {
  const serve = startBinary(t, ['serve', '--port', '0', '--host', '127.0.0.1', '--name', 'web-1xx']);
  // The whole line, so a port split across two reads is never taken for a shorter one.
  const port = await until(
    'serve to listen',
    () => Number(/port (\d+)\n/.exec(serve.output.stderr)?.[1] ?? 0) || undefined,
  );
  for (const [asked, final] of [
    [100, 200],
    [101, 400],
    [102, 200],
    [103, 200],
  ]) {
    const res = await fetch(`http://127.0.0.1:${port}/status/${asked}`, { signal: AbortSignal.timeout(3_000) }).catch(
      (error: Error) => error,
    );
    t.match(res, { status: final }, `/status/${asked} ends with ${final}`);
    if (res instanceof Response) t.match(await res.json(), { name: 'web-1xx', note: new RegExp(`^${asked} `) });
  }
  const help = (await startBinary(t, ['serve', '--help']).exited).stdout.replace(/\s+/g, ' ');
  t.match(
    help,
    /\/status\/102 and \/status\/103 send that interim response and then a final 200; \/status\/100 gets 200/,
  );
  t.match(help, /request headers must be complete within 20 s/);
  t.match(help, /A connection that sends nothing.* held for 60 s/);
});
