// The built binary over HTTP: probe judges by the status line (a slow or short body is never a passing deny),
// serve gives a final answer to every status it is asked for and documents its limits.

import t from 'tap';
import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { listen } from '../helpers/peers.ts';
import { requireBinary } from '../helpers/prober.ts';
import { waitFor } from '../helpers/wait.ts';

const binary = requireBinary();

/** An HTTP peer that sends its status and headers, then part of the body, and holds the connection. */
function shortBody(status: string): ReturnType<typeof createServer> {
  return createServer((socket: Socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.write(`HTTP/1.1 ${status}\r\nContent-Length: 1000\r\n\r\nhello`));
  });
}

/** Runs the binary without blocking this process's event loop, so the peer under test keeps answering. */
function probe(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(binary, ['probe', ...args], { cwd: '/' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

t.test('probe --expect deny against a 200 with a short body fails (exit 1): the target is reachable', async (t) => {
  const port = await listen(t, shortBody('200 OK'));
  const url = `http://127.0.0.1:${port}/`;
  const deny = await probe(['--expect', 'deny', '--timeout', '2s', '-o', 'json', url]);
  t.equal(deny.status, 1, deny.stderr);
  t.match(JSON.parse(deny.stdout).cells[0], { observed: 'allow', reason: 'http-200', result: 'fail' });
  const allow = await probe(['--expect', 'allow', '--timeout', '2s', url]);
  t.equal(allow.status, 0, allow.stderr);
});

t.test('probe --expect deny against a 403 with a slow body passes (exit 0): the L7 deny is kept', async (t) => {
  const port = await listen(t, shortBody('403 Forbidden'));
  const out = await probe(['--expect', 'deny', '--timeout', '2s', '-o', 'json', `http://127.0.0.1:${port}/`]);
  t.equal(out.status, 0, out.stderr);
  t.match(JSON.parse(out.stdout).cells[0], { observed: 'deny', reason: 'http-403', result: 'pass' });
});

t.test('serve: /status/1xx gets a final answer, and --help says which and what the limits are', async (t) => {
  const child = spawn(binary, ['serve', '--port', '0', '--host', '127.0.0.1', '--name', 'web-1xx'], { stdio: ['ignore', 'ignore', 'pipe'] });
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  let port = 0;
  createInterface({ input: child.stderr }).on('line', (line) => {
    port = Number(/port (\d+)/.exec(line)?.[1] ?? port);
  });
  await waitFor('serve to listen', () => port > 0);
  for (const [asked, final] of [[100, 200], [101, 400], [102, 200], [103, 200]]) {
    const res = await fetch(`http://127.0.0.1:${port}/status/${asked}`, { signal: AbortSignal.timeout(3_000) }).catch((error: Error) => error);
    t.match(res, { status: final }, `/status/${asked} ends with ${final}`);
    if (res instanceof Response) t.match(await res.json(), { name: 'web-1xx', note: new RegExp(`^${asked} `) });
  }
  const help = await new Promise<string>((resolve) => {
    const out = spawn(binary, ['serve', '--help']);
    let text = '';
    out.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    out.once('close', () => resolve(text.replace(/\s+/g, ' ')));
  });
  t.match(help, /\/status\/102 and \/status\/103 send that interim response and then a final 200; \/status\/100 gets 200/);
  t.match(help, /request headers must be complete within 20 s/);
  t.match(help, /A connection that sends nothing.* held for 60 s/);
});
