// The resident agent (`prober agent --listen`, the real binary) against hostile clients and paths: an
// endless line is cut off without starving other clients, an idle client is dropped, the socket is
// private, and nothing but a stale socket is ever removed to make room for it.

import { existsSync, lstatSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { listen } from '../helpers/peers.ts';
import { startBinary } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';

type Json = Record<string, any>;

/** Starts `agent --listen` on a fresh socket path and waits until it listens. */
async function residentAgent(t: Test, extra: string[] = []) {
  const path = join(tempDir(t, 'resident'), 'agent.sock');
  const agent = startBinary(t, ['agent', '--listen', path, ...extra]);
  t.teardown(() => {
    agent.child.kill('SIGTERM');
  });
  await waitFor('the agent socket', () => agent.done() || (existsSync(path) && statSync(path).isSocket()), 15_000);
  if (agent.done()) throw new Error(`agent --listen exited: ${agent.output.stderr}`);
  return { path, agent };
}

/** The socket path of a resident agent that runs until the test ends. */
const resident = async (t: Test, extra: string[] = []): Promise<string> => (await residentAgent(t, extra)).path;

/** A client connection and everything it has received. */
function client(path: string): { socket: Socket; received: () => string; closed: () => boolean } {
  const socket = connect(path);
  let received = '';
  let closed = false;
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined);
  socket.once('close', () => (closed = true));
  return { socket, received: () => received, closed: () => closed };
}

t.test('a client streaming an endless line is dropped, and another client meanwhile gets true results', async (t) => {
  const path = await resident(t);
  const port = await listen(
    t,
    createServer((socket) => socket.on('error', () => undefined)),
  );
  const flood = client(path);
  const chunk = Buffer.alloc(1024 * 1024, 'a');
  let sent = 0;
  const pump = (): void => {
    while (sent < 100 * 1024 * 1024 && !flood.closed()) {
      sent += chunk.length;
      if (!flood.socket.write(chunk)) {
        flood.socket.once('drain', pump);
        return;
      }
    }
  };
  flood.socket.once('connect', pump);
  await waitFor('8 MiB of the endless line on its way', () => sent >= 8 * 1024 * 1024 || flood.closed(), 30_000);

  const honest = client(path);
  const probes = Array.from({ length: 20 }, (_, i) => ({ id: `p${i}`, url: `tcp://127.0.0.1:${port}` }));
  honest.socket.write(
    `${JSON.stringify({ apiVersion: 'prober/v1alpha1', kind: 'ProbePlan', source: 'here', defaults: { timeoutMs: 1000, attempts: 1, concurrency: 20 }, probes })}\n`,
  );
  await waitFor('the endless client to be dropped', () => flood.closed(), 60_000);
  await waitFor('the other client to get its AgentDone', () => honest.received().includes('"AgentDone"'), 60_000);

  t.equal(
    flood.received(),
    '{"kind":"AgentError","message":"the plan line is longer than 16 MiB, the most a probe plan may hold"}\n',
  );
  t.ok(sent < 100 * 1024 * 1024, `dropped before the whole 100 MiB was sent (${sent >> 20} MiB)`);
  const results = honest
    .received()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Json)
    .filter((l) => l.kind === 'ProbeResult');
  t.equal(results.length, 20);
  t.same([...new Set(results.map((r) => `${r.observed}/${r.reason}`))], ['allow/connected'], 'no false timeouts');
});

t.test('a client that sends no plan line within --client-timeout is dropped with an AgentError', async (t) => {
  const path = await resident(t, ['--client-timeout', '200ms']);
  const idle = client(path);
  await waitFor('the idle client to be dropped', () => idle.closed(), 15_000);
  t.equal(idle.received(), '{"kind":"AgentError","message":"no plan line within 200ms"}\n');
});

t.test('the socket is created private to its owner (mode 0600)', async (t) => {
  const path = await resident(t);
  t.equal((lstatSync(path).mode & 0o777).toString(8), '600');
});

/** [name, what to put at the socket path, the refusal] */
const inTheWay: [string, (path: string, dir: string) => void, RegExp][] = [
  [
    'a regular file',
    (path) => writeFileSync(path, 'precious\n'),
    /is a regular file, not a socket; refusing to replace it/,
  ],
  [
    'a symbolic link to a file',
    (path, dir) => {
      writeFileSync(join(dir, 'target'), 'precious\n');
      symlinkSync(join(dir, 'target'), path);
    },
    /is a symbolic link, not a socket; refusing to replace it/,
  ],
];

t.test('--listen refuses a path held by anything but a stale socket, and keeps it', async (t) => {
  for (const [name, place, refusal] of inTheWay) {
    const dir = tempDir(t, 'listen-path');
    const path = join(dir, 'agent.sock');
    place(path, dir);
    const agent = startBinary(t, ['agent', '--listen', path]);
    await waitFor(`agent --listen on ${name} to exit`, () => agent.done(), 15_000);
    const exit = await agent.exited;
    t.equal(exit.code, 2, `${name}: exit 2`);
    t.match(exit.stderr, new RegExp(`^prober: ${path}: ${refusal.source}\\n$`), name);
    t.equal(readFileSync(path, 'utf8'), 'precious\n', `${name}: left as it was`);
  }

  const live = await resident(t);
  const second = startBinary(t, ['agent', '--listen', live]);
  await waitFor('the second agent to give up', () => second.done(), 15_000);
  t.match((await second.exited).stderr, /another agent is listening on this socket/);
  t.ok(statSync(live).isSocket(), 'the live agent keeps its socket');
});

t.test('on stop the agent removes its own socket, and nothing put in its place', async (t) => {
  const own = await residentAgent(t);
  own.agent.child.kill('SIGTERM');
  t.equal((await own.agent.exited).code, 0, 'a stopped agent exits 0');
  t.notOk(existsSync(own.path), 'its own socket is removed');

  const file = await residentAgent(t);
  unlinkSync(file.path);
  writeFileSync(file.path, 'precious\n');
  file.agent.child.kill('SIGTERM');
  t.equal((await file.agent.exited).code, 0);
  t.equal(readFileSync(file.path, 'utf8'), 'precious\n', 'a regular file put at its path is kept');

  const other = await residentAgent(t);
  unlinkSync(other.path);
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(other.path, resolve));
  t.teardown(() => server.close());
  other.agent.child.kill('SIGTERM');
  t.equal((await other.agent.exited).code, 0);
  t.ok(lstatSync(other.path).isSocket(), "another program's socket at its path is kept");
});

t.test('a client that half-closes after its plan gets its results, with or without the last newline', async (t) => {
  const path = await resident(t);
  const port = await listen(
    t,
    createServer((socket) => socket.on('error', () => undefined)),
  );
  const plan = JSON.stringify({
    apiVersion: 'prober/v1alpha1',
    kind: 'ProbePlan',
    source: 'here',
    defaults: { timeoutMs: 1000, attempts: 1, concurrency: 2 },
    probes: [{ id: 'p0', url: `tcp://127.0.0.1:${port}` }],
  });
  const ways: [string, string][] = [
    ['no trailing newline', plan],
    ['a trailing newline', `${plan}\n`],
  ];
  for (const [name, text] of ways) {
    const half = client(path);
    half.socket.end(text);
    await waitFor(`${name}: the client's connection to close`, () => half.closed(), 15_000);
    const lines = half
      .received()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Json);
    t.match(lines, [{ kind: 'ProbeResult', id: 'p0', observed: 'allow' }, { kind: 'AgentDone' }], name);
  }
  const empty = client(path);
  empty.socket.end();
  await waitFor('a client that sent nothing to be dropped', () => empty.closed(), 15_000);
  t.equal(empty.received(), '{"kind":"AgentError","message":"the connection ended before a plan line"}\n');
});

t.test('a client that goes away mid-plan stops its probes (a half-closed one is answered, above)', async (t) => {
  const path = await resident(t);
  // Accepts and never answers: a Redis PING to it waits for its whole timeout unless stopped.
  let open = 0;
  const port = await listen(
    t,
    createServer((socket) => {
      open++;
      // Read (and ignore) what comes, or the end of the probe's connection is never seen.
      socket
        .on('error', () => undefined)
        .once('close', () => open--)
        .resume();
    }),
  );
  const plan = JSON.stringify({
    apiVersion: 'prober/v1alpha1',
    kind: 'ProbePlan',
    source: 'here',
    defaults: { timeoutMs: 120_000, attempts: 1, concurrency: 1 },
    probes: [{ id: 'hang', url: `redis://127.0.0.1:${port}` }],
  });
  const leaving = client(path);
  leaving.socket.write(`${plan}\n`);
  await waitFor('the probe to reach the silent server', () => open === 1, 15_000);
  leaving.socket.destroy();
  await waitFor('the agent to drop the probe of a client that left', () => open === 0, 15_000);
  t.pass('the probe was stopped long before its two-minute timeout');
});
