// SIGINT/SIGTERM sent to the real binary while probes hang: it stops at once, keeps what it observed,
// reports every probe not done as error/interrupted (never a deny) and exits 2. The probes' own timeout
// is a minute and the wait for the exit is far shorter, so only a prompt abort lets these tests pass.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { listen } from '../helpers/peers.ts';
import { startBinary } from '../helpers/prober.ts';
import { reportSchemaErrors } from '../helpers/report-schema.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';

type Json = Record<string, any>;

/** Far longer than any wait below: a probe that ends on its own timeout fails the test. */
const PROBE_TIMEOUT = '60s';
const EXIT_DEADLINE_MS = 20_000;

/** A listener that accepts and never answers, counting the connections it holds open. */
async function silentPeer(t: Test): Promise<{ port: number; open: () => number }> {
  let open = 0;
  const server: Server = createServer((socket) => {
    open += 1;
    // Read (and ignore) what arrives, so the peer's close is seen.
    socket.on('error', () => undefined).resume();
    socket.once('close', () => (open -= 1));
  });
  return { port: await listen(t, server), open: () => open };
}

/** A listener that accepts and keeps the connection: a tcp:// probe to it is an allow once its settle window passes. */
async function openPort(t: Test): Promise<number> {
  return listen(
    t,
    createServer((socket) => socket.on('error', () => undefined)),
  );
}

function plan(probes: { id: string; url: string }[], concurrency: number): string {
  return JSON.stringify({
    apiVersion: 'prober/v1alpha1',
    kind: 'ProbePlan',
    source: 'here',
    defaults: { timeoutMs: 60_000, attempts: 1, concurrency },
    probes,
  });
}

t.test('check: SIGINT with 64 silent targets in flight or queued prints the partial report and exits 2', async (t) => {
  const silent = await silentPeer(t);
  const open = await openPort(t);
  const targets = [
    `    fast-1: { url: "tcp://127.0.0.1:${open}" }`,
    `    fast-2: { url: "tcp://127.0.0.1:${open}" }`,
    ...Array.from(
      { length: 64 },
      (_, i) => `    silent-${i}: { url: "redis://127.0.0.1:${silent.port}", liveness: none }`,
    ),
  ];
  const file = join(tempDir(t, 'sigint'), 'test.yaml');
  writeFileSync(
    file,
    `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: sigint }
spec:
  defaults: { timeout: ${PROBE_TIMEOUT}, attempts: 2, concurrency: 8 }
  sources: { here: { local: true } }
  targets:
${targets.join('\n')}
  expect:
    - { from: here, to: "fast-*", verdict: allow }
    - { from: here, to: "silent-*", verdict: deny }
`,
  );
  const run = startBinary(t, ['check', '-f', file, '-o', 'json']);
  // The fast probes are first in line; once eight silent ones hold every slot, the rest are queued.
  await waitFor('eight silent probes in flight', () => silent.open() === 8, 15_000);
  run.child.kill('SIGINT');
  await waitFor('check to exit long before the probe timeout', () => run.done(), EXIT_DEADLINE_MS);
  const exit = await run.exited;
  t.equal(exit.code, 2, exit.stderr);
  t.match(exit.stderr, /SIGINT received[\s\S]*interrupted by SIGINT; the report is incomplete/);
  const report = JSON.parse(exit.stdout) as Json;
  t.same(reportSchemaErrors(report), []);
  t.equal(report.exitCode, 2);
  const cells = report.cells as Json[];
  const fast = cells.filter((c) => c.to.startsWith('fast-'));
  t.same(
    fast.map((c) => `${c.result} ${c.observed}/${c.reason}`),
    ['pass allow/connected', 'pass allow/connected'],
    'probes done before the signal keep their outcome',
  );
  const silentCells = cells.filter((c) => c.to.startsWith('silent-'));
  t.equal(silentCells.length, 64);
  t.ok(
    silentCells.every((c) => c.result === 'error' && c.observed === 'error' && c.reason === 'interrupted'),
    'every other cell is error/interrupted, none a deny',
  );
  t.equal(
    silentCells.filter((c) => c.detail === 'interrupted while waiting for a reply').length,
    8,
    'the eight in flight were cut off',
  );
  t.equal(
    silentCells.filter((c) => c.detail === 'interrupted before it was probed').length,
    56,
    'the queued ones never started',
  );
  t.match(report.summary, { pass: 2, error: 64, fail: 0 });
});

t.test('probe: SIGINT during ten silent URLs at concurrency 1 exits 2 with ten interrupted cells', async (t) => {
  const silent = await silentPeer(t);
  const urls = Array.from({ length: 10 }, (_, i) => `http://127.0.0.1:${silent.port}/${i}`);
  const run = startBinary(t, ['probe', '--timeout', PROBE_TIMEOUT, '--concurrency', '1', '-o', 'json', ...urls]);
  await waitFor('the first probe in flight', () => silent.open() === 1, 15_000);
  run.child.kill('SIGINT');
  await waitFor('probe to exit long before the probe timeout', () => run.done(), EXIT_DEADLINE_MS);
  const exit = await run.exited;
  t.equal(exit.code, 2, exit.stderr);
  const report = JSON.parse(exit.stdout) as Json;
  t.same(reportSchemaErrors(report), []);
  t.same(
    (report.cells as Json[]).map((c) => `${c.observed}/${c.reason}`),
    Array.from({ length: 10 }, () => 'error/interrupted'),
  );
  t.equal((report.cells as Json[]).filter((c) => c.attempts === 0).length, 9, 'nine never started');
});

t.test('agent: SIGINT mid-plan writes every probe not done as interrupted, then AgentDone, and exits 2', async (t) => {
  const silent = await silentPeer(t);
  const open = await openPort(t);
  const file = join(tempDir(t, 'agent-sigint'), 'plan.json');
  writeFileSync(
    file,
    plan(
      [
        { id: 'fast', url: `tcp://127.0.0.1:${open}` },
        ...Array.from({ length: 4 }, (_, i) => ({ id: `silent-${i}`, url: `redis://127.0.0.1:${silent.port}` })),
      ],
      5,
    ),
  );
  const run = startBinary(t, ['agent', '--plan', file]);
  await waitFor(
    'the fast result and four silent probes in flight',
    () => run.output.stdout.includes('"id":"fast"') && silent.open() === 4,
    15_000,
  );
  run.child.kill('SIGINT');
  await waitFor('the agent to exit long before the probe timeout', () => run.done(), EXIT_DEADLINE_MS);
  const exit = await run.exited;
  t.equal(exit.code, 2, exit.stderr);
  const lines = exit.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Json);
  t.match(
    lines.find((l) => l.id === 'fast'),
    { observed: 'allow', reason: 'connected' },
  );
  t.same(
    lines.filter((l) => l.id?.startsWith('silent-')).map((l) => `${l.observed}/${l.reason}`),
    Array.from({ length: 4 }, () => 'error/interrupted'),
  );
  t.match(lines.at(-1), { kind: 'AgentDone', probes: 5 });
});

t.test(
  'agent --listen: SIGTERM with a plan in flight answers the client, removes the socket and exits 0',
  async (t) => {
    const silent = await silentPeer(t);
    const open = await openPort(t);
    const socketPath = join(tempDir(t, 'listen-sigterm'), 'agent.sock');
    const agent = startBinary(t, ['agent', '--listen', socketPath]);
    await waitFor('the agent socket', () => existsSync(socketPath) && statSync(socketPath).isSocket(), 15_000);
    const client = connect(socketPath);
    let received = '';
    let closed = false;
    client.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    client.on('error', () => undefined);
    client.once('close', () => (closed = true));
    client.write(
      `${plan([{ id: 'fast', url: `tcp://127.0.0.1:${open}` }, ...Array.from({ length: 3 }, (_, i) => ({ id: `silent-${i}`, url: `redis://127.0.0.1:${silent.port}` }))], 4)}\n`,
    );
    await waitFor(
      'the fast result and three silent probes in flight',
      () => received.includes('"id":"fast"') && silent.open() === 3,
      15_000,
    );
    agent.child.kill('SIGTERM');
    await waitFor('the agent to exit long before the probe timeout', () => agent.done(), EXIT_DEADLINE_MS);
    const exit = await agent.exited;
    t.equal(exit.code, 0, exit.stderr);
    await waitFor('the client connection to close', () => closed);
    const lines = received
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Json);
    t.same(
      lines.filter((l) => l.id?.startsWith('silent-')).map((l) => `${l.observed}/${l.reason}`),
      Array.from({ length: 3 }, () => 'error/interrupted'),
      'the client hears how its plan ended',
    );
    t.match(lines.at(-1), { kind: 'AgentDone', probes: 4 });
    t.notOk(existsSync(socketPath), 'the socket is removed');
  },
);

/** Whether a thread of `pid` sleeps in the kernel's FIFO open, waiting for a writer (linux: fs/pipe.c, wait_for_partner). */
function waitsForFifoWriter(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/task`).some(
      (task) => readFileSync(`/proc/${pid}/task/${task}/wchan`, 'utf8') === 'wait_for_partner',
    );
  } catch {
    return false;
  }
}

for (const command of [
  ['check', '-f'],
  ['simulate', '-f'],
  ['lint', '-f'],
]) {
  t.test(`${command[0]}: SIGINT while a FIFO with no writer is being opened exits 2 with one line`, async (t) => {
    const fifo = join(tempDir(t, 'fifo'), 'manifests.yaml');
    execFileSync('mkfifo', [fifo]);
    const run = startBinary(t, [...command, fifo]);
    await waitFor('prober to wait for a writer', () => waitsForFifoWriter(run.child.pid ?? 0), 15_000);
    run.child.kill('SIGINT');
    await waitFor('prober to exit', () => run.done(), EXIT_DEADLINE_MS);
    const exit = await run.exited;
    t.equal(exit.code, 2, `exit 2, not killed by ${exit.signal}`);
    t.equal(exit.stderr, 'prober: interrupted by SIGINT; nothing was reported\n');
    t.equal(exit.stdout, '');
  });
}

t.test('simulate --cluster: SIGINT while the API server does not answer exits 2 with one line', async (t) => {
  const silent = await silentPeer(t);
  const kubeconfig = join(tempDir(t, 'kubeconfig'), 'config');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: `https://127.0.0.1:${silent.port}` } }],
      users: [{ name: 'u', user: { token: 'unused' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  const run = startBinary(t, ['simulate', '--kubeconfig', kubeconfig]);
  await waitFor('a request to the API server in flight', () => silent.open() > 0, 15_000);
  run.child.kill('SIGINT');
  await waitFor('prober to exit', () => run.done(), EXIT_DEADLINE_MS);
  const exit = await run.exited;
  t.equal(exit.code, 2, `exit 2, not killed by ${exit.signal}`);
  t.equal(exit.stderr, 'prober: interrupted by SIGINT; nothing was reported\n');
});

t.test('check: SIGINT during a rate-limit check reports it undecided with what was sent, exit 2', async (t) => {
  let received = 0;
  const { createServer: createHttpServer } = await import('node:http');
  const port = await listen(
    t,
    createHttpServer((_req, res) => {
      received += 1;
      res.end('ok');
    }) as unknown as Server,
  );
  const file = join(tempDir(t, 'sigint-check'), 'test.yaml');
  writeFileSync(
    file,
    `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: sigint-check }
spec:
  sources: { here: { local: true } }
  targets: { web: { url: "http://127.0.0.1:${port}/" } }
  expect: [{ from: here, to: web, verdict: allow }]
  checks: { slow: { rateLimit: { from: here, to: web, limit: 10/s, duration: 60s } } }
`,
  );
  const run = startBinary(t, ['check', '-f', file, '-o', 'json']);
  // The matrix's probe, then the check's first requests at 5/s.
  await waitFor('the check sending', () => received >= 4, 15_000);
  run.child.kill('SIGINT');
  await waitFor('check to exit long before the phase ends', () => run.done(), EXIT_DEADLINE_MS);
  const exit = await run.exited;
  t.equal(exit.code, 2, exit.stderr);
  const report = JSON.parse(exit.stdout) as Json;
  t.same(reportSchemaErrors(report), []);
  const [check] = report.checks as Json[];
  t.equal(check?.verdict, 'undecided');
  const [first, second] = (check?.phases ?? []) as Json[];
  t.ok(
    first?.measurement.sent >= 3 && first?.measurement.sent < 300,
    `${first?.measurement.sent} sent before the signal`,
  );
  t.match(first, { verdict: 'undecided', why: /^interrupted after \d+ of 300 requests$/ });
  t.match(second, { verdict: 'undecided', why: /not run \(the run was interrupted\)/ });
});
