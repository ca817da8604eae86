// A resident agent: listens on a Unix socket and runs each plan it is sent, answering with the
// agent's JSON lines. The socket is a file on the host, outside the network under test, so the
// measurement channel never crosses the policies being measured.

import { rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { parseProbePlan } from '../config/load-plan.ts';
import { executePlan } from './agent-run.ts';

/** Serves plans on `path` until `signal` aborts. One plan per connection: a JSON line in, result lines out. */
export async function serveAgent(path: string, signal: AbortSignal): Promise<void> {
  await rm(path, { force: true });
  const connections = new Set<Socket>();
  const server = createServer((socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
    socket.on('error', () => socket.destroy());
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      const end = text.indexOf('\n');
      if (end < 0) return;
      socket.off('data', onData);
      void answer(socket, text.slice(0, end));
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`unable to listen on ${path}`, { cause: error })));
    server.listen(path, resolve);
  });
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  for (const socket of connections) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(path, { force: true });
}

async function answer(socket: Socket, text: string): Promise<void> {
  try {
    const plan = await parseProbePlan('<socket>', text);
    await executePlan(plan, (line) => socket.write(`${JSON.stringify(line)}\n`));
  } catch (error) {
    socket.write(`${JSON.stringify({ kind: 'AgentError', message: error instanceof Error ? error.toString() : String(error) })}\n`);
  }
  socket.end();
}
