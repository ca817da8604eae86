// The single binary itself: runs from anywhere without node_modules, probes, judges, reports, exits right.

import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t, { type Test } from 'tap';
import { closedPort, listen, silentServer } from '../helpers/peers.ts';
import { requireBinary } from '../helpers/prober.ts';
import { startRedis } from '../helpers/redis.ts';
import { reportSchemaErrors } from '../helpers/report-schema.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';

const binary = requireBinary();
const run = (args: string[], input?: string) => spawnSync(binary, args, { encoding: 'utf8', input, cwd: '/' });

/** Starts `prober serve` on a free port and returns the port. */
async function serve(t: Test): Promise<number> {
  const child = spawn(binary, ['serve', '--port', '0', '--host', '127.0.0.1', '--name', 'web-1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  let port = 0;
  createInterface({ input: child.stderr }).on('line', (line) => {
    const match = /listening on .* port (\d+)/.exec(line);
    if (match) port = Number(match[1]);
  });
  await waitFor('prober serve to listen', () => port > 0);
  return port;
}

t.test('--version names prober and the embedded Node 24, from any directory without node_modules', async (t) => {
  const dir = tempDir(t, 'bin');
  const copy = join(dir, 'prober');
  copyFileSync(binary, copy);
  const out = spawnSync(copy, ['--version'], { encoding: 'utf8', cwd: dir, env: { PATH: '/usr/bin:/bin' } });
  t.equal(out.status, 0);
  t.match(out.stdout, /^prober \d+\.\d+\.\d+ \(node v24\.\d+\.\d+, linux-x64\)\n$/);
});

t.test('every command has --help with an example', async (t) => {
  for (const command of ['probe', 'check', 'agent', 'serve', 'simulate', 'lint']) {
    const out = run([command, '--help']);
    t.equal(out.status, 0, `${command} --help exits 0`);
    t.match(out.stdout, /Examples?:/, `${command} --help shows an example`);
  }
  const top = run(['--help']);
  t.match(top.stdout, /probe .*check .*agent .*serve/s);
  t.equal(run([]).status, 2, 'no command: help and exit 2');
});

t.test('probe: a one-row matrix, JSON valid against the schema, exit codes', async (t) => {
  const redis = await startRedis(t);
  const closed = await closedPort();
  const ok = run(['probe', '-o', 'json', `redis://127.0.0.1:${redis.port}`, `tcp://127.0.0.1:${closed}`]);
  t.equal(ok.status, 0, 'every probe observed: exit 0');
  const report = JSON.parse(ok.stdout);
  t.same(reportSchemaErrors(report), []);
  t.same(
    report.cells.map((c: { observed: string; reason: string }) => `${c.observed}/${c.reason}`),
    ['allow/pong', 'deny/refused'],
  );
  const table = run(['probe', `redis://127.0.0.1:${redis.port}`]);
  t.match(table.stdout, /│ here +│ +a +│/);
  t.equal(run(['probe', 'tcp://no-such-host.invalid:1']).status, 2, 'an error: exit 2');
  const trusting = ['probe', '--liveness', 'none', '--expect'];
  t.equal(run([...trusting, 'allow', `tcp://127.0.0.1:${closed}`]).status, 1, 'an unexpected deny: exit 1');
  t.equal(run([...trusting, 'deny', `tcp://127.0.0.1:${closed}`]).status, 0, 'an expected deny: exit 0');
});

t.test('check: judges a test file against real peers, in every format', async (t) => {
  const port = await serve(t);
  const closed = await closedPort();
  const dir = tempDir(t, 'check');
  const file = join(dir, 'test.yaml');
  const write = (verdictForAdmin: string) =>
    writeFileSync(
      file,
      `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: bin-check }
spec:
  defaults: { timeout: 1s, attempts: 1 }
  sources: { here: { local: true } }
  targets:
    web: { url: "http://127.0.0.1:${port}/" }
    admin: { url: "http://127.0.0.1:${port}/status/403" }
    ping: { url: "redis://127.0.0.1:${port}" }
    closed: { url: "tcp://127.0.0.1:${closed}", liveness: none }
  expect:
    - { from: here, to: web, verdict: allow }
    - { name: "admin is L7-denied", from: here, to: admin, verdict: ${verdictForAdmin} }
    - { from: here, to: ping, verdict: allow }
    - { from: here, to: closed, verdict: deny }
`,
    );
  write('deny');
  const json = run(['check', '-f', file, '-o', 'json']);
  t.equal(json.status, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  t.same(reportSchemaErrors(report), []);
  t.match(report, { exitCode: 0, summary: { pass: 4 }, metadata: { backend: 'local', test: 'bin-check' } });
  t.match(report.cells[1], { to: 'admin', observed: 'deny', reason: 'http-403', rule: 'admin is L7-denied' });

  write('allow');
  const mismatch = run(['check', '-f', file, '-o', 'json']);
  t.equal(mismatch.status, 1, 'a mismatch exits 1');
  const failed = JSON.parse(mismatch.stdout);
  t.same(reportSchemaErrors(failed), []);
  t.match(failed, { exitCode: 1, summary: { fail: 1, pass: 3 } });
  const junit = run(['check', '-f', file, '-o', 'junit']);
  t.equal(junit.status, 1);
  t.match(
    junit.stdout,
    /<testcase classname="prober\.bin-check\.here" name="here → admin \(admin is L7-denied\)"[^>]*>\s*<failure/,
  );
  const md = run(['check', '-f', file, '-o', 'markdown']);
  t.match(md.stdout, /### ❌ prober: bin-check/);
});

t.test('agent: plan on stdin, JSON lines out; a bad plan is a one-line error', async (t) => {
  const redis = await startRedis(t);
  const plan = {
    apiVersion: 'prober/v1alpha1',
    kind: 'ProbePlan',
    source: 'here',
    defaults: { timeoutMs: 1000, attempts: 1, concurrency: 4 },
    probes: [
      { id: 'redis', url: `redis://127.0.0.1:${redis.port}` },
      { id: 'bad', url: 'gopher://x' },
    ],
  };
  const out = run(['agent'], JSON.stringify(plan));
  t.equal(out.status, 0);
  const lines = out.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  t.equal(lines.length, 3);
  t.match(
    lines.find((l) => l.id === 'redis'),
    { kind: 'ProbeResult', observed: 'allow', reason: 'pong' },
  );
  t.match(
    lines.find((l) => l.id === 'bad'),
    { kind: 'ProbeResult', observed: 'error', reason: 'bad-target' },
  );
  t.match(lines[2], { kind: 'AgentDone', source: 'here', probes: 2 });

  const bad = run(['agent'], JSON.stringify({ ...plan, defaults: { timeoutMs: 'soon', attempts: 1, concurrency: 1 } }));
  t.equal(bad.status, 2);
  t.match(bad.stderr, /^prober: <stdin>:1: defaults\.timeoutMs: must be integer/);
  const dup = run(['agent'], JSON.stringify({ ...plan, probes: [plan.probes[0], plan.probes[0]] }, null, 1));
  t.equal(dup.status, 2);
  t.match(dup.stderr, /^prober: <stdin>:\d+: probes\[1\]\.id: duplicate probe id "redis"\n$/);
});

t.test('serve: answers HTTP with its identity and Redis PING, stops on SIGTERM with exit 0', async (t) => {
  const child = spawn(binary, ['serve', '--port', '0', '--host', '127.0.0.1', '--name', 'ident'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let port = 0;
  createInterface({ input: child.stderr }).on('line', (line) => {
    port = Number(/port (\d+)/.exec(line)?.[1] ?? port);
  });
  await waitFor('serve to listen', () => port > 0);
  const body = await (await fetch(`http://127.0.0.1:${port}/who`)).json();
  t.match(body, { name: 'ident', port, path: '/who', client: '127.0.0.1' });
  t.equal((await fetch(`http://127.0.0.1:${port}/status/418`)).status, 418);
  const ping = run(['probe', '-o', 'json', `redis://127.0.0.1:${port}`]);
  t.match(JSON.parse(ping.stdout).cells[0], { observed: 'allow', reason: 'pong' });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  t.equal(await exited, 0);
});

t.test('a reader that stops early is not an error: no stack trace, exit 0', async (t) => {
  // The first line lands at once; the second only after a silent peer times out, when `head` is gone.
  const port = await listen(t, silentServer());
  const plan = JSON.stringify({
    apiVersion: 'prober/v1alpha1',
    kind: 'ProbePlan',
    source: 'here',
    defaults: { timeoutMs: 300, attempts: 1, concurrency: 2 },
    probes: [
      { id: 'fast', url: 'dns://localhost' },
      { id: 'slow', url: `redis://127.0.0.1:${port}` },
    ],
  });
  const pipe = spawnSync('bash', ['-c', `set -o pipefail; "${binary}" agent | head -1`], {
    encoding: 'utf8',
    input: plan,
  });
  t.match(pipe.stdout, /"id":"fast"/);
  t.equal(pipe.stderr, '', 'nothing on stderr');
  t.equal(pipe.status, 0, 'exit 0 although the reader closed the pipe');
});
