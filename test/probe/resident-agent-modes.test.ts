// The two agent modes a resident agent in a cluster uses, as real processes: `prober agent --resident`
// idles (no socket, no network) until SIGTERM and exits 0; `prober agent --plan-line` runs the plan sent
// as one line on stdin (what a pods/exec sends, test/cluster/resident-agent.system.test.ts) and stops its
// probes when stdin closes, since a container runtime does not kill an exec'd process whose client left.

import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import t from 'tap';
import { httpServer, listen, silentServer } from '../helpers/peers.ts';
import { proberCommand } from '../helpers/prober.ts';
import { waitFor } from '../helpers/wait.ts';

type Json = Record<string, any>;

function start(args: readonly string[]) {
  const [command, ...lead] = proberCommand();
  const child = spawn(command, [...lead, 'agent', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  t.teardown(() => void child.kill('SIGKILL'));
  return { child, output, exited };
}

t.test('--resident idles with no socket open, and exits 0 on SIGTERM', async (t) => {
  const agent = start(['--resident']);
  const pid = agent.child.pid as number;
  await waitFor('the resident agent to say it waits', () => agent.output.stderr.includes('resident, waiting'), 20_000);
  // Its standard streams are this test's pipes (socket pairs); any other socket would be its own.
  const sockets = readdirSync(`/proc/${pid}/fd`)
    .filter((fd) => Number(fd) > 2)
    .map((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    })
    .filter((target) => target.startsWith('socket:'));
  t.same(sockets, [], 'no socket: it neither listens nor connects');
  t.equal(agent.child.exitCode, null, 'still running: it waits');
  const started = Date.now();
  agent.child.kill('SIGTERM');
  t.same(await agent.exited, { code: 0, signal: null }, 'a clean exit');
  t.ok(Date.now() - started < 5000, 'at once');
});

function plan(url: string, timeoutMs: number): string {
  return `${JSON.stringify({
    apiVersion: 'prober/v1alpha1',
    kind: 'ProbePlan',
    source: 'here',
    defaults: { timeoutMs, attempts: 1, concurrency: 4 },
    probes: [{ id: 'web', url }],
  })}\n`;
}

const lines = (text: string): Json[] =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Json);

t.test('--plan-line runs the plan of one line while stdin stays open, then exits 0', async (t) => {
  const port = await listen(
    t,
    httpServer((_req, res) => res.end('ok')),
  );
  const agent = start(['--plan-line']);
  // Stdin is written and left open, as over a v4 exec, which cannot close it without closing everything.
  agent.child.stdin?.write(plan(`http://127.0.0.1:${port}/`, 5000));
  t.same(await agent.exited, { code: 0, signal: null });
  const out = lines(agent.output.stdout);
  t.match(out[0], { kind: 'ProbeResult', id: 'web', observed: 'allow' });
  t.match(out[1], { kind: 'AgentDone', probes: 1 });
});

t.test('--plan-line: stdin closing mid-run stops the probes at once (interrupted, exit 2)', async (t) => {
  const server = silentServer();
  let connected = 0;
  server.on('connection', () => (connected += 1));
  const port = await listen(t, server);
  const agent = start(['--plan-line']);
  agent.child.stdin?.write(plan(`http://127.0.0.1:${port}/`, 30_000));
  // The silent server's socket connected: the probe is under way, and waits for an answer.
  await waitFor('the probe to connect', () => connected > 0, 20_000);
  const started = Date.now();
  agent.child.stdin?.end();
  t.same(await agent.exited, { code: 2, signal: null });
  t.ok(Date.now() - started < 5000, 'long before the 30 s probe timeout');
  const out = lines(agent.output.stdout);
  t.match(out[0], { kind: 'ProbeResult', id: 'web', observed: 'error', reason: 'interrupted' });
  t.match(out[1], { kind: 'AgentDone' });
});

t.test('--plan-line: stdin closed before a whole line is one AgentError line, exit 2', async (t) => {
  const agent = start(['--plan-line']);
  agent.child.stdin?.end('{"apiVersion":');
  t.same(await agent.exited, { code: 2, signal: null });
  t.match(lines(agent.output.stdout), [
    { kind: 'AgentError', message: 'stdin closed before a whole plan line arrived' },
  ]);
});
