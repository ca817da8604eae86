// `prober probe --expect`: trust rule 2 holds for ad-hoc probes too — a deny from here alone is unproven.

import { spawn, spawnSync } from 'node:child_process';
import t, { type Test } from 'tap';
import { closedPort, httpServer, listen } from '../helpers/peers.ts';
import { requireBinary } from '../helpers/prober.ts';
import { reportSchemaErrors } from '../helpers/report-schema.ts';

const binary = requireBinary();
const run = (args: string[]) => spawnSync(binary, args, { encoding: 'utf8', cwd: '/' });

/** Runs the binary without blocking this process, whose own servers must answer it. */
function runAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(binary, args, { cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => {
    out.stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    out.stderr += chunk.toString();
  });
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, ...out })));
}

type Cell = { observed: string; reason: string; result: string; detail?: string };

function cellOf(t: Test, stdout: string): Cell {
  const report = JSON.parse(stdout);
  t.same(reportSchemaErrors(report), [], 'the report is valid against the schema');
  return report.cells[0];
}

t.test('--expect deny on a port nobody listens on: unproven, exit 2, never a pass', async (t) => {
  const closed = await closedPort();
  const out = run(['probe', '-o', 'json', '--expect', 'deny', '--timeout', '1s', `tcp://127.0.0.1:${closed}`]);
  t.equal(out.status, 2, 'the run could not decide');
  const cell = cellOf(t, out.stdout);
  t.match(cell, { observed: 'error', reason: 'target-down', result: 'error' });
  t.match(cell.detail, /saw refused .*nothing proved .* alive/);
  t.match(out.stderr, /not trusted.*--liveness none/s, 'stderr says why and how to accept it');
  const table = run(['probe', '--expect', 'deny', `tcp://127.0.0.1:${closed}`]);
  t.equal(table.status, 2, 'the same in the table');
  t.match(table.stdout, /target-down/);
});

t.test('--liveness none accepts the deny as observed, and says so in the cell', async (t) => {
  const closed = await closedPort();
  const out = run(['probe', '-o', 'json', '--expect', 'deny', '--liveness', 'none', `tcp://127.0.0.1:${closed}`]);
  t.equal(out.status, 0, out.stderr);
  t.match(cellOf(t, out.stdout), { observed: 'deny', reason: 'refused', result: 'pass' });
  t.equal(run(['probe', '--liveness', 'maybe', `tcp://127.0.0.1:${closed}`]).status, 2, 'a bad value is a usage error');
});

t.test('an answered deny (an HTTP 403) proves the target alive by itself: exit 0', async (t) => {
  const port = await listen(
    t,
    httpServer((_req, res) => {
      res.statusCode = 403;
      res.end('RBAC: access denied');
    }),
  );
  const out = await runAsync(['probe', '-o', 'json', '--expect', 'deny', `http://127.0.0.1:${port}/`]);
  t.equal(out.status, 0, out.stderr);
  t.match(cellOf(t, out.stdout), { observed: 'deny', reason: 'http-403', result: 'pass' });
  t.equal(out.stderr, '', 'no warning: nothing was left unproven');
});

t.test(
  '--expect allow on a dead port cannot decide either (2); without --expect a deny is shown as seen (0)',
  async (t) => {
    const closed = await closedPort();
    t.equal(run(['probe', '--expect', 'allow', `tcp://127.0.0.1:${closed}`]).status, 2);
    t.equal(run(['probe', '--expect', 'allow', '--liveness', 'none', `tcp://127.0.0.1:${closed}`]).status, 1);
    const seen = run(['probe', '-o', 'json', `tcp://127.0.0.1:${closed}`]);
    t.equal(seen.status, 0, 'nothing judged: every probe observed');
    t.match(cellOf(t, seen.stdout), { observed: 'deny', reason: 'refused', result: 'unchecked' });
  },
);
