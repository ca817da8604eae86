// The built binary judges HTTP by the status line: a reachable target with a slow or short body is never a passing deny.

import t from 'tap';
import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { listen } from '../helpers/peers.ts';
import { requireBinary } from '../helpers/prober.ts';

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
