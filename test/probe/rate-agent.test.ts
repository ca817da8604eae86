// `prober agent --rate`: one phase of a rate-limit check sent from where the agent runs (what `lab test`
// starts in a source pod), its measurement printed as one JSON line; a bad plan is one line, exit 2.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cli } from '../helpers/cli-in-process.ts';
import { httpServer, listen } from '../helpers/peers.ts';
import { tempDir } from '../helpers/temp.ts';

t.test('a phase against a server that refuses every third request: counted by kind', async (t) => {
  let n = 0;
  const port = await listen(
    t,
    httpServer((_req, res) => {
      n++;
      if (n % 3 === 0) res.writeHead(429, { 'retry-after': '1' }).end();
      else res.writeHead(200).end('ok');
    }),
  );
  const plan = {
    apiVersion: 'prober/v1alpha1',
    kind: 'RatePlan',
    url: `http://127.0.0.1:${port}/`,
    offeredPerSecond: 30,
    durationMs: 1000,
    timeoutMs: 1000,
    maxInFlight: 8,
  };
  const run = await cli(['agent', '--rate', '-'], { stdin: JSON.stringify(plan) });
  t.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trimEnd().split('\n');
  t.equal(lines.length, 1, 'one line');
  const line = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
  t.match(line, { kind: 'RateMeasurement', offeredPerSecond: 30, durationMs: 1000, scheduled: 30 });
  // A loaded host may leave a request unsent (the achieved rate says so); every one sent is counted.
  const sent = line.sent as number;
  t.ok(sent > 0, `${sent} sent`);
  t.equal(line.accepted, sent - Math.floor(sent / 3), 'two in three accepted');
  t.same(line.statuses, sent >= 3 ? { 429: Math.floor(sent / 3) } : {}, 'every third answered 429');
  t.same(line.rejectionHeaders, sent >= 3 ? ['retry-after: 1'] : []);
  t.equal(n, line.sent, 'every request sent reached the server');
});

t.test('a bad plan: one line naming the field, exit 2, nothing sent', async (t) => {
  const dir = tempDir(t, 'rate-agent');
  const file = join(dir, 'plan.json');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'prober/v1alpha1',
      kind: 'RatePlan',
      url: 'http://127.0.0.1:9/',
      offeredPerSecond: 20,
      durationMs: 1000,
      timeoutMs: 1000,
      maxInFlight: 0,
    }),
  );
  const run = await cli(['agent', '--rate', file]);
  t.equal(run.status, 2);
  t.equal(run.stdout, '');
  t.equal(run.stderr, `prober: ${file}: maxInFlight: must be an integer from 1 to 4096\n`);
});
