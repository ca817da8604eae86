// A resident agent: listens on a Unix socket and runs each plan it is sent, answering with the
// agent's JSON lines. The socket is a file on the host, outside the network under test, so the
// measurement channel never crosses the policies being measured. Clients are not trusted: a plan
// line is bounded in size and time, and the socket is private to the agent's user.

import { setMaxListeners } from 'node:events';
import type { Stats } from 'node:fs';
import { link, lstat, mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { ConfigError } from '../config/config-error.ts';
import { parseProbePlan } from '../config/load-plan.ts';
import { formatDuration } from '../model/duration.ts';
import { MAX_PLAN_BYTES } from '../model/plan.ts';
import { settleWithin } from '../model/wait.ts';
import { executePlan } from './agent-run.ts';

/** How a resident agent treats its clients. */
export interface AgentServerOptions {
  /** How long a client may take to send its whole plan line before it is dropped. */
  readonly clientTimeoutMs: number;
}

/** How long plans stopped by a shutdown get to hand their last lines to clients that are slow to read. */
const SHUTDOWN_GRACE_MS = 500;

/**
 * Serves plans on `path` until `signal` aborts. One plan per connection: a JSON line in, result lines
 * out. A stale socket at `path` is replaced; anything else there (a file, a link, a live agent) is
 * refused with a ConfigError. On abort, plans in flight stop at once and report their probes not done
 * as error/interrupted before the connections close, and the socket is removed if `path` still holds
 * it (anything put there meanwhile is left).
 */
export async function serveAgent(path: string, signal: AbortSignal, options: AgentServerOptions): Promise<void> {
  await clearStaleSocket(path);
  // One listener per plan in flight: a signal of the server's own, free of Node's leak warning.
  const closing = AbortSignal.any([signal]);
  setMaxListeners(0, closing);
  const connections = new Set<Socket>();
  const waiting = new Set<Socket>();
  const answering = new Set<Promise<void>>();
  // Half-open: a client may end its side once its plan is sent (as `nc -N` and `socat` do) and
  // still read the results; a client that is gone is seen when a write to it fails.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    connections.add(socket);
    waiting.add(socket);
    socket.once('close', () => {
      connections.delete(socket);
      waiting.delete(socket);
    });
    socket.on('error', () => socket.destroy());
    readPlanLine(socket, options.clientTimeoutMs, (text) => {
      waiting.delete(socket);
      const done: Promise<void> = answer(socket, text, closing).finally(() => answering.delete(done));
      answering.add(done);
    });
  });
  const own = await listenAt(server, path);
  if (!closing.aborted)
    await new Promise<void>((resolve) => closing.addEventListener('abort', () => resolve(), { once: true }));
  // First, while the listening socket still pins its inode (so an equal dev+ino is surely ours):
  // whatever was put at the path since is not the agent's to remove.
  await removeIfOwn(path, own);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const socket of waiting) socket.destroy();
  await settleWithin(Promise.all(answering), SHUTDOWN_GRACE_MS);
  for (const socket of connections) socket.destroy();
  await closed;
}

/**
 * Listens at `path` through a socket bound in a private directory beside it and hard-linked into
 * place, and returns the socket's identity. The agent never listens on `path` itself because libuv
 * unlinks the path a server listened on when it closes, whatever is there by then. The link fails
 * rather than replace anything that took the path since it was checked.
 */
async function listenAt(server: Server, path: string): Promise<Stats> {
  let dir: string | undefined;
  try {
    dir = await mkdtemp(join(dirname(path), '.'));
    const bound = join(dir, 's');
    await listenPrivately(server, bound);
    await link(bound, path);
    return await lstat(path);
  } catch (error) {
    server.close();
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new ConfigError(path, undefined, undefined, 'was taken while the agent started; refusing to replace it');
    throw new Error(`unable to listen on ${path}`, { cause: error });
  } finally {
    // The bound name is only a way in: the socket lives on at `path`, and the directory goes.
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/** Removes `path` only when it is still the agent's own socket (same device and inode). */
async function removeIfOwn(path: string, own: Stats): Promise<void> {
  const now = await lstat(path).catch(() => undefined);
  if (now?.isSocket() && now.dev === own.dev && now.ino === own.ino) await rm(path, { force: true });
}

/** What a path holds, for the refusal message. */
function kindOf(stat: Stats): string {
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFile()) return 'a regular file';
  return 'a special file';
}

/** Removes a socket left by an agent that is gone; refuses to remove anything else, or a socket still served. */
async function clearStaleSocket(path: string): Promise<void> {
  let stat: Stats;
  try {
    stat = await lstat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw new ConfigError(path, undefined, undefined, `cannot be checked (${code ?? String(error)})`, { cause: error });
  }
  // lstat, not stat: a link is refused itself, whatever it points to, so nothing is removed through it.
  if (!stat.isSocket())
    throw new ConfigError(path, undefined, undefined, `is ${kindOf(stat)}, not a socket; refusing to replace it`);
  if (await accepts(path))
    throw new ConfigError(path, undefined, undefined, 'another agent is listening on this socket');
  await rm(path, { force: true });
}

function accepts(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/**
 * Listens with the socket created mode 0600. bind() creates the file synchronously inside listen(),
 * so the umask set around that call leaves no moment in which another user could connect.
 */
function listenPrivately(server: Server, path: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const previous = process.umask(0o177);
    try {
      server.listen(path, resolve);
    } finally {
      process.umask(previous);
    }
  });
}

/**
 * Collects the client's first line, scanning only the bytes that just arrived (linear however the
 * line is split), and drops the client with an AgentError line when the line passes the plan's size
 * limit or does not arrive within `timeoutMs`. A client that ends its side after a last line without
 * its newline has sent that line; one that ends having sent nothing is dropped.
 */
function readPlanLine(socket: Socket, timeoutMs: number, onLine: (text: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const stop = (): void => {
    socket.off('data', onData);
    socket.off('end', onEnd);
    clearTimeout(timer);
  };
  const onEnd = (): void => {
    stop();
    if (size === 0) drop(socket, 'the connection ended before a plan line');
    else onLine(Buffer.concat(chunks, size).toString('utf8'));
  };
  const onData = (chunk: Buffer): void => {
    const end = chunk.indexOf(0x0a);
    const taken = end < 0 ? chunk.length : end;
    if (size + taken > MAX_PLAN_BYTES) {
      stop();
      drop(
        socket,
        `the plan line is longer than ${MAX_PLAN_BYTES / (1024 * 1024)} MiB, the most a probe plan may hold`,
      );
      return;
    }
    size += taken;
    chunks.push(end < 0 ? chunk : chunk.subarray(0, end));
    if (end < 0) return;
    stop();
    // Whatever follows the plan line is read and ignored, so the client's going away is still seen.
    socket.on('data', () => undefined);
    onLine(Buffer.concat(chunks, size).toString('utf8'));
  };
  const timer = setTimeout(() => {
    stop();
    drop(socket, `no plan line within ${formatDuration(timeoutMs)}`);
  }, timeoutMs);
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.once('close', () => clearTimeout(timer));
}

/** Ends a client with one AgentError line and reads nothing more from it. */
function drop(socket: Socket, message: string): void {
  socket.pause();
  socket.end(`${JSON.stringify({ kind: 'AgentError', message })}\n`, () => socket.destroy());
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
  // A client's end is a half-close (it still reads) or its going away; on a Unix socket only a write
  // tells them apart: an empty one fails with EPIPE when nobody is left to read, and the error's
  // destroy and 'close' stop the plan. A client that goes away later is seen at the next result.
  const gone = (): void => void (socket.writable && socket.write(''));
  if (socket.readableEnded) gone();
  else socket.once('end', gone);
  try {
    await executePlan(await parseProbePlan('<socket>', text), write, plan.signal);
  } catch (error) {
    write({ kind: 'AgentError', message: error instanceof Error ? error.toString() : String(error) });
  } finally {
    closing.removeEventListener('abort', stop);
    socket.off('close', stop);
    socket.off('end', gone);
  }
  if (socket.destroyed) return;
  await new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.end(() => resolve());
  });
}
