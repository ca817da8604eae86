// A resident agent: listens on a Unix socket and runs each plan it is sent, answering with the
// agent's JSON lines. The socket is a file on the host, outside the network under test, so the
// measurement channel never crosses the policies being measured.

import { setMaxListeners } from 'node:events';
import { rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { parseProbePlan } from '../config/load-plan.ts';
import { executePlan } from './agent-run.ts';

/** How long plans stopped by a shutdown get to hand their last lines to clients that are slow to read. */
const SHUTDOWN_GRACE_MS = 500;

/**
 * Serves plans on `path` until `signal` aborts. One plan per connection: a JSON line in, result lines
 * out. On abort, plans in flight stop at once and report their probes not done as error/interrupted
 * before the connections close.
 */
export async function serveAgent(path: string, signal: AbortSignal): Promise<void> {
  await rm(path, { force: true });
  // One listener per plan in flight: a signal of the server's own, free of Node's leak warning.
  const closing = AbortSignal.any([signal]);
  setMaxListeners(0, closing);
  const connections = new Set<Socket>();
  const answering = new Set<Promise<void>>();
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
      // Whatever follows the plan line is read and ignored, so the client's going away is still seen.
      socket.on('data', () => undefined);
      const done: Promise<void> = answer(socket, text.slice(0, end), closing).finally(() => answering.delete(done));
      answering.add(done);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`unable to listen on ${path}`, { cause: error })));
    server.listen(path, resolve);
  });
  if (!closing.aborted) await new Promise<void>((resolve) => closing.addEventListener('abort', () => resolve(), { once: true }));
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  await Promise.race([Promise.all(answering), delay(SHUTDOWN_GRACE_MS)]);
  for (const socket of connections) socket.destroy();
  await closed;
  await rm(path, { force: true });
}

/** Runs one client's plan; it stops when the agent shuts down or the client goes away (nobody would read the rest). */
async function answer(socket: Socket, text: string, closing: AbortSignal): Promise<void> {
  const plan = new AbortController();
  const stop = (): void => plan.abort();
  closing.addEventListener('abort', stop, { once: true });
  socket.once('close', stop);
  const write = (line: object): void => {
    if (socket.writable) socket.write(`${JSON.stringify(line)}\n`);
  };
  try {
    await executePlan(await parseProbePlan('<socket>', text), write, plan.signal);
  } catch (error) {
    write({ kind: 'AgentError', message: error instanceof Error ? error.toString() : String(error) });
  } finally {
    closing.removeEventListener('abort', stop);
    socket.off('close', stop);
  }
  if (socket.destroyed) return;
  await new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.end(() => resolve());
  });
}
